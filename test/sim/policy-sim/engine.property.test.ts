import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fixedPolicy, histogramPolicy } from '../../../src/sim/policy-sim/baselines.js';
import { runPolicy } from '../../../src/sim/policy-sim/engine.js';
import { runOracle } from '../../../src/sim/policy-sim/oracle.js';
import { job, PRICES, S, SETTINGS, trace } from './sim-fixtures.js';

/** Small random traces: up to 40 jobs over three keys and a few hours. */
const traces = fc
  .array(
    fc.record({
      at: fc.integer({ min: 0, max: 4 * 3600 }),
      duration: fc.integer({ min: 0, max: 1800 }),
      key: fc.constantFrom('a', 'b', 'c'),
      count: fc.integer({ min: 1, max: 4 }),
      mode: fc.constantFrom('fsx' as const, 'ffm' as const, 'file' as const),
    }),
    { maxLength: 40 }
  )
  .map((rows) =>
    trace(
      ...rows.map((r) =>
        job(r.at, r.duration, { key: r.key, instanceCount: r.count, inputMode: r.mode })
      )
    )
  );

describe('policy-mode invariants', () => {
  it('starts every job once, warm at most once per pool, and sums the cost model', () => {
    fc.assert(
      fc.property(traces, fc.integer({ min: 0, max: 3600 }), (t, keepS) => {
        // Act
        const r = runPolicy(t, fixedPolicy('fixed', keepS * S), SETTINGS, { prices: PRICES });
        // Assess
        expect(r.coldStarts + r.warmStarts).toBe(t.jobs.length);
        expect(r.warmStarts).toBeLessThanOrEqual(r.pools);
        const maxCount = Math.max(0, ...t.jobs.map((j) => j.instanceCount));
        expect(r.idleInstanceSeconds).toBeLessThanOrEqual(r.pools * keepS * maxCount);
        expect(r.totalCostUsd).toBeCloseTo(r.idleCostUsd + r.coldStartBilledUsd + r.waitCostUsd, 9);
        expect(r.idleHistogram.reduce((n, b) => n + b.pools, 0)).toBe(r.pools);
      })
    );
  });

  it('never pays the oracle more than a cold start per job, nor idles a pool past the maximum', () => {
    fc.assert(
      fc.property(traces, (t) => {
        // Act
        const oracle = runOracle(t, SETTINGS, { prices: PRICES });
        const none = runPolicy(t, fixedPolicy('none', 0), SETTINGS, { prices: PRICES });
        // Assess
        expect(oracle.totalCostUsd).toBeLessThanOrEqual(none.totalCostUsd + 1e-9);
        expect(oracle.coldStarts + oracle.warmStarts).toBe(t.jobs.length);
        const maxCount = Math.max(0, ...t.jobs.map((j) => j.instanceCount));
        expect(oracle.idleInstanceSeconds).toBeLessThanOrEqual(oracle.warmStarts * 3600 * maxCount);
      })
    );
  });

  it('gives the same result on every run', () => {
    fc.assert(
      fc.property(traces, (t) => {
        const a = runPolicy(t, histogramPolicy('h', SETTINGS), SETTINGS, { prices: PRICES });
        const b = runPolicy(t, histogramPolicy('h', SETTINGS), SETTINGS, { prices: PRICES });
        expect(a).toEqual(b);
      }),
      { numRuns: 50 }
    );
  });
});
