import { formatDuration } from '../../domain/duration.js';
import { printable } from '../../domain/printable.js';
import type { BacktestResult, RankedResult } from './backtest.js';
import { START_LATENCY_S } from './cost-model.js';
import { int, ratio, tenths, usd } from './figures.js';
import { count } from './table.js';

/**
 * The offline HTML report of `warden simulate --report DIR`: one self-contained file (inline CSS
 * and SVG, no script, no CDN), so it opens from a mail attachment or a CI artifact as it is.
 */

const COLORS = {
  fixed: '#2563eb',
  oracle: '#059669',
  adaptive: '#ea580c',
  other: '#7c3aed',
  grid: '#e5e7eb',
  axis: '#6b7280',
  text: '#111827',
} as const;

/**
 * Text for HTML: markup characters as references, and control characters (a trace's team or
 * policy name may hold an escape sequence) shown as `\x1b` rather than written raw.
 */
const esc = (text: string): string =>
  printable(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function colorOf(p: RankedResult): string {
  if (p.fixedMs !== undefined) return COLORS.fixed;
  if (p.name === 'oracle') return COLORS.oracle;
  if (p.name.startsWith('adaptive')) return COLORS.adaptive;
  return COLORS.other;
}

/** Round tick values covering [0, max]. */
function ticks(max: number, count = 5): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let v = 0; v <= max + step * 0.999; v += step) out.push(Number(v.toPrecision(12)));
  return out;
}

const compact = (n: number): string =>
  Math.abs(n) >= 1000
    ? `${(n / 1000).toLocaleString('en-US', { maximumFractionDigits: 1 })}k`
    : n.toLocaleString('en-US', { maximumFractionDigits: 2 });

