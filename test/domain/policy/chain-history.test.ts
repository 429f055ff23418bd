import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CHAIN_KEPT,
  type ChainHistory,
  chainArrive,
  chainEnd,
  chainOutlook,
  chainWarmStart,
  copyChainHistory,
  isChainHistory,
  isWarmStartNews,
  type LiveChainHistory,
  linkedShare,
  MAX_COLD_STARTS_SAVED,
  MAX_RUNTIME_MS,
  MIN_CHAIN_GAPS,
  newChainHistory,
} from '../../../src/domain/policy/chain-history.js';
import { binOf } from '../../../src/domain/policy/gap-history.js';

const T0 = Date.UTC(2026, 10, 26, 9);
const S = 1000;
/** Cold − warm start-up (FSx in the AWS benchmark: 136 − 19 s). */
const DELTA = 117 * S;
const WARM = 19 * S;
const COLD = 136 * S;

/** One job of the key: created at `at`, started warm or cold, trained `durationMs`. */
interface Job {
  readonly at: number;
  readonly cold: boolean;
  readonly durationMs: number;
}

/**
 * Replays jobs as the steward sees them: arrivals and ends in time order. An arrival is cold
 * when `cold` says so (what the caller's pools did), its gap the time since the newest end.
 */
function replay(jobs: readonly Job[], history: LiveChainHistory = newChainHistory()) {
  const events: { at: number; kind: 'arrive' | 'end'; job: Job }[] = [];
  for (const job of jobs) {
    events.push({ at: job.at, kind: 'arrive', job });
    const end = job.at + (job.cold ? COLD : WARM) + job.durationMs;
    events.push({ at: end, kind: 'end', job });
  }
  events.sort((a, b) => a.at - b.at || (a.kind === 'end' ? -1 : 1));
  const openEnds: number[] = [];
  for (const { at, kind, job } of events) {
    if (kind === 'end') {
      chainEnd(history, at, job.at, job.cold ? COLD : WARM, DELTA);
      openEnds.push(at);
    } else {
      const newest = openEnds.pop();
      chainArrive(history, at, job.cold, newest === undefined ? undefined : at - newest);
    }
  }
  return history;
}

/**
 * A pipeline: each job submitted `gapMs` after the end the one before would have had warm,
 * every job `durationMs` long, started as `cold` says.
 */
function pipeline(
  count: number,
  gapMs: number,
  cold: (i: number) => boolean,
  durationMs = 600 * S
) {
  const jobs: Job[] = [];
  let at = T0;
  for (let i = 0; i < count; i++) {
    jobs.push({ at, cold: cold(i), durationMs });
    at += WARM + durationMs + gapMs;
  }
  return jobs;
}

