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

/** A histogram the backtest owns and updates in place with {@link addGap}. */
interface LiveGapHistogram {
  weights: number[];
  sums: number[];
  updatedAt: number;
  count: number;
  hourly?: number[];
}

/** A copy that {@link addGap} may change without touching the original. */
function copyHistogram(history: GapHistogram): LiveGapHistogram {
  const copy: LiveGapHistogram = {
    weights: history.weights.slice(),
    sums: history.sums.slice(),
    updatedAt: history.updatedAt,
    count: history.count,
  };
  if (history.hourly?.length === 24 * CLASSES) copy.hourly = history.hourly.slice();
  return copy;
}

function scaleInPlace(values: number[], factor: number): void {
  for (let i = 0; i < values.length; i++) values[i] = (values[i] as number) * factor;
}

/**
 * One more gap observed at `at` (epoch ms), in place: decays what is there to `at`, then counts
 * the gap. A million-job backtest adds gaps this way, without a copy per gap; `observeGap` is
 * the same arithmetic on a copy. Returns false (and changes nothing) for a gap that is no gap.
 * `byHour` false keeps no hour-of-day counts (a histogram read without them saves their upkeep).
 */
function addGap(history: LiveGapHistogram, gapMs: number, at: number, byHour = true): boolean {
  if (!Number.isFinite(gapMs) || gapMs < 0) return false;
  const factor = decayFactor(history.updatedAt, at);
  if (factor !== 1) {
    scaleInPlace(history.weights, factor);
    scaleInPlace(history.sums, factor);
  }
  const gap = gapMs / 1000;
  const bin = binOf(gap);
  history.weights[bin] = (history.weights[bin] ?? 0) + 1;
  history.sums[bin] = (history.sums[bin] ?? 0) + gap;
  let hourly = history.hourly;
  if (hourly?.length === 24 * CLASSES) {
    if (factor !== 1) scaleInPlace(hourly, factor);
  } else if (byHour) hourly = history.hourly = new Array<number>(24 * CLASSES).fill(0);
  if (hourly !== undefined) {
    const slot = hourOf(at - gapMs) * CLASSES + classOf(gap);
    hourly[slot] = (hourly[slot] ?? 0) + 1;
  }
  history.updatedAt = Math.max(at, history.updatedAt);
  history.count += 1;
  return true;
}

/** The histogram after one more gap observed at `at` (epoch ms). Pure: returns a new value. */
function observeGap(history: GapHistogram, gapMs: number, at: number, byHour = true): GapHistogram {
  const next = copyHistogram(history);
  return addGap(next, gapMs, at, byHour) ? next : history;
}

/** Decayed weight of all observations. */
function totalWeight(history: GapHistogram): number {
  let total = 0;
  for (const w of history.weights) total += w;
  return total;
}

/**
 * The largest count or sum a stored histogram may hold: far above any real one (a key with a
 * job every second holds under a million decayed observations), and low enough that the
 * keep-alive sums over it stay finite. JSON turns `1e400` into Infinity, which would make every
 * expected cost infinite and release every pool.
 */
const MAX_STORED_VALUE = 1e15;

function isStoredNumber(n: unknown): boolean {
  return typeof n === 'number' && n >= 0 && n <= MAX_STORED_VALUE;
}

/**
 * The latest time a Date can hold, ms: a stored time beyond it (JSON keeps `1e300`) is no time,
 * and as a histogram's `updatedAt` it would keep the histogram from ever decaying.
 */
const MAX_TIME_MS = 8.64e15;

function isStoredTime(n: unknown): n is number {
  return typeof n === 'number' && n >= -MAX_TIME_MS && n <= MAX_TIME_MS;
}

/** Is `value` a well-formed histogram (store and trace input are untrusted)? */
function isGapHistogram(value: unknown): value is GapHistogram {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  const numbers = (v: unknown, length: number) =>
    Array.isArray(v) && v.length === length && v.every(isStoredNumber);
  return (
    numbers(h.weights, BINS) &&
    numbers(h.sums, BINS) &&
    (h.hourly === undefined || numbers(h.hourly, 24 * CLASSES)) &&
    isStoredTime(h.updatedAt) &&
    isStoredNumber(h.count)
  );
}

export type { GapHistogram, LiveGapHistogram };
export {
  addGap,
  BIN_EDGES_S,
  BINS,
  binOf,
  CLASS_EDGES_S,
  CLASSES,
  classOf,
  copyHistogram,
  decayFactor,
  emptyHistogram,
  HALF_LIFE_MS,
  hourOf,
  isGapHistogram,
  isStoredNumber,
  isStoredTime,
  observeGap,
  totalWeight,
};
