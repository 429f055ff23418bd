import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binOf, totalWeight } from '../../../src/domain/policy/gap-history.js';
import {
  type KeyHistory,
  OPEN_ENDS_KEPT,
  RECENT_GAPS_KEPT,
} from '../../../src/domain/ports/pool-store.js';
import {
  arriveInPlace,
  closedGap,
  endInPlace,
  isBehindNewerPool,
  isWarmStartNews,
  newKeyHistory,
  newLiveKeyHistory,
  pendingArrival,
  recordArrival,
  recordEnd,
  recordWarmStart,
  shadowCandidate,
} from '../../../src/domain/steward/key-history.js';
import { HOUR, MINUTE, NOW } from '../../helpers/steward-builders.js';

const KEY = 'role=-|type=ml.g5.2xlarge|count=1';

function withEnds(...ends: number[]): KeyHistory {
  return ends.reduce((h, at) => recordEnd(h, at, undefined), newKeyHistory(KEY));
}

describe('newKeyHistory', () => {
  it('starts empty at version 0', () => {
    const history = newKeyHistory(KEY);
    expect(history).toMatchObject({ matchKey: KEY, recent: [], openEnds: [], version: 0 });
    expect(history.histogram.count).toBe(0);
  });
});

describe('recordEnd', () => {
  it('opens a gap at the end, with who left the pool', () => {
    expect(recordEnd(newKeyHistory(KEY), NOW, 'alice').openEnds).toEqual([
      { at: NOW, owner: 'alice' },
    ]);
  });

  it('keeps open ends in time order whatever order they arrive in', () => {
    expect(withEnds(NOW + 2, NOW, NOW + 1).openEnds?.map((e) => e.at)).toEqual([
      NOW,
      NOW + 1,
      NOW + 2,
    ]);
  });

  it('ignores an end it already holds, as a repeated event would bring it', () => {
    const once = recordEnd(newKeyHistory(KEY), NOW, 'alice');
    expect(recordEnd(once, NOW, 'alice')).toBe(once);
  });

  it(`keeps only the newest ${OPEN_ENDS_KEPT} open ends`, () => {
    // Act
    const ends = Array.from({ length: OPEN_ENDS_KEPT + 4 }, (_, i) => NOW + i * MINUTE);
    const history = withEnds(...ends);

    // Assess
    expect(history.openEnds).toHaveLength(OPEN_ENDS_KEPT);
    expect(history.openEnds?.[0]?.at).toBe(NOW + 4 * MINUTE);
  });

  it(`drops a late end older than all ${OPEN_ENDS_KEPT} it keeps, and keeps one that fits among them`, () => {
    // Prepare: full, the oldest end kept at NOW + 10 min.
    const full = withEnds(
      ...Array.from({ length: OPEN_ENDS_KEPT }, (_, i) => NOW + (10 + i) * MINUTE)
    );
    // Act
    const older = recordEnd(full, NOW, 'late');
    const between = recordEnd(full, NOW + 10 * MINUTE + 30_000, 'late');
    // Assess
    expect(older).toBe(full);
    expect(between.openEnds?.map((e) => e.at)).toEqual([
      NOW + 10 * MINUTE + 30_000,
      ...Array.from({ length: OPEN_ENDS_KEPT - 1 }, (_, i) => NOW + (11 + i) * MINUTE),
    ]);
  });

  it('reads a stored history without open ends', () => {
    const { openEnds: _ends, ...stored } = newKeyHistory(KEY);
    expect(recordEnd(stored, NOW, undefined).openEnds).toEqual([{ at: NOW }]);
  });
});

