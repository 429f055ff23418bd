import { describe, expect, it } from 'vitest';
import { type BacktestResult, runBacktest } from '../../../src/sim/policy-sim/backtest.js';
import { defaultPolicyList } from '../../../src/sim/policy-sim/policies.js';
import { renderReport } from '../../../src/sim/policy-sim/report-html.js';
import { generateScenario } from '../../../src/sim/trace/scenarios.js';
import { makeTrace } from '../../../src/sim/trace/trace.js';
import {
  shownHours as hours,
  job,
  shownNumber as num,
  SETTINGS,
  specs,
  trace,
  traceA,
} from './sim-fixtures.js';

/*
 * The report read back as its reader reads it: the cards, the tables' cells, the settings, and
 * the charts' marks measured against their own axes. The regular expressions follow the markup
 * renderReport writes; a report that changes its markup changes them too.
 */

const report = (result: BacktestResult) => renderReport(result, new Date(0));

/** The attributes of one tag, by name. */
function attrs(tag: string): Record<string, string> {
  return Object.fromEntries([...tag.matchAll(/([\w-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
}

/** Text of HTML, its character references read back. */
const decode = (text: string) =>
  text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));

function chart(html: string, label: string): string {
  const found = new RegExp(`<svg [^>]*aria-label="${label}">([\\s\\S]*?)</svg>`).exec(html);
  if (found === null) throw new TypeError(`no chart "${label}"`);
  return found[1] ?? '';
}

function cards(html: string): string[][] {
  return [
    ...html.matchAll(
      /<div class="card"><div class="k">(.*?)<\/div><div class="v">(.*?)<\/div><div class="d">(.*?)<\/div><\/div>/g
    ),
  ].map((m) => m.slice(1));
}

/** Body rows of the table that opens with `opening`, each as its cells' text (tags stripped). */
function tableRows(html: string, opening: string): string[][] {
  const start = html.indexOf(opening);
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html.slice(start))?.[1] ?? '';
  return [...body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...(row[1] ?? '').matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) =>
      (c[1] ?? '').replace(/<[^>]+>/g, '')
    )
  );
}