describe('chainArrive / chainEnd: which jobs are linked', () => {
  it('links a job that arrives while its predecessor runs its extra cold start', () => {
    // 30 s after the warm end, 87 s before the cold end: it would have found a warm job's pool.
    const h = replay(pipeline(2, 30 * S, () => true));
    expect(h.arrivals).toBeCloseTo(2, 2);
    expect(h.linked).toBeCloseTo(1, 2);
    expect(h.warmGaps.count).toBe(1);
    expect(h.warmGaps.weights[binOf(30)]).toBeCloseTo(1, 2);
  });

  it('links a job that comes within Δ of a warm end, and not one that comes later', () => {
    const near = replay(pipeline(2, 100 * S, () => false));
    expect(near.linked).toBeCloseTo(1, 2);
    const far = replay(pipeline(2, DELTA + S, () => false));
    expect(far.linked).toBe(0);
    // Its gap from the warm end counts all the same: the key's gaps as a warm chain has them.
    expect(far.warmGaps.weights[binOf(118)]).toBeCloseTo(1, 2);
  });

  it('does not link a job that arrives before even a warm start would have ended', () => {
    // A script that submits the next job 5 s after the last one ends: cold or warm, it misses.
    const h = replay(pipeline(2, -14 * S, () => true));
    expect(h.linked).toBe(0);
    expect(h.warmGaps.count).toBe(0);
  });

  it('does not link a job after a cold end (it finds the pool whether the job was cold or not)', () => {
    const h = replay(pipeline(2, DELTA + 10 * S, () => true));
    expect(h.linked).toBe(0);
    expect(h.warmGaps.weights[binOf(127)]).toBeCloseTo(1, 2);
  });

  it('records a rescue: a linked job that took an older pool while its predecessor ran cold', () => {
    // 20 jobs 600 s long, each submitted 649 s after the last: a cold chain whose jobs each
    // take the pool of the job two before, 562 s after it freed.
    const jobs = Array.from({ length: 4 }, (_, i) => ({
      at: T0 + i * 649 * S,
      cold: true,
      durationMs: 600 * S,
    }));
    const h = replay(jobs);
    expect(h.linked).toBeCloseTo(3, 2);
    expect(h.rescues.count).toBe(2);
    expect(h.rescues.weights[binOf(562)]).toBeCloseTo(2, 2);
  });

  it('ignores parallel work: an arrival while two jobs of the key run is neither counted nor linked', () => {
    const h = newChainHistory();
    chainArrive(h, T0, true, undefined);
    chainArrive(h, T0 + S, true, undefined);
    chainArrive(h, T0 + 2 * S, true, undefined);
    expect(h.arrivals).toBeCloseTo(2, 2);
    expect(h.running).toHaveLength(3);
    chainEnd(h, T0 + 2 * S + COLD + 10 * S, T0 + 2 * S, COLD, DELTA);
    expect(h.linked).toBe(0);
    expect(h.running.map((j) => j.at)).toEqual([T0, T0 + S]);
  });

  it('counts an arrival behind two cold jobs once', () => {
    const h = newChainHistory();
    chainArrive(h, T0, true, undefined);
    chainArrive(h, T0 + 200 * S, false, 50 * S);
    chainEnd(h, T0 + 250 * S, T0, COLD, DELTA);
    chainEnd(h, T0 + 260 * S, T0 + 9 * S, COLD, DELTA);
    expect(h.linked).toBeCloseTo(1, 2);
    expect(h.rescues.count).toBe(1);
  });

  it('bounds what it keeps, whatever comes', () => {
    const h = newChainHistory();
    for (let i = 0; i < 100; i++) chainArrive(h, T0 + i * S, true, undefined);
    expect(h.running).toHaveLength(CHAIN_KEPT);
    for (let i = 0; i < 100; i++) chainEnd(h, T0 + (200 + i) * S, T0 + i * S, COLD, DELTA);
    expect(h.running).toHaveLength(0);
    expect(h.recent.length).toBeLessThanOrEqual(CHAIN_KEPT);
  });

  it('learns nothing from an end without a usable start-up or Δ', () => {
    const h = replay(pipeline(1, 0, () => true));
    const before = JSON.stringify(h);
    chainEnd(h, Number.NaN, T0, COLD, DELTA);
    chainEnd(h, T0 + HOUR_MS, T0, Number.NaN, DELTA);
    chainEnd(h, T0 + HOUR_MS, T0, COLD, 0);
    expect(JSON.stringify(h)).toBe(before);
  });
});

const HOUR_MS = 3_600_000;

