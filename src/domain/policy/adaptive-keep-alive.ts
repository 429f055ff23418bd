import {
  BIN_EDGES_S,
  BINS,
  CLASSES,
  classOf,
  decayFactor,
  type GapHistogram,
  hourOf,
} from './gap-history.js';

/**
 * The cost-aware keep-alive of `reference/keepalive-policies.md` §6, on a decayed histogram and
 * conditional on how long the pool has already waited: ski rental with the gap distribution
 * learnt per match key instead of assumed adversarial.
 *
 * Keeping a pool costs `ratePerSecond` (instances × price) every second; letting it go costs
 * `penaltyUsd` (the wait valued at the admins' rate, plus the billed part of a cold start) when
 * the next job comes. For a pool idle for `idleMs` so far, the expected cost of keeping it until
 * `k` after its job ended, over the gaps g still possible (g > idle), is
 *
 *     C(k) = Σ_{idle < g ≤ k} w·r·(g − idle)  +  Σ_{g > k} w·(r·(k − idle) + B)
 *
 * minimised over k ∈ {idle} ∪ {bin edges up to the maximum}; k = idle means "release now".
 * Short of a release, no decision ends a pool sooner than the steward's safety margin, so a keep
 * between idle and idle + margin is not on offer: an edge below idle + margin stands for
 * idle + margin itself, priced as such (the maximum caps both).
 *
 * The weights w blend three sources of evidence, so a thin history neither paralyses nor
 * misleads the choice (empirical-Bayes shrinkage; no constant below was fitted to a trace):
 * - the key's own gaps, reweighted by what its gaps that began at this hour of the day looked
 *   like (the end of a working day or of a nightly batch);
 * - `PRIOR_WEIGHT` pseudo-gaps shaped like every key's gaps together, so a new key
 *   starts from how this organisation works rather than from nothing (for a pool behind a newer
 *   one of its key, shaped like the key's own gaps);
 * - `BREAK_EVEN_PRIOR_WEIGHT` pseudo-gap at the break-even time B / r, the minimax answer,
 *   so an unlucky history cannot push a cheap pool far from it.
 */

interface KeepAliveCosts {
  readonly ratePerSecond: number;
  readonly penaltyUsd: number;
}

interface KeepAliveChoice {
  /** Keep-alive measured from the job's end, ms. Equal to `idleMs` means release now. */
  readonly keepAliveMs: number;
  /** Expected cost of the choice per future gap, USD (for explanations). */
  readonly expectedUsd: number;
  /** Probability-weighted share of next jobs the choice catches warm. */
  readonly catchShare: number;
  /** How the choice was made, for the decision's reason. */
  readonly basis: 'history' | 'break-even';
}

// Module-local copies: in a million-job backtest every access to an imported binding counts.
const EDGES: readonly number[] = BIN_EDGES_S;
const NBINS = BINS;
const NCLASSES = CLASSES;

/** Fewer observations than this, all sources together, and the break-even rule decides. */
const MIN_EVIDENCE = 3;
/** Pseudo-observations lent by the broader history (see KeepAliveOptions): a few days of a quiet key. */
const PRIOR_WEIGHT = 8;
/** Pseudo-observations at the break-even time. */
const BREAK_EVEN_PRIOR_WEIGHT = 1;
/** How many observations an hour of the day needs before it outweighs the key's overall mix. */
const HOUR_PRIOR_STRENGTH = 2;
/** Neighbouring hours count this much: a day's end drifts by an hour. */
const NEIGHBOUR_HOUR_WEIGHT = 0.5;

/** Break-even keep-alive T* = B / r, in ms (infinite when keeping is free). */
function breakEvenMs(costs: KeepAliveCosts): number {
  return costs.ratePerSecond <= 0
    ? Number.POSITIVE_INFINITY
    : (costs.penaltyUsd / costs.ratePerSecond) * 1000;
}

/** Per-bin constants, computed once: the sweep below runs for every decision of a backtest. */
const UPPER: readonly number[] = Array.from({ length: NBINS }, (_, b) =>
  b < EDGES.length ? (EDGES[b] as number) : Number.POSITIVE_INFINITY
);
const LOWER: readonly number[] = Array.from({ length: NBINS }, (_, b) =>
  b === 0 ? 0 : (EDGES[b - 1] as number)
);
const CLASS_OF_BIN: readonly number[] = UPPER.map((upper) => classOf(upper));

function upperEdge(bin: number): number {
  return UPPER[bin] as number;
}

