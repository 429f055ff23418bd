import { describe, expect, it } from 'vitest';
import type { PoolRecord } from '../../../src/domain/pool/pool-record.js';
import type { PoolStore } from '../../../src/domain/ports/pool-store.js';
import { evaluatePool, newRun } from '../../../src/domain/steward/evaluate-pool.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { historyOf } from '../../helpers/steward-builders.js';
import {
  DEFAULT_SETTINGS,
  HOUR,
  MINUTE,
  stewardWorld,
  type WorldOptions,
} from '../../helpers/steward-world.js';

/** A rule keeping every pool a fixed time after its job ended. */
function fixedRule(fixed: string, max = '1h'): string {
  return `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: ${max}, fixed: ${fixed} }
`;
}

const DRY_RUN = DEFAULT_SETTINGS.replace('dryRun: false', 'dryRun: true');

/** A world whose job "a" ended with a 30-minute keep-alive, its pool tracked, `after` ms ago. */
async function trackedPool(options: WorldOptions & { after?: number; keepAliveSeconds?: number }) {
  const world = stewardWorld(options);
  const { terminal, end } = world.runJob('a', {
    ...(options.keepAliveSeconds === undefined
      ? {}
      : { keepAliveSeconds: options.keepAliveSeconds }),
  });
  await trackPoolEvent(terminal, world.deps);
  world.clock.advanceTo(end + (options.after ?? 0));
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  return { world, pool, end };
}

async function stored(world: ReturnType<typeof stewardWorld>, pool: PoolRecord) {
  return world.store.getPool(pool.jobArn, pool.creationTime);
}