describe('chainArrive / chainEnd: what the review found', () => {
  it("judges a job that arrives while another runs at that job's end, not by an older end", () => {
    // J1 ends warm; J2 arrives 5 s later; J3 arrives 25 s after J2, long before J2 ends.
    const h = newChainHistory();
    chainArrive(h, T0, false, undefined);
    chainEnd(h, T0 + WARM + 600 * S, T0, WARM, DELTA);
    const end1 = T0 + WARM + 600 * S;
    chainArrive(h, end1 + 5 * S, false, 5 * S);
    chainArrive(h, end1 + 30 * S, true, undefined);
    expect(h.linked).toBeCloseTo(1, 2);
    // J2 ends warm two hours later: J3 came long before even its warm end, so is no near miss.
    chainEnd(h, end1 + 2 * HOUR_MS, end1 + 5 * S, WARM, DELTA);
    expect(h.linked).toBeCloseTo(1, 2);
  });

  it('takes a job for cold when it found no free pool, however quick its start-up', () => {
    // Seeded start-ups: a cold start may take less than Δ (P90s differ by Δ, draws do not).
    const h = newChainHistory();
    chainArrive(h, T0, true, undefined);
    chainArrive(h, T0 + 650 * S, true, undefined);
    chainEnd(h, T0 + 80 * S + 600 * S, T0, 80 * S, DELTA);
    expect(h).toMatchObject({ lastEndCold: true });
    expect(h.linked).toBeCloseTo(1, 2);
  });

  it('for a job it did not see arrive, takes a start-up of Δ / 2 or more for cold', () => {
    const quick = newChainHistory();
    chainEnd(quick, T0 + HOUR_MS, T0, DELTA / 2 - 1, DELTA);
    const slow = newChainHistory();
    chainEnd(slow, T0 + HOUR_MS, T0, DELTA / 2, DELTA);
    expect([quick.lastEndCold, slow.lastEndCold]).toEqual([false, true]);
    const never = newChainHistory();
    chainEnd(never, T0 + HOUR_MS, T0, undefined, DELTA);
    expect(never.lastEndAt).toBeUndefined();
  });

  it('forgets a job whose end never came once no training job could still run', () => {
    const h = newChainHistory();
    chainArrive(h, T0, true, undefined);
    chainArrive(h, T0 + MAX_RUNTIME_MS + 1, false, undefined);
    expect(h.running.map((j) => j.at)).toEqual([T0 + MAX_RUNTIME_MS + 1]);
    // ...and not a moment before
    const still = newChainHistory();
    chainArrive(still, T0, true, undefined);
    chainArrive(still, T0 + MAX_RUNTIME_MS, false, undefined);
    expect(still.running).toHaveLength(2);
  });

  it('ignores an arrival at no time (it would stop the counts decaying)', () => {
    const h = replay(pipeline(3, 30 * S, () => true));
    const before = copyChainHistory(h);
    chainArrive(h, Number.NaN, true, undefined, 'x');
    expect(h).toEqual(before);
  });

  it("links an arrival from its predecessor's warm end up to, not at, its cold end", () => {
    // A warm job ends at E: had it started cold it would have ended at E + Δ
    const at = (offsetMs: number) => {
      const h = newChainHistory();
      chainArrive(h, T0, false, undefined);
      const end = T0 + WARM + 600 * S;
      chainEnd(h, end, T0, WARM, DELTA);
      chainArrive(h, end + offsetMs, false, undefined);
      return h.recent.at(-1)?.linked;
    };
    expect(at(0)).toBe(true);
    expect(at(DELTA - 1)).toBe(true);
    expect(at(DELTA)).toBe(false);
  });

  it('keeps the latest end when an older one is heard late', () => {
    const h = newChainHistory();
    chainEnd(h, T0 + HOUR_MS, T0, WARM, DELTA);
    chainEnd(h, T0 + HOUR_MS - 60 * S, T0 - S, COLD, DELTA);
    expect(h).toMatchObject({ lastEndAt: T0 + HOUR_MS, lastEndCold: false });
  });

  it('prices a rescue at no more than MAX_COLD_STARTS_SAVED cold starts, however endless the chain', () => {
    const h = replay(
      Array.from({ length: 400 }, (_, i) => ({
        at: T0 + i * 649 * S,
        cold: true,
        durationMs: 600 * S,
      }))
    );
    chainArrive(h, T0 + 400 * 649 * S, true, undefined);
    expect(1 / (1 - linkedShare(h))).toBeGreaterThan(MAX_COLD_STARTS_SAVED);
    expect(chainOutlook(h, h.lastEndAt as number)?.coldStartsSaved).toBe(MAX_COLD_STARTS_SAVED);
  });
});