describe('recordArrival', () => {
  it('closes the newest open end before it as a gap, with who left and who came', () => {
    // Prepare
    const history = recordEnd(newKeyHistory(KEY), NOW, 'alice');

    // Act
    const after = recordArrival(history, NOW + 100_000, 'bob');

    // Assess
    expect(after.recent).toEqual([
      { at: NOW + 100_000, gapMs: 100_000, previousOwner: 'alice', nextOwner: 'bob' },
    ]);
    expect(after.openEnds).toEqual([]);
    expect(after.lastArrivalAt).toBe(NOW + 100_000);
    expect(after.histogram.count).toBe(1);
    expect(after.histogram.weights[binOf(100)]).toBe(1);
  });

  it('closes open ends newest first, as SageMaker hands out the most recently freed pool', () => {
    // Prepare: three pools freed at +0, +10 and +20 minutes.
    const history = withEnds(NOW, NOW + 10 * MINUTE, NOW + 20 * MINUTE);

    // Act
    const first = recordArrival(history, NOW + 25 * MINUTE, undefined);
    const second = recordArrival(first, NOW + 26 * MINUTE, undefined);

    // Assess
    expect(second.recent.map((g) => g.gapMs)).toEqual([5 * MINUTE, 16 * MINUTE]);
    expect(second.openEnds?.map((e) => e.at)).toEqual([NOW]);
  });

  it('skips ends after the arrival: those jobs were still running when it came', () => {
    // Act
    const after = recordArrival(withEnds(NOW, NOW + 10 * MINUTE), NOW + 5 * MINUTE, undefined);

    // Assess
    expect(after.recent).toEqual([{ at: NOW + 5 * MINUTE, gapMs: 5 * MINUTE }]);
    expect(after.openEnds?.map((e) => e.at)).toEqual([NOW + 10 * MINUTE]);
  });

  it('records a gap of zero when the arrival comes the same millisecond as the end', () => {
    expect(recordArrival(withEnds(NOW), NOW, undefined).recent).toEqual([{ at: NOW, gapMs: 0 }]);
  });

  it('only notes the arrival when no pool was free before it', () => {
    // Act
    const after = recordArrival(withEnds(NOW + MINUTE), NOW, 'bob');

    // Assess
    expect(after.recent).toEqual([]);
    expect(after.histogram.count).toBe(0);
    expect(after.lastArrivalAt).toBe(NOW);
    expect(after.openEnds).toHaveLength(1);
  });

  it('counts a repeated event of the same job once', () => {
    // Prepare
    const once = recordArrival(withEnds(NOW, NOW + MINUTE), NOW + 2 * MINUTE, 'bob');

    // Act
    const twice = recordArrival(once, NOW + 2 * MINUTE, 'bob');

    // Assess
    expect(twice).toBe(once);
  });

  it(`keeps only the newest ${RECENT_GAPS_KEPT} gaps verbatim, but counts all in the histogram`, () => {
    // Prepare
    let history = newKeyHistory(KEY);
    const total = RECENT_GAPS_KEPT + 10;

    // Act
    for (let i = 0; i < total; i++) {
      history = recordEnd(history, NOW + i * 10 * MINUTE, undefined);
      history = recordArrival(history, NOW + i * 10 * MINUTE + (i + 1) * 1000, undefined);
    }

    // Assess
    expect(history.recent).toHaveLength(RECENT_GAPS_KEPT);
    expect(history.recent.at(-1)?.gapMs).toBe(total * 1000);
    expect(history.recent[0]?.gapMs).toBe(11_000);
    expect(history.histogram.count).toBe(total);
  });

  it('leaves the history it was given unchanged', () => {
    // Prepare: shadowed ends and a shadow histogram, which the copies must not share
    const learnt = recordArrival(
      recordArrival(withEnds(NOW - 3 * MINUTE, NOW - 2 * MINUTE), NOW - 90_000, 'ana'),
      NOW - 30_000,
      'ana'
    );
    const history = [NOW, NOW + MINUTE].reduce((h, at) => recordEnd(h, at, undefined), learnt);
    expect(history.shadowHistogram?.count).toBe(1);
    expect(history.openEnds?.[0]?.shadowed).toBe(true);
    const snapshot = structuredClone(history);

    // Act: the second arrival closes a shadowed end, in a copy of a copy
    recordArrival(recordArrival(history, NOW + 2 * MINUTE, 'bob'), NOW + 3 * MINUTE, 'bob');
    recordEnd(history, NOW + 4 * MINUTE, 'carol');

    // Assess
    expect(history).toEqual(snapshot);
  });

  it('stays bounded, ordered and consistent for any stream of ends and arrivals', () => {
    const events = fc.array(
      fc.record({
        kind: fc.constantFrom('end' as const, 'arrival' as const),
        at: fc.integer({ min: 0, max: 48 * 3_600_000 }),
      }),
      { maxLength: 150 }
    );
    fc.assert(
      fc.property(events, (stream) => {
        let history = newKeyHistory(KEY);
        let gaps = 0;
        for (const { kind, at } of stream) {
          const before = history;
          history =
            kind === 'end'
              ? recordEnd(history, NOW + at, undefined)
              : recordArrival(history, NOW + at, undefined);
          if (
            history.recent.length > before.recent.length ||
            history.histogram.count > before.histogram.count
          )
            gaps++;
        }
        const ends = history.openEnds ?? [];
        expect(ends.length).toBeLessThanOrEqual(OPEN_ENDS_KEPT);
        expect(history.recent.length).toBeLessThanOrEqual(RECENT_GAPS_KEPT);
        expect(ends.map((e) => e.at)).toEqual([...ends.map((e) => e.at)].sort((a, b) => a - b));
        expect(new Set(ends.map((e) => e.at)).size).toBe(ends.length);
        expect(history.histogram.count).toBe(gaps);
        expect(totalWeight(history.histogram)).toBeLessThanOrEqual(gaps + 1e-9);
        // Shadowed gaps are a part of the key's gaps; only the newest open end can be unshadowed.
        expect(history.shadowHistogram?.count ?? 0).toBeLessThanOrEqual(gaps);
        expect(ends.slice(0, -1).every((e) => e.shadowed === true)).toBe(true);
        for (const gap of history.recent) expect(gap.gapMs).toBeGreaterThanOrEqual(0);
      })
    );
  });

  it('learns in place exactly as it learns by copy, for any stream (the backtest learns in place)', () => {
    const events = fc.array(
      fc.record({
        kind: fc.constantFrom('end' as const, 'arrival' as const),
        at: fc.integer({ min: 0, max: 48 * 3_600_000 }),
        owner: fc.constantFrom(undefined, 'ana', 'bob'),
        // What the steward knows of chains, when it knows it: cold arrival, start-up.
        cold: fc.option(fc.boolean(), { nil: undefined }),
        startupMs: fc.option(fc.integer({ min: 0, max: 300_000 }), { nil: undefined }),
        createdBefore: fc.integer({ min: 0, max: 3_600_000 }),
        // Which earlier arrival an end is of, and which one took its pool (events out of order)
        of: fc.nat(),
        takenBy: fc.option(fc.nat(), { nil: undefined }),
      }),
      { maxLength: 200 }
    );
    fc.assert(
      fc.property(events, fc.integer({ min: 1, max: 5 }), (stream, kept) => {
        let pure = newKeyHistory(KEY);
        const live = newLiveKeyHistory(KEY);
        const arrivals: number[] = [];
        for (const { kind, at, owner, cold, startupMs, createdBefore, of, takenBy } of stream) {
          if (kind === 'end') {
            // Half the ends are of a job seen arriving, so the chain finds it running
            const createdAt =
              arrivals.length > 0 && of % 2 === 0
                ? (arrivals[of % arrivals.length] as number)
                : NOW + at - createdBefore;
            const taker =
              takenBy === undefined || arrivals.length === 0
                ? {}
                : { reusedBy: `job-${takenBy % arrivals.length}` };
            const facts =
              startupMs === undefined
                ? undefined
                : { createdAt, startupMs, coldStartWaitMs: 117_000, ...taker };
            pure = recordEnd(pure, NOW + at, owner, facts, kept);
            endInPlace(live, NOW + at, owner, facts, kept);
          } else {
            const before = pure;
            const facts = cold === undefined ? undefined : { cold, job: `job-${arrivals.length}` };
            arrivals.push(NOW + at);
            pure = recordArrival(pure, NOW + at, owner, kept, facts);
            expect(arriveInPlace(live, NOW + at, owner, kept, facts)).toEqual(
              closedGap(before, pure)
            );
          }
        }
        expect(live.chain).toEqual(pure.chain);
        expect(live.histogram).toEqual(pure.histogram);
        expect(live.recent).toEqual(pure.recent);
        expect(live.recent.length).toBeLessThanOrEqual(kept);
        expect(live.openEnds).toEqual(pure.openEnds ?? []);
        expect(live.shadowHistogram).toEqual(pure.shadowHistogram);
        expect(live.lastArrivalAt).toBe(pure.lastArrivalAt);
      })
    );
  });

  it('never leaves a job running in the chain: an end without a start, at a time taken, or late', () => {
    const facts = (createdAt: number, startupMs?: number) =>
      startupMs === undefined
        ? { createdAt, coldStartWaitMs: 117_000 }
        : { createdAt, startupMs, coldStartWaitMs: 117_000 };
    // Prepare: the key's open ends are full, all newer than the late end below
    let pure = newKeyHistory(KEY);
    const live = newLiveKeyHistory(KEY);
    for (let i = 0; i < OPEN_ENDS_KEPT; i++) {
      pure = recordEnd(pure, NOW + HOUR + i * MINUTE, undefined);
      endInPlace(live, NOW + HOUR + i * MINUTE, undefined);
    }
    const jobs = [NOW - 3 * HOUR, NOW - 2 * HOUR, NOW - HOUR];
    for (const at of jobs) {
      pure = recordArrival(pure, at, undefined, RECENT_GAPS_KEPT, { cold: true });
      arriveInPlace(live, at, undefined, RECENT_GAPS_KEPT, { cold: true });
    }

    // Act: one never started; one ends in the millisecond an end is already open; one ends late
    const ends: [number, ReturnType<typeof facts>][] = [
      [NOW, facts(jobs[0] as number)],
      [NOW + HOUR, facts(jobs[1] as number, 150_000)],
      [NOW - 30 * MINUTE, facts(jobs[2] as number, 150_000)],
    ];
    for (const [at, f] of ends) {
      pure = recordEnd(pure, at, undefined, f);
      endInPlace(live, at, undefined, f);
    }

    // Assess
    expect(pure.chain?.running).toEqual([]);
    expect(live.chain).toEqual(pure.chain);
  });

  it('ignores an arrival or an end at a time that is no time, instead of blocking later ones', () => {
    // Prepare
    const history = withEnds(NOW);
    // Act
    const arrived = recordArrival(history, Number.POSITIVE_INFINITY, 'bob');
    const ended = recordEnd(history, Number.NaN, 'bob');
    const later = recordArrival(arrived, NOW + MINUTE, 'bob');
    // Assess
    expect(arrived).toBe(history);
    expect(ended).toBe(history);
    expect(closedGap(history, later)?.gapMs).toBe(MINUTE);
  });

  it('keeps the very histogram when an arrival closes no gap, so the all-keys history is not rewritten', () => {
    // Prepare: no open end before the arrival.
    const history = withEnds(NOW + MINUTE);
    // Act
    const next = recordArrival(history, NOW, 'bob');
    // Assess
    expect(next.histogram).toBe(history.histogram);
    expect(closedGap(history, next)).toBeUndefined();
    expect(next.lastArrivalAt).toBe(NOW);
  });

  it('closes no gap on a stored open end that is no time (a corrupt item)', () => {
    const corrupt: KeyHistory = { ...newKeyHistory(KEY), openEnds: [{ at: Number.NaN }] };
    const next = recordArrival(corrupt, NOW, 'bob');
    expect(closedGap(corrupt, next)).toBeUndefined();
    expect(next.histogram).toBe(corrupt.histogram);
  });
});