interface Box {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

const overlaps = (a: Box, b: Box): boolean =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/** Idle dollars against cold starts; the fixed keep-alives joined in keep-alive order. */
function tradeOffChart(policies: readonly RankedResult[]): string {
  const W = 820;
  const H = 440;
  const m = { left: 76, right: 24, top: 20, bottom: 52 };
  const xt = ticks(Math.max(1, ...policies.map((p) => p.coldStarts)) * 1.04);
  const yt = ticks(Math.max(0.01, ...policies.map((p) => p.idleCostUsd)) * 1.08);
  const xMax = xt[xt.length - 1] ?? 1;
  const yMax = yt[yt.length - 1] ?? 1;
  const x = (v: number) => m.left + (v / xMax) * (W - m.left - m.right);
  const y = (v: number) => H - m.bottom - (v / yMax) * (H - m.top - m.bottom);
  const parts: string[] = [];
  for (const v of yt) {
    parts.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${y(v)}" y2="${y(v)}" stroke="${COLORS.grid}"/>`,
      `<text x="${m.left - 8}" y="${y(v) + 4}" text-anchor="end" class="tick">$${compact(v)}</text>`
    );
  }
  for (const v of xt) {
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${m.top}" y2="${H - m.bottom}" stroke="${COLORS.grid}"/>`,
      `<text x="${x(v)}" y="${H - m.bottom + 18}" text-anchor="middle" class="tick">${compact(v)}</text>`
    );
  }
  parts.push(
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 10}" text-anchor="middle" class="axis">cold starts</text>`,
    `<text transform="translate(16 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle" class="axis">idle retention cost (USD)</text>`
  );
  const fixed = policies
    .filter((p) => p.fixedMs !== undefined)
    .sort((a, b) => (a.fixedMs ?? 0) - (b.fixedMs ?? 0));
  if (fixed.length > 1) {
    const path = fixed.map(
      (p, i) => `${i === 0 ? 'M' : 'L'}${x(p.coldStarts)},${y(p.idleCostUsd)}`
    );
    parts.push(
      `<path d="${path.join(' ')}" fill="none" stroke="${COLORS.fixed}" stroke-width="2" stroke-dasharray="6 4" opacity="0.7"/>`
    );
  }
  const placed: Box[] = policies.map((p) => ({
    x: x(p.coldStarts) - 6,
    y: y(p.idleCostUsd) - 6,
    w: 12,
    h: 12,
  }));
  const labels: string[] = [];
  for (const p of policies) {
    const px = x(p.coldStarts);
    const py = y(p.idleCostUsd);
    const color = colorOf(p);
    const shape =
      p.name === 'oracle'
        ? `<path d="M${px},${py - 8} L${px + 8},${py} L${px},${py + 8} L${px - 8},${py} Z" fill="${color}"/>`
        : `<circle cx="${px}" cy="${py}" r="6" fill="${color}" stroke="white" stroke-width="1.5"/>`;
    parts.push(
      `<g><title>${esc(p.name)}: ${usd(p.totalCostUsd)} total, ${int(p.coldStarts)} cold starts, ${usd(p.idleCostUsd)} idle</title>${shape}</g>`
    );
    const w = p.name.length * 7 + 4;
    // Beside the point first, then further up and down: two policies often land on one spot
    // (adaptive and its service run), and their names must not print over each other.
    const candidates: Box[] = [
      { x: px + 9, y: py - 14, w, h: 14 },
      { x: px + 9, y: py, w, h: 14 },
      { x: px - 9 - w, y: py - 14, w, h: 14 },
      { x: px - 9 - w, y: py, w, h: 14 },
      { x: px - w / 2, y: py - 24, w, h: 14 },
      { x: px - w / 2, y: py + 10, w, h: 14 },
      ...[14, -28, 28, -42, 42].flatMap((dy) => [
        { x: px + 9, y: py + dy, w, h: 14 },
        { x: px - 9 - w, y: py + dy, w, h: 14 },
      ]),
    ];
    const inside = (b: Box) =>
      b.x >= m.left && b.x + b.w <= W - m.right && b.y >= 0 && b.y + b.h <= H - m.bottom;
    const box =
      candidates.find((b) => inside(b) && !placed.some((o) => overlaps(o, b))) ??
      candidates.find(inside) ??
      (candidates[0] as Box);
    placed.push(box);
    labels.push(
      `<text x="${box.x + 2}" y="${box.y + 11}" class="label" fill="${color}">${esc(p.name)}</text>`
    );
  }
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="idle cost against cold starts">${parts.join('')}${labels.join('')}</svg>`;
}

/** Horizontal bars of total cost, best first, with the ratio to the oracle. */
function totalCostChart(policies: readonly RankedResult[]): string {
  const row = 26;
  // Room for the longest name (about 7 px a character at the label's size).
  const longest = Math.max(0, ...policies.map((p) => p.name.length));
  const m = { left: Math.min(260, Math.max(118, longest * 7 + 24)), right: 150, top: 8 };
  const W = 820;
  const H = m.top + policies.length * row + 8;
  const max = Math.max(0.01, ...policies.map((p) => p.totalCostUsd));
  const width = (v: number) => (v / max) * (W - m.left - m.right);
  const bars = policies.map((p, i) => {
    const top = m.top + i * row;
    const idle = width(p.idleCostUsd);
    const cold = width(p.totalCostUsd - p.idleCostUsd);
    const color = colorOf(p);
    return (
      `<text x="${m.left - 10}" y="${top + 16}" text-anchor="end" class="label" fill="${COLORS.text}">${esc(p.name)}</text>` +
      `<rect x="${m.left}" y="${top + 4}" width="${idle}" height="16" fill="${color}" rx="2"/>` +
      `<rect x="${m.left + idle}" y="${top + 4}" width="${cold}" height="16" fill="${color}" opacity="0.4" rx="2"/>` +
      `<text x="${m.left + idle + cold + 8}" y="${top + 16}" class="value">${usd(p.totalCostUsd, 0)} · ${ratio(p.ratioToOracle)}</text>`
    );
  });
  return `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="total cost per policy">${bars.join('')}</svg>`;
}

/** One small histogram of pools per idle-time bin, for one policy. */
function idleHistogram(p: RankedResult): string {
  const W = 250;
  const H = 130;
  const m = { left: 8, right: 8, top: 16, bottom: 30 };
  const bins = p.idleHistogram;
  const max = Math.max(1, ...bins.map((b) => b.pools));
  const slot = (W - m.left - m.right) / bins.length;
  const color = colorOf(p);
  const bars = bins.map((b, i) => {
    const h = (b.pools / max) * (H - m.top - m.bottom);
    const x0 = m.left + i * slot;
    const label =
      i % 2 === 0
        ? `<text x="${x0 + slot / 2}" y="${H - m.bottom + 12}" text-anchor="middle" class="mini">${esc(b.label)}</text>`
        : `<text x="${x0 + slot / 2}" y="${H - m.bottom + 23}" text-anchor="middle" class="mini">${esc(b.label)}</text>`;
    return (
      `<g><title>${esc(b.label)}: ${int(b.pools)} pools, ${esc(tenths(b.instanceSeconds / 3600))} idle instance-hours</title>` +
      `<rect x="${x0 + 2}" y="${H - m.bottom - h}" width="${slot - 4}" height="${h}" fill="${color}" opacity="${i === 0 ? 0.35 : 0.85}" rx="1.5"/></g>${label}`
    );
  });
  const pools = bins.reduce((n, b) => n + b.pools, 0);
  return (
    `<figure class="mini-chart"><figcaption><b>${esc(p.name)}</b> <span>${int(pools)} pools · ${esc(tenths(p.idleInstanceSeconds / 3600))} idle inst-h</span></figcaption>` +
    `<svg viewBox="0 0 ${W} ${H}" role="img" aria-label="idle time of ${esc(p.name)}">` +
    `<line x1="${m.left}" x2="${W - m.right}" y1="${H - m.bottom}" y2="${H - m.bottom}" stroke="${COLORS.axis}"/>${bars.join('')}` +
    (pools === 0
      ? `<text x="${W / 2}" y="${(m.top + H - m.bottom) / 2}" text-anchor="middle" class="tick">no pool kept</text>`
      : '') +
    '</svg></figure>'
  );
}

function resultsTable(policies: readonly RankedResult[]): string {
  const rows = policies.map(
    (
      p,
      i
    ) => `<tr><td>${i + 1}</td><td class="name"><span class="dot" style="background:${colorOf(p)}"></span>${esc(p.name)}</td>
