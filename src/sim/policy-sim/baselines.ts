import type { TraceJob } from '../trace/trace.js';
import { coldStartPenalty, idleRate } from './cost-model.js';
import type { SimPolicy, SimRunSettings } from './sim-policy.js';

/**
 * The baselines `warden simulate` compares against. Each only chooses the keep-alive a job is
 * submitted with, as a user or a platform default would: no decisions later, no API calls.
 */

/** Every job submitted with the same keep-alive (`none` is `fixed:0`). */
function fixedPolicy(name: string, keepAliveMs: number): SimPolicy {
  return { name, keepAliveAtSubmit: () => keepAliveMs };
}

/** Each job's own `keep_alive_s`; a job without one keeps no pool. */
function requestedPolicy(name: string): SimPolicy {
  return { name, keepAliveAtSubmit: (job) => job.keepAliveMs ?? 0 };
}

/**
 * Ski rental's deterministic answer: keep the pool for T* = B / r, the time after which keeping
 * it has cost as much as one cold start, clipped to the maximum.
 */
function breakevenPolicy(
  name: string,
  settings: SimRunSettings,
  prices: ReadonlyMap<string, number>
): SimPolicy {
  return {
    name,
    keepAliveAtSubmit: (job) => {
      const usdPerHour = prices.get(job.instanceType) ?? Number.NaN;
      const seconds = coldStartPenalty(job, usdPerHour, settings) / idleRate(job, usdPerHour);
      return Math.min(seconds * 1000, settings.maxKeepAliveMs);
    },
  };
}

/** Histogram bins of one minute over four hours; longer idle times are out of bounds. */
const HISTOGRAM_BIN_MS = 60_000;
const HISTOGRAM_BINS = 240;
const HISTOGRAM_RANGE_MS = HISTOGRAM_BIN_MS * HISTOGRAM_BINS;
/** Fewer idle times than this, and the histogram is not trusted. */
const HISTOGRAM_MIN_SAMPLES = 10;
/** Below this coefficient of variation of the bin counts the histogram is not representative. */
const HISTOGRAM_MIN_CV = 2;
/** More out-of-bounds idle times than this share: the paper's ARIMA branch (left out here). */
const HISTOGRAM_OOB_SHARE = 0.5;
const HISTOGRAM_PERCENTILE = 0.99;

/** One key's idle-time histogram, kept incrementally so a decision costs one 240-bin scan. */
class KeyHistogram {
  readonly counts = new Uint32Array(HISTOGRAM_BINS);
  inBounds = 0;
  outOfBounds = 0;
  sumSquares = 0;
  /** The latest end of a job of this key so far. */
  lastEnd = Number.NEGATIVE_INFINITY;

  observe(idleMs: number): void {
    if (idleMs >= HISTOGRAM_RANGE_MS) {
      this.outOfBounds += 1;
      return;
    }
    const bin = Math.floor(idleMs / HISTOGRAM_BIN_MS);
    const c = this.counts[bin] ?? 0;
    this.sumSquares += 2 * c + 1;
    this.counts[bin] = c + 1;
    this.inBounds += 1;
  }

  /**
   * Whether the population coefficient of variation of the 240 bin counts is below `limit`.
   * CV < k  ⇔  Σc²/B − (n/B)² < k²(n/B)²  ⇔  B·Σc² < (k² + 1)·n², all integers, so the test is
   * exact: floating std/mean puts a CV of exactly 2 at 1.9999999999999996 and on the wrong side.
   * Doubles hold these products exactly while 240·n² < 2⁵³, n up to 6 million per key.
   */
  cvBelow(limit: number): boolean {
    if (this.inBounds === 0) return true;
    return HISTOGRAM_BINS * this.sumSquares < (limit * limit + 1) * this.inBounds * this.inBounds;
  }

  /** Upper edge of the bin holding the percentile of the in-bounds idle times, ms. */
  percentileMs(p: number): number {
    const wanted = p * this.inBounds;
    let seen = 0;
    for (let bin = 0; bin < HISTOGRAM_BINS; bin++) {
      seen += this.counts[bin] ?? 0;
      if (seen >= wanted) return (bin + 1) * HISTOGRAM_BIN_MS;
    }
    return HISTOGRAM_RANGE_MS;
  }
}

/**
 * The hybrid histogram policy of Shahrad et al. ("Serverless in the Wild", ATC 2020), per key:
 *
 * - idle time (IT) = a job's submit − the latest end of a job of its key before it, when > 0;
 *   the IT ending at a submit is counted before that job's keep-alive is chosen;
 * - 1-minute bins over 4 h; an IT ≥ 4 h is out of bounds (OOB);
 * - keep-alive = the 99th percentile of the in-bounds ITs (upper bin edge) + 10 %, clipped to the
 *   maximum;
 * - fallback to a keep-alive of the whole range (4 h, clipped to the maximum) when the key has
 *   fewer than 10 ITs, when the bin counts' coefficient of variation is below 2, or when more
 *   than half of the ITs are OOB (the paper's ARIMA branch, left out here);
 * - the pre-warm window does not apply: a warm pool released early cannot be brought back.
 */
function histogramPolicy(name: string, settings: SimRunSettings): SimPolicy {
  const keys = new Map<string, KeyHistogram>();
  const histogramOf = (job: TraceJob): KeyHistogram => {
    let h = keys.get(job.key);
    if (h === undefined) {
      h = new KeyHistogram();
      keys.set(job.key, h);
    }
    return h;
  };
  const fallback = Math.min(HISTOGRAM_RANGE_MS, settings.maxKeepAliveMs);
  return {
    name,
    observeArrival: (job, now) => {
      const h = histogramOf(job);
      const idle = now - h.lastEnd;
      if (idle > 0 && Number.isFinite(idle)) h.observe(idle);
    },
    observeEnd: (job, now) => {
      const h = histogramOf(job);
      if (now > h.lastEnd) h.lastEnd = now;
    },
    keepAliveAtSubmit: (job) => {
      const h = histogramOf(job);
      const samples = h.inBounds + h.outOfBounds;
      if (
        samples < HISTOGRAM_MIN_SAMPLES ||
        h.outOfBounds > HISTOGRAM_OOB_SHARE * samples ||
        h.cvBelow(HISTOGRAM_MIN_CV)
      ) {
        return fallback;
      }
      // × 11 / 10 rather than × 1.1, so a whole-minute edge stays a whole number of seconds.
      const keepAlive = (h.percentileMs(HISTOGRAM_PERCENTILE) * 11) / 10;
      return Math.min(keepAlive, settings.maxKeepAliveMs);
    },
  };
}

export { breakevenPolicy, fixedPolicy, histogramPolicy, requestedPolicy };