describe('chainEnd / chainWarmStart: events out of order', () => {
  /**
   * A serial pair: p (created at T0, cold or warm) ends after `durationMs`; x arrives `gapMs`
   * after p's real end. With `late`, p's end is processed after x's arrival.
   */
  function pair(pCold: boolean, durationMs: number, gapMs: number, xCold: boolean, late: boolean) {
    const h = newChainHistory();
    // An older job of the key, so the history has an end and a Δ before p
    chainArrive(h, T0 - HOUR_MS, true, undefined);
    chainEnd(h, T0 - HOUR_MS + COLD + 60 * S, T0 - HOUR_MS, COLD, DELTA);
    chainArrive(h, T0, pCold, undefined);
    const pEnd = T0 + (pCold ? COLD : WARM) + durationMs;
    const endP = () => chainEnd(h, pEnd, T0, pCold ? COLD : WARM, DELTA);
    if (!late) endP();
    chainArrive(h, pEnd + gapMs, xCold, undefined);
    if (late) endP();
    return h;
  }

  it('judges the arrival an end came after as it would have been judged in order', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.integer({ min: 60, max: 3_600 }),
        fc.integer({ min: 1, max: 2 * 117 }),
        fc.boolean(),
        (pCold, durationS, gapS, xCold) => {
          const inOrder = pair(pCold, durationS * S, gapS * S, xCold, false);
          const late = pair(pCold, durationS * S, gapS * S, xCold, true);
          expect(late).toEqual(inOrder);
        }
      )
    );
  });

  it('links a job that came within Δ of a warm end processed after it', () => {
    const late = pair(false, 600 * S, 30 * S, false, true);
    expect(late.linked).toBeCloseTo(1, 9);
    expect(late.recent.at(-1)).toEqual({ at: T0 + WARM + 630 * S, linked: true });
    // p's gap from the older end, and x's
    expect(late.warmGaps.count).toBe(2);
    // A cold end: the next job found its pool, whatever came late; it is not linked
    expect(pair(true, 600 * S, 30 * S, false, true).linked).toBe(0);
  });

  it("judges against the late job's own window, not one a later end of the key set", () => {
    // p warm ends; x arrives 30 s later, runs 10 min warm and ends; p's end comes last
    const build = (late: boolean) => {
      const h = newChainHistory();
      chainArrive(h, T0, false, undefined);
      const pEnd = T0 + WARM + 600 * S;
      const x = pEnd + 30 * S;
      if (!late) chainEnd(h, pEnd, T0, WARM, DELTA);
      chainArrive(h, x, false, undefined);
      chainEnd(h, x + WARM + 600 * S, x, WARM, DELTA);
      if (late) chainEnd(h, pEnd, T0, WARM, DELTA);
      return h;
    };
    expect(build(true).linked).toBeCloseTo(1, 9);
    expect(build(true).warmGaps).toEqual(build(false).warmGaps);
  });

  it("leaves an arrival unjudged when a parallel job's end came between (it was judged on that one)", () => {
    // a (warm) runs; b arrives beside it (not serial), ends warm; d arrives 30 s after b's end,
    // with only a seen running; a's end at +10 min comes last
    const h = newChainHistory();
    chainArrive(h, T0, false, undefined);
    chainArrive(h, T0 + 60 * S, false, undefined);
    chainArrive(h, T0 + 120 * S, false, undefined);
    chainEnd(h, T0 + 1_200 * S, T0 + 120 * S, WARM, DELTA);
    chainEnd(h, T0 + 1_260 * S, T0 + 60 * S, WARM, DELTA);
    chainArrive(h, T0 + 1_290 * S, false, undefined);
    const before = { linked: h.linked, gaps: h.warmGaps.count };
    chainEnd(h, T0 + 600 * S, T0, WARM, DELTA);
    expect({ linked: h.linked, gaps: h.warmGaps.count }).toEqual(before);
  });

  it('links an arrival once, even if a stored history already has it linked', () => {
    const h = newChainHistory();
    chainArrive(h, T0, false, undefined);
    const pEnd = T0 + WARM + 600 * S;
    chainArrive(h, pEnd + 30 * S, false, undefined);
    // As an older version or another path left it: linked, counted
    h.recent[1] = { at: pEnd + 30 * S, linked: true };
    h.linked = 1;
    chainEnd(h, pEnd, T0, WARM, DELTA);
    expect(h.linked).toBe(1);
    expect(h.warmGaps.count).toBe(0);
  });

  it('keeps no name longer than SageMaker allows (the stored history would be refused)', () => {
    const h = newChainHistory();
    chainArrive(h, T0, true, undefined, 'x'.repeat(10_000));
    expect(h.running).toEqual([{ at: T0, cold: true }]);
    expect(isChainHistory(h)).toBe(true);
  });

  // The pools below were freed at T0 − 1 min, before any arrival of the key was heard
  const FREED = T0 - 60 * S;

  it('settles a running job as warm once a pool names it as its taker, and nothing else', () => {
    const h = newChainHistory();
    chainArrive(h, T0, true, undefined, 'x');
    chainArrive(h, T0 + S, true, undefined, 'y');
    expect(chainWarmStart(h, 'x', FREED, T0 + S)).toBe(true);
    expect(chainWarmStart(h, 'x', FREED, T0 + S)).toBe(false);
    expect(h.running).toEqual([
      { at: T0, cold: false, job: 'x' },
      { at: T0 + S, cold: true, job: 'y' },
    ]);
    expect(h.warmTakers).toBeUndefined();
  });

  it('remembers a taker not heard arriving, and its arrival starts warm whatever it saw', () => {
    const h = newChainHistory();
    expect(isWarmStartNews(h, 'z', FREED, undefined)).toBe(true);
    expect(chainWarmStart(h, 'z', FREED, undefined)).toBe(true);
    expect(isWarmStartNews(h, 'z', FREED, undefined)).toBe(false);
    expect(chainWarmStart(h, 'z', FREED, undefined)).toBe(false);
    expect(h.warmTakers).toEqual([{ job: 'z', freedAt: FREED }]);
    // Another job's arrival leaves it, as does one of its name created before the pool was
    // free; its own takes it, though it found no free pool
    chainArrive(h, T0, true, undefined, 'w');
    chainArrive(h, FREED - S, true, undefined, 'z');
    expect(h.warmTakers).toHaveLength(1);
    chainArrive(h, T0 + S, true, undefined, 'z');
    expect(h.running).toEqual([
      { at: T0, cold: true, job: 'w' },
      { at: FREED - S, cold: true, job: 'z' },
      { at: T0 + S, cold: false, job: 'z' },
    ]);
    expect(h.warmTakers).toBeUndefined();
  });

  it('remembers no taker that may have arrived already: an arrival was heard since its pool was freed', () => {
    // The taker arrived, ran and ended before its pool was found Reused
    const h = newChainHistory();
    chainArrive(h, T0, false, undefined, 'z');
    chainEnd(h, T0 + 600 * S, T0, WARM, DELTA);
    expect(isWarmStartNews(h, 'z', FREED, T0)).toBe(false);
    expect(chainWarmStart(h, 'z', FREED, T0)).toBe(false);
    expect(h.warmTakers).toBeUndefined();
    // A later job of that name (another region's) is judged as it arrives
    chainArrive(h, T0 + HOUR_MS, true, undefined, 'z');
    expect(h.running).toEqual([{ at: T0 + HOUR_MS, cold: true, job: 'z' }]);
  });

  it('keeps the newest takers not heard arriving, once each, and none longer than a job name', () => {
    const h = newChainHistory();
    for (let i = 0; i < CHAIN_KEPT + 3; i++) chainWarmStart(h, `t${i}`, FREED, undefined);
    expect(h.warmTakers).toHaveLength(CHAIN_KEPT);
    expect(h.warmTakers?.[0]?.job).toBe('t3');
    expect(chainWarmStart(h, 'x'.repeat(64), FREED, undefined)).toBe(false);
    expect(chainWarmStart(h, 'y', Number.NaN, undefined)).toBe(false);
    expect(h.warmTakers?.map((t) => t.job)).toEqual(
      Array.from({ length: CHAIN_KEPT }, (_, i) => `t${i + 3}`)
    );
    expect(isChainHistory(JSON.parse(JSON.stringify(h)))).toBe(true);
  });

  it('takes a remembered taker out alone, and at the very millisecond its pool was freed', () => {
    const h = newChainHistory();
    chainWarmStart(h, 'y', FREED, undefined);
    chainWarmStart(h, 'z', FREED, undefined);
    chainArrive(h, FREED, true, undefined, 'z');
    expect(h.running).toEqual([{ at: FREED, cold: false, job: 'z' }]);
    expect(h.warmTakers).toEqual([{ job: 'y', freedAt: FREED }]);
  });

  it('remembers no taker once an arrival was heard in the very millisecond its pool was freed', () => {
    const h = newChainHistory();
    expect(chainWarmStart(h, 'z', FREED, FREED)).toBe(false);
    expect(chainWarmStart(h, 'z', FREED, FREED - 1)).toBe(true);
  });

  it("takes a name of SageMaker's full 63 characters, as a runner and as a taker", () => {
    const name = 'n'.repeat(63);
    const h = newChainHistory();
    expect(chainWarmStart(h, name, FREED, undefined)).toBe(true);
    chainArrive(h, T0, true, undefined, name);
    expect(h.running).toEqual([{ at: T0, cold: false, job: name }]);
  });

  it('lets a taker that arrived warm anyway leave the list (only the unheard stay)', () => {
    const h = newChainHistory();
    chainWarmStart(h, 'z', FREED, undefined);
    chainArrive(h, T0, false, undefined, 'z');
    expect(h.warmTakers).toBeUndefined();
  });
});

