/**
 * A match key's history of gaps (a pool becoming Available → the next matching job starting),
 * summarised in a bounded, decayed histogram: the same few hundred bytes whether the key has
 * seen ten jobs or a million, so it fits one DynamoDB item and a million-job backtest alike.
 * Recent gaps weigh more (half-life `HALF_LIFE_MS`), because teams change how they work.
 */

/** Upper edges of the bins, seconds; a gap above the last edge is out of range (OOB). */
const BIN_EDGES_S = [
  15, 30, 60, 90, 120, 180, 240, 300, 420, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10_800,
  14_400, 21_600,
] as const;
const BINS = BIN_EDGES_S.length + 1;
const HALF_LIFE_MS = 7 * 24 * 3_600_000;

interface GapHistogram {
  /** Decayed count per bin; the last bin holds gaps above the last edge. */
  readonly weights: readonly number[];
  /** Decayed sum of gap seconds per bin (the mean gap within a bin is sum / weight). */
  readonly sums: readonly number[];
  /** Time of the newest observation; weights are as of then. */
  readonly updatedAt: number;
  /** Observations ever, undecayed (how much evidence there is). */
  readonly count: number;
  /**
   * Decayed counts by the UTC hour the gap began (the pool's job ending) and its length class
   * (short ≤ 10 min, medium ≤ 1 h, long): `hourly[hour * 3 + class]`. The end of a working
   * day or of a nightly batch shows here as hours whose gaps are long.
   */
  readonly hourly?: readonly number[];
}

/** Upper edges of the length classes of `hourly`, seconds. */
const CLASS_EDGES_S = [600, 3600] as const;
const CLASSES = CLASS_EDGES_S.length + 1;

function classOf(gapSeconds: number): number {
  let c = 0;
  while (c < CLASS_EDGES_S.length && gapSeconds > (CLASS_EDGES_S[c] as number)) c++;
  return c;
}

function hourOf(epochMs: number): number {
  return Math.floor((((epochMs % 86_400_000) + 86_400_000) % 86_400_000) / 3_600_000);
}

function emptyHistogram(): GapHistogram {
  return {
    weights: new Array(BINS).fill(0),
    sums: new Array(BINS).fill(0),
    updatedAt: 0,
    count: 0,
  };
}

function binOf(gapSeconds: number): number {
  for (let i = 0; i < BIN_EDGES_S.length; i++) {
    if (gapSeconds <= (BIN_EDGES_S[i] as number)) return i;
  }
  return BINS - 1;
}

function decayFactor(fromMs: number, toMs: number): number {
  return toMs <= fromMs ? 1 : 0.5 ** ((toMs - fromMs) / HALF_LIFE_MS);
}

/** A copy of `values` times `factor` (a plain loop: this runs once per gap of a backtest). */
function scaled(values: readonly number[], factor: number): number[] {
  const out = new Array<number>(values.length);
  for (let i = 0; i < values.length; i++) out[i] = (values[i] as number) * factor;
  return out;
}

/** The histogram after one more gap observed at `at` (epoch ms). Pure: returns a new value. */
function observeGap(history: GapHistogram, gapMs: number, at: number): GapHistogram {
  if (!Number.isFinite(gapMs) || gapMs < 0) return history;
  const factor = decayFactor(history.updatedAt, at);
  const weights = scaled(history.weights, factor);
  const sums = scaled(history.sums, factor);
  const gap = gapMs / 1000;
  const bin = binOf(gap);
  weights[bin] = (weights[bin] ?? 0) + 1;
  sums[bin] = (sums[bin] ?? 0) + gap;
  const hourly =
    history.hourly?.length === 24 * CLASSES
      ? scaled(history.hourly, factor)
      : new Array(24 * CLASSES).fill(0);
  const slot = hourOf(at - gapMs) * CLASSES + classOf(gap);
  hourly[slot] = (hourly[slot] ?? 0) + 1;
  return {
    weights,
    sums,
    updatedAt: Math.max(at, history.updatedAt),
    count: history.count + 1,
    hourly,
  };
}

/** Decayed weight of all observations. */
function totalWeight(history: GapHistogram): number {
  let total = 0;
  for (const w of history.weights) total += w;
  return total;
}

/** Is `value` a well-formed histogram (store and trace input are untrusted)? */
function isGapHistogram(value: unknown): value is GapHistogram {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  const numbers = (v: unknown, length: number) =>
    Array.isArray(v) && v.length === length && v.every((n) => typeof n === 'number' && n >= 0);
  return (
    numbers(h.weights, BINS) &&
    numbers(h.sums, BINS) &&
    (h.hourly === undefined || numbers(h.hourly, 24 * CLASSES)) &&
    typeof h.updatedAt === 'number' &&
    typeof h.count === 'number'
  );
}

export type { GapHistogram };
export {
  BIN_EDGES_S,
  BINS,
  binOf,
  CLASS_EDGES_S,
  CLASSES,
  classOf,
  decayFactor,
  emptyHistogram,
  HALF_LIFE_MS,
  hourOf,
  isGapHistogram,
  observeGap,
  totalWeight,
};