describe('shadowed ends', () => {
  it('marks an open end shadowed when a later end of the key comes while it is open', () => {
    expect(withEnds(NOW, NOW + MINUTE).openEnds).toEqual([
      { at: NOW, shadowed: true },
      { at: NOW + MINUTE },
    ]);
  });

  it('marks a late end shadowed when a newer end is open already', () => {
    expect(withEnds(NOW, NOW + 2 * MINUTE, NOW + MINUTE).openEnds).toEqual([
      { at: NOW, shadowed: true },
      { at: NOW + MINUTE, shadowed: true },
      { at: NOW + 2 * MINUTE },
    ]);
  });

  /** Arrivals with chain facts, as the steward records them (cold: no pool was seen free). */
  const arrive = (h: KeyHistory, at: number, job: string) =>
    recordArrival(h, at, job, RECENT_GAPS_KEPT, { cold: true, job });
  const endFacts = (reusedBy?: string) => ({
    createdAt: NOW - HOUR,
    coldStartWaitMs: 117_000,
    ...(reusedBy === undefined ? {} : { reusedBy }),
  });

  it("closes a late end with its pool's taker, if the taker closed no gap, as in order", () => {
    // Prepare: b (+5 min) is processed before the end at +2 min whose pool it took
    const inOrder = arrive(withEnds(NOW + 2 * MINUTE), NOW + 5 * MINUTE, 'b');
    const arrivedFirst = arrive(newKeyHistory(KEY), NOW + 5 * MINUTE, 'b');

    // Act
    const late = recordEnd(arrivedFirst, NOW + 2 * MINUTE, undefined, endFacts('b'));

    // Assess: the same gap and histogram; only who came is not known any more
    expect(late.histogram).toEqual(inOrder.histogram);
    expect(late.recent).toEqual([{ at: NOW + 5 * MINUTE, gapMs: 3 * MINUTE }]);
    expect(late.openEnds).toEqual([]);
    expect(closedGap(arrivedFirst, late)).toEqual(late.recent[0]);
  });

  it('closes with the taker, not the first arrival after the end (the true gap)', () => {
    const both = arrive(arrive(newKeyHistory(KEY), NOW + 5 * MINUTE, 'b'), NOW + 7 * MINUTE, 'c');
    const takenByC = recordEnd(both, NOW + 2 * MINUTE, undefined, endFacts('c'));
    expect(takenByC.recent.map((g) => [g.at, g.gapMs])).toEqual([[NOW + 7 * MINUTE, 5 * MINUTE]]);
  });

  it('closes a late end with a taker in its own millisecond (a 0 s gap)', () => {
    const late = recordEnd(arrive(newKeyHistory(KEY), NOW, 'b'), NOW, undefined, endFacts('b'));
    expect(late.recent).toEqual([{ at: NOW, gapMs: 0 }]);
  });

  it('leaves a late end open without a taker, or when its taker closed a gap already', () => {
    // No taker named: which later arrival it was for cannot be told
    const arrived = arrive(newKeyHistory(KEY), NOW + 5 * MINUTE, 'b');
    const unnamed = recordEnd(arrived, NOW + 2 * MINUTE, undefined, endFacts());
    expect(unnamed.histogram).toBe(arrived.histogram);
    expect(unnamed.openEnds).toEqual([{ at: NOW + 2 * MINUTE }]);
    // b took the end at +3 min (in order): the late end at +1 min stays open, shadowed, since
    // the end at +3 min stood in front of it while it was free
    const took = arrive(withEnds(NOW + 3 * MINUTE), NOW + 5 * MINUTE, 'b');
    const afterTook = recordEnd(took, NOW + MINUTE, undefined, endFacts('b'));
    expect(afterTook.histogram).toBe(took.histogram);
    expect(afterTook.openEnds).toEqual([{ at: NOW + MINUTE, shadowed: true }]);
  });

  it('shadows a late end only for a newer end taken before its own taker came', () => {
    // Prepare: b arrives at +1 min (takes the late end's pool); f ends at +2, c takes f at +3
    const h = arrive(
      recordEnd(arrive(newKeyHistory(KEY), NOW + MINUTE, 'b'), NOW + 2 * MINUTE, undefined),
      NOW + 3 * MINUTE,
      'c'
    );

    // Act: the end at +30 s, whose pool b took, comes last
    const late = recordEnd(h, NOW + 30_000, undefined, endFacts('b'));

    // Assess: f's pool came after b had taken this one: not shadowed
    expect(late.recent.map((g) => g.gapMs)).toEqual([MINUTE, 30_000]);
    expect(late.shadowHistogram).toBeUndefined();
  });

  it('does not take an end older than every gap kept, since it cannot be told from a repeat', () => {
    let h = withEnds(NOW);
    for (let i = 1; i <= 3; i++)
      h = recordArrival(recordEnd(h, NOW + i * HOUR, undefined), NOW + i * HOUR + MINUTE, 'b', 2);
    expect(recordEnd(h, NOW + 30 * MINUTE, undefined, undefined, 2)).toBe(h);
  });

  it('does not reopen an end whose gap was closed when its event comes again', () => {
    const closed = recordArrival(withEnds(NOW), NOW + MINUTE, 'bob');
    const again = recordEnd(closed, NOW, 'ana');
    expect(again).toBe(closed);
  });

  it('leaves an end unshadowed when the newer one came after an arrival closed it', () => {
    const closed = recordArrival(withEnds(NOW), NOW + MINUTE, 'bob');
    expect(recordEnd(closed, NOW + 2 * MINUTE, 'bob').openEnds).toEqual([
      { at: NOW + 2 * MINUTE, owner: 'bob' },
    ]);
  });

  it("counts a shadowed end's gap in the shadow histogram as well as the key's", () => {
    // Prepare: two ends a minute apart; the newer is taken first, as SageMaker does
    const history = withEnds(NOW, NOW + MINUTE);

    // Act
    const first = recordArrival(history, NOW + 2 * MINUTE, 'bob');
    const second = recordArrival(first, NOW + 10 * MINUTE, 'bob');

    // Assess
    expect(first.shadowHistogram).toBeUndefined();
    expect(second.histogram.count).toBe(2);
    expect(second.shadowHistogram?.count).toBe(1);
    expect(second.shadowHistogram?.weights[binOf(600)]).toBe(1);
  });
});

