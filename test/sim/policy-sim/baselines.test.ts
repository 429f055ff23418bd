import { describe, expect, it } from 'vitest';
import {
  breakevenPolicy,
  histogramPolicy,
  requestedPolicy,
} from '../../../src/sim/policy-sim/baselines.js';
import { runPolicy } from '../../../src/sim/policy-sim/engine.js';
import type { SimPolicy } from '../../../src/sim/policy-sim/sim-policy.js';
import { job, PRICES, S, SETTINGS, T0, trace } from './sim-fixtures.js';

const MIN = 60 * S;

/** Feeds the histogram policy `gapsMs` as idle times of key k and returns its next keep-alive. */
function keepAliveAfter(policy: SimPolicy, gapsMs: readonly number[]): number {
  const j = job(0, 1);
  let t = T0;
  for (const gap of gapsMs) {
    policy.observeEnd?.(j, t);
    t += gap;
    policy.observeArrival?.(j, t);
  }
  return policy.keepAliveAtSubmit?.(j) ?? Number.NaN;
}

describe('histogram policy (Serverless in the Wild)', () => {
  it('falls back to the whole range, clipped to the maximum, with fewer than 10 idle times', () => {
    // Act
    const keepAlive = keepAliveAfter(
      histogramPolicy('histogram', SETTINGS),
      Array(9).fill(3 * MIN)
    );
    // Assess
    expect(keepAlive).toBe(3_600_000);
  });

  it('keeps the 99th percentile bin edge plus 10 % once the histogram is representative', () => {
    // Prepare: 12 idle times of 3 min: bin [3, 4) min; CV of the 240 bin counts ≈ 15.5 ≥ 2.
    // Act
    const keepAlive = keepAliveAfter(
      histogramPolicy('histogram', SETTINGS),
      Array(12).fill(3 * MIN)
    );
    // Assess: 4 min × 1.1 = 264 s.
    expect(keepAlive).toBe(264 * S);
  });

  it('takes the 99th percentile, so one long idle time in a hundred does not count', () => {
    // Prepare: 99 idle times of 30 s and one of 3 h.
    const gaps = [...Array(99).fill(30 * S), 180 * MIN];
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SETTINGS), gaps);
    // Assess: 99 % of 100 = 99 samples reached in bin 0 → 1 min × 1.1.
    expect(keepAlive).toBe(66 * S);
  });

  it('falls back when the bin counts are spread evenly (CV below 2)', () => {
    // Prepare: one idle time in each of the 240 one-minute bins.
    const gaps = Array.from({ length: 240 }, (_, i) => i * MIN + 30 * S);
    // Act
    const keepAlive = keepAliveAfter(
      histogramPolicy('histogram', { ...SETTINGS, maxKeepAliveMs: 6 * 3_600_000 }),
      gaps
    );
    // Assess
    expect(keepAlive).toBe(4 * 3_600_000);
  });

  it('falls back when most idle times are out of bounds (no ARIMA)', () => {
    // Prepare: 6 of 11 idle times above 4 h.
    const gaps = [...Array(5).fill(2 * MIN), ...Array(6).fill(5 * 3_600_000)];
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SETTINGS), gaps);
    // Assess
    expect(keepAlive).toBe(3_600_000);
  });

  it('counts an idle time only when the submit comes after the latest end of the key', () => {
    // Prepare: five submits at the very millisecond a job ended, then nine 3-minute idle times.
    const gaps = [...Array(5).fill(0), ...Array(9).fill(3 * MIN)];
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SETTINGS), gaps);
    // Assess: nine idle times are too few, so the fallback applies.
    expect(keepAlive).toBe(3_600_000);
  });

  // Boundaries the README states and an independent implementation must meet exactly.
  const HOUR = 3_600_000;
  const SIX_HOURS = { ...SETTINGS, maxKeepAliveMs: 6 * HOUR };
  /** One idle time in the middle of each one-minute bin in `bins`. */
  const inBins = (bins: readonly number[]) => bins.map((bin) => bin * MIN + 30 * S);
  const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

  it('counts an idle time of exactly 4 h as out of bounds', () => {
    // Prepare: 5 idle times of 2 min and 6 of exactly 4 h; a 6 h maximum, so the fallback is 4 h.
    const gaps = [...Array(5).fill(2 * MIN), ...Array(6).fill(4 * HOUR)];
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), gaps);
    // Assess: 6 of 11 out of bounds is more than half.
    expect(keepAlive).toBe(4 * HOUR);
  });

  it('trusts the histogram from exactly 10 idle times', () => {
    // Act
    const keepAlive = keepAliveAfter(
      histogramPolicy('histogram', SETTINGS),
      Array(10).fill(3 * MIN)
    );
    // Assess: bin [3, 4) min → 4 min × 1.1.
    expect(keepAlive).toBe(264 * S);
  });

  it('falls back only when more than half are out of bounds: exactly half is not', () => {
    // Prepare: 10 idle times of 3 min and 10 of 5 h.
    const gaps = [...Array(10).fill(3 * MIN), ...Array(10).fill(5 * HOUR)];
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), gaps);
    // Assess: the percentile is taken over the in-bounds idle times.
    expect(keepAlive).toBe(264 * S);
  });

  it('counts out-of-bounds idle times among the 10 it needs', () => {
    // Prepare: 9 idle times of 3 min and one of 5 h: 10 samples, 1 out of bounds.
    const gaps = [...Array(9).fill(3 * MIN), 5 * HOUR];
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), gaps);
    // Assess
    expect(keepAlive).toBe(264 * S);
  });

  it('trusts a histogram whose bin counts have a CV of exactly 2', () => {
    // Prepare: one idle time in each of bins 0–47: mean 0.2, CV = √(240 × 48 / 48² − 1) = 2.
    const gaps = inBins(range(0, 48));
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), gaps);
    // Assess: the 99th percentile (47.52 of 48) is in bin 47 → 48 min × 1.1.
    expect(keepAlive).toBe(3168 * S);
  });

  it('tests a CV of exactly 2 in integers, where std / mean rounds it just below 2', () => {
    // Prepare: 312 idle times over bins 0–51 (counts 2, 3, 4×7, 5×15, 6×9, 7×10, 8×2, 9×6, 10):
    // 240 × Σc² = 240 × 2028 = 486720 = 5 × 312², so the CV is exactly 2, which floating
    // √(Σc²/240 − mean²) / mean puts at 1.9999999999999996.
    const countsByBin = [2, 3, ...Array(7).fill(4), ...Array(15).fill(5), ...Array(9).fill(6)];
    countsByBin.push(...Array(10).fill(7), 8, 8, ...Array(6).fill(9), 10);
    const gaps = inBins(countsByBin.flatMap((count, bin) => Array<number>(count).fill(bin)));
    // Act
    const keepAlive = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), gaps);
    // Assess: the histogram is trusted; 0.99 × 312 = 308.88 is first reached in bin 51 (302
    // before it) → 52 min × 1.1, not the 4 h fallback.
    expect(keepAlive).toBe(3432 * S);
  });

  it('computes the CV from the squared bin counts (repeated bins raise it)', () => {
    // Prepare: 60 idle times. In 60 distinct bins the CV is √3 ≈ 1.73, below 2; with bins 0–9
    // holding two each and 10–49 one each it is √(240 × 80 / 60² − 1) ≈ 2.08.
    const spread = inBins(range(0, 60));
    const doubled = inBins([...range(0, 10), ...range(0, 50)]);
    // Act
    const flat = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), spread);
    const peaked = keepAliveAfter(histogramPolicy('histogram', SIX_HOURS), doubled);
    // Assess: flat falls back to 4 h; peaked keeps bin 49's edge, 50 min × 1.1.
    expect(flat).toBe(4 * HOUR);
    expect(peaked).toBe(3300 * S);
  });

  it('learns while the engine runs it', () => {
    // Prepare: 14 jobs of key k, each submitted 2 min after the previous would end cold.
    const jobs = Array.from({ length: 14 }, (_, i) => job(i * 356, 100));
    // Act
    const r = runPolicy(trace(...jobs), histogramPolicy('histogram', SETTINGS), SETTINGS, {
      prices: PRICES,
    });
    // Assess: every job after the first finds the pool of the one before.
    expect(r.coldStarts).toBe(1);
  });
});

