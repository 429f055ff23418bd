import { WardenError } from '../../domain/errors.js';
import { hourlyPrice } from '../../domain/pricing/price-table.js';
import type { InputMode, Trace, TraceJob } from '../trace/trace.js';
import type { LatencyModel, SimRunSettings } from './sim-policy.js';

/**
 * The backtest's cost model, written so anyone can recompute it (README, "warden simulate"):
 *
 *   idle        = Σ pools (min(expiry, reuse) − end) × instanceCount          instance-seconds
 *   idleCost    = Σ pools idle × price / 3600
 *   coldBilled  = Σ cold starts coldStartBilledSeconds × instanceCount × price / 3600
 *   waitCost    = Σ cold starts (cold − warm start of the job's input mode) × valueOfTime / 3600
 *   total       = idleCost + coldBilled + waitCost
 *
 * A job that reuses a pool pays nothing extra, so a perfect policy only pays for idle time.
 */

/** Start-up latency, seconds: the P90s of AWS's warm-pool benchmark (DESIGN.md). */
const START_LATENCY_S: Readonly<
  Record<InputMode, { readonly cold: number; readonly warm: number }>
> = {
  fsx: { cold: 136, warm: 19 },
  ffm: { cold: 143, warm: 21 },
  file: { cold: 176, warm: 70 },
};

/** A job without an input mode is taken as File mode, the SageMaker default. */
const DEFAULT_INPUT_MODE: InputMode = 'file';

/** Spread of log(latency) in `seeded` mode; P90 = exp(μ + 1.2816 σ) = the constant. */
const SEEDED_SIGMA = 0.25;
const Z_90 = 1.281_551_565_545;

const DEFAULT_VALUE_OF_TIME = 100;
const DEFAULT_COLD_START_BILLED_SECONDS = 30;

function inputModeOf(job: TraceJob): InputMode {
  return job.inputMode ?? DEFAULT_INPUT_MODE;
}

/** The extra wait of a cold start over a warm one for the job's input mode, seconds (P90s). */
function coldExtraSeconds(job: TraceJob): number {
  const latency = START_LATENCY_S[inputModeOf(job)];
  return latency.cold - latency.warm;
}

/** USD per second of keeping a pool of this job's shape: r = instanceCount × price / 3600. */
function idleRate(job: TraceJob, usdPerHour: number): number {
  return (job.instanceCount * usdPerHour) / 3600;
}

/**
 * USD a cold start of `job` costs over a warm one: B = (cold − warm) × valueOfTime / 3600
 * + coldStartBilledSeconds × instanceCount × price / 3600.
 */
function coldStartPenalty(
  job: TraceJob,
  usdPerHour: number,
  settings: Pick<SimRunSettings, 'valueOfTimeUsdPerHour' | 'coldStartBilledSeconds'>
): number {
  return (
    (coldExtraSeconds(job) * settings.valueOfTimeUsdPerHour) / 3600 +
    (settings.coldStartBilledSeconds * job.instanceCount * usdPerHour) / 3600
  );
}

/**
 * USD per instance-hour of every instance type in the trace; throws one error naming every
 * type without a price (and a job line using it), since a guessed price would skew every ratio.
 *
 * @example tracePrices(trace, config.prices).get('ml.g5.xlarge') // 1.408
 */
function tracePrices(
  trace: Trace,
  overrides: Readonly<Record<string, number>>
): Map<string, number> {
  const prices = new Map<string, number>();
  // The first line of the file each unpriced type is on (jobs are in submit order, not line).
  const missing = new Map<string, number>();
  for (const job of trace.jobs) {
    const type = job.instanceType;
    if (prices.has(type)) continue;
    const line = missing.get(type);
    if (line !== undefined) {
      missing.set(type, Math.min(line, job.line ?? Number.POSITIVE_INFINITY));
      continue;
    }
    const price = hourlyPrice(type, overrides);
    if (price === undefined) missing.set(type, job.line ?? Number.POSITIVE_INFINITY);
    else prices.set(type, price.usdPerHour);
  }
  if (missing.size > 0) {
    const issues = [...missing].map(
      ([type, line]) =>
        `${trace.source}: instance type ${type}${Number.isFinite(line) ? ` (first at line ${line})` : ''} has no price`
    );
    throw new WardenError(
      'CONFIG_INVALID',
      `${issues.join('\n  ')}\n  add ${issues.length === 1 ? 'it' : 'them'} under "prices:" in a --config file (USD per instance-hour); the simulator does not guess prices`
    );
  }
  return prices;
}

/** Deterministic per-job uniform in (0, 1): the same job draws the same latency under every policy. */
function hashUniform(seed: number, index: number, salt: number): number {
  let z = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) + Math.imul(index, 0xc2b2ae35) + salt) >>> 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  z = (z ^ (z >>> 16)) >>> 0;
  return (z + 0.5) / 4_294_967_296;
}

/** Standard normal from two uniforms (Box–Muller). */
function normalOf(u1: number, u2: number): number {
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Start latency of a job in seconds, cold or warm. In `seeded` mode each job index draws its own
 * log-normal value with the P90 at the benchmark constant; the draw does not depend on the policy.
 */
function startLatencySeconds(
  model: LatencyModel,
  job: TraceJob,
  index: number,
  cold: boolean
): number {
  const p90 = START_LATENCY_S[inputModeOf(job)][cold ? 'cold' : 'warm'];
  if (model.kind === 'p90') return p90;
  const salt = cold ? 0x1b873593 : 0x68e31da4;
  const z = normalOf(hashUniform(model.seed, index, salt), hashUniform(model.seed, index, ~salt));
  return p90 * Math.exp(SEEDED_SIGMA * (z - Z_90));
}

export {
  coldExtraSeconds,
  coldStartPenalty,
  DEFAULT_COLD_START_BILLED_SECONDS,
  DEFAULT_INPUT_MODE,
  DEFAULT_VALUE_OF_TIME,
  idleRate,
  inputModeOf,
  SEEDED_SIGMA,
  START_LATENCY_S,
  startLatencySeconds,
  tracePrices,
};