describe('a serial key, its events out of order', () => {
  const WARM = 3_000;
  const DELTA = 117_000;
  const KEEP = 20 * MINUTE;
  type Step =
    | { kind: 'arrive'; at: number; job: string; cold: boolean }
    | { kind: 'end'; at: number; createdAt: number; startupMs: number; reusedBy?: string }
    | { kind: 'reused'; job: string; freedAt: number };
  interface Job {
    readonly gapMs: number;
    readonly durationMs: number;
    readonly late: boolean;
    readonly reusedFirst: boolean;
    /** When else the pool a job took is found Reused (the evaluator may come late). */
    readonly sighting: 'none' | 'after-arrival' | 'after-end';
  }

  /**
   * One job after another (each created `gapMs` after the last ended), each kept `KEEP`: a job
   * that comes within it takes the last job's pool and starts warm. In order, every event is
   * heard at its time. Out of order, the end of each job in `lateEnds` whose pool was taken is
   * heard just after its taker's arrival, and SageMaker's describe then names the taker; for
   * each in `reusedFirst` the evaluator finds the pool Reused before the taker's arrival is
   * heard. Either way the taker, heard arriving, finds no free pool. In both orders a pool may
   * also be found Reused after its taker's arrival or end, which teaches nothing.
   */
  function stream(jobs: readonly Job[], reorder: boolean): Step[] {
    const steps: Step[] = [];
    let created = NOW;
    let cold = true;
    let freedAt = NOW;
    let pending: { end: Step; sightedAfter?: Step } | undefined;
    const flush = () => {
      if (pending === undefined) return;
      steps.push(pending.end);
      if (pending.sightedAfter !== undefined) steps.push(pending.sightedAfter);
      pending = undefined;
    };
    jobs.forEach((job, i) => {
      const name = `job-${i}`;
      const taker = i > 0 && !cold;
      const late = reorder && taker && pending !== undefined;
      const predecessor = pending;
      if (!late) flush();
      const reusedFirst = reorder && taker && !late && job.reusedFirst;
      const sighting: Step = { kind: 'reused', job: name, freedAt };
      if (reusedFirst) steps.push(sighting);
      steps.push({ kind: 'arrive', at: created, job: name, cold: cold || late || reusedFirst });
      if (late && predecessor?.end.kind === 'end') {
        steps.push({ ...predecessor.end, reusedBy: name });
        if (predecessor.sightedAfter !== undefined) steps.push(predecessor.sightedAfter);
        pending = undefined;
      }
      if (taker && job.sighting === 'after-arrival') steps.push(sighting);
      const startupMs = cold ? DELTA + WARM : WARM;
      const end = created + startupMs + job.durationMs;
      pending = {
        end: { kind: 'end', at: end, createdAt: created, startupMs },
        ...(taker && job.sighting === 'after-end' ? { sightedAfter: sighting } : {}),
      };
      // The next job takes this one's pool if it comes within the keep-alive; its end is heard
      // late only if that job takes the pool and this one is drawn late
      const next = jobs[i + 1];
      cold = next === undefined || next.gapMs > KEEP;
      if (!(next?.late ?? false)) flush();
      freedAt = end;
      created = end + (next?.gapMs ?? 0);
    });
    flush();
    return steps;
  }

  function learn(steps: readonly Step[]): KeyHistory {
    let h = newKeyHistory(KEY);
    for (const step of steps) {
      if (step.kind === 'arrive') {
        h = recordArrival(h, step.at, undefined, RECENT_GAPS_KEPT, step);
      } else if (step.kind === 'reused') {
        h = recordWarmStart(h, step.job, step.freedAt);
      } else {
        const { at, ...facts } = step;
        h = recordEnd(h, at, undefined, { ...facts, coldStartWaitMs: DELTA });
      }
    }
    return h;
  }

  it('learns what it learns in order when ends come after their takers or pools are found Reused first', () => {
    const gap = fc.oneof(
      fc.integer({ min: 1_000, max: 2 * DELTA }),
      fc.integer({ min: 1_000, max: KEEP }),
      fc.integer({ min: 1_000, max: 3 * HOUR })
    );
    const job = fc.record({
      gapMs: gap,
      durationMs: fc.integer({ min: 1_000, max: 2 * HOUR }),
      late: fc.boolean(),
      reusedFirst: fc.boolean(),
      sighting: fc.constantFrom('none' as const, 'after-arrival' as const, 'after-end' as const),
    });
    fc.assert(
      fc.property(fc.array(job, { minLength: 1, maxLength: 30 }), (jobs) => {
        const inOrder = learn(stream(jobs, false));
        const reordered = learn(stream(jobs, true));
        expect(reordered.histogram).toEqual(inOrder.histogram);
        expect(reordered.recent.map((g) => [g.at, g.gapMs])).toEqual(
          inOrder.recent.map((g) => [g.at, g.gapMs])
        );
        expect(reordered.openEnds).toEqual(inOrder.openEnds);
        // The gap an arrival closed waits in the chain's `recent` only to tell a rescue
        const judged = (h: KeyHistory) => ({
          ...h.chain,
          recent: h.chain?.recent.map(({ at, linked }) => ({ at, linked })),
        });
        expect(judged(reordered)).toEqual(judged(inOrder));
        // Every arrival was heard: no name waits for one
        expect(inOrder.chain?.warmTakers).toBeUndefined();
      })
    );
  });
});