// Scratch space, reused by every call: chooseKeepAlive is synchronous and never re-entered, and
// a backtest calls it millions of times.
const PART = new Float64Array(NBINS);
const WEIGHTS = new Float64Array(NBINS);
const MEANS = new Float64Array(NBINS);
const OVERALL = new Float64Array(NCLASSES);
const LOCAL = new Float64Array(NCLASSES);
const BY_CLASS = new Float64Array(NCLASSES);
/** Hours around the gap's start that speak for it, and how much: a day's end drifts by an hour. */
const HOUR_OFFSETS = [0, -1, 1] as const;
const HOUR_WEIGHTS = [1, NEIGHBOUR_HOUR_WEIGHT, NEIGHBOUR_HOUR_WEIGHT] as const;

/** Weights and mean gaps per bin of the gaps still possible after `idle` seconds. */
class Evidence {
  readonly weights = WEIGHTS;
  readonly means = MEANS;
  total = 0;

  constructor(private readonly idle: number) {
    WEIGHTS.fill(0);
    MEANS.fill(0);
  }

  /**
   * Adds a histogram's possible gaps, decayed by `decay`, scaled so that they sum to `scaleTo`
   * (or as they are), each length class weighted by `byClass` when given.
   */
  add(history: GapHistogram, decay: number, scaleTo?: number, byClass?: Float64Array): void {
    const part = PART;
    part.fill(0);
    let sum = 0;
    for (let b = 0; b < NBINS; b++) {
      const upper = UPPER[b] as number;
      if (upper <= this.idle) continue;
      const lower = LOWER[b] as number;
      // A bin straddling `idle` keeps the part above it; the open last bin keeps all of it.
      const share =
        lower < this.idle && upper !== Number.POSITIVE_INFINITY
          ? (upper - this.idle) / (upper - lower)
          : 1;
      const scale = byClass === undefined ? 1 : (byClass[CLASS_OF_BIN[b] as number] as number);
      const w = (history.weights[b] ?? 0) * decay * share * scale;
      part[b] = w;
      sum += w;
    }
    if (sum <= 0) return;
    const factor = scaleTo === undefined ? 1 : scaleTo / sum;
    for (let b = 0; b < NBINS; b++) {
      const w = (part[b] as number) * factor;
      if (w <= 0) continue;
      const raw = history.weights[b] ?? 0;
      const mean = Math.max(this.idle, raw > 0 ? (history.sums[b] ?? 0) / raw : upperEdge(b));
      this.addPoint(b, w, mean);
    }
  }

  addPoint(bin: number, weight: number, mean: number): void {
    const before = this.weights[bin] as number;
    this.means[bin] = (before * (this.means[bin] as number) + weight * mean) / (before + weight);
    this.weights[bin] = before + weight;
    this.total += weight;
  }
}

/**
 * How much more (or less) likely each length class is for gaps that begin at this hour than
 * for the key's gaps overall (into a scratch array); undefined without hourly data.
 */
function hourScaling(
  history: GapHistogram,
  decay: number,
  endTime: number
): Float64Array | undefined {
  const hourly = history.hourly;
  if (hourly === undefined || hourly.length !== 24 * NCLASSES) return undefined;
  const overall = OVERALL;
  overall.fill(0);
  let total = 0;
  for (let b = 0; b < NBINS; b++) {
    const mass = (history.weights[b] ?? 0) * decay;
    const c = CLASS_OF_BIN[b] as number;
    overall[c] = (overall[c] as number) + mass;
    total += mass;
  }
  if (total <= 0) return undefined;
  const hour = hourOf(endTime);
  const local = LOCAL;
  local.fill(0);
  let localTotal = 0;
  for (let i = 0; i < HOUR_OFFSETS.length; i++) {
    const h = (hour + (HOUR_OFFSETS[i] as number) + 24) % 24;
    const weight = (HOUR_WEIGHTS[i] as number) * decay;
    for (let c = 0; c < NCLASSES; c++) {
      const mass = weight * (hourly[h * NCLASSES + c] ?? 0);
      local[c] = (local[c] as number) + mass;
      localTotal += mass;
    }
  }
  const byClass = BY_CLASS;
  for (let c = 0; c < NCLASSES; c++) {
    const p = (overall[c] as number) / total;
    const q = ((local[c] as number) + HOUR_PRIOR_STRENGTH * p) / (localTotal + HOUR_PRIOR_STRENGTH);
    byClass[c] = p > 0 ? q / p : 1;
  }
  return byClass;
}

/**
 * Evidence beyond the key's own history, none by default so the formula stays plain, and the
 * shortest keep the steward can set.
 */
interface KeepAliveOptions {
  /**
   * A broader history lent as `PRIOR_WEIGHT` pseudo-observations: every key's gaps
   * together, or for a shadowed pool (decided on its key's shadow histogram) the key's own.
   */
  readonly broader?: GapHistogram;
  /** Pseudo-observations at the break-even time (`BREAK_EVEN_PRIOR_WEIGHT` in the engine). */
  readonly breakEvenWeight?: number;
  /**
   * The safety margin, ms: short of a release, a pool is kept at least this long from the
   * decision, whatever the choice; 0 by default.
   */
  readonly shortestKeepMs?: number;
  /**
   * Pseudo-observations of a next job that never comes, as a share of the history's own
   * (decayed) weight: for a history of only some of the ways the next job may come.
   */
  readonly neverShare?: number;
  /**
   * Reweight the history by what its gaps that began at this hour looked like (default true).
   * A chain's gaps follow from its jobs, not from the clock.
   */
  readonly byHourOfDay?: boolean;
}