describe('linkedShare', () => {
  it('is the share of linked arrivals with one unlinked pseudo-arrival: never 1', () => {
    expect(linkedShare({ arrivals: 0, linked: 0 })).toBe(0);
    expect(linkedShare({ arrivals: 3, linked: 3 })).toBeCloseTo(0.75, 9);
    expect(linkedShare({ arrivals: 9, linked: 12 })).toBeCloseTo(0.9, 9);
  });
});

describe('chainOutlook', () => {
  /** A warm chain: each job 30 s after the last one's end, every gap linked. */
  const warmChain = () => replay(pipeline(6, 30 * S, () => false));

  it('sees nothing on a key without chains', () => {
    expect(chainOutlook(undefined, T0)).toBeUndefined();
    const spaced = replay(pipeline(6, HOUR_MS, () => false));
    expect(chainOutlook(spaced, spaced.lastEndAt ?? 0)).toBeUndefined();
  });

  it("weighs the latest job's pool on the gaps from warm ends, at one cold start per miss", () => {
    const h = warmChain();
    const last = h.lastEndAt as number;
    const outlook = chainOutlook(h, last);
    expect(outlook).toMatchObject({
      kind: 'chain',
      endShiftMs: 0,
      coldStartsSaved: 1,
      neverShare: 0,
    });
    expect(outlook?.gaps).toBe(h.warmGaps);
    expect(outlook?.linkedShare).toBeCloseTo(5 / 7, 3);
    // Not an older pool, and not while a job of the key runs.
    expect(chainOutlook(h, last - 1)).toBeUndefined();
    chainArrive(h, last + 5 * S, false, 5 * S);
    expect(chainOutlook(h, last)).toBeUndefined();
  });

  it('measures from the warm end: a cold end is Δ late', () => {
    const h = warmChain();
    const last = T0 + 10 * HOUR_MS;
    chainArrive(h, last - COLD - 600 * S, true, undefined);
    chainEnd(h, last, last - COLD - 600 * S, COLD, DELTA);
    expect(chainOutlook(h, last)).toMatchObject({ kind: 'chain', endShiftMs: DELTA });
  });

  it('weighs a pool as a rescue while the one running job started cold, a miss costing the chain', () => {
    const jobs = Array.from({ length: 6 }, (_, i) => ({
      at: T0 + i * 649 * S,
      cold: true,
      durationMs: 600 * S,
    }));
    const h = replay(jobs.slice(0, 5));
    chainArrive(h, jobs[5]?.at as number, true, undefined);
    // Jobs 0–4 ended; 5 runs cold (job 4's end came after it arrived, so it is not counted yet).
    const p = linkedShare(h);
    expect(h.rescues.count).toBeGreaterThanOrEqual(MIN_CHAIN_GAPS);
    const outlook = chainOutlook(h, h.lastEndAt as number);
    expect(outlook).toMatchObject({ kind: 'rescue', gaps: h.rescues, endShiftMs: 0 });
    expect(outlook?.coldStartsSaved).toBeCloseTo(1 / (1 - p), 9);
    expect(outlook?.neverShare).toBeCloseTo((1 - p) / p, 9);
  });

  it('wants a few gaps before it speaks, and no rescue while the running job started warm', () => {
    const short = replay(pipeline(MIN_CHAIN_GAPS, 30 * S, () => false));
    expect(short.warmGaps.count).toBe(MIN_CHAIN_GAPS - 1);
    expect(chainOutlook(short, short.lastEndAt as number)).toBeUndefined();
    const h = warmChain();
    chainArrive(h, T0 + 20 * HOUR_MS, false, undefined);
    expect(chainOutlook(h, h.lastEndAt as number)).toBeUndefined();
  });
});

