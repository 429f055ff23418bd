import { describe, expect, it } from 'vitest';
import { fixedPolicy } from '../../../src/sim/policy-sim/baselines.js';
import { runPolicy } from '../../../src/sim/policy-sim/engine.js';
import { runOracle } from '../../../src/sim/policy-sim/oracle.js';
import { generateScenario } from '../../../src/sim/trace/scenarios.js';
import { job, PRICES, S, SETTINGS, trace, traceA } from './sim-fixtures.js';

describe('oracle (offline optimum)', () => {
  it('keeps a pool exactly until its next job when that is cheaper than a cold start', () => {
    // Prepare: trace A. Gap 300 s: r·g = $0.30 < B = $1.20, kept. Gap 1800 s: $1.80 ≥ $1.20,
    // released at its end. The last pool is never paired: idle 0.
    // Act
    const r = runOracle(traceA(), SETTINGS, { prices: PRICES });
    // Assess
    expect(r).toMatchObject({ name: 'oracle', coldStarts: 2, warmStarts: 1, apiCalls: 0 });
    expect(r.idleInstanceSeconds).toBe(300);
    expect(r.totalCostUsd).toBeCloseTo(0.3 + 2.4, 10);
  });

  it('does not keep a pool longer than the maximum keep-alive, however cheap', () => {
    // Prepare: gap 300 s, maximum 200 s.
    const settings = { ...SETTINGS, maxKeepAliveMs: 200 * S };
    // Act
    const r = runOracle(traceA(), settings, { prices: PRICES });
    // Assess
    expect(r).toMatchObject({ coldStarts: 3, idleInstanceSeconds: 0 });
  });

  it('keeps a pool only while keeping it costs less than a cold start', () => {
    // Prepare: key a comes back 1199 s after its end (r·g = $1.199 < $1.20), key b after 1201 s.
    const t = trace(
      job(0, 100, { key: 'a' }),
      job(236 + 1199, 100, { key: 'a' }),
      job(0, 100, { key: 'b' }),
      job(236 + 1201, 100, { key: 'b' })
    );
    // Act
    const r = runOracle(t, SETTINGS, { prices: PRICES });
    // Assess
    expect(r).toMatchObject({ warmStarts: 1, coldStarts: 3, idleInstanceSeconds: 1199 });
  });

  it('keeps a pool for a gap of exactly the maximum, and not for one a millisecond longer', () => {
    // Prepare: trace A's first gap is exactly 300 s.
    const at = (maxKeepAliveMs: number) =>
      runOracle(traceA(), { ...SETTINGS, maxKeepAliveMs }, { prices: PRICES });
    // Act
    const exact = at(300 * S);
    const shorter = at(300 * S - 1);
    // Assess
    expect(exact).toMatchObject({ warmStarts: 1, idleInstanceSeconds: 300 });
    expect(shorter).toMatchObject({ warmStarts: 0, idleInstanceSeconds: 0 });
  });

  it('lets a pool go when keeping it would cost exactly one cold start (r·g = B)', () => {
    // Prepare: B / r = 1200 s; key a comes back exactly 1200 s after its end, key b 1 ms sooner.
    const t = trace(
      job(0, 100, { key: 'a' }),
      job(236 + 1200, 100, { key: 'a' }),
      job(0, 100, { key: 'b' }),
      job(236 + 1199.999, 100, { key: 'b' })
    );
    // Act
    const r = runOracle(t, SETTINGS, { prices: PRICES });
    // Assess: only b is kept.
    expect(r).toMatchObject({ warmStarts: 1, idleInstanceSeconds: 1199.999 });
  });

  it('frees a pool before a job submitted in the same millisecond takes one', () => {
    // Prepare: j1 starts cold at 0 s and ends at 236 s (136 s start + 100 s); j2 is submitted then.
    const t = trace(job(0, 100), job(236, 100));
    // Act
    const r = runOracle(t, SETTINGS, { prices: PRICES });
    // Assess: ends come before arrivals at the same time, so j2 starts warm after a gap of 0.
    expect(r).toMatchObject({ warmStarts: 1, coldStarts: 1, idleInstanceSeconds: 0 });
  });

  it('counts every pool once, the ones never taken in the idle-time bin "0"', () => {
    // Prepare: trace A: j1's pool idles 300 s until j2; j2's pool is let go (gap 1800 s); j3's
    // pool is never taken. Key b frees two pools at 236 s and 246 s; its third job comes more
    // than the maximum later, takes neither, and the older pool is dropped as out of reach.
    const b = (atS: number) => job(atS, 100, { key: 'b' });
    const t = trace(...traceA().jobs, b(0), b(10), b(5000));
    // Act
    const r = runOracle(t, SETTINGS, { prices: PRICES });
    // Assess
    expect(r.pools).toBe(6);
    const bins = Object.fromEntries(r.idleHistogram.map((bin) => [bin.label, bin.pools]));
    expect(bins).toMatchObject({ '0': 5, '1–5m': 1 });
    expect(r.idleHistogram.reduce((n, bin) => n + bin.pools, 0)).toBe(6);
  });

  it('keeps an older pool at exactly the maximum gap for a second arrival in the same ms', () => {
    // Prepare: pools free at 236 s and 246 s; two jobs arrive at 536 s. The first takes the
    // newer pool (gap 290 s); the older one is then exactly at the 300 s maximum, still in
    // reach, and the second job takes it.
    const t = trace(job(0, 100), job(10, 100), job(536, 100), job(536, 100));
    // Act
    const r = runOracle(t, { ...SETTINGS, maxKeepAliveMs: 300 * S }, { prices: PRICES });
    // Assess
    expect(r).toMatchObject({ warmStarts: 2, coldStarts: 2, idleInstanceSeconds: 290 + 300 });
  });

  it('pairs each arrival with the most recently freed pool of its key', () => {
    // Prepare: pools free at 236 s and 346 s; j3 at 400 s pairs with the second (gap 54 s).
    const t = trace(job(0, 100), job(10, 200), job(400, 100));
    // Act
    const r = runOracle(t, SETTINGS, { prices: PRICES });
    // Assess
    expect(r).toMatchObject({ warmStarts: 1, idleInstanceSeconds: 54 });
  });

  it('ignores the warm-pool quota', () => {
    // Prepare
    const t = trace(job(0, 100), job(10, 200), job(400, 100), job(410, 100));
    const quota = { ...SETTINGS, quota: { 'ml.m5.xlarge': 0 } };
    // Act
    const a = runOracle(t, SETTINGS, { prices: PRICES });
    const b = runOracle(t, quota, { prices: PRICES });
    // Assess
    expect(b).toEqual(a);
    expect(a.warmStarts).toBe(2);
  });

  it('costs no more than any fixed keep-alive on a built-in scenario', () => {
    // Prepare
    const t = generateScenario('hpo', { days: 3, seed: 3 });
    const prices = new Map([...new Set(t.jobs.map((j) => j.instanceType))].map((k) => [k, 2]));
    const settings = { ...SETTINGS, prices: {} };
    // Act
    const oracle = runOracle(t, settings, { prices });
    const fixed = [0, 300, 600, 1200, 1800, 3600].map(
      (s) => runPolicy(t, fixedPolicy(`fixed:${s}s`, s * S), settings, { prices }).totalCostUsd
    );
    // Assess
    expect(oracle.totalCostUsd).toBeLessThanOrEqual(Math.min(...fixed));
  });
});