describe('recordWarmStart', () => {
  it('is the same history when it teaches nothing, so the store is not written', () => {
    const arrived = recordArrival(newKeyHistory(KEY), NOW, 'bob', RECENT_GAPS_KEPT, {
      cold: false,
      job: 'b',
    });
    expect(recordWarmStart(arrived, 'b', NOW - MINUTE)).toBe(arrived);
    // A taker not running after an arrival was heard: it may have come and gone
    expect(recordWarmStart(arrived, 'gone', NOW - MINUTE)).toBe(arrived);
    const remembered = recordWarmStart(newKeyHistory(KEY), 'c', NOW);
    expect(remembered.chain?.warmTakers).toEqual([{ job: 'c', freedAt: NOW }]);
    expect(recordWarmStart(remembered, 'c', NOW)).toBe(remembered);
    const more = recordWarmStart(remembered, 'd', NOW);
    expect(more.chain?.warmTakers?.map((t) => t.job)).toEqual(['c', 'd']);
    expect(remembered.chain?.warmTakers).toEqual([{ job: 'c', freedAt: NOW }]);
  });

  it('counts a taker as news on a key with no history, but not once an arrival came after its pool freed', () => {
    expect(isWarmStartNews(undefined, 'b', NOW)).toBe(true);
    // A history without chains (arrivals heard without facts): its arrivals still count
    const unchained = recordArrival(newKeyHistory(KEY), NOW, 'bob');
    expect(unchained.chain).toBeUndefined();
    expect(isWarmStartNews(unchained, 'b', NOW - MINUTE)).toBe(false);
    expect(isWarmStartNews(unchained, 'b', NOW + MINUTE)).toBe(true);
  });

  it('settles a job taken for cold without touching the history it copied', () => {
    const arrived = recordArrival(newKeyHistory(KEY), NOW, 'bob', RECENT_GAPS_KEPT, {
      cold: true,
      job: 'b',
    });
    const settled = recordWarmStart(arrived, 'b', NOW - MINUTE);
    expect(settled.chain?.running).toEqual([{ at: NOW, cold: false, job: 'b' }]);
    expect(arrived.chain?.running).toEqual([{ at: NOW, cold: true, job: 'b' }]);
    expect(settled.histogram).toBe(arrived.histogram);
  });
});

