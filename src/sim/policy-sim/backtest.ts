import { hourlyPrice } from '../../domain/pricing/price-table.js';
import type { Trace } from '../trace/trace.js';
import { START_LATENCY_S, tracePrices } from './cost-model.js';
import { runPolicy } from './engine.js';
import type { PolicyResult } from './metrics.js';
import { runOracle } from './oracle.js';
import type { PolicySpec } from './policies.js';
import type { SimRunSettings } from './sim-policy.js';

/** One policy's result with its ratio to the oracle (null when the oracle pays 0 and it does not). */
interface RankedResult extends PolicyResult {
  readonly ratioToOracle: number | null;
  /** The keep-alive of `none`/`fixed:` policies, for the report's Pareto line. */
  readonly fixedMs?: number;
}

interface TraceSummary {
  readonly source: string;
  readonly jobs: number;
  readonly keys: number;
  readonly teams: number;
  readonly instanceTypes: number;
  readonly firstSubmit: string | null;
  readonly lastSubmit: string | null;
  readonly warnings: readonly string[];
}

interface BacktestResult {
  readonly trace: TraceSummary;
  readonly settings: SimRunSettings;
  /** USD per instance-hour used for each instance type, and where it came from. */
  readonly prices: Readonly<Record<string, { usdPerHour: number; source: string }>>;
  /** Best (lowest total cost) first; ties by name. */
  readonly policies: readonly RankedResult[];
  readonly oracleTotalCostUsd: number;
  /** A quota is set, and the oracle ignores it. */
  readonly oracleIgnoresQuota: boolean;
}

interface BacktestOptions {
  /** Progress over all policies: `done` of `total` simulated jobs. */
  readonly onProgress?: (done: number, total: number) => void;
}

function summarise(trace: Trace): TraceSummary {
  const keys = new Set<string>();
  const teams = new Set<string>();
  const types = new Set<string>();
  for (const job of trace.jobs) {
    keys.add(job.key);
    if (job.team !== undefined) teams.add(job.team);
    types.add(job.instanceType);
  }
  const first = trace.jobs[0];
  const last = trace.jobs[trace.jobs.length - 1];
  return {
    source: trace.source,
    jobs: trace.jobs.length,
    keys: keys.size,
    teams: teams.size,
    instanceTypes: types.size,
    firstSubmit: first === undefined ? null : new Date(first.submitTime).toISOString(),
    lastSubmit: last === undefined ? null : new Date(last.submitTime).toISOString(),
    warnings: trace.warnings,
  };
}

/**
 * Every policy of `specs` over the trace, plus the oracle for the ratios (reported only when
 * listed). Throws when an instance type has no price.
 *
 * @example runBacktest(trace, parsed.specs, settings).policies[0].name // the cheapest
 */
function runBacktest(
  trace: Trace,
  specs: readonly PolicySpec[],
  settings: SimRunSettings,
  options: BacktestOptions = {}
): BacktestResult {
  const prices = tracePrices(trace, settings.prices);
  const runs = specs.some((s) => s.kind === 'oracle') ? specs.length : specs.length + 1;
  const total = runs * trace.jobs.length;
  let offset = 0;
  const progress = (done: number) => options.onProgress?.(offset + done, total);
  const run = { prices, onProgress: progress };

  const oracle = runOracle(trace, settings, run);
  offset += trace.jobs.length;
  const results: RankedResult[] = [];
  for (const spec of specs) {
    if (spec.kind === 'oracle') {
      results.push(rank({ ...oracle, name: spec.name }, oracle.totalCostUsd));
      continue;
    }
    const result = runPolicy(trace, spec.create(settings, prices), settings, run);
    offset += trace.jobs.length;
    const ranked = rank({ ...result, name: spec.name }, oracle.totalCostUsd);
    results.push(spec.fixedMs === undefined ? ranked : { ...ranked, fixedMs: spec.fixedMs });
  }
  results.sort((a, b) => a.totalCostUsd - b.totalCostUsd || (a.name < b.name ? -1 : 1));
  const priceTable: Record<string, { usdPerHour: number; source: string }> = {};
  for (const type of [...prices.keys()].sort()) {
    const price = hourlyPrice(type, settings.prices);
    if (price !== undefined)
      priceTable[type] = { usdPerHour: price.usdPerHour, source: price.source };
  }
  return {
    trace: summarise(trace),
    settings,
    prices: priceTable,
    policies: results,
    oracleTotalCostUsd: oracle.totalCostUsd,
    oracleIgnoresQuota: Object.keys(settings.quota).length > 0,
  };
}

function rank(result: PolicyResult, oracleTotal: number): RankedResult {
  let ratio: number | null;
  if (oracleTotal > 0) ratio = result.totalCostUsd / oracleTotal;
  else ratio = result.totalCostUsd === 0 ? 1 : null;
  return { ...result, ratioToOracle: ratio };
}

/**
 * The documented `--json` document: `{trace, settings, policies: [{name, jobs, coldStarts,
 * warmStarts, waitSeconds, idleInstanceSeconds, idleCostUsd, totalCostUsd, ratioToOracle,
 * apiCalls}]}`, keys in this order.
 *
 * @example JSON.stringify(backtestJson(result))
 */
function backtestJson(result: BacktestResult) {
  const s = result.settings;
  return {
    trace: result.trace,
    settings: {
      valueOfTimeUsdPerHour: s.valueOfTimeUsdPerHour,
      coldStartBilledSeconds: s.coldStartBilledSeconds,
      maxKeepAliveSeconds: s.maxKeepAliveMs / 1000,
      anchor: s.keepAliveAnchor,
      safetyMarginSeconds: s.safetyMarginMs / 1000,
      leadTimeSeconds: s.leadTimeMs / 1000,
      latency: s.latency.kind === 'p90' ? 'p90' : `seeded:${s.latency.seed}`,
      startLatencySeconds: START_LATENCY_S,
      quota: s.quota,
      oracleIgnoresQuota: result.oracleIgnoresQuota,
      prices: result.prices,
    },
    policies: result.policies.map((p) => ({
      name: p.name,
      jobs: p.jobs,
      coldStarts: p.coldStarts,
      warmStarts: p.warmStarts,
      waitSeconds: p.waitSeconds,
      idleInstanceSeconds: p.idleInstanceSeconds,
      idleCostUsd: p.idleCostUsd,
      totalCostUsd: p.totalCostUsd,
      ratioToOracle: p.ratioToOracle,
      apiCalls: p.apiCalls,
    })),
  };
}

export type { BacktestOptions, BacktestResult, RankedResult, TraceSummary };
export { backtestJson, runBacktest };