describe('breakeven and requested', () => {
  it('clips the break-even keep-alive to the maximum', () => {
    // Prepare: B / r = 1200 s; maximum 10 min.
    const policy = breakevenPolicy('breakeven', { ...SETTINGS, maxKeepAliveMs: 600 * S }, PRICES);
    // Act
    const keepAlive = policy.keepAliveAtSubmit?.(job(0, 1));
    // Assess
    expect(keepAlive).toBe(600 * S);
  });

  it('uses the job input mode and instance count for B / r', () => {
    // Prepare: file mode (176 → 70 s), 2 instances: B = 1.06 + 0.06, r = 0.002 → 560 s.
    const policy = breakevenPolicy('breakeven', SETTINGS, PRICES);
    // Act
    const keepAlive = policy.keepAliveAtSubmit?.(
      job(0, 1, { inputMode: 'file', instanceCount: 2 })
    );
    // Assess
    expect(keepAlive).toBeCloseTo(560 * S, 6);
  });

  it('treats a job without an input mode as file mode', () => {
    // Prepare
    const policy = breakevenPolicy('breakeven', SETTINGS, PRICES);
    const { inputMode: _, ...noMode } = job(0, 1);
    // Act
    const keepAlive = policy.keepAliveAtSubmit?.(noMode);
    // Assess: (106 × 0.01 + 0.03) / 0.001 = 1090 s.
    expect(keepAlive).toBeCloseTo(1090 * S, 6);
  });

  it('asks for nothing when a job has no keep_alive_s', () => {
    expect(requestedPolicy('requested').keepAliveAtSubmit?.(job(0, 1))).toBe(0);
  });
});
