import { describe, expect, it } from 'vitest';
import { backtestJson, runBacktest } from '../../../src/sim/policy-sim/backtest.js';
import { defaultPolicyList } from '../../../src/sim/policy-sim/policies.js';
import { renderReport } from '../../../src/sim/policy-sim/report-html.js';
import { renderTable } from '../../../src/sim/policy-sim/table.js';
import { generateScenario } from '../../../src/sim/trace/scenarios.js';
import {
  shownHours as hours,
  job,
  shownNumber as num,
  S,
  SETTINGS,
  specs,
  T0,
  trace,
  traceA,
} from './sim-fixtures.js';

describe('backtest', () => {
  it('ranks policies best first with their ratio to the oracle', () => {
    // Act: trace A costs none $3.60, fixed:10m $3.90, oracle $2.70.
    const result = runBacktest(traceA(), specs('fixed:10m,none,oracle'), SETTINGS);
    // Assess
    expect(result.policies.map((p) => p.name)).toEqual(['oracle', 'none', 'fixed:10m']);
    expect(result.policies.map((p) => p.ratioToOracle)).toEqual([
      1,
      expect.closeTo(3.6 / 2.7, 10),
      expect.closeTo(3.9 / 2.7, 10),
    ]);
  });

  it('computes the ratio to the oracle even when the oracle is not listed', () => {
    // Act
    const result = runBacktest(traceA(), specs('none'), SETTINGS);
    // Assess
    expect(result.policies).toHaveLength(1);
    expect(result.policies[0]?.ratioToOracle).toBeCloseTo(3.6 / 2.7, 10);
  });

  it('says the oracle ignores a quota when one is set', () => {
    // Act
    const withQuota = runBacktest(traceA(), specs('oracle'), {
      ...SETTINGS,
      quota: { 'ml.m5.xlarge': 1 },
    });
    // Assess
    expect(withQuota.oracleIgnoresQuota).toBe(true);
    expect(renderTable(withQuota)).toContain('(the oracle ignores it)');
    expect(renderReport(withQuota, new Date(0))).toContain('(the oracle ignores it)');
  });

  it('gives the documented JSON shape, keys in order', () => {
    // Act
    const json = backtestJson(runBacktest(traceA(), specs('none,oracle'), SETTINGS));
    // Assess
    expect(Object.keys(json)).toEqual(['trace', 'settings', 'policies']);
    expect(Object.keys(json.policies[0] ?? {})).toEqual([
      'name',
      'jobs',
      'coldStarts',
      'warmStarts',
      'waitSeconds',
      'idleInstanceSeconds',
      'idleCostUsd',
      'totalCostUsd',
      'ratioToOracle',
      'apiCalls',
    ]);
    expect(json.settings).toMatchObject({ valueOfTimeUsdPerHour: 36, anchor: 'job-end' });
    expect(json.trace).toMatchObject({ source: 'test', jobs: 3, keys: 1 });
  });

  it('summarises the trace and the settings as the JSON documents them', () => {
    // Prepare: rows out of submit order, two teams and one job without a team, two keys.
    const t = trace(
      job(0, 100, { team: 'vision' }),
      job(50, 100, { key: 'b', team: 'nlp', instanceType: 'ml.g5.xlarge' }),
      job(900, 100, { team: undefined })
    );
    const settings = {
      ...SETTINGS,
      safetyMarginMs: 90 * S,
      leadTimeMs: 240 * S,
      latency: { kind: 'seeded', seed: 7 } as const,
      prices: { 'ml.m5.xlarge': 3.6 },
    };
    // Act
    const json = backtestJson(runBacktest(t, specs('none'), settings));
    // Assess
    expect(json.trace).toEqual({
      source: 'test',
      jobs: 3,
      keys: 2,
      teams: 2,
      instanceTypes: 2,
      firstSubmit: new Date(T0).toISOString(),
      lastSubmit: new Date(T0 + 900 * S).toISOString(),
      warnings: [],
    });
    expect(json.settings).toMatchObject({
      maxKeepAliveSeconds: 3600,
      safetyMarginSeconds: 90,
      leadTimeSeconds: 240,
      latency: 'seeded:7',
      oracleIgnoresQuota: false,
    });
    expect(Object.keys(json.settings.prices)).toEqual(['ml.g5.xlarge', 'ml.m5.xlarge']);
    expect(json.settings.prices['ml.m5.xlarge']?.usdPerHour).toBe(3.6);
  });

  it('gives an empty trace null submit times and every ratio 1', () => {
    // Act
    const result = runBacktest(trace(), specs('none,fixed:10m,oracle'), SETTINGS);
    const json = backtestJson(result);
    // Assess: nothing costs anything, so each policy is as good as the oracle.
    expect(json.trace).toMatchObject({ jobs: 0, firstSubmit: null, lastSubmit: null });
    expect(json.policies.map((p) => p.ratioToOracle)).toEqual([1, 1, 1]);
    expect(json.settings.latency).toBe('p90');
  });

  it('breaks cost ties by name, and marks each fixed keep-alive for the Pareto line', () => {
    // Act: on an empty trace every policy costs $0.
    const result = runBacktest(trace(), specs('oracle,none,fixed:5m,breakeven'), SETTINGS);
    // Assess
    expect(result.policies.map((p) => [p.name, p.fixedMs])).toEqual([
      ['breakeven', undefined],
      ['fixed:5m', 300_000],
      ['none', 0],
      ['oracle', undefined],
    ]);
  });

  it('reports progress over every policy run, the oracle included, up to the total', () => {
    // Prepare: 70,000 one-second jobs of one key, so the engine reports more than once a run.
    const jobs = Array.from({ length: 70_000 }, (_, i) => job(i * 1000, 1));
    const seen: [number, number][] = [];
    // Act
    runBacktest(trace(...jobs), specs('none,fixed:1m'), SETTINGS, {
      onProgress: (done, total) => seen.push([done, total]),
    });
    // Assess: oracle + 2 policies = 210,000 jobs; every report is within it and none goes back.
    expect(seen.length).toBeGreaterThan(3);
    expect(seen.every(([, total]) => total === 210_000)).toBe(true);
    const done = seen.map(([d]) => d);
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(done.at(-1)).toBe(210_000);
    expect(done.some((d) => d > 70_000 && d < 140_000)).toBe(true);
  });

  it('counts the oracle once in the progress total when it is listed too', () => {
    // Prepare
    const jobs = Array.from({ length: 40_000 }, (_, i) => job(i * 1000, 1));
    const seen: [number, number][] = [];
    // Act: the listed oracle is the run made for the ratios, not a second one.
    runBacktest(trace(...jobs), specs('none,oracle'), SETTINGS, {
      onProgress: (done, total) => seen.push([done, total]),
    });
    // Assess
    expect(seen.at(-1)).toEqual([80_000, 80_000]);
  });

  it('gives a policy that pays a ratio of null (∞) when the oracle pays nothing', () => {
    // Prepare: with waiting and cold starts free, the oracle (and none) pay $0.
    const free = { ...SETTINGS, valueOfTimeUsdPerHour: 0, coldStartBilledSeconds: 0 };
    // Act
    const result = runBacktest(traceA(), specs('none,fixed:10m,oracle'), free);
    // Assess
    const ratios = Object.fromEntries(result.policies.map((p) => [p.name, p.ratioToOracle]));
    expect(ratios).toEqual({ none: 1, oracle: 1, 'fixed:10m': null });
    expect(renderTable(result)).toMatch(/fixed:10m\s+\$[\d.]+\s+∞/);
  });

  it("prints each policy's figures in its row, read back within the rounding shown", () => {
    // Prepare: two days of the mixed team, every default policy
    const t = generateScenario('mixed', { days: 2, seed: 5 });
    const settings = { ...SETTINGS, prices: {} };
    const result = runBacktest(t, specs(defaultPolicyList(SETTINGS.maxKeepAliveMs)), settings);
    // Act
    const lines = renderTable(result).split('\n');
    // Assess: rows follow the ruler, one per policy, cells apart by two or more spaces
    const ruler = lines.findIndex((l) => l.startsWith('──'));
    const rows = lines.slice(ruler + 1, ruler + 1 + result.policies.length);
    result.policies.forEach((p, i) => {
      const cells = (rows[i] ?? '').trim().split(/\s{2,}/);
      const [rank, name, total, ratio, cold, wait, idleH, idleUsd, coldUsd, calls, perPool] = cells;
      expect(cells).toHaveLength(11);
      expect([num(rank), name]).toEqual([i + 1, p.name]);
      expect(Math.abs(num(total) - p.totalCostUsd)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(num(ratio) - (p.ratioToOracle ?? Number.NaN))).toBeLessThanOrEqual(0.005);
      const [starts, share] = (cold ?? '').split(' ');
      expect(num(starts)).toBe(p.coldStarts);
      expect(Math.abs(num(share) - (100 * p.coldStarts) / p.jobs)).toBeLessThanOrEqual(0.05);
      expect(hours(wait, p.waitSeconds)).toBe(true);
      expect(hours(idleH, p.idleInstanceSeconds)).toBe(true);
      expect(Math.abs(num(idleUsd) - p.idleCostUsd)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(num(coldUsd) - (p.totalCostUsd - p.idleCostUsd))).toBeLessThanOrEqual(0.01);
      expect(num(calls)).toBe(p.apiCalls);
      if (p.pools === 0) expect(perPool).toBe('–');
      else expect(Math.abs(num(perPool) - p.apiCalls / p.pools)).toBeLessThanOrEqual(0.005);
    });
  });

  it('writes a small positive amount of hours as < 0.1 rather than 0.0, and none as 0.0', () => {
    // Prepare: one cold job waits 117 s (0.03 h); fixed:1m then keeps its pool 60 s (0.017
    // instance-hours, $0.06 at $3.6/h), none keeps nothing.
    const result = runBacktest(trace(job(0, 100)), specs('none,fixed:1m'), SETTINGS);
    // Act
    const rows = renderTable(result).split('\n');
    const html = renderReport(result, new Date(0));
    // Assess: wait h, idle inst-h, idle $
    const row = (name: string) => rows.find((r) => r.includes(`  ${name}  `)) ?? '';
    expect(row('fixed:1m')).toMatch(/\s< 0\.1\s+< 0\.1\s+\$0\.06\s/);
    expect(row('none')).toMatch(/\s< 0\.1\s+0\.0\s+\$0\.00\s/);
    expect(html).toContain('<td>&#60; 0.1</td><td>&#60; 0.1</td><td>$0.06</td>');
  });

  it('heads the table with the trace, the settings and the quota, and ends it with the formula and where prices came from', () => {
    // Prepare: two keys of two teams over three days; ml.m5.xlarge priced by the settings,
    // ml.g5.xlarge from the built-in list.
    const gpu = { key: 'g', instanceType: 'ml.g5.xlarge', team: 'nlp' };
    const t = trace(job(0, 100), job(600, 100, gpu), job(2 * 86_400, 100, gpu));
    const settings = {
      ...SETTINGS,
      keepAliveAnchor: 'update-time' as const,
      latency: { kind: 'seeded' as const, seed: 3 },
      quota: { 'ml.m5.xlarge': 2, 'ml.g5.xlarge': 1 },
    };
    // Act
    const lines = renderTable(runBacktest(t, specs('none'), settings)).split('\n');
    const one = renderTable(runBacktest(trace(job(0, 100)), specs('none'), SETTINGS)).split('\n');
    const none = renderTable(runBacktest(trace(), specs('none'), SETTINGS)).split('\n');
    // Assess
    expect(lines.slice(0, 3)).toEqual([
      'trace test: 3 jobs, 2 match keys, 2 teams, 2026-03-02 … 2026-03-04',
      'value of time $36/h · cold start bills 30 s · max keep-alive 1h · anchor update-time · latency seeded:3',
      'warm-pool quota: ml.m5.xlarge=2, ml.g5.xlarge=1 (the oracle ignores it)',
    ]);
    // A blank line sets the rows apart from the formula under them
    expect(lines.slice(-4)).toEqual([
      '',
      'total = idle $ + cold $; cold $ = per cold start (cold − warm start) × value of time + billed start-up seconds × instances × price',
      'prices: built-in illustrative list prices for ml.g5.xlarge; set your own under "prices:" in --config',
      '',
    ]);
    // One of each, no quota, every price from the settings: neither line.
    expect(one.slice(0, 3)).toEqual([
      'trace test: 1 job, 1 match key, 1 team, 2026-03-02 … 2026-03-02',
      'value of time $36/h · cold start bills 30 s · max keep-alive 1h · anchor job-end · latency P90 constants',
      '',
    ]);
    expect(one.at(-2)).toMatch(/^total = idle \$/);
    expect(none[0]).toBe('trace test: 0 jobs, 0 match keys, 0 teams, empty');
    expect(none.find((l) => l.startsWith('1  none'))).toMatch(/ 0 \(–\) /);
  });

  it('aligns the policy column left and every other column right, under its title', () => {
    // Prepare
    const result = runBacktest(traceA(), specs('none,fixed:10m,oracle'), SETTINGS);
    // Act
    const lines = renderTable(result).split('\n');
    // Assess: each ruler segment spans its column; cells fill it from the left (policy) or
    // the right (the rest), and the titles sit as their cells do.
    const ruler = lines.findIndex((l) => l.startsWith('─'));
    const spans = [...(lines[ruler] ?? '').matchAll(/─+/g)].map((m) => ({
      from: m.index,
      to: m.index + m[0].length,
    }));
    expect(spans).toHaveLength(11);
    for (const line of [lines[ruler - 1] ?? '', ...lines.slice(ruler + 1, ruler + 4)]) {
      spans.forEach(({ from, to }, column) => {
        const cell = line.slice(from, to);
        if (column === 1) expect(cell).toMatch(/^\S/);
        else expect(cell).toMatch(/\S$/);
      });
    }
    expect(lines[ruler + 3]).toMatch(/^3 {2}fixed:10m {2}/);
  });

  it('states the value of time in the table and the report', () => {
    // Prepare
    const result = runBacktest(traceA(), specs('none,fixed:10m,fixed:20m,oracle'), SETTINGS);
    // Act
    const table = renderTable(result);
    const html = renderReport(result, new Date(0));
    // Assess
    expect(table).toContain('value of time $36/h');
    expect(html).toContain('value of time $36/h');
  });
});
