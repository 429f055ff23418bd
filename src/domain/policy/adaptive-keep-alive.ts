import { BIN_EDGES_S, BINS, decayFactor, type GapHistogram } from './gap-history.js';

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

/** Fewer decayed observations than this and the history says too little: use break-even. */
const MIN_EVIDENCE = 3;

/** Break-even keep-alive T* = B / r, in ms (infinite when keeping is free). */
function breakEvenMs(costs: KeepAliveCosts): number {
  return costs.ratePerSecond <= 0
    ? Number.POSITIVE_INFINITY
    : (costs.penaltyUsd / costs.ratePerSecond) * 1000;
}

function chooseKeepAlive(
  history: GapHistogram,
  now: number,
  idleMs: number,
  maxMs: number,
  costs: KeepAliveCosts
): KeepAliveChoice {
  const idle = Math.max(0, idleMs) / 1000;
  const max = Math.max(idle, maxMs / 1000);
  const r = costs.ratePerSecond;
  const B = costs.penaltyUsd;

  // Weights as of now: an old history counts for less, so a change of habit shows quickly.
  const decay = decayFactor(history.updatedAt, now);
  let evidence = 0;
  const weights: number[] = new Array(BINS).fill(0);
  const means: number[] = new Array(BINS).fill(0);
  for (let b = 0; b < BINS; b++) {
    const w = (history.weights[b] ?? 0) * decay;
    const lower = b === 0 ? 0 : (BIN_EDGES_S[b - 1] as number);
    const upper = b < BIN_EDGES_S.length ? (BIN_EDGES_S[b] as number) : Number.POSITIVE_INFINITY;
    // Only gaps still possible count: a pool idle for `idle` has outlived every shorter gap.
    if (upper <= idle) continue;
    const mean =
      w > 0
        ? (history.sums[b] ?? 0) / (history.weights[b] ?? 1)
        : (lower + Math.min(upper, lower * 2 + 60)) / 2;
    // A bin straddling `idle` keeps the part above it; its mean is at least `idle`.
    const share = lower < idle ? (upper - idle) / (upper - lower) : 1;
    weights[b] = w * share;
    means[b] = Math.max(mean, idle);
    evidence += weights[b] as number;
  }

  if (evidence < MIN_EVIDENCE) {
    const breakEven = Math.min(max, Math.max(idle, breakEvenMs(costs) / 1000));
    return { keepAliveMs: breakEven * 1000, expectedUsd: B, catchShare: 0, basis: 'break-even' };
  }

  // Sweep candidate keep-alives in increasing order: bins at or below k are caught (paid by idle
  // time until they arrive); the rest pay the wait until k plus the cold start.
  let caughtIdleUsd = 0;
  let caughtWeight = 0;
  let best = { k: idle, cost: evidence * B, caught: 0 };
  for (let b = 0; b < BINS; b++) {
    const upper = b < BIN_EDGES_S.length ? (BIN_EDGES_S[b] as number) : Number.POSITIVE_INFINITY;
    if (upper <= idle) continue;
    if (upper > max) break;
    caughtIdleUsd += (weights[b] as number) * r * ((means[b] as number) - idle);
    caughtWeight += weights[b] as number;
    const missed = evidence - caughtWeight;
    const cost = caughtIdleUsd + missed * (r * (upper - idle) + B);
    if (cost < best.cost) best = { k: upper, cost, caught: caughtWeight };
  }
  return {
    keepAliveMs: best.k * 1000,
    expectedUsd: best.cost / evidence,
    catchShare: best.caught / evidence,
    basis: 'history',
  };
}

export type { KeepAliveChoice, KeepAliveCosts };
export { breakEvenMs, chooseKeepAlive, MIN_EVIDENCE };
