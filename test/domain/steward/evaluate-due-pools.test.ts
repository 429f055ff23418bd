import { describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/domain/errors.js';
import type { PoolGateway } from '../../../src/domain/ports/sagemaker-gateway.js';
import {
  evaluateDuePools,
  evaluateNewPools,
} from '../../../src/domain/steward/evaluate-due-pools.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { DEFAULT_SETTINGS, HOUR, MINUTE, stewardWorld } from '../../helpers/steward-world.js';

const EXTEND_TO_45M = `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: 45m }
`;

/** A world whose jobs (one per name) all ended now, each pool tracked and due. */
async function endedTogether(names: readonly string[], settings = DEFAULT_SETTINGS) {
  const world = stewardWorld({ settings, rules: EXTEND_TO_45M });
  await world.runTogether(names);
  return { world, end: world.clock.now() };
}

/** The world's SageMaker, with every DescribeTrainingJob failing. */
function sageMakerDown(world: ReturnType<typeof stewardWorld>): PoolGateway {
  return {
    describeTrainingJob: async () => {
      throw new Error('SageMaker down');
    },
    listTags: (arn) => world.sim.listTags(arn),
    listTrainingJobs: (query) => world.sim.listTrainingJobs(query),
    updateKeepAlive: (name, seconds) => world.sim.updateKeepAlive(name, seconds),
  };
}

/** The world's SageMaker, with every UpdateTrainingJob taking `ms` of the world's clock. */
function slowUpdates(world: ReturnType<typeof stewardWorld>, ms: number): PoolGateway {
  return {
    describeTrainingJob: (name) => world.sim.describeTrainingJob(name),
    listTags: (arn) => world.sim.listTags(arn),
    listTrainingJobs: (query) => world.sim.listTrainingJobs(query),
    updateKeepAlive: async (name, seconds) => {
      world.clock.advanceTo(world.clock.now() + ms);
      return world.sim.updateKeepAlive(name, seconds);
    },
  };
}

function actionsPerRun(n: number): string {
  return DEFAULT_SETTINGS.replace('maxActionsPerRun: 50', `maxActionsPerRun: ${n}`);
}

describe('evaluateDuePools', () => {
  it('decides and acts on every due pool', async () => {
    // Prepare
    const { world } = await endedTogether(['a', 'b']);

    // Act
    const outcome = await evaluateDuePools(world.deps);

    // Assess
    expect(outcome).toMatchObject({
      kind: 'swept',
      due: 2,
      decided: { extend: 2, keep: 0, shrink: 0, release: 0 },
      applied: 2,
      failed: 0,
    });
    expect(outcome.kind === 'swept' && outcome.decisions.map((d) => d.job)).toEqual(['a', 'b']);
    expect(world.sim.stats().calls.UpdateTrainingJob).toBe(2);
  });

  it('leaves pools that are not due yet for a later run', async () => {
    // Prepare
    const { world } = await endedTogether(['a']);
    await evaluateDuePools(world.deps);

    // Act
    const outcome = await evaluateDuePools(world.deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 0, applied: 0 });
  });

  describe('the circuit breaker', () => {
    it('trips at maxActionsPerRun and audits the rest as skipped', async () => {
      // Prepare
      const { world } = await endedTogether(['a', 'b', 'c'], actionsPerRun(2));

      // Act
      const outcome = await evaluateDuePools(world.deps);

      // Assess
      expect(outcome).toMatchObject({
        kind: 'swept',
        applied: 2,
        breaker: expect.stringMatching(/maxActionsPerRun/),
      });
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(2);
      expect((await world.auditOf('c')).at(-1)).toMatchObject({
        kind: 'extend',
        outcome: 'skipped',
        reason: expect.stringMatching(/circuit breaker/),
      });
      expect(await world.store.getControl()).toMatchObject({
        breakerTrippedAt: world.clock.now(),
        breakerReason: expect.stringMatching(/maxActionsPerRun/),
      });
    });

    it('stops a sweep that runs into the next minute at maxActionsPerRun all the same', async () => {
      // Prepare: each UpdateTrainingJob takes 40 s, so the sweep's actions fall in two minutes
      const { world } = await endedTogether(['a', 'b', 'c'], actionsPerRun(2));
      // Act
      const outcome = await evaluateDuePools({
        ...world.deps,
        sageMaker: slowUpdates(world, 40_000),
      });

      // Assess
      expect(outcome).toMatchObject({
        applied: 2,
        breaker: '2 actions in one run reached maxActionsPerRun',
      });
    });

    it('stays open in later runs, which decide but do not act, until an admin resumes', async () => {
      // Prepare: the breaker trips on c; d ends 10 minutes later
      const { world, end } = await endedTogether(['a', 'b', 'c'], actionsPerRun(2));
      await evaluateDuePools(world.deps);
      world.clock.advanceTo(end + 9 * MINUTE);
      const d = world.runJob('d', { queuedMinutes: 0, minutes: 1, instanceType: 'ml.g5.4xlarge' });
      await trackPoolEvent(d.terminal, world.deps);

      // Act
      const tripped = await evaluateDuePools(world.deps);
      await world.store.putControl({ paused: false });
      world.clock.advanceTo(end + 20 * MINUTE);
      const resumed = await evaluateDuePools(world.deps);

      // Assess
      expect(tripped).toMatchObject({ kind: 'swept', due: 1, applied: 0 });
      expect((await world.auditOf('d')).at(-1)).toMatchObject({ outcome: 'skipped' });
      expect(resumed).toMatchObject({ kind: 'swept', applied: 1 });
      expect(resumed).not.toHaveProperty('breaker');
      expect(world.updates.map((u) => u.name)).toEqual(['a', 'b', 'c']);
    });

    it('trips at maxActionsPerHour across runs', async () => {
      // Prepare
      const settings = DEFAULT_SETTINGS.replace('maxActionsPerHour: 1000', 'maxActionsPerHour: 1');
      const { world } = await endedTogether(['a', 'b'], settings);

      // Act
      const outcome = await evaluateDuePools(world.deps);

      // Assess
      expect(outcome).toMatchObject({
        applied: 1,
        breaker: expect.stringMatching(/maxActionsPerHour/),
      });
      expect(world.sim.stats().calls.UpdateTrainingJob).toBe(1);
    });

    it('counts the hour afresh after an admin resumes, so it does not trip again at once', async () => {
      // Prepare: one action an hour; a and b trip it, then an admin resumes within the hour
      const settings = DEFAULT_SETTINGS.replace('maxActionsPerHour: 1000', 'maxActionsPerHour: 1');
      const { world, end } = await endedTogether(['a', 'b'], settings);
      await evaluateDuePools(world.deps);
      world.clock.advanceTo(end + MINUTE);
      await world.store.putControl({ paused: false, resumedAt: world.clock.now() });
      const b = (await world.store.livePools()).find((p) => p.jobName === 'b');
      if (b === undefined) throw new Error('pool b is not live');
      await world.store.putPool({
        ...b,
        nextDecisionAt: world.clock.now(),
        version: b.version + 1,
      });

      // Act
      const resumed = await evaluateDuePools(world.deps);

      // Assess: b, skipped while tripped, is acted on now that the count starts at the resume
      expect(resumed).toMatchObject({ kind: 'swept', applied: 1 });
      expect(world.updates.map((u) => u.name)).toEqual(['a', 'b']);
    });
  });

  it('decides nothing while the steward is paused', async () => {
    // Prepare
    const { world, end } = await endedTogether(['a']);
    await world.store.putControl({ paused: true, pausedBy: 'admin', pausedAt: end });
    const describes = world.sim.stats().calls.DescribeTrainingJob;

    // Act
    const outcome = await evaluateDuePools(world.deps);

    // Assess
    expect(outcome).toEqual({ kind: 'paused' });
    expect(world.sim.stats().calls.DescribeTrainingJob).toBe(describes);
    expect((await world.auditOf('a')).map((e) => e.kind)).toEqual(['tracked']);
    expect(await world.store.poolsDue(end, 10)).toHaveLength(1);
  });

  it('goes on with the other pools when one fails, and tries that one again 5 minutes later', async () => {
    // Prepare
    const { world, end } = await endedTogether(['a', 'b']);
    const failing: PoolGateway = {
      ...world.deps.sageMaker,
      describeTrainingJob: async (name) => {
        if (name === 'a') throw new Error('boom');
        return world.sim.describeTrainingJob(name);
      },
      listTags: (arn) => world.sim.listTags(arn),
      listTrainingJobs: (query) => world.sim.listTrainingJobs(query),
      updateKeepAlive: (name, seconds) => world.deps.sageMaker.updateKeepAlive(name, seconds),
    };

    // Act
    const outcome = await evaluateDuePools({ ...world.deps, sageMaker: failing });

    // Assess: not every minute (a repeating failure must not storm SageMaker), and audited
    expect(outcome).toMatchObject({ kind: 'swept', failed: 1, applied: 1 });
    expect(await world.store.poolsDue(end, 10)).toEqual([]);
    // Due 6 minutes on: the sweep 5 minutes on takes pools due within its coming minute.
    const retry = await world.store.poolsDue(world.clock.now() + 6 * 60_000, 10);
    expect(retry.map((p) => p.jobName)).toEqual(['a']);
    const audit = await world.store.auditLog({ jobName: 'a', since: 0 });
    expect(audit.at(-1)).toMatchObject({ outcome: 'failed' });
    expect(audit.at(-1)?.reason).toContain('boom');
  });

  it('fails the run when every due pool fails, so alarms see it', async () => {
    // Prepare
    const { world } = await endedTogether(['a']);
    const down = sageMakerDown(world);

    // Act
    const run = evaluateDuePools({ ...world.deps, sageMaker: down });

    // Assess
    await expect(run).rejects.toBeInstanceOf(WardenError);
  });
});