describe('shadowCandidate', () => {
  // The pool under test freed up at NOW; another job of the key ended at NOW + 1 min.
  const shadow = recordArrival(
    recordArrival(withEnds(NOW - 2 * MINUTE, NOW - MINUTE), NOW - 30_000, 'bob'),
    NOW - 20_000,
    'bob'
  ).shadowHistogram;
  const withShadow = (history: KeyHistory): KeyHistory => ({
    ...history,
    ...(shadow && { shadowHistogram: shadow }),
  });
  const history = withShadow(withEnds(NOW, NOW + MINUTE));

  it('is the shadow histogram while a newer end of the key is open', () => {
    expect(shadow).toBeDefined();
    expect(shadowCandidate(history, NOW, NOW + MINUTE)).toBe(shadow);
    expect(shadowCandidate(history, NOW, NOW + HOUR)).toBe(shadow);
  });

  it("finds a newer end that is the only one left open (the pool's own was closed by a job)", () => {
    const onlyNewer = withShadow({ ...history, openEnds: [{ at: NOW + MINUTE }] });
    expect(shadowCandidate(onlyNewer, NOW, NOW + MINUTE)).toBe(shadow);
  });

  it('looks past ends after now to an open end before it', () => {
    const later = withShadow(withEnds(NOW, NOW + MINUTE, NOW + 10 * MINUTE));
    expect(shadowCandidate(later, NOW, NOW + 5 * MINUTE)).toBe(shadow);
  });

  it('is undefined for the newest pool, before the newer end, or with nothing learnt yet', () => {
    expect(shadowCandidate(history, NOW + MINUTE, NOW + 2 * MINUTE)).toBeUndefined();
    expect(shadowCandidate(history, NOW, NOW + 30_000)).toBeUndefined();
    expect(shadowCandidate({ ...history, openEnds: [] }, NOW, NOW + HOUR)).toBeUndefined();
    const { openEnds: _, ...noEnds } = history;
    expect(shadowCandidate(noEnds, NOW, NOW + HOUR)).toBeUndefined();
    expect(shadowCandidate(withEnds(NOW, NOW + MINUTE), NOW, NOW + HOUR)).toBeUndefined();
    expect(shadowCandidate(undefined, NOW, NOW + HOUR)).toBeUndefined();
  });
});

