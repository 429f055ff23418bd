import { describe, expect, it } from 'vitest';
import { matchKeyOf } from '../../../src/domain/pool/match-key.js';
import { evaluateDuePools } from '../../../src/domain/steward/evaluate-due-pools.js';
import { ALL_KEYS } from '../../../src/domain/steward/key-history.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { stateChangeEvent } from '../../helpers/factories.js';
import { HOUR, MINUTE, stewardWorld } from '../../helpers/steward-world.js';

async function keyOf(world: ReturnType<typeof stewardWorld>, name: string) {
  const job = await world.sim.describeTrainingJob(name);
  if (job === undefined) throw new Error(`no job ${name}`);
  return matchKeyOf(job);
}

describe('trackPoolEvent', () => {
  describe('a job starting (InProgress)', () => {
    it('records the gap since the newest open end of the key, leaving older ends open (LIFO)', async () => {
      // Prepare: two jobs of one key run side by side and end 10 minutes apart
      const world = stewardWorld();
      world.submit('a', { keepAliveSeconds: 0 });
      world.submit('b', { keepAliveSeconds: 0 });
      world.sim.start('a');
      world.sim.start('b');
      world.clock.advanceTo(world.clock.now() + HOUR);
      world.sim.end('a', 'Completed');
      const endA = world.clock.now();
      await trackPoolEvent(world.jobEvent('a'), world.deps);
      world.clock.advanceTo(endA + 10 * MINUTE);
      world.sim.end('b', 'Completed');
      const endB = world.clock.now();
      await trackPoolEvent(world.jobEvent('b'), world.deps);

      // Act: a third job of the key arrives 5 minutes after b ended
      world.clock.advanceTo(endB + 5 * MINUTE);
      world.submit('c', { keepAliveSeconds: 0 });
      world.sim.start('c');
      const outcome = await trackPoolEvent(world.jobEvent('c'), world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'arrival', job: 'c', checked: 0, gone: 0 });
      const history = await world.store.getHistory(await keyOf(world, 'c'));
      expect(history?.recent).toEqual([
        { at: endB + 5 * MINUTE, gapMs: 5 * MINUTE, previousOwner: 'alice', nextOwner: 'alice' },
      ]);
      // a's end was open when b ended: a pool kept for it stood behind b's
      expect(history?.openEnds).toEqual([{ at: endA, owner: 'alice', shadowed: true }]);
      expect(history?.shadowHistogram).toBeUndefined();
    });

    it('counts a repeated InProgress event of one job once', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal } = world.runJob('a');
      await trackPoolEvent(terminal, world.deps);
      world.clock.advanceTo(world.clock.now() + 5 * MINUTE);
      world.submit('b');
      world.sim.start('b');
      const event = world.jobEvent('b');

      // Act
      await trackPoolEvent(event, world.deps);
      await trackPoolEvent(event, world.deps);

      // Assess
      expect((await world.store.getHistory(await keyOf(world, 'b')))?.recent).toHaveLength(1);
    });

    it('records an older pool of the key that the new job took as Reused, with its cost', async () => {
      // Prepare: a's pool is tracked; b takes it when it starts 20 minutes later
      const world = stewardWorld();
      const a = world.runJob('a');
      await trackPoolEvent(a.terminal, world.deps);
      world.clock.advanceTo(a.end + 19 * MINUTE);
      world.submit('b');
      world.clock.advanceTo(a.end + 20 * MINUTE);
      expect(world.sim.start('b')).toBe('warm');

      // Act
      const outcome = await trackPoolEvent(world.jobEvent('b'), world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'arrival', checked: 1, gone: 1 });
      const creation = world.sim.job('a')?.creationTime ?? 0;
      const pool = await world.store.getPool(world.sim.job('a')?.arn ?? '', creation);
      expect(pool).toMatchObject({ state: 'Reused', reusedByJob: 'b' });
      expect(pool?.nextDecisionAt).toBeUndefined();
      expect((await world.auditOf('a')).map((e) => e.kind)).toEqual(['tracked', 'reused']);
      const spend = await world.store.spend('vision', '2026-11-26');
      expect(spend.instanceHours).toBeCloseTo(20 / 60, 6);
      expect(spend.usd).toBeGreaterThan(0);
    });

    it('leaves an older pool that is still Available alone', async () => {
      // Prepare: b matches the key but runs on managed spot, which never takes a warm pool
      const world = stewardWorld();
      const a = world.runJob('a');
      await trackPoolEvent(a.terminal, world.deps);
      world.clock.advanceTo(a.end + 5 * MINUTE);
      world.submit('b', { keepAliveSeconds: 0, managedSpot: true });
      world.sim.start('b');

      // Act
      const outcome = await trackPoolEvent(world.jobEvent('b'), world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'arrival', checked: 1, gone: 0 });
      expect((await world.store.livePools()).map((p) => p.state)).toEqual(['Available']);
    });
  });

  describe('a job that ended', () => {
    it('tracks its Available pool, due for a decision at once', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal, end } = world.runJob('a');

      // Act
      const outcome = await trackPoolEvent(terminal, world.deps);

      // Assess
      expect(outcome).toEqual({ kind: 'tracked', job: 'a', expiresAt: end + 30 * MINUTE });
      const [pool] = await world.store.livePools();
      expect(pool).toMatchObject({
        jobName: 'a',
        owner: 'alice',
        team: 'vision',
        state: 'Available',
        endTime: end,
        keepAliveSeconds: 1800,
        nextDecisionAt: end,
      });
      expect(await world.store.poolsDue(end, 10)).toHaveLength(1);
      expect(await world.auditOf('a')).toEqual([
        expect.objectContaining({ kind: 'tracked', until: end + 30 * MINUTE, outcome: 'observed' }),
      ]);
    });

    it('keeps one record when the event is delivered twice', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal } = world.runJob('a');

      // Act
      await trackPoolEvent(terminal, world.deps);
      const again = await trackPoolEvent({ ...terminal, id: 'another-delivery' }, world.deps);

      // Assess
      expect(again).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/duplicate/) });
      expect(await world.store.livePools()).toHaveLength(1);
      expect((await world.auditOf('a')).filter((e) => e.kind === 'tracked')).toHaveLength(1);
    });

    it('records the end on the key for the next arrival', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal, end } = world.runJob('a');

      // Act
      await trackPoolEvent(terminal, world.deps);

      // Assess
      expect((await world.store.getHistory(await keyOf(world, 'a')))?.openEnds).toEqual([
        { at: end, owner: 'alice' },
      ]);
    });

    it('answers no-pool for a job without keep-alive', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal } = world.runJob('a', { keepAliveSeconds: 0 });

      // Act
      const outcome = await trackPoolEvent(terminal, world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'no-pool', job: 'a' });
      expect(await world.store.livePools()).toEqual([]);
    });

    it('answers no-pool when the failure took the cluster down', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal } = world.runJob('a', { status: 'Failed' });

      // Act
      const outcome = await trackPoolEvent(terminal, world.deps);

      // Assess
      expect(outcome).toEqual({
        kind: 'no-pool',
        job: 'a',
        reason: 'warm pool status is Terminated',
      });
    });

    it('does not use a Describe of another job under the same name (other creation time)', async () => {
      // Prepare: the event is of an older job "a" that was deleted; the name now has a new job
      const world = stewardWorld();
      const { terminal } = world.runJob('a');
      const detail = terminal.detail as Record<string, unknown>;
      const older = {
        ...terminal,
        detail: { ...detail, CreationTime: Number(detail.CreationTime) - HOUR },
      };

      // Act
      const outcome = await trackPoolEvent(older, world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'no-pool', reason: 'warm pool status is missing' });
      expect(await world.store.livePools()).toEqual([]);
      expect(world.log.lines.map((l) => l.message)).toContain(
        'DescribeTrainingJob answered for another job of the same name'
      );
    });

    it('does not use a Describe of another job under the same name (other ARN)', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal } = world.runJob('a', {
        arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/a-recreated',
      });

      // Act
      const outcome = await trackPoolEvent(terminal, world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'no-pool' });
      expect(await world.store.livePools()).toEqual([]);
    });
  });

  describe('what chains learn from', () => {
    it("notes whether an arriving job found a free pool, and a job's start-up at its end", async () => {
      // Prepare: a starts cold (nothing of its key is free); its training starts 150 s later
      const world = stewardWorld();
      world.submit('a', { keepAliveSeconds: 600 });
      const created = world.clock.now();
      world.sim.start('a', created, () => 150_000);
      await trackPoolEvent(world.jobEvent('a'), world.deps);
      const key = await keyOf(world, 'a');
      expect((await world.store.getHistory(key))?.chain?.running).toEqual([
        { at: created, cold: true, job: 'a' },
      ]);

      // Act: a ends; b arrives 30 s later and finds a's pool free
      world.clock.advanceTo(created + HOUR);
      world.sim.end('a', 'Completed');
      await trackPoolEvent(world.jobEvent('a'), world.deps);
      const end = world.clock.now();
      world.clock.advanceTo(end + 30_000);
      world.submit('b', { keepAliveSeconds: 600 });
      await trackPoolEvent(world.jobEvent('b'), world.deps);

      // Assess: a was cold (150 s ≥ the 140 s cold-start wait); b found a pool
      const chain = (await world.store.getHistory(key))?.chain;
      expect(chain).toMatchObject({ lastEndAt: end, lastEndCold: true });
      expect(chain?.running).toEqual([{ at: end + 30_000, cold: false, job: 'b' }]);
      // b came after a's cold end: not held up by a's cold start
      expect(chain?.linked).toBe(0);
    });
    /**
     * A serial pipeline: o runs (cold) and its pool is tracked; p takes it 30 s after o ended and
     * runs 50 minutes; x is created 30 s after p ended and takes p's pool. With `lateEnd`, p's
     * end is processed after x's arrival (events are not ordered), and with `xEndsFirst` after
     * x's 20-minute run and end too.
     */
    async function pipeline(lateEnd: boolean, xEndsFirst = false) {
      const world = stewardWorld();
      world.submit('o', { keepAliveSeconds: 600 });
      world.sim.start('o', world.clock.now(), () => 150_000);
      await trackPoolEvent(world.jobEvent('o'), world.deps);
      world.clock.advanceTo(world.clock.now() + HOUR);
      world.sim.end('o', 'Completed');
      await trackPoolEvent(world.jobEvent('o'), world.deps);
      world.clock.advanceTo(world.clock.now() + 30_000);
      world.submit('p', { keepAliveSeconds: 600 });
      expect(world.sim.start('p', world.clock.now(), () => 5_000)).toBe('warm');
      await trackPoolEvent(world.jobEvent('p'), world.deps);
      world.clock.advanceTo(world.clock.now() + 50 * MINUTE);
      world.sim.end('p', 'Completed');
      const pEnded = world.jobEvent('p');
      if (!lateEnd) await trackPoolEvent(pEnded, world.deps);
      world.clock.advanceTo(world.clock.now() + 30_000);
      world.submit('x', { keepAliveSeconds: 600 });
      expect(world.sim.start('x', world.clock.now(), () => 5_000)).toBe('warm');
      await trackPoolEvent(world.jobEvent('x'), world.deps);
      if (xEndsFirst) {
        world.clock.advanceTo(world.clock.now() + 20 * MINUTE);
        world.sim.end('x', 'Completed');
        await trackPoolEvent(world.jobEvent('x'), world.deps);
      }
      if (lateEnd) await trackPoolEvent(pEnded, world.deps);
      const key = await keyOf(world, 'x');
      return {
        history: await world.store.getHistory(key),
        all: await world.store.getHistory(ALL_KEYS),
      };
    }

    it("learns as in order when a job's end is processed after the arrival that took its pool", async () => {
      // Act
      const inOrder = await pipeline(false);
      const late = await pipeline(true);

      // Assess: x took p's pool 30 s after p's warm end: a warm start, linked, a 30 s gap
      expect(late.history?.chain?.running).toEqual([
        expect.objectContaining({ job: 'x', cold: false }),
      ]);
      expect(late.history?.chain?.linked).toBeGreaterThan(0);
      // (the gap an arrival closed waits in `recent` only to tell a rescue; x's came after p's end)
      const judged = (h: typeof late.history) => ({
        ...h?.chain,
        recent: h?.chain?.recent.map(({ at, linked }) => ({ at, linked })),
      });
      expect(judged(late.history)).toEqual(judged(inOrder.history));
      expect(late.history?.histogram).toEqual(inOrder.history?.histogram);
      expect(late.history?.recent.map((g) => [g.at, g.gapMs])).toEqual(
        inOrder.history?.recent.map((g) => [g.at, g.gapMs])
      );
      expect(late.history?.recent.at(-1)?.gapMs).toBe(30_000);
      expect(late.history?.openEnds).toEqual(inOrder.history?.openEnds);
      // Every key's gaps learn the late gap too
      expect(late.all?.histogram).toEqual(inOrder.all?.histogram);
    });

    it("links the next job against its predecessor's window even when that job's own end came first", async () => {
      // Act
      const inOrder = await pipeline(false, true);
      const late = await pipeline(true, true);

      // Assess
      expect(inOrder.history?.chain?.linked).toBeGreaterThan(0);
      expect(late.history?.chain?.linked).toBeCloseTo(inOrder.history?.chain?.linked ?? -1, 9);
      expect(late.history?.chain?.warmGaps).toEqual(inOrder.history?.chain?.warmGaps);
      // x, p's pool's taker, no longer runs: which arrival p's end was for is not known, so
      // its gap is not learnt (one gap fewer, rather than a wrong one)
      expect(late.history?.histogram.count).toBe((inOrder.history?.histogram.count ?? 0) - 1);
    });

    /**
     * a ends, its pool is tracked, and b, created 30 s after a ended, takes it. With
     * `arrivalFirst`, b's arrival is processed before a's end, so it saw no free pool and is
     * taken for cold; otherwise it is not processed yet.
     */
    async function poolTakenByB(arrivalFirst = false) {
      const world = stewardWorld();
      const a = world.runJob('a', { keepAliveSeconds: 600 });
      world.clock.advanceTo(a.end + 30_000);
      world.submit('b', { keepAliveSeconds: 600 });
      if (arrivalFirst) await trackPoolEvent(world.jobEvent('b'), world.deps);
      await trackPoolEvent(a.terminal, world.deps);
      expect(world.sim.start('b')).toBe('warm');
      return world;
    }

    it('reads no history again for a pool that the arriving job, judged warm, took', async () => {
      // Prepare
      const world = await poolTakenByB();
      const store = world.deps.store;
      const watched = Object.create(store) as typeof store;
      let reads = 0;
      watched.getHistory = (key) => {
        reads += 1;
        return store.getHistory(key);
      };

      // Act
      await trackPoolEvent(world.jobEvent('b'), { ...world.deps, store: watched });

      // Assess: the key's history and every key's, each once; a's pool recorded as Reused
      expect(reads).toBe(2);
      expect((await world.auditOf('a')).map((e) => e.kind)).toEqual(['tracked', 'reused']);
    });

    it('records a pool as gone though learning its taker fails, and logs it', async () => {
      // Prepare: b is taken for cold; the history store then fails
      const world = await poolTakenByB(true);
      const store = world.deps.store;
      const failing = Object.create(store) as typeof store;
      failing.putHistory = () => Promise.reject(new Error('ProvisionedThroughputExceeded'));

      // Act
      await evaluateDuePools({ ...world.deps, store: failing });

      // Assess
      expect((await world.auditOf('a')).map((e) => e.kind)).toContain('reused');
      expect(world.log.lines.some((l) => l.message === 'warm start not learnt')).toBe(true);
    });

    it('settles a job as warm when the evaluator finds the pool it took Reused by it', async () => {
      // Prepare
      const world = await poolTakenByB(true);
      const key = await keyOf(world, 'b');
      expect((await world.store.getHistory(key))?.chain?.running).toEqual([
        expect.objectContaining({ job: 'b', cold: true }),
      ]);

      // Act: the evaluator looks at a's pool and finds it taken by b
      await evaluateDuePools(world.deps);

      // Assess
      expect((await world.auditOf('a')).map((e) => e.kind)).toContain('reused');
      expect((await world.store.getHistory(key))?.chain?.running).toEqual([
        expect.objectContaining({ job: 'b', cold: false }),
      ]);
    });
    /** The key's chain after the evaluator checks a's pool, b's arrival heard before or after. */
    async function chainWhenArrivalHeard(late: boolean) {
      const world = await poolTakenByB();
      if (!late) await trackPoolEvent(world.jobEvent('b'), world.deps);
      await evaluateDuePools(world.deps);
      if (late) await trackPoolEvent(world.jobEvent('b'), world.deps);
      return (await world.store.getHistory(await keyOf(world, 'b')))?.chain;
    }

    it('settles a job as warm when the pool it took was found Reused before its arrival was heard', async () => {
      // Act: the evaluator finds a's pool Reused by b, whose arrival comes after
      const inOrder = await chainWhenArrivalHeard(false);
      const late = await chainWhenArrivalHeard(true);

      // Assess: b found no free pool when heard, yet is known to have started warm
      expect(late?.running).toEqual([expect.objectContaining({ job: 'b', cold: false })]);
      expect(late?.warmTakers).toBeUndefined();
      expect(late).toEqual(inOrder);
    });

    it("settles a job as warm when its predecessor's end, naming it, came before its arrival", async () => {
      // Prepare: a's end is processed only after b took its pool, and before b's arrival
      const world = stewardWorld();
      const a = world.runJob('a', { keepAliveSeconds: 600 });
      world.clock.advanceTo(a.end + 30_000);
      world.submit('b', { keepAliveSeconds: 600 });
      expect(world.sim.start('b')).toBe('warm');
      await trackPoolEvent(a.terminal, world.deps);
      const key = await keyOf(world, 'b');
      expect((await world.store.getHistory(key))?.chain?.warmTakers?.map((t) => t.job)).toEqual([
        'b',
      ]);

      // Act
      await trackPoolEvent(world.jobEvent('b'), world.deps);

      // Assess
      const chain = (await world.store.getHistory(key))?.chain;
      expect(chain?.running).toEqual([expect.objectContaining({ job: 'b', cold: false })]);
      expect(chain?.warmTakers).toBeUndefined();
    });
  });

  describe('other events', () => {
    it('parks and rejects an event it cannot read', async () => {
      // Prepare
      const world = stewardWorld();
      const broken = stateChangeEvent({ detail: { TrainingJobArn: 42 } });

      // Act
      const outcome = await trackPoolEvent(broken, world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'rejected' });
      expect(world.parked.entries).toEqual([
        expect.objectContaining({ event: broken, receivedAt: world.clock.now() }),
      ]);
      expect(world.parked.entries[0]?.reason).toMatch(/TrainingJobArn/);
    });

    it('ignores a status that says nothing about pools', async () => {
      // Prepare
      const world = stewardWorld();

      // Act
      const outcome = await trackPoolEvent(stateChangeEvent({ status: 'Stopping' }), world.deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'ignored' });
      expect(world.sim.stats().calls.DescribeTrainingJob).toBe(0);
    });
  });
});