describe('evaluateNewPools', () => {
  async function refsOf(world: Awaited<ReturnType<typeof endedTogether>>['world']) {
    return (await world.deps.store.livePools()).map(({ jobArn, creationTime }) => ({
      jobArn,
      creationTime,
    }));
  }

  it('decides a pool just tracked at once, and only the pools it is woken for', async () => {
    // Prepare
    const { world } = await endedTogether(['a', 'b']);
    const [a] = (await refsOf(world)).filter((ref) => ref.jobArn.endsWith('/a'));

    // Act
    const outcome = await evaluateNewPools(a === undefined ? [] : [a], world.deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 1, applied: 1 });
    expect(outcome.kind === 'swept' && outcome.decisions.map((d) => d.job)).toEqual(['a']);
    expect(world.sim.stats().calls.UpdateTrainingJob).toBe(1);
  });

  it('leaves a pool a sweep decided first, and one that is not stored, alone', async () => {
    // Prepare: the sweep got there before the stream's wake
    const { world } = await endedTogether(['a']);
    await evaluateDuePools(world.deps);
    const refs = await refsOf(world);
    const updates = world.sim.stats().calls.UpdateTrainingJob;

    // Act
    const outcome = await evaluateNewPools(
      [
        ...refs,
        { jobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/gone', creationTime: 1 },
      ],
      world.deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 0, applied: 0, decisions: [] });
    expect(world.sim.stats().calls.UpdateTrainingJob).toBe(updates);
  });

  it('decides nothing while the steward is paused; the pool stays due for the sweep after resume', async () => {
    // Prepare
    const { world } = await endedTogether(['a']);
    await world.deps.store.putControl({ paused: true });

    // Act
    const outcome = await evaluateNewPools(await refsOf(world), world.deps);

    // Assess
    expect(outcome).toEqual({ kind: 'paused' });
    await world.deps.store.putControl({ paused: false });
    expect(await evaluateDuePools(world.deps)).toMatchObject({ due: 1, applied: 1 });
  });

  it('leaves a pool whose first evaluation failed to its backoff, when the batch is retried', async () => {
    // Prepare: the first wake fails on SageMaker; Lambda retries the batch
    const { world } = await endedTogether(['a']);
    const refs = await refsOf(world);
    const down = sageMakerDown(world);
    const first = await evaluateNewPools(refs, { ...world.deps, sageMaker: down });
    const describes = world.sim.stats().calls.DescribeTrainingJob;

    // Act
    const retried = await evaluateNewPools(refs, world.deps);

    // Assess: the failure is reported, not thrown (the sweep stays the safety net)
    expect(first).toMatchObject({ kind: 'swept', due: 1, failed: 1 });
    expect(retried).toMatchObject({ kind: 'swept', due: 0 });
    expect(world.sim.stats().calls.DescribeTrainingJob).toBe(describes);
  });

  it('leaves a revisit that has come due to the sweep, and decides a pool named twice once', async () => {
    // Prepare: a is decided and its next look is due; b is new and named twice
    const { world } = await endedTogether(['a', 'b']);
    const [a, b] = await refsOf(world);
    if (a === undefined || b === undefined) throw new Error('two pools expected');
    await evaluateNewPools([a], world.deps);
    const decided = await world.deps.store.getPool(a.jobArn, a.creationTime);
    if (decided === undefined) throw new Error('a is tracked');
    const now = world.clock.now();
    await world.deps.store.putPool({
      ...decided,
      nextDecisionAt: now,
      version: decided.version + 1,
    });

    // Act
    const outcome = await evaluateNewPools([a, b, b], world.deps);

    // Assess
    expect(outcome.kind === 'swept' && outcome.decisions.map((d) => d.job)).toEqual(['b']);
    expect(outcome).toMatchObject({ due: 1 });
  });

  it('goes on with the other new pools when one cannot be read', async () => {
    // Prepare
    const { world } = await endedTogether(['a', 'b']);
    const refs = await refsOf(world);
    const store = world.deps.store;
    const broken = Object.create(store) as typeof store;
    broken.getPool = async (jobArn, creationTime) => {
      if (jobArn.endsWith('/a')) throw new Error('item POOL#a is unreadable: state: bad');
      return store.getPool(jobArn, creationTime);
    };

    // Act
    const outcome = await evaluateNewPools(refs, { ...world.deps, store: broken });

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 1, applied: 1, failed: 1 });
    expect(outcome.kind === 'swept' && outcome.decisions.map((d) => d.job)).toEqual(['b']);
  });

  it('bounds the wakes of one minute together by maxActionsPerRun, as one sweep', async () => {
    // Prepare: three pools, each in its own stream batch, as jobs end one by one
    const { world } = await endedTogether(['a', 'b', 'c'], actionsPerRun(2));
    const refs = await refsOf(world);
    world.clock.advanceTo(world.clock.now() - (world.clock.now() % MINUTE));

    // Act: one wake every 15 s, all in one minute
    const outcomes = [];
    for (const ref of refs) {
      outcomes.push(await evaluateNewPools([ref], world.deps));
      world.clock.advanceTo(world.clock.now() + 15_000);
    }

    // Assess
    expect(outcomes.map((o) => o.kind === 'swept' && o.applied)).toEqual([1, 1, 0]);
    expect(outcomes[2]).toMatchObject({
      breaker:
        '2 actions by the runs of one minute, sweep and wakes together, reached maxActionsPerRun',
    });
    expect((await world.deps.store.getControl()).breakerTrippedAt).toBeDefined();
    expect(world.metrics.total('ActionStoppedByBreaker', { action: 'extend' })).toBe(1);
  });

  it.each([
    [
      '2 actions by the runs of one minute, sweep and wakes together, reached maxActionsPerRun',
      actionsPerRun(2),
    ],
    [
      '2 actions this hour reached maxActionsPerHour',
      DEFAULT_SETTINGS.replace('maxActionsPerHour: 1000', 'maxActionsPerHour: 2'),
    ],
  ])('holds wakes running at once to their limit together: %s', async (reason, settings) => {
    // Prepare
    const { world } = await endedTogether(['a', 'b', 'c'], settings);
    const refs = await refsOf(world);

    // Act
    const outcomes = await Promise.all(refs.map((ref) => evaluateNewPools([ref], world.deps)));

    // Assess
    const applied = outcomes.map((o) => (o.kind === 'swept' ? o.applied : 0));
    expect(applied.reduce((a, b) => a + b, 0)).toBe(2);
    expect(world.sim.stats().calls.UpdateTrainingJob).toBe(2);
    const stopped = outcomes.find((o) => o.kind === 'swept' && o.applied === 0);
    expect(stopped).toMatchObject({ breaker: reason });
    expect(world.metrics.total('ActionStoppedByBreaker', { action: 'extend' })).toBe(1);
  });

  it('takes no action when the circuit breaker cannot count it', async () => {
    // Prepare: the store fails every count, as a DynamoDB that never answers would
    const { world } = await endedTogether(['a'], actionsPerRun(2));
    const store = world.deps.store;
    const uncounting = Object.create(store) as typeof store;
    uncounting.countAction = async () => {
      throw new Error('DynamoDB: count action failed: TimeoutError');
    };

    // Act
    const outcome = await evaluateNewPools(await refsOf(world), {
      ...world.deps,
      store: uncounting,
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', applied: 0, failed: 1 });
    expect(world.sim.stats().calls.UpdateTrainingJob ?? 0).toBe(0);
  });

  it('warns, and still reports the failed action, when its count cannot be taken back', async () => {
    // Prepare: UpdateTrainingJob fails, and so does the store when asked to take the count back
    const { world } = await endedTogether(['a'], actionsPerRun(2));
    const store = world.deps.store;
    const stuck = Object.create(store) as typeof store;
    stuck.countAction = async (hourStart, minuteStart, by) => {
      if (by === -1) throw new Error('DynamoDB: count action failed: ThrottlingException');
      return store.countAction(hourStart, minuteStart, by);
    };
    const throttled: PoolGateway = {
      ...slowUpdates(world, 0),
      updateKeepAlive: async () => {
        throw new Error('ThrottlingException: Rate exceeded');
      },
    };

    // Act
    const outcome = await evaluateNewPools(await refsOf(world), {
      ...world.deps,
      store: stuck,
      sageMaker: throttled,
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', applied: 0, failed: 1 });
    expect(world.log.lines).toContainEqual({
      level: 'warn',
      message: 'a failed action stays counted for the circuit breaker',
      extra: { error: 'DynamoDB: count action failed: ThrottlingException' },
    });
  });

  it('counts a run that runs into the next minute in its first minute, not the next', async () => {
    // Prepare: each UpdateTrainingJob takes 40 s; a wake acts on a and b from :30 on
    const { world } = await endedTogether(['a', 'b', 'c', 'd'], actionsPerRun(2));
    const [a, b, c, d] = await refsOf(world);
    if (a === undefined || b === undefined || c === undefined || d === undefined)
      throw new Error('four pools expected');
    world.clock.advanceTo(world.clock.now() - (world.clock.now() % MINUTE) + 30_000);
    const slow = slowUpdates(world, 40_000);

    // Act: the next minute's wake acts on c and d
    const first = await evaluateNewPools([a, b], { ...world.deps, sageMaker: slow });
    const second = await evaluateNewPools([c, d], world.deps);

    // Assess
    expect([first, second].map((o) => o.kind === 'swept' && o.applied)).toEqual([2, 2]);
    expect((await world.deps.store.getControl()).breakerTrippedAt).toBeUndefined();
  });

  it('does not count an action whose UpdateTrainingJob failed, so an outage trips nothing', async () => {
    // Prepare
    const { world } = await endedTogether(['a', 'b', 'c'], actionsPerRun(2));
    const throttled: PoolGateway = {
      ...slowUpdates(world, 0),
      updateKeepAlive: async () => {
        throw new Error('ThrottlingException: Rate exceeded');
      },
    };

    const now = world.clock.now();

    // Act
    const outcome = await evaluateNewPools(await refsOf(world), {
      ...world.deps,
      sageMaker: throttled,
    });

    // Assess: the three attempts were taken back, so the next action is the first counted
    expect(outcome).toMatchObject({ kind: 'swept', applied: 0, failed: 3 });
    expect(outcome).not.toHaveProperty('breaker');
    expect(await world.deps.store.getControl()).toEqual({ paused: false });
    const counts = await world.deps.store.countAction(now - (now % HOUR), now - (now % MINUTE));
    expect(counts).toEqual({ hour: 1, minute: 1 });
  });

  it('counts the next clock hour afresh for maxActionsPerHour', async () => {
    // Prepare: a acts at the start of an hour, b and c end an hour later and act then
    const settings = DEFAULT_SETTINGS.replace('maxActionsPerHour: 1000', 'maxActionsPerHour: 2');
    const { world } = await endedTogether(['a'], settings);
    const before = await evaluateNewPools(await refsOf(world), world.deps);
    await world.runTogether(['b', 'c']);
    const later = (await refsOf(world)).filter((ref) => !ref.jobArn.endsWith('/a'));

    // Act
    const after = await evaluateNewPools(later, world.deps);

    // Assess: the limit is reached in the new hour by its own two actions
    expect([before, after].map((o) => o.kind === 'swept' && o.applied)).toEqual([1, 2]);
    expect(after).toMatchObject({ breaker: '2 actions this hour reached maxActionsPerHour' });
  });

  it('counts wakes in later minutes afresh for maxActionsPerRun, not for maxActionsPerHour', async () => {
    // Prepare
    const settings = actionsPerRun(1).replace('maxActionsPerHour: 1000', 'maxActionsPerHour: 3');
    const { world } = await endedTogether(['a', 'b', 'c', 'd'], settings);
    const refs = await refsOf(world);

    // Act: one wake a minute
    const outcomes = [];
    for (const ref of refs) {
      outcomes.push(await evaluateNewPools([ref], world.deps));
      world.clock.advanceTo(world.clock.now() + MINUTE);
    }

    // Assess
    expect(outcomes.map((o) => o.kind === 'swept' && o.applied)).toEqual([1, 1, 1, 0]);
    expect(outcomes[2]).toMatchObject({ breaker: expect.stringMatching(/maxActionsPerHour/) });
  });

  it('counts toward the circuit breaker as a sweep does', async () => {
    // Prepare
    const { world } = await endedTogether(['a', 'b', 'c'], actionsPerRun(2));

    // Act
    const outcome = await evaluateNewPools(await refsOf(world), world.deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', applied: 2, breaker: expect.any(String) });
    expect((await world.deps.store.getControl()).breakerTrippedAt).toBeDefined();
  });
});