describe('isBehindNewerPool', () => {
  it('is true when a free pool of the key freed up after this one, by now', () => {
    expect(isBehindNewerPool(NOW, [NOW - MINUTE, NOW + MINUTE], NOW + 2 * MINUTE)).toBe(true);
    expect(isBehindNewerPool(NOW, [NOW + MINUTE], NOW + MINUTE)).toBe(true);
  });

  it('is false for its own end time, older pools, a later end not yet come, or none', () => {
    expect(isBehindNewerPool(NOW, [NOW, NOW - MINUTE], NOW + HOUR)).toBe(false);
    expect(isBehindNewerPool(NOW, [NOW + 2 * MINUTE], NOW + MINUTE)).toBe(false);
    expect(isBehindNewerPool(NOW, [], NOW + HOUR)).toBe(false);
  });
});

describe('pendingArrival', () => {
  const END = NOW;
  const arrivedAt = (at: number) => ({ ...newKeyHistory(KEY), lastArrivalAt: at });

  it('names a job created after the pool freed up, for 5 minutes', () => {
    expect(pendingArrival(arrivedAt(END + MINUTE), END, END + MINUTE)).toBe(END + MINUTE);
    expect(pendingArrival(arrivedAt(END + MINUTE), END, END + 5 * MINUTE + 59_999)).toBe(
      END + MINUTE
    );
    expect(pendingArrival(arrivedAt(END + MINUTE), END, END + 6 * MINUTE)).toBeUndefined();
  });

  it('ignores a job created before or as the pool freed up, and a key with no arrival', () => {
    expect(pendingArrival(arrivedAt(END - 1), END, END + MINUTE)).toBeUndefined();
    expect(pendingArrival(arrivedAt(END), END, END + MINUTE)).toBeUndefined();
    expect(pendingArrival(newKeyHistory(KEY), END, END + MINUTE)).toBeUndefined();
    expect(pendingArrival(undefined, END, END + MINUTE)).toBeUndefined();
  });
});