<td>${usd(p.totalCostUsd)}</td><td>${ratio(p.ratioToOracle)}</td><td>${int(p.coldStarts)}</td><td>${int(p.warmStarts)}</td>
<td>${esc(tenths(p.waitSeconds / 3600))}</td><td>${esc(tenths(p.idleInstanceSeconds / 3600))}</td><td>${usd(p.idleCostUsd)}</td>
<td>${usd(p.coldStartBilledUsd)}</td><td>${usd(p.waitCostUsd)}</td><td>${int(p.apiCalls)}</td><td>${p.pools === 0 ? '–' : (p.apiCalls / p.pools).toFixed(2)}</td></tr>`
  );
  return `<table><thead><tr><th>#</th><th>policy</th><th>total</th><th>vs oracle</th><th>cold starts</th><th>warm starts</th>
<th>extra wait h</th><th>idle inst-h</th><th>idle $</th><th>cold billed $</th><th>wait $</th><th>API calls</th><th>calls / pool</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
}

function teamTable(policies: readonly RankedResult[]): string {
  const teams = new Map<string, { jobs: number; costs: Map<string, number> }>();
  for (const p of policies) {
    for (const t of p.teams) {
      let entry = teams.get(t.team);
      if (entry === undefined) {
        entry = { jobs: t.jobs, costs: new Map() };
        teams.set(t.team, entry);
      }
      entry.costs.set(p.name, t.totalCostUsd);
    }
  }
  const head = policies.map((p) => `<th>${esc(p.name)}</th>`).join('');
  const rows = [...teams].map(([team, entry]) => {
    const online = policies
      .filter((p) => p.name !== 'oracle')
      .map((p) => entry.costs.get(p.name) ?? 0);
    const best = Math.min(...online);
    const cells = policies
      .map((p) => {
        const v = entry.costs.get(p.name) ?? 0;
        const cls = p.name !== 'oracle' && v === best ? ' class="best"' : '';
        return `<td${cls}>${usd(v, 0)}</td>`;
      })
      .join('');
    return `<tr><td class="name">${esc(team)}</td><td>${int(entry.jobs)}</td>${cells}</tr>`;
  });
  return `<div class="scroll"><table class="teams"><thead><tr><th>team</th><th>jobs</th>${head}</tr></thead><tbody>${rows.join('\n')}</tbody></table></div>`;
}