function chooseKeepAlive(
  history: GapHistogram,
  now: number,
  idleMs: number,
  maxMs: number,
  costs: KeepAliveCosts,
  options: KeepAliveOptions = {}
): KeepAliveChoice {
  const {
    broader,
    breakEvenWeight = 0,
    shortestKeepMs = 0,
    neverShare = 0,
    byHourOfDay = true,
  } = options;
  const idle = Math.max(0, idleMs) / 1000;
  const max = Math.max(idle, maxMs / 1000);
  // The margin lifts a keep only as far as the maximum, so the maximum is always on offer.
  const shortest = Math.min(max, idle + shortestKeepMs / 1000);
  const r = costs.ratePerSecond;
  const B = costs.penaltyUsd;
  const breakEven = breakEvenMs(costs) / 1000;

  // One decay factor per histogram and decision: it is a power, and the sums below use it often.
  const decay = decayFactor(history.updatedAt, now);
  const evidence = new Evidence(idle);
  const byHour = byHourOfDay ? hourScaling(history, decay, now - Math.max(0, idleMs)) : undefined;
  evidence.add(history, decay, undefined, byHour);
  if (neverShare > 0) {
    let own = 0;
    for (const w of history.weights) own += w * decay;
    // Beyond every edge, so never caught: it pays the keep and the cold start alike.
    if (own > 0) evidence.addPoint(NBINS - 1, own * neverShare, LOWER[NBINS - 1] as number);
  }
  if (broader !== undefined) {
    evidence.add(broader, decayFactor(broader.updatedAt, now), PRIOR_WEIGHT);
  }
  const anchor = Math.min(max, breakEven);
  if (anchor > idle && breakEvenWeight > 0) {
    let bin = 0;
    while (bin < EDGES.length && upperEdge(bin) < anchor) bin++;
    evidence.addPoint(bin, breakEvenWeight, anchor);
  }

  const total = evidence.total;
  // Thin evidence (the key's decayed observations plus the broader prior): the break-even
  // rule. Ample evidence but no gap left this long: nobody is coming, release now.
  let seen = broader === undefined ? 0 : Math.min(broader.count, PRIOR_WEIGHT);
  const weights = history.weights;
  for (let b = 0; b < weights.length; b++) seen += (weights[b] as number) * decay;
  if (seen < MIN_EVIDENCE - 1e-3) {
    // When what is left of break-even is shorter than the shortest keep on offer, keeping would
    // cost more than the cold start it may save: break-even says release.
    const wanted = Math.min(max, Math.max(idle, breakEven));
    const keep = breakEven > idle && breakEven < shortest ? idle : wanted;
    return { keepAliveMs: keep * 1000, expectedUsd: B, catchShare: 0, basis: 'break-even' };
  }
  if (total <= 0) {
    return { keepAliveMs: idle * 1000, expectedUsd: B, catchShare: 0, basis: 'history' };
  }

  // Sweep candidate keep-alives in increasing order: bins at or below k are caught (paid by idle
  // time until they arrive); the rest pay the wait until k plus the cold start.
  let caughtIdleUsd = 0;
  let caughtWeight = 0;
  let bestK = idle;
  let bestCost = total * B;
  let bestCaught = 0;
  for (let b = 0; b < NBINS; b++) {
    const upper = upperEdge(b);
    if (upper <= idle) continue;
    if (upper > max) break;
    const w = evidence.weights[b] as number;
    caughtIdleUsd += w * r * ((evidence.means[b] as number) - idle);
    caughtWeight += w;
    // An edge below the shortest keep stands for the shortest keep itself, which catches at
    // least the bins up to that edge (a straddled bin counts as missed: an upper bound).
    const k = Math.max(upper, shortest);
    const cost = caughtIdleUsd + (total - caughtWeight) * (r * (k - idle) + B);
    if (cost < bestCost) {
      bestK = k;
      bestCost = cost;
      bestCaught = caughtWeight;
    }
  }
  return {
    keepAliveMs: bestK * 1000,
    expectedUsd: bestCost / total,
    catchShare: bestCaught / total,
    basis: 'history',
  };
}

export type { KeepAliveChoice, KeepAliveCosts, KeepAliveOptions };
export {
  BREAK_EVEN_PRIOR_WEIGHT,
  breakEvenMs,
  chooseKeepAlive,
  HOUR_PRIOR_STRENGTH,
  MIN_EVIDENCE,
  PRIOR_WEIGHT,
};
