import { describe, expect, it } from 'vitest';
import { matchKeyOf } from '../../../src/domain/pool/match-key.js';
import type {
  ListTrainingJobsQuery,
  PoolGateway,
} from '../../../src/domain/ports/sagemaker-gateway.js';
import { reconcilePools } from '../../../src/domain/steward/reconcile-pools.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { MINUTE, stewardWorld } from '../../helpers/steward-world.js';

const REGION = 'us-east-1';

/** The world's SageMaker, recording each ListTrainingJobs query with the clock at the call. */
function listing(world: ReturnType<typeof stewardWorld>) {
  const calls: { query: ListTrainingJobsQuery; at: number }[] = [];
  const gateway: PoolGateway = {
    describeTrainingJob: (name) => world.sim.describeTrainingJob(name),
    listTags: (arn) => world.sim.listTags(arn),
    updateKeepAlive: (name, seconds) => world.sim.updateKeepAlive(name, seconds),
    listTrainingJobs: async (query) => {
      calls.push({ query, at: world.clock.now() });
      return world.sim.listTrainingJobs(query);
    },
  };
  return { calls, deps: { ...world.deps, sageMaker: gateway } };
}

/** `count` jobs without keep-alive (no pools), then job "pooled" whose pool is Available. */
function manyJobsThenAPool(count: number) {
  const world = stewardWorld();
  for (let i = 0; i < count; i++) {
    const name = `cold-${String(i).padStart(3, '0')}`;
    world.submit(name, { keepAliveSeconds: 0 });
    world.sim.start(name);
    world.sim.end(name, 'Completed');
    world.clock.advanceTo(world.clock.now() + 1000);
  }
  world.runJob('pooled');
  return world;
}

describe('reconcilePools', () => {
  it('records the end in the key history before it writes the pool, whose write wakes the evaluator', async () => {
    // Prepare
    const world = stewardWorld();
    const { end } = world.runJob('a');
    world.clock.advanceTo(end + 5 * MINUTE);
    const writes: string[] = [];
    const store = world.deps.store;
    const watched = Object.create(store) as typeof store;
    watched.putHistory = (history) => {
      writes.push('history');
      return store.putHistory(history);
    };
    watched.putPool = (pool) => {
      writes.push('pool');
      return store.putPool(pool);
    };

    // Act
    await reconcilePools(
      { ...world.deps, store: watched },
      {
        deadline: world.clock.now() + MINUTE,
        region: REGION,
      }
    );

    // Assess
    expect(writes).toEqual(['history', 'pool']);
  });

  it('adopts an Available pool that has no record, due at once', async () => {
    // Prepare: the job's events never arrived
    const world = stewardWorld();
    const { end } = world.runJob('a');
    world.clock.advanceTo(end + 5 * MINUTE);

    // Act
    const outcome = await reconcilePools(world.deps, {
      deadline: world.clock.now() + MINUTE,
      region: REGION,
    });

    // Assess
    expect(outcome).toEqual({ pages: 1, available: 1, adopted: ['a'], complete: true });
    const [pool] = await world.store.livePools();
    expect(pool).toMatchObject({
      jobName: 'a',
      owner: 'alice',
      state: 'Available',
      expiresAt: end + 30 * MINUTE,
      nextDecisionAt: end + 5 * MINUTE,
    });
    expect((await world.auditOf('a')).map((e) => e.kind)).toEqual(['adopted']);
    const job = await world.sim.describeTrainingJob('a');
    expect(
      (await world.store.getHistory(matchKeyOf(job ?? { name: '', arn: '', status: '' })))?.openEnds
    ).toEqual([{ at: end, owner: 'alice' }]);
  });

  it('leaves a pool it already tracks alone', async () => {
    // Prepare
    const world = stewardWorld();
    const { terminal } = world.runJob('a');
    await trackPoolEvent(terminal, world.deps);

    // Act
    const outcome = await reconcilePools(world.deps, {
      deadline: world.clock.now() + MINUTE,
      region: REGION,
    });

    // Assess
    expect(outcome).toMatchObject({ available: 1, adopted: [] });
    expect((await world.auditOf('a')).map((e) => e.kind)).toEqual(['tracked']);
  });

  it('pages on through pages left empty by the filter, at most one request a second', async () => {
    // Prepare: 250 jobs without pools come first, so the first pages filter down to nothing
    const world = manyJobsThenAPool(250);
    const { calls, deps } = listing(world);

    // Act
    const outcome = await reconcilePools(deps, {
      deadline: world.clock.now() + MINUTE,
      region: REGION,
    });

    // Assess
    expect(outcome).toEqual({ pages: 3, available: 1, adopted: ['pooled'], complete: true });
    expect(calls[0]?.query).toMatchObject({ warmPoolStatus: 'Available', maxResults: 100 });
    expect(calls[0]?.query.nextToken).toBeUndefined();
    expect(calls.slice(1).every((c) => c.query.nextToken !== undefined)).toBe(true);
    const intervals = calls.slice(1).map((c, i) => c.at - (calls[i]?.at ?? 0));
    expect(intervals.every((ms) => ms >= 1000)).toBe(true);
    expect(await world.store.getReconcileCursor()).toBeUndefined();
  });

  it('keeps the NextToken when the deadline cuts the paging, and resumes from it next run', async () => {
    // Prepare
    const world = manyJobsThenAPool(250);
    const { calls, deps } = listing(world);

    // Act
    const cut = await reconcilePools(deps, { deadline: world.clock.now(), region: REGION });
    const cursor = await world.store.getReconcileCursor();
    world.clock.advanceTo(world.clock.now() + 10 * MINUTE);
    const resumed = await reconcilePools(deps, {
      deadline: world.clock.now() + MINUTE,
      region: REGION,
    });

    // Assess
    expect(cut).toMatchObject({ pages: 1, adopted: [], complete: false });
    expect(cursor?.nextToken).toEqual(expect.any(String));
    expect(calls[1]?.query.nextToken).toBe(cursor?.nextToken);
    expect(calls[1]?.query.createdAfter).toBe(cursor?.createdAfter);
    expect(resumed).toMatchObject({ pages: 2, adopted: ['pooled'], complete: true });
    expect(await world.store.getReconcileCursor()).toBeUndefined();
  });
});
