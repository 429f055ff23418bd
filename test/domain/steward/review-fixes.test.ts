import { describe, expect, it } from 'vitest';
import type { PoolRecord } from '../../../src/domain/pool/pool-record.js';
import type { PoolStore } from '../../../src/domain/ports/pool-store.js';
import type { PoolGateway } from '../../../src/domain/ports/sagemaker-gateway.js';
import { evaluateDuePools } from '../../../src/domain/steward/evaluate-due-pools.js';
import { evaluatePool, newRun } from '../../../src/domain/steward/evaluate-pool.js';
import { LOOKBACK_MS, reconcilePools } from '../../../src/domain/steward/reconcile-pools.js';
import { recordHumanUpdate } from '../../../src/domain/steward/record-human-update.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { StewardDriver } from '../../../src/sim/steward-driver.js';
import { createTrainingJobCall, IAM_USER_IDENTITY } from '../../helpers/domain-cloudtrail.js';
import {
  DEFAULT_SETTINGS,
  fixedRules,
  HOUR,
  MINUTE,
  type StewardWorldHarness,
  stewardWorld,
  type WorldOptions,
} from '../../helpers/steward-world.js';

const WARDEN_ARN = 'arn:aws:sts::111122223333:assumed-role/pool-warden-steward/evaluator';
const isWarden = (arn: string) => arn === WARDEN_ARN;

/** A rule keeping every pool a fixed time after its job ended. */
/** A rule whose working window is never open on the test's day: outside it, release. */
const CLOSED_WINDOW_RELEASE = `rules:
  - name: nights-only
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: 30m }
    window: { hours: "22:00-23:00", timeZone: UTC }
    outside: release
`;

/** CloudTrail's record of an UpdateTrainingJob (by alice) that set the keep-alive of `jobName`. */
function updateCall(jobName: string, keepAliveSeconds: number, at: number) {
  return createTrainingJobCall({
    jobName,
    userIdentity: IAM_USER_IDENTITY,
    detail: {
      eventName: 'UpdateTrainingJob',
      eventTime: new Date(at).toISOString(),
      requestParameters: {
        trainingJobName: jobName,
        resourceConfig: { keepAlivePeriodInSeconds: keepAliveSeconds },
      },
    },
  });
}

/** A world whose job "a" ended (30-minute keep-alive unless told) and whose pool is tracked. */
async function trackedPool(options: WorldOptions & { keepAliveSeconds?: number } = {}) {
  const world = stewardWorld(options);
  const { terminal, end } = world.runJob('a', {
    ...(options.keepAliveSeconds === undefined
      ? {}
      : { keepAliveSeconds: options.keepAliveSeconds }),
  });
  await trackPoolEvent(terminal, world.deps);
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  return { world, pool, end, terminal };
}

/** The policy counts keep-alives from the update, SageMaker from the job end: updates end pools. */
function anchorMismatchWorld() {
  return stewardWorld({
    settings: DEFAULT_SETTINGS.replace('keepAliveAnchor: job-end', 'keepAliveAnchor: update-time'),
    rules: fixedRules('20m'),
    sim: { keepAliveAnchor: 'job-end' },
  });
}

async function stored(world: StewardWorldHarness, pool: PoolRecord) {
  return world.store.getPool(pool.jobArn, pool.creationTime);
}