describe('evaluatePool', () => {
  describe('in dry run', () => {
    it('decides and audits but never calls UpdateTrainingJob', async () => {
      // Prepare
      const { world, pool, end } = await trackedPool({
        settings: DRY_RUN,
        rules: fixedRule('45m'),
      });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({
        kind: 'decided',
        outcome: 'dry-run',
        keepAliveSeconds: 2700,
        decision: { action: 'extend', until: end + 45 * MINUTE },
      });
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(0);
      expect(world.sim.job('a')?.warmPool?.expiresAt).toBe(end + 30 * MINUTE);
      expect((await world.auditOf('a')).at(-1)).toMatchObject({
        kind: 'extend',
        outcome: 'dry-run',
        keepAliveSeconds: 2700,
      });
    });

    it('tells nobody', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ settings: DRY_RUN, rules: fixedRule('45m') });

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(world.senders.emails).toEqual([]);
      expect(world.senders.slacks).toEqual([]);
      expect(world.events.ofType('Warm Pool Action')).toEqual([]);
      expect(world.events.ofType('Warm Pool Decision')).toHaveLength(1);
    });
  });

  describe('acting', () => {
    it('sends the keep-alive counted from the job end, so the pool expires at the decided time', async () => {
      // Prepare: decided 5 minutes after the job ended
      const { world, pool, end } = await trackedPool({
        rules: fixedRule('45m'),
        after: 5 * MINUTE,
      });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess: 45 min from the end, not from now (which would be 50 min after the end)
      expect(result).toMatchObject({ kind: 'decided', outcome: 'applied', keepAliveSeconds: 2700 });
      expect(world.updates.map((u) => u.seconds)).toEqual([2700]);
      expect(await stored(world, pool)).toMatchObject({
        keepAliveSeconds: 2700,
        expiresAt: end + 45 * MINUTE,
        nextDecisionAt: end + 35 * MINUTE,
        decisions: [expect.objectContaining({ action: 'extend', outcome: 'applied' })],
      });
      world.clock.advanceTo(end + 45 * MINUTE - 1000);
      expect(world.sim.job('a')?.warmPool?.status).toBe('Available');
      world.clock.advanceTo(end + 45 * MINUTE);
      expect(world.sim.job('a')?.warmPool).toMatchObject({
        status: 'Terminated',
        closedAt: end + 45 * MINUTE,
      });
    });

    it('sends 0 to release a pool the rule no longer wants', async () => {
      // Prepare: a 5-minute rule, decided 10 minutes after the end
      const { world, pool } = await trackedPool({ rules: fixedRule('5m'), after: 10 * MINUTE });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ outcome: 'applied', decision: { action: 'release' } });
      expect(world.updates.map((u) => u.seconds)).toEqual([0]);
      expect(world.sim.job('a')?.warmPool?.status).toBe('Terminated');
      const after = await stored(world, pool);
      expect(after).toMatchObject({ state: 'Terminated', expiresAt: world.clock.now() });
      expect(after?.nextDecisionAt).toBeUndefined();
    });

    it("counts a released pool's idle time in its team's spend today", async () => {
      // Prepare: a 5-minute rule, decided 10 minutes after the end
      const { world, pool } = await trackedPool({ rules: fixedRule('5m'), after: 10 * MINUTE });

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess: no later describe records this pool, so the release itself counts it
      const spend = await world.store.spend('vision', '2026-11-26');
      expect(spend.instanceHours).toBeCloseTo(10 / 60, 9);
      expect(spend.usd).toBeGreaterThan(0);
    });

    it('tells the owner by email and Slack once, and publishes the decision and the action', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRule('45m') });

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(world.senders.emails.map((e) => e.message.to)).toEqual(['alice@example.com']);
      expect(world.senders.slacks.map((s) => s.target)).toEqual([
        { kind: 'user', id: 'U0ALICE01' },
      ]);
      expect(world.events.events.map((e) => e.detailType)).toEqual([
        'Warm Pool Decision',
        'Warm Pool Action',
      ]);
      expect(world.events.events[0]).toMatchObject({
        resource: pool.jobArn,
        detail: expect.objectContaining({ jobName: 'a', owner: 'alice' }),
      });
    });

    it('keeps a pool whose expiry already fits, without calling SageMaker or the owner', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRule('30m') });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ outcome: 'no-op', decision: { action: 'keep' } });
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(0);
      expect(world.senders.emails).toEqual([]);
      expect(world.events.events.map((e) => e.detailType)).toEqual(['Warm Pool Decision']);
    });

    it('skips a target no keep-alive can reach, never sending a value that would end the pool', async () => {
      // Prepare: under job-end, a 1 h maximum ends the pool at end + 60 min; it is now
      // end + 58.5 min and the 2-minute margin reaches past that
      const { world, pool } = await trackedPool({
        rules: fixedRule('1h'),
        keepAliveSeconds: 3525,
        after: 58.5 * MINUTE,
      });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ kind: 'decided', outcome: 'skipped' });
      expect(result.kind === 'decided' && result.decision.reason).toMatch(/not applied/);
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(0);
      expect(world.sim.job('a')?.warmPool?.status).toBe('Available');
    });
  });

  describe('a pool that changed under it', () => {
    it('records a pool reused between its describe and its update as Reused, without raising', async () => {
      // Prepare: job b starts (and takes the pool) just before the update lands
      const { world, pool } = await trackedPool({ rules: fixedRule('45m') });
      world.submit('b');
      world.onUpdate(() => {
        world.sim.start('b');
      });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ kind: 'gone', state: 'Reused' });
      expect(world.updates.map((u) => u.statusBefore)).toEqual(['Reused']);
      expect(await stored(world, pool)).toMatchObject({ state: 'Reused', reusedByJob: 'b' });
      expect((await world.auditOf('a')).at(-1)).toMatchObject({ kind: 'reused' });
      expect(world.senders.emails).toEqual([]);
    });

    it('records a pool reused before the evaluation as Reused, without an update', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRule('45m'), after: 3 * MINUTE });
      world.submit('b');
      world.sim.start('b');

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ kind: 'gone', state: 'Reused' });
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(0);
    });

    it('treats a pool whose job name now belongs to another job as gone', async () => {
      // Prepare: "a" was deleted and its name used again for a new job
      const { world, pool } = await trackedPool({ rules: fixedRule('45m') });
      const raw = world.sim.describeRaw('a') ?? {};
      world.sim.load({ ...raw, CreationTime: Number(raw.CreationTime) + 600 });

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ kind: 'gone', state: 'Terminated' });
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(0);
      expect((await stored(world, pool))?.nextDecisionAt).toBeUndefined();
    });
  });

  describe('a pool behind a newer one of its key', () => {
    const ADAPTIVE = `rules:
  - name: everyone
    match: {}
    mode: adaptive
    keepAlive: { min: 0s, max: 1h }
`;

    /**
     * Jobs a and b of one key run side by side; b ends 2 minutes after a, keeping a pool for
     * `bKeepAliveSeconds`. The key has learnt that its next jobs come within 90 s, but that pools
     * behind a newer one waited 3 h. Evaluates a's pool a minute after b ended.
     */
    async function evaluateBehind(
      bKeepAliveSeconds: number,
      storeOf: (store: PoolStore) => PoolStore = (store) => store
    ) {
      const world = stewardWorld({ rules: ADAPTIVE });
      const { clock, sim } = world;
      world.submit('a', { keepAliveSeconds: 1800 });
      world.submit('b', { keepAliveSeconds: bKeepAliveSeconds });
      sim.start('a');
      sim.start('b');
      clock.advanceTo(clock.now() + 60 * MINUTE);
      sim.end('a', 'Completed');
      await trackPoolEvent(world.jobEvent('a'), world.deps);
      clock.advanceTo(clock.now() + 2 * MINUTE);
      sim.end('b', 'Completed');
      await trackPoolEvent(world.jobEvent('b'), world.deps);
      const pool = (await world.store.livePools()).find((p) => p.jobName === 'a');
      const learnt = pool && (await world.store.getHistory(pool.matchKey));
      if (pool === undefined || learnt === undefined) throw new Error('a not tracked');
      expect(learnt.openEnds?.map((e) => e.shadowed === true)).toEqual([true, false]);
      await world.store.putHistory({
        ...learnt,
        histogram: historyOf(new Array(30).fill(90_000), clock.now()),
        shadowHistogram: historyOf(new Array(30).fill(3 * HOUR), clock.now()),
        version: learnt.version + 1,
      });
      clock.advanceTo(clock.now() + MINUTE);
      const updates = sim.stats().calls.UpdateTrainingJob;
      const result = await evaluatePool(
        pool,
        { ...world.deps, store: storeOf(world.store) },
        newRun()
      ).catch((error: unknown) => ({ kind: 'threw' as const, error }));
      return { result, updatesSent: sim.stats().calls.UpdateTrainingJob - updates };
    }

    it("decides it on how long pools behind a newer one waited, when the newer one's pool is there", async () => {
      const { result } = await evaluateBehind(1800);
      expect(result).toMatchObject({
        kind: 'decided',
        decision: {
          action: 'release',
          reason: expect.stringContaining('a newer free pool of this key is handed out first'),
        },
      });
    });

    it('decides it as any other pool when the newer job kept no pool', async () => {
      const { result } = await evaluateBehind(0);
      if (result.kind !== 'decided') throw new Error(`not decided: ${result.kind}`);
      expect(result.decision.action).not.toBe('release');
      expect(result.decision.reason).not.toContain('newer free pool');
    });

    it('fails without touching the pool when the store cannot list the pools of its key', async () => {
      // The sweep audits a failed evaluation and tries the pool again later; deciding it as a
      // front pool instead could keep an hour a pool that should go.
      const { result, updatesSent } = await evaluateBehind(1800, (store) => {
        const failing = Object.create(store) as PoolStore;
        failing.poolsOfKey = async () => {
          throw new Error('Query failed: ProvisionedThroughputExceededException');
        };
        return failing;
      });
      expect(result).toMatchObject({ kind: 'threw', error: expect.any(Error) });
      if (result.kind === 'threw') expect(String(result.error)).toContain('Query failed');
      expect(updatesSent).toBe(0);
    });
  });
});