describe('isChainHistory (the store is untrusted)', () => {
  const real = (): ChainHistory =>
    JSON.parse(JSON.stringify(replay(pipeline(5, 30 * S, (i) => i % 2 === 0)))) as ChainHistory;

  it('accepts what the steward stores, and a copy stays apart from its original', () => {
    const h = real();
    expect(isChainHistory(h)).toBe(true);
    const copy = copyChainHistory(h);
    chainArrive(copy, T0 + 40 * HOUR_MS, true, 5 * S);
    expect(real()).toEqual(h);
  });

  it.each([
    ['a negative count', (h: Record<string, unknown>) => ({ ...h, arrivals: -1 })],
    [
      'an infinite count (1e400 in JSON)',
      (h: Record<string, unknown>) => ({ ...h, linked: Infinity }),
    ],
    ['a time that is no time', (h: Record<string, unknown>) => ({ ...h, updatedAt: 'soon' })],
    ['a time past any date', (h: Record<string, unknown>) => ({ ...h, updatedAt: 1e300 })],
    [
      'a running job whose name is no training job name',
      (h: Record<string, unknown>) => ({
        ...h,
        running: [{ at: T0, cold: true, job: 'x'.repeat(64) }],
      }),
    ],
    [
      'a remembered taker whose name is no training job name',
      (h: Record<string, unknown>) => ({
        ...h,
        warmTakers: [{ job: 'x'.repeat(64), freedAt: T0 }],
      }),
    ],
    [
      'a remembered taker freed at no time',
      (h: Record<string, unknown>) => ({ ...h, warmTakers: [{ job: 'z', freedAt: 9e15 }] }),
    ],
    [
      'too many remembered takers',
      (h: Record<string, unknown>) => ({
        ...h,
        warmTakers: Array.from({ length: CHAIN_KEPT + 1 }, (_, i) => ({
          job: `t${i}`,
          freedAt: T0,
        })),
      }),
    ],
    [
      'remembered takers that are no list',
      (h: Record<string, unknown>) => ({ ...h, warmTakers: 'z' }),
    ],
    [
      'a running job started past any date',
      (h: Record<string, unknown>) => ({ ...h, running: [{ at: 9e15, cold: true }] }),
    ],
    [
      'too many running jobs',
      (h: Record<string, unknown>) => ({
        ...h,
        running: new Array(CHAIN_KEPT + 1).fill({ at: T0, cold: true }),
      }),
    ],
    [
      'a running job without its start',
      (h: Record<string, unknown>) => ({ ...h, running: [{ at: T0 }] }),
    ],
    [
      'a recent arrival with a negative gap',
      (h: Record<string, unknown>) => ({
        ...h,
        recent: [{ at: T0, linked: false, gapMs: -5 }],
      }),
    ],
    ['a last end that is not one', (h: Record<string, unknown>) => ({ ...h, lastEndCold: 'yes' })],
    [
      'a histogram that is not one',
      (h: Record<string, unknown>) => ({ ...h, rescues: { weights: [] } }),
    ],
    ['null', () => null],
  ])('rejects %s', (_, spoil) => {
    expect(isChainHistory(spoil(real() as unknown as Record<string, unknown>))).toBe(false);
  });

  it('accepts whatever any sequence of arrivals and ends leaves behind', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            at: fc.integer({ min: 0, max: 48 * HOUR_MS }),
            cold: fc.boolean(),
            durationMs: fc.integer({ min: 0, max: 4 * HOUR_MS }),
          }),
          { maxLength: 60 }
        ),
        (jobs) => {
          const h = replay(jobs.map((j) => ({ ...j, at: T0 + j.at })));
          expect(isChainHistory(JSON.parse(JSON.stringify(h)))).toBe(true);
          expect(h.linked).toBeLessThanOrEqual(h.arrivals + 1e-9);
        }
      )
    );
  });

  it('accepts whatever named arrivals and warm starts in any order leave behind', () => {
    const name = fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j');
    fc.assert(
      fc.property(
        fc.array(fc.record({ arrive: fc.boolean(), job: name, cold: fc.boolean() }), {
          maxLength: 40,
        }),
        (steps) => {
          const h = newChainHistory();
          steps.forEach((step, i) => {
            if (step.arrive) chainArrive(h, T0 + i * S, step.cold, undefined, step.job);
            else chainWarmStart(h, step.job, T0 - S, undefined);
          });
          expect(isChainHistory(JSON.parse(JSON.stringify(h)))).toBe(true);
          const takers = h.warmTakers ?? [];
          expect(new Set(takers.map((t) => t.job)).size).toBe(takers.length);
          // A name remembered is news no more, and settled once heard
          for (const { job } of takers) expect(isWarmStartNews(h, job, T0, undefined)).toBe(false);
        }
      )
    );
  });
});
