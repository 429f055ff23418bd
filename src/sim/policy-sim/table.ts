import { formatDuration } from '../../domain/duration.js';
import type { BacktestResult, RankedResult } from './backtest.js';
import { int, ratio, tenths, usd } from './figures.js';

/** The human-readable result of `warden simulate`: settings, then one row per policy, best first. */

const percent = (part: number, whole: number): string =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)}%`;

interface Column {
  readonly title: string;
  readonly left?: boolean;
  readonly cell: (p: RankedResult, i: number) => string;
}

const COLUMNS: readonly Column[] = [
  { title: '#', cell: (_, i) => String(i + 1) },
  { title: 'policy', left: true, cell: (p) => p.name },
  { title: 'total', cell: (p) => usd(p.totalCostUsd) },
  { title: 'vs oracle', cell: (p) => ratio(p.ratioToOracle) },
  { title: 'cold starts', cell: (p) => `${int(p.coldStarts)} (${percent(p.coldStarts, p.jobs)})` },
  { title: 'wait h', cell: (p) => tenths(p.waitSeconds / 3600) },
  { title: 'idle inst-h', cell: (p) => tenths(p.idleInstanceSeconds / 3600) },
  { title: 'idle $', cell: (p) => usd(p.idleCostUsd) },
  { title: 'cold $', cell: (p) => usd(p.coldStartBilledUsd + p.waitCostUsd) },
  { title: 'API calls', cell: (p) => int(p.apiCalls) },
  { title: 'calls/pool', cell: (p) => (p.pools === 0 ? '–' : (p.apiCalls / p.pools).toFixed(2)) },
];

/**
 * The table `warden simulate` prints on stdout.
 *
 * @example process.stdout.write(renderTable(runBacktest(trace, specs, settings)))
 */
function renderTable(result: BacktestResult): string {
  const s = result.settings;
  const t = result.trace;
  const rows = result.policies.map((p, i) => COLUMNS.map((c) => c.cell(p, i)));
  const widths = COLUMNS.map((c, j) =>
    Math.max(c.title.length, ...rows.map((r) => (r[j] ?? '').length))
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, j) =>
        COLUMNS[j]?.left ? cell.padEnd(widths[j] ?? 0) : cell.padStart(widths[j] ?? 0)
      )
      .join('  ')
      .trimEnd();
  const out: string[] = [];
  const period =
    t.firstSubmit === null
      ? 'empty'
      : `${t.firstSubmit.slice(0, 10)} … ${t.lastSubmit?.slice(0, 10)}`;
  out.push(
    `trace ${t.source}: ${count(t.jobs, 'job')}, ${count(t.keys, 'match key')}, ${count(t.teams, 'team')}, ${period}`
  );
  out.push(
    `value of time $${s.valueOfTimeUsdPerHour}/h · cold start bills ${s.coldStartBilledSeconds} s · ` +
      `max keep-alive ${formatDuration(s.maxKeepAliveMs)} · anchor ${s.keepAliveAnchor} · ` +
      `latency ${s.latency.kind === 'p90' ? 'P90 constants' : `seeded:${s.latency.seed}`}`
  );
  const configured = s.policy?.settings;
  if (configured !== undefined) {
    // Under --config, adaptive decides with the config's wait, not each input mode's.
    out.push(
      `adaptive decides as the config's steward: cold-start wait ${configured.coldStartWaitSeconds} s (settings.coldStartWaitSeconds)`
    );
  }
  const quota = Object.entries(s.quota);
  if (quota.length > 0) {
    out.push(
      `warm-pool quota: ${quota.map(([k, v]) => `${k}=${v}`).join(', ')} (the oracle ignores it)`
    );
  }
  out.push('');
  out.push(line(COLUMNS.map((c) => c.title)));
  out.push(line(widths.map((w) => '─'.repeat(w))));
  for (const row of rows) out.push(line(row));
  out.push('');
  out.push(
    'total = idle $ + cold $; cold $ = per cold start (cold − warm start) × value of time + billed start-up seconds × instances × price'
  );
  const illustrative = Object.entries(result.prices)
    .filter(([, p]) => p.source === 'illustrative')
    .map(([type]) => type);
  if (illustrative.length > 0) {
    out.push(
      `prices: built-in illustrative list prices for ${illustrative.join(', ')}; set your own under "prices:" in --config`
    );
  }
  return `${out.join('\n')}\n`;
}

/** "1 job", "2,741 jobs". */
function count(n: number, noun: string): string {
  return `${int(n)} ${noun}${n === 1 ? '' : 's'}`;
}

export { count, renderTable };
