import type { WardenConfig } from '../../domain/config/warden-config.js';
import type { Log } from '../../domain/ports/log.js';
import type { BacktestResult, RankedResult } from '../policy-sim/backtest.js';
import { runBacktest } from '../policy-sim/backtest.js';
import { tracePrices } from '../policy-sim/cost-model.js';
import type { PolicySpec } from '../policy-sim/policies.js';
import type { SimRunSettings } from '../policy-sim/sim-policy.js';
import type { Trace } from '../trace/trace.js';
import { runServiceMode, type ServiceModeResult } from './service-mode.js';

interface ServiceBacktestOptions {
  readonly config?: WardenConfig;
  readonly outboxDir?: string;
  /** Progress of the policy-mode runs (baselines, oracle), then of the service run. */
  readonly onPolicyProgress?: (done: number, total: number) => void;
  readonly onServiceProgress?: (done: number, total: number) => void;
  readonly log?: Log;
}

interface ServiceBacktest {
  /** The policy-mode table with the service row ranked among its rows. */
  readonly backtest: BacktestResult;
  readonly service: ServiceModeResult;
}

/**
 * `warden simulate --mode service`: the policy-mode runs of `specs` (baselines and the oracle,
 * for comparison) and the adaptive policy through service mode, as one more row of their table.
 *
 * @example (await runServiceBacktest(trace, specs, settings, {})).backtest.policies
 */
async function runServiceBacktest(
  trace: Trace,
  specs: readonly PolicySpec[],
  settings: SimRunSettings,
  options: ServiceBacktestOptions
): Promise<ServiceBacktest> {
  const backtest = runBacktest(
    trace,
    specs,
    settings,
    options.onPolicyProgress === undefined ? {} : { onProgress: options.onPolicyProgress }
  );
  const service = await runServiceMode(trace, {
    settings,
    prices: tracePrices(trace, settings.prices),
    ...(options.config === undefined ? {} : { config: options.config }),
    ...(options.outboxDir === undefined ? {} : { outboxDir: options.outboxDir }),
    ...(options.onServiceProgress === undefined ? {} : { onProgress: options.onServiceProgress }),
    ...(options.log === undefined ? {} : { log: options.log }),
  });
  return { backtest: withRow(backtest, service.result), service };
}

/** The table with one more row, ranked by total cost like the others. */
function withRow(result: BacktestResult, row: ServiceModeResult['result']): BacktestResult {
  const oracle = result.oracleTotalCostUsd;
  const ratioToOracle = oracle > 0 ? row.totalCostUsd / oracle : row.totalCostUsd === 0 ? 1 : null;
  const ranked: RankedResult = { ...row, ratioToOracle };
  const policies = [...result.policies, ranked].sort(
    (a, b) => a.totalCostUsd - b.totalCostUsd || (a.name < b.name ? -1 : 1)
  );
  return { ...result, policies };
}

export type { ServiceBacktest, ServiceBacktestOptions };
export { runServiceBacktest };