function settings(html: string): Record<string, string> {
  return Object.fromEntries(
    [...html.matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map((m) => [m[1], m[2]])
  );
}

/** A linear axis read from its ticks: the value at a position, as a reader would take it. */
function axis(ticks: readonly { at: number; value: number }[]): (at: number) => number {
  const [a, b] = ticks;
  if (a === undefined || b === undefined) throw new TypeError('fewer than two ticks');
  return (at) => a.value + ((at - a.at) / (b.at - a.at)) * (b.value - a.value);
}

const fromCompact = (text: string) =>
  text.endsWith('k') ? num(text.slice(0, -1)) * 1000 : num(text);

/** Scatter marks: policy name from the title, centre from the circle or the diamond. */
function scatterPoints(svg: string): { name: string; cx: number; cy: number; shape: string }[] {
  return [...svg.matchAll(/<g><title>(.+?): \$[^<]*<\/title>(<(?:circle|path) [^>]*>)<\/g>/g)].map(
    (m) => {
      const tag = m[2] ?? '';
      const a = attrs(tag);
      if (tag.startsWith('<circle')) {
        return { name: m[1] ?? '', cx: num(a.cx), cy: num(a.cy), shape: 'circle' };
      }
      // A diamond: M top, L right, L bottom, L left.
      const corners = [...(a.d ?? '').matchAll(/([\d.-]+),([\d.-]+)/g)].map(
        (c): [number, number] => [num(c[1]), num(c[2])]
      );
      const corner = (i: number) => corners[i] ?? [Number.NaN, Number.NaN];
      const [top, right, bottom, left] = [corner(0), corner(1), corner(2), corner(3)];
      expect(top[0]).toBeCloseTo(bottom[0], 6);
      expect(left[1]).toBeCloseTo(right[1], 6);
      expect(bottom[1] - top[1]).toBeCloseTo(right[0] - left[0], 6);
      return { name: m[1] ?? '', cx: top[0], cy: left[1], shape: 'diamond' };
    }
  );
}

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const COLOR = { fixed: '#2563eb', oracle: '#059669', adaptive: '#ea580c', other: '#7c3aed' };

describe('the HTML report read back', () => {
  it('leads with the jobs, the best online policy, the offline optimum and the most expensive', () => {
    // Act: trace A costs none $3.60 (1.33×), fixed:10m $3.90 (1.44×), oracle $2.70.
    const html = report(runBacktest(traceA(), specs('fixed:10m,none,oracle'), SETTINGS));
    // Assess
    expect(cards(html)).toEqual([
      ['jobs', '3', '1 match key · 1 team'],
      ['best online policy', 'none', '$4 · 1.33× the oracle'],
      ['offline optimum', '$3', 'oracle: knows every future job'],
      ['most expensive', 'fixed:10m', '$4 · 1.44× the oracle'],
    ]);
  });

  it('names no best online policy when only the oracle ran, and counts keys and teams in the plural', () => {
    // Prepare: two keys of two teams
    const t = trace(job(0, 100), job(50, 100, { key: 'b', team: 'nlp' }));
    // Act
    const html = report(runBacktest(t, specs('oracle'), SETTINGS));
    // Assess: two cold starts at $1.20 each
    expect(cards(html)).toEqual([
      ['jobs', '2', '2 match keys · 2 teams'],
      ['best online policy', '–', ''],
      ['offline optimum', '$2', 'oracle: knows every future job'],
      ['most expensive', 'oracle', '$2 · 1.00× the oracle'],
    ]);
  });

  it('heads the report with the trace, its period, the settings and when it was made', () => {
    // Prepare: jobs on two days, out of order
    const t = trace(job(2 * 86_400, 100), job(0, 100));
    const settings = { ...SETTINGS, keepAliveAnchor: 'update-time' as const };
    // Act
    const html = renderReport(
      runBacktest(t, specs('none'), settings),
      new Date(Date.UTC(2026, 10, 29, 4, 41, 30))
    );
    const empty = report(runBacktest(trace(), specs('none'), SETTINGS));
    // Assess
    expect(/<p class="sub">(.*?)<\/p>/.exec(html)?.[1]).toBe(
      'test · 2026-03-02 to 2026-03-04 · value of time $36/h · max keep-alive 1h · anchor update-time · generated 2026-11-29 04:41 UTC'
    );
    expect(/<p class="sub">(.*?)<\/p>/.exec(empty)?.[1]).toMatch(
      /^test · an empty trace · value of time/
    );
    expect(html).toContain('<title>warden simulate — test</title>');
  });

  it("prints each policy's figures in its row of the results, read back within the rounding shown", () => {
    // Prepare: two days of the mixed team, every default policy
    const t = generateScenario('mixed', { days: 2, seed: 5 });
    const result = runBacktest(t, specs(defaultPolicyList(SETTINGS.maxKeepAliveMs)), {
      ...SETTINGS,
      prices: {},
    });
    // Act
    const html = report(result);
    const rows = tableRows(html, '<table><thead>');
    // Assess
    expect(rows).toHaveLength(result.policies.length);
    result.policies.forEach((p, i) => {
      const row = rows[i] ?? [];
      const [rank, name, total, ratio, cold, warm, wait, idleH, idleUsd, billed, waitUsd] = row;
      expect(row).toHaveLength(13);
      expect([num(rank), name]).toEqual([i + 1, p.name]);
      expect(Math.abs(num(total) - p.totalCostUsd)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(num(ratio) - (p.ratioToOracle ?? Number.NaN))).toBeLessThanOrEqual(0.005);
      expect([num(cold), num(warm)]).toEqual([p.coldStarts, p.warmStarts]);
      expect(hours(decode(wait ?? ''), p.waitSeconds)).toBe(true);
      expect(hours(decode(idleH ?? ''), p.idleInstanceSeconds)).toBe(true);
      expect(Math.abs(num(idleUsd) - p.idleCostUsd)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(num(billed) - p.coldStartBilledUsd)).toBeLessThanOrEqual(0.005);
      expect(Math.abs(num(waitUsd) - p.waitCostUsd)).toBeLessThanOrEqual(0.005);
      expect(num(row[11])).toBe(p.apiCalls);
      if (p.pools === 0) expect(row[12]).toBe('–');
      else expect(Math.abs(num(row[12]) - p.apiCalls / p.pools)).toBeLessThanOrEqual(0.005);
    });
    // Some policy kept pools and paid for cold starts: the checks above were not vacuous.
    expect(result.policies.some((p) => p.pools > 0 && p.coldStartBilledUsd > 0)).toBe(true);
  });

  it('colours each policy by its kind: fixed keep-alives, the oracle, adaptive, the other baselines', () => {
    // Prepare
    const result = runBacktest(traceA(), specs('none,fixed:10m,breakeven,oracle'), SETTINGS);
    const breakeven = result.policies.find((p) => p.name === 'breakeven');
    if (breakeven === undefined) throw new TypeError('no breakeven row');
    const service = { ...breakeven, name: 'adaptive (service)' };
    // Act
    const html = report({ ...result, policies: [...result.policies, service] });
    // Assess: the dot before each name in the results
    const dots = Object.fromEntries(
      [...html.matchAll(/<span class="dot" style="background:(#\w+)"><\/span>([^<]+)<\/td>/g)].map(
        (m) => [m[2], m[1]]
      )
    );
    expect(dots).toEqual({
      none: COLOR.fixed,
      'fixed:10m': COLOR.fixed,
      breakeven: COLOR.other,
      oracle: COLOR.oracle,
      'adaptive (service)': COLOR.adaptive,
    });
  });

  it('gives each team its jobs and its cost under every policy, and marks the cheapest online one', () => {
    // Prepare: vision runs again 5 min after its job ends, so fixed:10m is its cheapest
    // online policy ($2.10 against none's $2.40; the oracle $1.50); nlp runs once, so none is
    // its cheapest ($1.20, against $1.80), tied with the oracle, which is never marked.
    const t = trace(job(0, 100), job(536, 100), job(0, 100, { key: 'b', team: 'nlp' }));
    const result = runBacktest(t, specs('fixed:10m,none,oracle'), SETTINGS);
    // Act
    const html = report(result);
    // Assess: columns in the order of the results
    const head = /<table class="teams"><thead><tr>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect([...head.matchAll(/<th>(.*?)<\/th>/g)].map((m) => m[1])).toEqual([
      'team',
      'jobs',
      ...result.policies.map((p) => p.name),
    ]);
    expect(result.policies.map((p) => p.name)).toEqual(['oracle', 'none', 'fixed:10m']);
    expect(tableRows(html, '<table class="teams">')).toEqual([
      ['nlp', '1', '$1', '$1', '$2'],
      ['vision', '2', '$2', '$2', '$2'],
    ]);
    const marked = [...html.matchAll(/<tr><td class="name">(\w+)<\/td>(.*?)<\/tr>/g)].map((m) =>
      [...(m[2] ?? '').matchAll(/<td( class="best")?>/g)].slice(1).map((c) => c[1] !== undefined)
    );
    expect(marked).toEqual([
      [false, true, false],
      [false, false, true],
    ]);
  });

  it('marks every online policy tied for the cheapest for a team', () => {
    // Prepare: a quota of no instances, so no policy keeps a pool and each pays the cold start
    const result = runBacktest(trace(job(0, 100)), specs('none,fixed:10m,oracle'), {
      ...SETTINGS,
      quota: { 'ml.m5.xlarge': 0 },
    });
    // Act
    const html = report(result);
    // Assess
    const cells = /<tr><td class="name">vision<\/td><td>1<\/td>(.*?)<\/tr>/.exec(html)?.[1] ?? '';
    expect([...cells.matchAll(/<td( class="best")?>/g)].map((c) => c[1] !== undefined)).toEqual(
      result.policies.map((p) => p.name !== 'oracle')
    );
  });

  it('lists the settings and the cost model with the numbers the run used', () => {
    // Prepare: a type priced by the settings, one from the built-in list, a quota and a
    // seeded latency
    const gpu = { key: 'g', instanceType: 'ml.g5.xlarge' };
    const result = runBacktest(trace(job(0, 100), job(0, 100, gpu)), specs('none'), {
      ...SETTINGS,
      coldStartBilledSeconds: 45,
      quota: { 'ml.m5.xlarge': 2, 'ml.g5.xlarge': 1 },
      latency: { kind: 'seeded', seed: 7 },
    });
    const plain = runBacktest(trace(job(0, 100)), specs('none'), SETTINGS);
    // Act
    const html = report(result);
    const list = settings(html);
    const plainList = settings(report(plain));
    // Assess
    const g5 = result.prices['ml.g5.xlarge']?.usdPerHour ?? Number.NaN;
    expect(list).toEqual({
      'value of time': '$36 per hour of waiting',
      'billed cold start': '45 s per instance',
      'max keep-alive': '1h',
      'keep-alive anchor': 'job-end',
      'safety margin / lead time': '2m / 5m',
      'start latency':
        'seeded log-normal (seed 7, P90 at fsx 136 → 19 s, ffm 143 → 21 s, file 176 → 70 s); no input mode = file',
      'warm-pool quota':
        'ml.m5.xlarge = 2 instances, ml.g5.xlarge = 1 instances (the oracle ignores it)',
      prices: `ml.g5.xlarge $${g5.toFixed(3)}/h*, ml.m5.xlarge $3.600/h (* built-in illustrative list price)`,
    });
    expect(plainList).toMatchObject({
      'start latency':
        'AWS benchmark P90 constants (cold → warm): fsx 136 → 19 s, ffm 143 → 21 s, file 176 → 70 s; no input mode = file',
      'warm-pool quota': 'none',
      prices: 'ml.m5.xlarge $3.600/h',
    });
    expect(html).toContain('cold billed $         = Σ over cold starts 45 s × instance count');
    expect(html).toContain('× $36 / 3600');
  });

  it("shows the trace's warnings, escaped, one a line, and no paragraph without any", () => {
    // Prepare
    const warned = makeTrace([job(0, 100)], 'test', [
      'a.csv:3: rule "gpu" matches on tag <team>',
      'a.csv: 2 keys',
    ]);
    // Act
    const html = report(runBacktest(warned, specs('none'), SETTINGS));
    const quiet = report(runBacktest(trace(job(0, 100)), specs('none'), SETTINGS));
    // Assess
    expect(html).toContain(
      '<p class="note">Warnings: a.csv:3: rule &#34;gpu&#34; matches on tag &#60;team&#62;<br>a.csv: 2 keys</p>'
    );
    expect(quiet).not.toContain('Warnings:');
  });

  it('draws one idle-time histogram per policy, bars as tall as their pool counts', () => {
    // Prepare
    const t = generateScenario('mixed', { days: 2, seed: 5 });
    const result = runBacktest(t, specs('none,fixed:10m,breakeven,oracle'), SETTINGS);
    // Act
    const figures = [
      ...report(result).matchAll(/<figure class="mini-chart">([\s\S]*?)<\/figure>/g),
    ];
    // Assess
    expect(figures).toHaveLength(result.policies.length);
    result.policies.forEach((p, i) => {
      const figure = figures[i]?.[1] ?? '';
      const pools = p.idleHistogram.reduce((n, b) => n + b.pools, 0);
      const caption = /<figcaption><b>(.*?)<\/b> <span>(.*?)<\/span>/.exec(figure);
      expect(caption?.[1]).toBe(p.name);
      const [count, idle] = decode(caption?.[2] ?? '').split(' pools · ');
      expect(num(count)).toBe(pools);
      expect(hours(idle?.replace(' idle inst-h', ''), p.idleInstanceSeconds)).toBe(true);
      const bars = [...figure.matchAll(/<g><title>(.*?)<\/title>(<rect [^>]*>)<\/g>/g)];
      expect(bars).toHaveLength(p.idleHistogram.length);
      const tallest = Math.max(...p.idleHistogram.map((b) => b.pools));
      p.idleHistogram.forEach((bin, j) => {
        const bar = bars[j];
        const a = attrs(bar?.[2] ?? '');
        const title = decode(bar?.[1] ?? '');
        expect(title.startsWith(`${bin.label}: ${bin.pools} pools, `)).toBe(true);
        expect(hours(title.match(/, (.*) idle instance-hours$/)?.[1], bin.instanceSeconds)).toBe(
          true
        );
        // Bars stand on the baseline, the tallest 84 px high, the rest in proportion.
        expect(num(a.y) + num(a.height)).toBeCloseTo(100, 6);
        expect(num(a.height)).toBeCloseTo(bin.pools === 0 ? 0 : (84 * bin.pools) / tallest, 6);
        expect(num(a.opacity)).toBe(j === 0 ? 0.35 : 0.85);
      });
      // Bars side by side, left to right, inside the 250 px frame
      const xs = bars.map((b) => num(attrs(b[2] ?? '').x));
      expect(xs).toEqual([...xs].sort((a, b) => a - b));
      const last = attrs(bars.at(-1)?.[2] ?? '');
      expect(num(last.x) + num(last.width)).toBeLessThanOrEqual(250);
      expect(figure.includes('no pool kept')).toBe(pools === 0);
    });
    expect(result.policies.some((p) => p.idleHistogram.filter((b) => b.pools > 0).length > 2)).toBe(
      true
    );
  });

  it('puts the bin labels of an idle histogram under their bars, on two alternating lines', () => {
    // Prepare
    const html = report(runBacktest(traceA(), specs('fixed:10m'), SETTINGS));
    const figure = /<figure class="mini-chart">([\s\S]*?)<\/figure>/.exec(html)?.[1] ?? '';
    // Act
    const bars = [...figure.matchAll(/<rect [^>]*>/g)].map((m) => attrs(m[0]));
    const labels = [...figure.matchAll(/<text ([^>]*) class="mini">(.*?)<\/text>/g)];
    // Assess: centred under its bar; even bins on the first line, odd ones 11 px lower
    expect(labels).toHaveLength(bars.length);
    labels.forEach((label, i) => {
      const a = attrs(label[1] ?? '');
      const bar = bars[i] ?? {};
      expect(num(a.x)).toBeCloseTo(num(bar.x) + num(bar.width) / 2, 6);
      expect(num(a.y)).toBe(i % 2 === 0 ? 112 : 123);
    });
  });

  it('draws total-cost bars best first: idle solid, cold starts light after it, the longest full width', () => {
    // Prepare
    const result = runBacktest(traceA(), specs('none,fixed:10m,fixed:20m,oracle'), SETTINGS);
    // Act
    const svg = chart(report(result), 'total cost per policy');
    // Assess
    const names = [
      ...svg.matchAll(/<text [^>]*text-anchor="end" class="label"[^>]*>(.*?)<\/text>/g),
    ];
    const rects = [...svg.matchAll(/<rect [^>]*>/g)].map((m) => attrs(m[0]));
    const values = [...svg.matchAll(/<text ([^>]*) class="value">(.*?)<\/text>/g)];
    expect(names.map((m) => m[1])).toEqual(result.policies.map((p) => p.name));
    const max = Math.max(...result.policies.map((p) => p.totalCostUsd));
    const left = 118;
    const full = 820 - left - 150;
    result.policies.forEach((p, i) => {
      const idle = rects[2 * i] ?? {};
      const cold = rects[2 * i + 1] ?? {};
      expect(num(idle.x)).toBe(left);
      expect(num(idle.width)).toBeCloseTo((full * p.idleCostUsd) / max, 6);
      expect(num(cold.x)).toBeCloseTo(left + num(idle.width), 6);
      expect(num(cold.width)).toBeCloseTo((full * (p.totalCostUsd - p.idleCostUsd)) / max, 6);
      expect(cold.opacity).toBe('0.4');
      // One row per policy, 26 px apart; name, bars and value on the row
      expect(num(idle.y)).toBe(12 + 26 * i);
      expect(num(attrs(names[i]?.[0] ?? '').y)).toBe(24 + 26 * i);
      const value = attrs(values[i]?.[1] ?? '');
      expect(num(value.y)).toBe(24 + 26 * i);
      expect(num(value.x)).toBeCloseTo(left + num(idle.width) + num(cold.width) + 8, 6);
      expect(values[i]?.[2]).toBe(
        `$${Math.round(p.totalCostUsd)} · ${(p.ratioToOracle ?? 0).toFixed(2)}×`
      );
    });
    // The frame holds every row and a margin below the last.
    const frame = /viewBox="0 0 820 (\d+)" role="img" aria-label="total cost per policy"/;
    expect(num(frame.exec(report(result))?.[1])).toBe(8 + 26 * result.policies.length + 8);
  });

  describe('the scatter of idle cost against cold starts', () => {
    // Two weeks of the mixed team: thousands of cold starts, so the axis counts in k. Worked
    // out in each test, not once: mutation testing switches mutants between tests.
    function scatter() {
      const result = runBacktest(
        generateScenario('mixed', { days: 14, seed: 1 }),
        specs(defaultPolicyList(SETTINGS.maxKeepAliveMs)),
        { ...SETTINGS, prices: {} }
      );
      const svg = chart(report(result), 'idle cost against cold starts');
      return { result, svg, byName: new Map(result.policies.map((p) => [p.name, p])) };
    }

    it('puts every policy where a reader reads its cold starts and idle cost off the axes', () => {
      const { result, svg, byName } = scatter();
      // Act: the ticks under the plot and left of it, and the grid line each sits on
      const xTicks = [
        ...svg.matchAll(
          /<text x="([\d.]+)" y="[\d.]+" text-anchor="middle" class="tick">([^<]+)</g
        ),
      ].map((m) => ({ at: num(m[1]), value: fromCompact(m[2] ?? '') }));
      const yTicks = [
        ...svg.matchAll(/<text x="[\d.]+" y="([\d.]+)" text-anchor="end" class="tick">\$([^<]+)</g),
      ].map((m) => ({ at: num(m[1]) - 4, value: fromCompact(m[2] ?? '') }));
      const vertical = [...svg.matchAll(/<line x1="([\d.]+)" x2="\1" y1="20" y2="388"/g)].map((m) =>
        num(m[1])
      );
      const horizontal = [...svg.matchAll(/<line x1="76" x2="796" y1="([\d.]+)" y2="\1"/g)].map(
        (m) => num(m[1])
      );
      const points = scatterPoints(svg);
      // Assess: round steps from 0 that cover every point, each on its grid line
      expect(xTicks.some((t) => t.value >= 1000)).toBe(true);
      for (const [ticks, lines, max] of [
        [xTicks, vertical, Math.max(...result.policies.map((p) => p.coldStarts))],
        [yTicks, horizontal, Math.max(...result.policies.map((p) => p.idleCostUsd))],
      ] as const) {
        expect(ticks.length).toBeGreaterThanOrEqual(4);
        expect(ticks[0]?.value).toBe(0);
        const step = (ticks[1]?.value ?? 0) - (ticks[0]?.value ?? 0);
        const mantissa = step / 10 ** Math.floor(Math.log10(step));
        expect([1, 2, 2.5, 5]).toContain(Number(mantissa.toPrecision(6)));
        expect(ticks.map((t) => t.value)).toEqual(ticks.map((_, i) => expect.closeTo(i * step, 6)));
        expect(ticks.at(-1)?.value).toBeGreaterThanOrEqual(max);
        expect(ticks.at(-2)?.value).toBeLessThan(max * 1.08);
        expect(lines).toEqual(ticks.map((t) => expect.closeTo(t.at, 6)));
      }
      expect(xTicks.at(0)?.at).toBe(76);
      expect(xTicks.at(-1)?.at).toBe(796);
      expect(yTicks.at(0)?.at).toBe(388);
      expect(yTicks.at(-1)?.at).toBe(20);
      const coldAt = axis(xTicks);
      const idleAt = axis(yTicks);
      const xSpan = xTicks.at(-1)?.value ?? 0;
      const ySpan = yTicks.at(-1)?.value ?? 0;
      expect(points.map((p) => p.name).sort()).toEqual([...byName.keys()].sort());
      for (const point of points) {
        const p = byName.get(point.name);
        expect(Math.abs(coldAt(point.cx) - (p?.coldStarts ?? Number.NaN))).toBeLessThan(
          xSpan / 1e6
        );
        expect(Math.abs(idleAt(point.cy) - (p?.idleCostUsd ?? Number.NaN))).toBeLessThan(
          ySpan / 1e6
        );
        expect(point.shape).toBe(point.name === 'oracle' ? 'diamond' : 'circle');
      }
    });

    it('names each point in its tooltip with its total, cold starts and idle cost', () => {
      const { result, svg } = scatter();
      // Act
      const titles = [...svg.matchAll(/<title>([^<]+)<\/title>/g)].map((m) => m[1]);
      // Assess
      expect(titles).toEqual(
        result.policies.map(
          (p) =>
            `${p.name}: $${p.totalCostUsd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} total, ` +
            `${p.coldStarts.toLocaleString('en-US')} cold starts, ` +
            `$${p.idleCostUsd.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} idle`
        )
      );
    });

    it('joins the fixed keep-alives, and only them, shortest first, with the dashed line', () => {
      const { result, svg } = scatter();
      // Act
      const d = /<path d="([^"]+)" fill="none"[^>]*stroke-dasharray/.exec(svg)?.[1] ?? '';
      const path = [...d.matchAll(/([ML])([\d.-]+),([\d.-]+)/g)].map((m) => [
        m[1],
        num(m[2]),
        num(m[3]),
      ]);
      const points = new Map(scatterPoints(svg).map((p) => [p.name, p]));
      // Assess: none, fixed:5m, …, fixed:1h, in keep-alive order (not cost order)
      const fixed = result.policies
        .filter((p) => p.fixedMs !== undefined)
        .sort((a, b) => (a.fixedMs ?? 0) - (b.fixedMs ?? 0));
      expect(fixed.map((p) => p.name)).toEqual([
        'none',
        'fixed:5m',
        'fixed:10m',
        'fixed:20m',
        'fixed:30m',
        'fixed:1h',
      ]);
      expect(fixed.map((p) => p.name)).not.toEqual(
        result.policies.filter((p) => p.fixedMs !== undefined).map((p) => p.name)
      );
      expect(path).toEqual(
        fixed.map((p, i) => [i === 0 ? 'M' : 'L', points.get(p.name)?.cx, points.get(p.name)?.cy])
      );
    });

    it('labels each point beside it in its colour, inside the plot, over no other label or point', () => {
      const { svg, byName } = scatter();
      // Act: a label is about 7 px a character wide and 14 px high, its baseline 11 px down
      const colours = new Map(
        [...svg.matchAll(/<title>(.+?): \$[^<]*<\/title><(?:circle|path) [^>]*fill="(#\w+)"/g)].map(
          (m) => [m[1], m[2]]
        )
      );
      const labels = [
        ...svg.matchAll(
          /<text x="([\d.-]+)" y="([\d.-]+)" class="label" fill="(#\w+)">([^<]+)<\/text>/g
        ),
      ].map((m) => ({
        name: m[4] ?? '',
        fill: m[3],
        x: num(m[1]) - 2,
        y: num(m[2]) - 11,
        w: (m[4] ?? '').length * 7,
        h: 14,
      }));
      const points = new Map(scatterPoints(svg).map((p) => [p.name, p]));
      // Assess
      expect(labels.map((l) => l.name).sort()).toEqual([...byName.keys()].sort());
      const apart = (a: Box, b: Box) =>
        a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
      for (const l of labels) {
        const own = points.get(l.name);
        const dx = Math.max(l.x - (own?.cx ?? 0), (own?.cx ?? 0) - (l.x + l.w), 0);
        const dy = Math.max(l.y - (own?.cy ?? 0), (own?.cy ?? 0) - (l.y + l.h), 0);
        expect(Math.hypot(dx, dy), `${l.name} far from its point`).toBeLessThanOrEqual(50);
        for (const p of points.values()) {
          // A point's marker is 12 px across.
          const marker = { x: p.cx - 6, y: p.cy - 6, w: 12, h: 12 };
          expect(apart(l, marker), `${l.name} over the point of ${p.name}`).toBe(true);
        }
        expect(l.fill).toBe(colours.get(l.name));
        expect(l.x).toBeGreaterThanOrEqual(76);
        expect(l.x + l.w).toBeLessThanOrEqual(796);
        expect(l.y).toBeGreaterThanOrEqual(0);
        expect(l.y + l.h).toBeLessThanOrEqual(388);
      }
      labels.forEach((a, i) => {
        for (const b of labels.slice(i + 1))
          expect(apart(a, b), `${a.name} over ${b.name}`).toBe(true);
      });
    });
  });

  it('draws no line through a single fixed keep-alive', () => {
    // Act
    const svg = chart(
      report(runBacktest(traceA(), specs('fixed:10m,breakeven,oracle'), SETTINGS)),
      'idle cost against cold starts'
    );
    // Assess
    expect(svg).not.toContain('stroke-dasharray');
    expect(scatterPoints(svg)).toHaveLength(3);
  });

  it('keeps the labels of crowded points in the corners inside the plot, and the axes outside it', () => {
    // Prepare: three policies on each corner of the data, names as long as the plot allows
    const base = runBacktest(traceA(), specs('none'), SETTINGS).policies[0];
    if (base === undefined) throw new TypeError('no none row');
    const corners = [
      [0, 0],
      [5000, 0],
      [0, 900],
      [5000, 900],
    ];
    const policies = corners.flatMap(([coldStarts, idleCostUsd], c) =>
      [1, 2, 3].map((n) => ({
        ...base,
        name: `corner-${c}-policy-${n}`,
        fixedMs: undefined,
        coldStarts: coldStarts ?? 0,
        idleCostUsd: idleCostUsd ?? 0,
      }))
    );
    const result = runBacktest(traceA(), specs('none'), SETTINGS);
    // Act
    const svg = chart(report({ ...result, policies }), 'idle cost against cold starts');
    // Assess: every label inside the plot (76–796 across, 0–388 down)
    const labels = [
      ...svg.matchAll(
        /<text x="([\d.-]+)" y="([\d.-]+)" class="label" fill="#\w+">([^<]+)<\/text>/g
      ),
    ];
    expect(labels).toHaveLength(12);
    for (const [, x, y, name] of labels) {
      expect(num(x) - 2, name).toBeGreaterThanOrEqual(76);
      expect(num(x) - 2 + (name ?? '').length * 7, name).toBeLessThanOrEqual(796);
      expect(num(y) - 11, name).toBeGreaterThanOrEqual(0);
      expect(num(y) + 3, name).toBeLessThanOrEqual(388);
    }
    // Tick values left of and under the plot; the axis titles centred on it, outside the ticks
    for (const m of svg.matchAll(
      /<text x="([\d.]+)" y="[\d.]+" text-anchor="end" class="tick">/g
    )) {
      expect(num(m[1])).toBeLessThan(76);
    }
    for (const m of svg.matchAll(
      /<text x="[\d.]+" y="([\d.]+)" text-anchor="middle" class="tick">/g
    )) {
      expect(num(m[1])).toBeGreaterThan(388 + 11);
    }
    const xTitle =
      /<text x="([\d.]+)" y="([\d.]+)" text-anchor="middle" class="axis">cold starts</.exec(svg);
    expect([num(xTitle?.[1]), num(xTitle?.[2])]).toEqual([(76 + 796) / 2, 430]);
    expect(svg).toContain(`<text transform="translate(16 ${(20 + 388) / 2}) rotate(-90)"`);
  });

  it('writes an offline report: inline SVG charts, a Pareto path, no script and no URL to fetch', () => {
    // Prepare
    const result = runBacktest(
      traceA(),
      specs('none,fixed:10m,fixed:20m,breakeven,oracle'),
      SETTINGS
    );
    // Act
    const html = renderReport(result, new Date(0));
    // Assess
    expect(html.match(/<svg /g)?.length).toBeGreaterThanOrEqual(2 + 5);
    expect(html).toMatch(/<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+ L/);
    expect(html).not.toMatch(/<script|https?:\/\/|<link /);
    expect(html).toContain('vision');
  });

  it('keeps the names of policies on one spot of the scatter apart, and room for long names', () => {
    // Prepare: three policies at the very same cost, as adaptive and its service run often are.
    const result = runBacktest(traceA(), specs('none,oracle'), SETTINGS);
    const none = result.policies.find((p) => p.name === 'none');
    if (none === undefined) throw new TypeError('no none row');
    const twins = ['adaptive', 'adaptive (service)', 'a-much-longer-policy-name'].map((name) => ({
      ...none,
      name,
    }));
    // Act
    const html = renderReport({ ...result, policies: [...result.policies, ...twins] }, new Date(0));
    // Assess: scatter labels (no text-anchor) of the twins sit on different lines or sides.
    const spots = [
      ...html.matchAll(
        /<text x="([\d.-]+)" y="([\d.-]+)" class="label" fill="[^"]+">([^<]+)<\/text>/g
      ),
    ]
      .filter((m) => twins.some((t) => t.name === m[3]))
      .map((m) => `${m[1]},${m[2]}`);
    expect(spots).toHaveLength(3);
    expect(new Set(spots).size).toBe(3);
    // The bar chart's label column fits the longest name: 25 characters at about 7 px each
    const left = /<rect x="([\d.]+)" y="[\d.]+" width="[\d.]+" height="16"/.exec(html)?.[1];
    expect(Number(left)).toBeGreaterThanOrEqual(25 * 7);
  });

  it('escapes names from the trace in the report', () => {
    // Prepare
    const t = traceA();
    const hostile = {
      ...t,
      source: '<img src=x>',
      jobs: t.jobs.map((j) => ({ ...j, team: '<b>team</b>' })),
    };
    // Act
    const html = renderReport(runBacktest(hostile, specs('none'), SETTINGS), new Date(0));
    // Assess
    expect(html).not.toContain('<img src=x>');
    expect(html).not.toContain('<b>team</b>');
  });

  it('shows control characters of a trace name as escapes, not raw', () => {
    // Prepare: a team that would recolour a terminal someone cats the report to
    const t = traceA();
    const hostile = { ...t, jobs: t.jobs.map((j) => ({ ...j, team: 'vision\x1b[31m\x00' })) };

    // Act
    const html = renderReport(runBacktest(hostile, specs('none'), SETTINGS), new Date(0));

    // Assess
    expect(html).toContain('vision\\x1b[31m\\x00');
    expect(html).not.toContain('\x1b');
    expect(html).not.toContain('\x00');
  });
});