/** The store, except that `getControl` answers "paused" from its `pausedFrom`-th call on. */
function pausingStore(store: PoolStore, pausedFrom: number): PoolStore {
  let calls = 0;
  return new Proxy(store, {
    get(target, property) {
      if (property === 'getControl') {
        return async () => {
          calls += 1;
          const control = await target.getControl();
          return calls >= pausedFrom ? { ...control, paused: true } : control;
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe('the safety review fixes', () => {
  describe('a keep-alive changed outside Warden', () => {
    it('is kept by the sweep when a person extended it and its CloudTrail call has not arrived', async () => {
      // Prepare: alice extends her pool to 1 h herself, straight at SageMaker
      const { world, pool, end } = await trackedPool();
      world.clock.advanceTo(end + MINUTE);
      await world.sim.updateKeepAlive('a', 3600);
      world.clock.advanceTo(end + 2 * MINUTE);

      // Act
      await evaluateDuePools(world.deps);

      // Assess: the 30-minute rule would have shrunk it back; it did not
      expect(world.updates).toEqual([]);
      expect(world.sim.job('a')?.warmPool).toMatchObject({
        status: 'Available',
        expiresAt: end + 60 * MINUTE,
      });
      expect(await stored(world, pool)).toMatchObject({
        keepAliveSeconds: 3600,
        humanOverride: { by: 'someone outside Warden', keepAliveSeconds: 3600 },
      });
      expect((await world.auditOf('a')).at(-1)).toMatchObject({
        kind: 'keep',
        reason: expect.stringMatching(/someone outside Warden.*wins over the policy/),
      });
    });

    it('ignores a late CloudTrail call older than the pool’s latest update by Warden', async () => {
      // Prepare: Warden extends the pool at end + 5 min; alice's call from end + 3 min comes later
      const { world, pool, end } = await trackedPool({ rules: fixedRules('45m') });
      world.clock.advanceTo(end + 5 * MINUTE);
      await evaluatePool(pool, world.deps, newRun());
      world.clock.advanceTo(end + 8 * MINUTE);

      // Act
      const outcome = await recordHumanUpdate(
        updateCall('a', 600, end + 3 * MINUTE),
        world.deps,
        isWarden
      );

      // Assess
      expect(outcome).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/older/) });
      const after = await stored(world, pool);
      expect(after?.humanOverride).toBeUndefined();
      expect(after).toMatchObject({ keepAliveSeconds: 2700, updatedAt: end + 5 * MINUTE });
    });

    it('names the person of a change a Describe already showed, although the call is older', async () => {
      // Prepare: alice extends at end + 1 min; the sweep sees it at end + 2 min, unnamed
      const { world, pool, end } = await trackedPool();
      world.clock.advanceTo(end + MINUTE);
      await world.sim.updateKeepAlive('a', 3600);
      world.clock.advanceTo(end + 2 * MINUTE);
      await evaluateDuePools(world.deps);
      world.clock.advanceTo(end + 6 * MINUTE);

      // Act
      const outcome = await recordHumanUpdate(
        updateCall('a', 3600, end + MINUTE),
        world.deps,
        isWarden
      );

      // Assess
      expect(outcome).toMatchObject({ kind: 'override', by: 'alice', keepAliveSeconds: 3600 });
      expect((await stored(world, pool))?.humanOverride).toMatchObject({
        by: 'alice',
        keepAliveSeconds: 3600,
      });
    });

    it('ignores a call for a pool already Terminated', async () => {
      // Prepare: Warden released the pool at end + 10 min; a newer manual call arrives after
      const { world, pool, end } = await trackedPool({ rules: fixedRules('5m') });
      world.clock.advanceTo(end + 10 * MINUTE);
      await evaluatePool(pool, world.deps, newRun());
      expect((await stored(world, pool))?.state).toBe('Terminated');
      world.clock.advanceTo(end + 12 * MINUTE);

      // Act
      const outcome = await recordHumanUpdate(
        updateCall('a', 1800, end + 11 * MINUTE),
        world.deps,
        isWarden
      );

      // Assess
      expect(outcome).toEqual({ kind: 'ignored', reason: 'the pool is already Terminated' });
      const after = await stored(world, pool);
      expect(after?.state).toBe('Terminated');
      expect(after?.humanOverride).toBeUndefined();
    });

    it('ignores a call for a pool already Reused', async () => {
      // Prepare: job b took the pool, and the arrival recorded it as Reused
      const { world, pool, end } = await trackedPool();
      world.clock.advanceTo(end + 3 * MINUTE);
      world.submit('b');
      world.sim.start('b');
      await trackPoolEvent(world.jobEvent('b'), world.deps);
      expect((await stored(world, pool))?.state).toBe('Reused');

      // Act
      const outcome = await recordHumanUpdate(
        updateCall('a', 1800, end + 4 * MINUTE),
        world.deps,
        isWarden
      );

      // Assess
      expect(outcome).toEqual({ kind: 'ignored', reason: 'the pool is already Reused' });
    });
  });

  describe('a matching job that has just started', () => {
    /** Job a's pool tracked; job b of the same key created (not yet started) a minute later. */
    async function arrivalAfterEnd() {
      const { world, pool, end } = await trackedPool({ rules: CLOSED_WINDOW_RELEASE });
      world.clock.advanceTo(end + MINUTE);
      world.submit('b');
      const arrivedAt = world.clock.now();
      await trackPoolEvent(world.jobEvent('b'), world.deps);
      return { world, pool, arrivedAt };
    }

    it('keeps the pool from release and looks again in 2 minutes', async () => {
      // Prepare
      const { world, pool, arrivedAt } = await arrivalAfterEnd();
      world.clock.advanceTo(arrivedAt + MINUTE);
      const now = world.clock.now();

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess: outside the window the rule releases, but not under a starting job
      expect(result).toMatchObject({
        kind: 'decided',
        outcome: 'no-op',
        decision: {
          action: 'keep',
          reason: expect.stringMatching(/^a matching job has just started/),
        },
      });
      expect(world.updates).toEqual([]);
      expect(world.sim.job('a')?.warmPool?.status).toBe('Available');
      expect((await stored(world, pool))?.nextDecisionAt).toBe(now + 2 * MINUTE);
    });

    it('releases the pool as usual 5 minutes after the job was created', async () => {
      // Prepare
      const { world, pool, arrivedAt } = await arrivalAfterEnd();
      world.clock.advanceTo(arrivedAt + 5 * MINUTE);

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({
        kind: 'decided',
        outcome: 'applied',
        decision: { action: 'release' },
      });
      expect(world.updates.map((u) => u.seconds)).toEqual([0]);
    });

    it('releases a pool outside the window when no matching job started', async () => {
      // Prepare: the control case, so the keep above is owed to the arrival
      const { world, pool, end } = await trackedPool({ rules: CLOSED_WINDOW_RELEASE });
      world.clock.advanceTo(end + 2 * MINUTE);

      // Act
      const result = await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(result).toMatchObject({ outcome: 'applied', decision: { action: 'release' } });
    });
  });

  describe('the anchor check after an update', () => {
    it('trips the breaker and records the pool Terminated when a shrink ended the pool at once', async () => {
      // Prepare
      const world = anchorMismatchWorld();
      const { terminal, end } = world.runJob('a', { keepAliveSeconds: 3600 });
      await trackPoolEvent(terminal, world.deps);
      const [pool] = await world.store.livePools();
      if (pool === undefined) throw new Error('pool not tracked');
      world.clock.advanceTo(end + 15 * MINUTE);

      // Act
      const outcome = await evaluateDuePools(world.deps);

      // Assess
      expect(world.updates).toHaveLength(1);
      expect(world.updates[0]?.seconds).toBeGreaterThan(0);
      expect(world.sim.job('a')?.warmPool?.status).toBe('Terminated');
      expect(outcome).toMatchObject({
        kind: 'swept',
        breaker: expect.stringMatching(/keepAliveAnchor/),
      });
      expect(await world.store.getControl()).toMatchObject({
        breakerTrippedAt: world.clock.now(),
        breakerReason: expect.stringMatching(/keepAliveAnchor/),
      });
      expect(await stored(world, pool)).toMatchObject({
        state: 'Terminated',
        expiresAt: world.clock.now(),
      });
      const audit = (await world.auditOf('a')).at(-1);
      expect(audit).toMatchObject({ kind: 'shrink', outcome: 'applied' });
      expect(audit?.reason).toMatch(/ended at once/);
    });

    it('takes no further action in the run once an update ended a pool at once', async () => {
      // Prepare: two pools due together
      const world = anchorMismatchWorld();
      await world.runTogether(['a', 'b'], { keepAliveSeconds: 3600 });
      world.clock.advanceTo(world.clock.now() + 15 * MINUTE);

      // Act
      const outcome = await evaluateDuePools(world.deps);

      // Assess
      expect(world.updates).toHaveLength(1);
      expect(outcome).toMatchObject({ kind: 'swept', applied: 1 });
      const skipped = [...(await world.auditOf('a')), ...(await world.auditOf('b'))].filter(
        (e) => e.outcome === 'skipped'
      );
      expect(skipped).toHaveLength(1);
      expect(skipped[0]?.reason).toMatch(/not applied: circuit breaker \(UpdateTrainingJob/);
      // Only the one action taken was counted: the breaker stops before counting another
      const now = world.clock.now();
      const next = await world.store.countAction(now - (now % HOUR), now - (now % MINUTE));
      expect(next.hour).toBe(2);
    });
  });

  describe('a pause during a run', () => {
    it('skips the remaining actions without calling UpdateTrainingJob for them', async () => {
      // Prepare: two pools to extend; the control reads paused from its 3rd read on (the run's
      // opening read, pool a's check, then pool b's check)
      const world = stewardWorld({ rules: fixedRules('45m') });
      await world.runTogether(['a', 'b']);
      const deps = { ...world.deps, store: pausingStore(world.store, 3) };

      // Act
      const outcome = await evaluateDuePools(deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'swept', applied: 1 });
      expect(world.updates.map((u) => u.name)).toEqual(['a']);
      expect((await world.auditOf('b')).at(-1)).toMatchObject({
        kind: 'extend',
        outcome: 'skipped',
        reason: expect.stringMatching(/paused/),
      });
    });
  });

  describe('a pool whose evaluation keeps failing', () => {
    it('is evaluated at most once per 5 minutes across 30 minutes of sweeps', async () => {
      // Prepare: DescribeTrainingJob of "a" fails for good once its pool is tracked
      const world = stewardWorld();
      let failing = false;
      const describedAt: number[] = [];
      const sageMaker: PoolGateway = {
        ...world.deps.sageMaker,
        describeTrainingJob: async (name) => {
          if (!failing) return world.sim.describeTrainingJob(name);
          describedAt.push(world.clock.now());
          throw new Error('DescribeTrainingJob failed: InternalFailure');
        },
      };
      const { store: _store, events: _events, ...shared } = world.deps;
      const driver = new StewardDriver({ ...shared, sageMaker, clock: world.clock });
      const { terminal, end } = world.runJob('a', { keepAliveSeconds: 3600 });
      await driver.intake(terminal);
      failing = true;

      // Act: every sweep fails (the only due pool failed), so the driver is restarted after each
      const until = end + 30 * MINUTE;
      let sweepsFailed = 0;
      for (let attempt = 0; attempt < 60; attempt++) {
        try {
          await driver.runUntil(until);
          break;
        } catch (error) {
          expect(String(error)).toMatch(/due pools failed/);
          sweepsFailed += 1;
        }
      }

      // Assess: tried again, but never sooner than 5 minutes after the last try
      const gaps = describedAt.slice(1).map((at, i) => at - (describedAt[i] ?? at));
      expect(describedAt).toHaveLength(sweepsFailed);
      expect(describedAt.length).toBeGreaterThanOrEqual(2);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(5 * MINUTE);
      expect(describedAt.length).toBeLessThanOrEqual(7);
      const audit = await driver.store.auditLog({ jobName: 'a', since: 0, limit: 100 });
      expect(audit.filter((e) => e.outcome === 'failed')).toHaveLength(describedAt.length);
    });
  });

  describe('a reconciliation token SageMaker rejects', () => {
    it('clears the cursor, and the next run starts over and completes', async () => {
      // Prepare: job a's events never arrived; a stale token is kept from an earlier pass
      const world = stewardWorld();
      const { end } = world.runJob('a');
      world.clock.advanceTo(end + 5 * MINUTE);
      await world.store.putReconcileCursor({
        nextToken: 'not-a-token',
        createdAfter: world.clock.now() - LOOKBACK_MS,
        updatedAt: world.clock.now() - 30 * MINUTE,
      });
      const options = { deadline: world.clock.now() + MINUTE, region: 'us-east-1' };

      // Act
      const first = await reconcilePools(world.deps, options);
      const cursorAfterFirst = await world.store.getReconcileCursor();
      const second = await reconcilePools(world.deps, {
        ...options,
        deadline: world.clock.now() + MINUTE,
      });

      // Assess
      expect(first).toMatchObject({ complete: false, adopted: [] });
      expect(cursorAfterFirst).toBeUndefined();
      expect(second).toMatchObject({ complete: true, adopted: ['a'] });
      expect(await world.store.getReconcileCursor()).toBeUndefined();
    });
  });

  describe('repeated job events', () => {
    it('describes older pools once for a job’s repeated InProgress events', async () => {
      // Prepare: b of the same key is created; SageMaker sends InProgress per secondary status
      const { world, end } = await trackedPool();
      world.clock.advanceTo(end + 2 * MINUTE);
      world.submit('b');
      const starting = world.jobEvent('b');
      const detail = starting.detail as Record<string, unknown>;
      const downloading = {
        ...starting,
        id: 'evt-b-downloading',
        detail: { ...detail, SecondaryStatus: 'Downloading' },
      };
      const before = world.sim.stats().calls.DescribeTrainingJob;

      // Act
      const first = await trackPoolEvent(starting, world.deps);
      const afterFirst = world.sim.stats().calls.DescribeTrainingJob;
      const second = await trackPoolEvent(downloading, world.deps);

      // Assess
      expect(first).toMatchObject({ kind: 'arrival', checked: 1 });
      expect(afterFirst - before).toBe(1);
      expect(second).toMatchObject({ kind: 'ignored' });
      expect(world.sim.stats().calls.DescribeTrainingJob).toBe(afterFirst);
    });

    it('makes no DescribeTrainingJob call for a duplicate terminal event of a tracked pool', async () => {
      // Prepare
      const { world, terminal } = await trackedPool();
      const before = world.sim.stats().calls.DescribeTrainingJob;

      // Act
      const outcome = await trackPoolEvent(terminal, world.deps);

      // Assess
      expect(outcome).toMatchObject({
        kind: 'ignored',
        reason: expect.stringMatching(/duplicate/),
      });
      expect(world.sim.stats().calls.DescribeTrainingJob).toBe(before);
    });
  });
});