function settingsList(result: BacktestResult): string {
  const s = result.settings;
  const quota = Object.entries(s.quota);
  const latency = Object.entries(START_LATENCY_S)
    .map(([mode, l]) => `${mode} ${l.cold} → ${l.warm} s`)
    .join(', ');
  const prices = Object.entries(result.prices)
    .map(
      ([type, p]) =>
        `${esc(type)} ${usd(p.usdPerHour, 3)}/h${p.source === 'illustrative' ? '*' : ''}`
    )
    .join(', ');
  const items = [
    ['value of time', `$${s.valueOfTimeUsdPerHour} per hour of waiting`],
    ['billed cold start', `${s.coldStartBilledSeconds} s per instance`],
    ['max keep-alive', formatDuration(s.maxKeepAliveMs)],
    ['keep-alive anchor', s.keepAliveAnchor],
    [
      'safety margin / lead time',
      `${formatDuration(s.safetyMarginMs)} / ${formatDuration(s.leadTimeMs)}`,
    ],
    [
      'start latency',
      s.latency.kind === 'p90'
        ? `AWS benchmark P90 constants (cold → warm): ${latency}; no input mode = file`
        : `seeded log-normal (seed ${s.latency.seed}, P90 at ${latency}); no input mode = file`,
    ],
    [
      'warm-pool quota',
      quota.length === 0
        ? 'none'
        : `${quota.map(([k, v]) => `${esc(k)} = ${v} instances`).join(', ')} (the oracle ignores it)`,
    ],
    ['prices', `${prices}${prices.includes('*') ? ' (* built-in illustrative list price)' : ''}`],
  ];
  return `<dl>${items.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

const STYLE = `
*{box-sizing:border-box}
body{margin:0;font:14px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#111827;background:#f8fafc}
main{max-width:1320px;margin:0 auto;padding:28px 32px 48px}
h1{font-size:24px;margin:0 0 4px}
h2{font-size:17px;margin:0 0 4px}
.sub{color:#4b5563;margin:0 0 20px}
section{background:white;border:1px solid #e5e7eb;border-radius:10px;padding:18px 22px;margin:0 0 18px;box-shadow:0 1px 2px rgba(0,0,0,.03)}
.note{color:#6b7280;font-size:12.5px;margin:2px 0 10px}
.cards{display:flex;gap:14px;margin:0 0 18px}
.card{flex:1;background:white;border:1px solid #e5e7eb;border-radius:10px;padding:12px 16px}
.card .k{color:#6b7280;font-size:12px;text-transform:uppercase;letter-spacing:.04em}
.card .v{font-size:22px;font-weight:600}
.card .d{color:#4b5563;font-size:12.5px}
svg{width:100%;height:auto;display:block}
svg text{font-family:inherit}
.tick{font-size:11px;fill:#6b7280}.axis{font-size:12px;fill:#374151}
.label{font-size:11.5px;font-weight:600}.value{font-size:11.5px;fill:#374151}
.mini{font-size:9px;fill:#6b7280}
.grid{display:grid;grid-template-columns:repeat(4,1fr);gap:10px 14px}
figure.mini-chart{margin:0;border:1px solid #f1f5f9;border-radius:8px;padding:6px 8px}
figcaption{font-size:12px}figcaption span{color:#6b7280}
table{border-collapse:collapse;width:100%;font-size:12.5px;font-variant-numeric:tabular-nums}
th,td{padding:5px 8px;text-align:right;border-bottom:1px solid #f1f5f9;white-space:nowrap}
th{color:#4b5563;font-weight:600;border-bottom:1px solid #e5e7eb}
td.name,th:nth-child(2){text-align:left}
table.teams td.name,table.teams th:first-child{text-align:left}
table.teams th:nth-child(2){text-align:right}
td.best{background:#ecfdf5;font-weight:600}
.dot{display:inline-block;width:9px;height:9px;border-radius:50%;margin-right:7px}
.scroll{overflow-x:auto}
.legend{display:flex;gap:16px;font-size:12px;color:#374151;margin:4px 0 0}
.legend span::before{content:"";display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:5px;vertical-align:-1px;background:var(--c)}
dl{display:grid;grid-template-columns:190px 1fr;gap:4px 14px;margin:0;font-size:13px}
dt{color:#6b7280}dd{margin:0}
pre{background:#f8fafc;border:1px solid #e5e7eb;border-radius:6px;padding:10px 12px;font-size:12.5px;white-space:pre-wrap;margin:8px 0 0}
`;

/**
 * The whole report as one HTML document.
 *
 * @example await writeFile('out/simulate-report.html', renderReport(result, new Date()))
 */
function renderReport(result: BacktestResult, generatedAt: Date): string {
  const t = result.trace;
  const s = result.settings;
  const policies = result.policies;
  const best = policies.find((p) => p.name !== 'oracle');
  const oracle = result.oracleTotalCostUsd;
  const worst = policies[policies.length - 1];
  const cards = [
    ['jobs', int(t.jobs), `${count(t.keys, 'match key')} · ${count(t.teams, 'team')}`],
    [
      'best online policy',
      best === undefined ? '–' : esc(best.name),
      best === undefined
        ? ''
        : `${usd(best.totalCostUsd, 0)} · ${ratio(best.ratioToOracle)} the oracle`,
    ],
    ['offline optimum', usd(oracle, 0), 'oracle: knows every future job'],
    [
      'most expensive',
      worst === undefined ? '–' : esc(worst.name),
      worst === undefined
        ? ''
        : `${usd(worst.totalCostUsd, 0)} · ${ratio(worst.ratioToOracle)} the oracle`,
    ],
  ];
  const period =
    t.firstSubmit === null
      ? 'an empty trace'
      : `${t.firstSubmit.slice(0, 10)} to ${t.lastSubmit?.slice(0, 10)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>warden simulate — ${esc(t.source)}</title><style>${STYLE}</style></head>
<body><main>
<h1>Warm-pool policy backtest</h1>
<p class="sub">${esc(t.source)} · ${period} · value of time $${s.valueOfTimeUsdPerHour}/h · max keep-alive ${formatDuration(s.maxKeepAliveMs)} · anchor ${s.keepAliveAnchor} · generated ${generatedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC</p>
<div class="cards">${cards.map(([k, v, d]) => `<div class="card"><div class="k">${k}</div><div class="v">${v}</div><div class="d">${d}</div></div>`).join('')}</div>
<section><h2>Total cost per policy</h2>
<p class="note">Solid: idle retention cost; light: cold starts (billed start-up + waiting at $${s.valueOfTimeUsdPerHour}/h). Ratio to the offline optimum on the right.</p>
${totalCostChart(policies)}</section>
<section><h2>Idle cost against cold starts</h2>
<p class="note">Each point is a policy. The dashed line joins the fixed keep-alives (none, then longer and longer): the trade-off a single number can buy. Below and left of it is better on both axes.</p>
${tradeOffChart(policies)}
<div class="legend"><span style="--c:${COLORS.fixed}">fixed keep-alive</span><span style="--c:${COLORS.adaptive}">adaptive</span><span style="--c:${COLORS.other}">other baselines</span><span style="--c:${COLORS.oracle}">oracle</span></div></section>
<section><h2>Results</h2><p class="note">Best first. Extra wait = Σ (cold − warm start-up) over cold starts. API calls = DescribeTrainingJob + UpdateTrainingJob made by decisions after a job ends; for a service row, every SageMaker call the steward made (the intake's describes, the check after each update, the look after expiry).</p>
<div class="scroll">${resultsTable(policies)}</div></section>
<section><h2>Idle time of warm pools</h2><p class="note">Pools per idle time (from the job's end to reuse, release or expiry). The pale first bar counts pools that idled 0 s.</p>
<div class="grid">${policies.map(idleHistogram).join('')}</div></section>
<section><h2>Total cost per team</h2><p class="note">Idle time is charged to the team whose job left the pool, cold starts to the team whose job waited. Green: the cheapest online policy for the team.</p>
${teamTable(policies)}</section>
<section><h2>Settings and cost model</h2>${settingsList(result)}
<pre>idle instance-seconds = Σ over pools (min(expiry, reuse time) − job end) × instance count
idle $                = Σ idle instance-seconds × price per instance-hour / 3600
cold billed $         = Σ over cold starts ${s.coldStartBilledSeconds} s × instance count × price / 3600
wait $                = Σ over cold starts (cold − warm start-up of the job's input mode) × $${s.valueOfTimeUsdPerHour} / 3600
total $               = idle $ + cold billed $ + wait $          (a job that reuses a pool adds nothing)</pre>
${t.warnings.length > 0 ? `<p class="note">Warnings: ${t.warnings.map(esc).join('<br>')}</p>` : ''}
</section>
</main></body></html>
`;
}

export { renderReport };
