import { isOptional } from '../objects.js';
import {
  addGap,
  BIN_EDGES_S,
  BINS,
  copyHistogram,
  decayFactor,
  emptyHistogram,
  type GapHistogram,
  isGapHistogram,
  isStoredNumber,
  isStoredTime,
  type LiveGapHistogram,
} from './gap-history.js';

/**
 * Chains: a key whose jobs follow each other closer than a cold start (README "Chains").
 *
 * A job that starts cold ends Δ (cold − warm start-up) later than it would have warm. The next
 * job of a pipeline that submits it soon after the last one ended then arrives while that job
 * still runs: it misses that job's pool and starts cold too, and so on down the chain. Only an
 * older pool, kept about one job's length, can catch such a job (a *rescue*); the chain then
 * runs warm again. The key's ordinary gaps say none of this: in a cold chain they are whole jobs
 * long, and a single gap's cost-benefit never pays for keeping a pool that long.
 *
 * So this module learns, per key, from its arrivals, ends and whether each job started cold (a
 * link is measured from the end the predecessor would have had warm, so it is there whether the
 * chain ran warm or cold: a policy that lets chains go cold cannot teach itself that they do not
 * exist):
 * - `linked` / `arrivals`: how often a job arrives within Δ of the end its predecessor would
 *   have had warm (p);
 * - `warmGaps`: each job's gap from that warm end, the key's gaps as a warm chain has them;
 * - `rescues`: the gaps from an older end to a linked job that arrived while its predecessor
 *   still ran cold;
 * - which of the key's jobs run now, and whether each found no free pool (started cold).
 *
 * Only serial work counts: an arrival while two or more of the key's jobs run belongs to a
 * parallel sweep, where a cold start does not hold up the next job (another job's pool serves
 * it).
 */
interface ChainHistory {
  /** Decayed count of the key's serial arrivals (as of `updatedAt`). */
  readonly arrivals: number;
  /** Decayed count of those linked to the job before them. */
  readonly linked: number;
  readonly updatedAt: number;
  /** The latest cold end of the key's ended jobs: a serial arrival before it is linked. */
  readonly linkUntil?: number;
  /** Δ of the job that set `linkUntil`, ms. */
  readonly deltaMs?: number;
  /** The end of the key's latest job, and whether it started cold. */
  readonly lastEndAt?: number;
  readonly lastEndCold?: boolean;
  /** The key's newest serial arrivals, so a job's end can link those in its Δ. */
  readonly recent: readonly RecentArrival[];
  /** The key's running jobs, oldest first. */
  readonly running: readonly RunningJob[];
  /**
   * Jobs a pool named as its taker before their arrival was heard (events are not ordered),
   * oldest first: each started warm, whatever its arrival will see.
   */
  readonly warmTakers?: readonly WarmTaker[];
  readonly warmGaps: GapHistogram;
  readonly rescues: GapHistogram;
}

interface RecentArrival {
  readonly at: number;
  readonly linked: boolean;
  /** The gap the arrival closed, until its predecessor's end tells whether it was a rescue. */
  readonly gapMs?: number;
}

interface WarmTaker {
  readonly job: string;
  /** When the pool it took became free: its arrival came after. */
  readonly freedAt: number;
}

interface RunningJob {
  /** Creation time: the job's end names it by this. */
  readonly at: number;
  /** No pool of the key was free when it arrived. */
  readonly cold: boolean;
  /** Its name, when known: a pool that names it as the job that reused it settles `cold`. */
  readonly job?: string;
}

/** The backtest's in-place form (the store's is the readonly one). */
interface LiveChainHistory {
  arrivals: number;
  linked: number;
  updatedAt: number;
  linkUntil?: number;
  deltaMs?: number;
  lastEndAt?: number;
  lastEndCold?: boolean;
  recent: RecentArrival[];
  running: RunningJob[];
  warmTakers?: WarmTaker[];
  warmGaps: LiveGapHistogram;
  rescues: LiveGapHistogram;
}

/**
 * Arrivals and running jobs kept. A serial key has one job running and rarely more than a few
 * arriving within one Δ; a parallel one needs only to be seen as parallel. A job whose end never
 * comes (a lost event) drops out as newer ones arrive.
 */
const CHAIN_KEPT = 8;
/** Gaps an outlook needs before it speaks (as MIN_EVIDENCE for a key's own gaps). */
const MIN_CHAIN_GAPS = 3;
/**
 * The share of linked jobs from which the warm-end gaps weigh a pool too: below it a cold start
 * rarely holds up the next job, and a second opinion that may only lengthen a keep would merely
 * bias it long. (0.1 and 0.4 were tried as well; see the closing note of this change.)
 */
const MIN_LINKED_SHARE = 0.2;
/** SageMaker's longest training job (28 days): a job still "running" after it lost its end. */
const MAX_RUNTIME_MS = 28 * 24 * 3_600_000;
/**
 * The most cold starts one rescue is taken to save: a chain this long is valued by its end, not
 * its length, and an endless serial key (p near 1) would otherwise price a miss without bound.
 */
const MAX_COLD_STARTS_SAVED = 100;
/** SageMaker's longest training job name. */
const MAX_JOB_NAME = 63;

function newChainHistory(): LiveChainHistory {
  return {
    arrivals: 0,
    linked: 0,
    updatedAt: 0,
    recent: [],
    running: [],
    warmGaps: copyHistogram(emptyHistogram()),
    rescues: copyHistogram(emptyHistogram()),
  };
}

/** A copy the in-place functions may change without touching the original. */
function copyChainHistory(history: ChainHistory): LiveChainHistory {
  const { warmTakers, ...rest } = history;
  const copy: LiveChainHistory = {
    ...rest,
    recent: history.recent.slice(),
    running: history.running.slice(),
    warmGaps: copyHistogram(history.warmGaps),
    rescues: copyHistogram(history.rescues),
  };
  if (warmTakers !== undefined) copy.warmTakers = warmTakers.slice();
  return copy;
}

function decayTo(history: LiveChainHistory, at: number): void {
  const factor = decayFactor(history.updatedAt, at);
  history.arrivals *= factor;
  history.linked *= factor;
  history.updatedAt = Math.max(history.updatedAt, at);
}

/**
 * A job of the key was created at `at`, in place: `cold` when no pool of the key was free for
 * it, `gapMs` the gap it closed if it closed one, `job` its name if known. A job a pool already
 * named as its taker started warm, whatever its arrival saw. Repeated events are the caller's
 * to drop.
 */
function chainArrive(
  history: LiveChainHistory,
  at: number,
  arrivedCold: boolean,
  gapMs: number | undefined,
  job?: string
): void {
  if (!Number.isFinite(at)) return;
  // Taken from the list even when the arrival saw a free pool, so the list keeps only the unheard.
  const namedWarm = takeWarmTaker(history, job, at);
  const cold = arrivedCold && !namedWarm;
  const running = history.running;
  while (running.length > 0 && (running[0] as RunningJob).at < at - MAX_RUNTIME_MS) {
    running.shift();
  }
  if (running.length <= 1) {
    decayTo(history, at);
    history.arrivals += 1;
    const { linkUntil, deltaMs } = history;
    // After the key's last end only; one that comes while a job runs is judged at that job's end.
    const linked =
      running.length === 0 &&
      linkUntil !== undefined &&
      deltaMs !== undefined &&
      at < linkUntil &&
      at >= linkUntil - deltaMs;
    if (linked) history.linked += 1;
    // Nothing of the key runs: the gap from the end its last job would have had warm.
    if (running.length === 0 && linkUntil !== undefined && deltaMs !== undefined) {
      addGap(history.warmGaps, at - (linkUntil - deltaMs), at, false);
    }
    const recent = history.recent;
    if (recent.length >= CHAIN_KEPT) recent.shift();
    recent.push(gapMs === undefined ? { at, linked } : { at, linked, gapMs });
  }
  if (running.length >= CHAIN_KEPT) running.shift();
  // A name longer than SageMaker allows is none (and would make the stored history unreadable).
  running.push(job === undefined || job.length > MAX_JOB_NAME ? { at, cold } : { at, cold, job });
}

/**
 * Removes `job`, created at `at`, from the warm takers named before it arrived; true if it was
 * one. A job created before the pool was free is another job of the same name.
 */
function takeWarmTaker(history: LiveChainHistory, job: string | undefined, at: number): boolean {
  const takers = history.warmTakers;
  if (takers === undefined) return false;
  const i = takers.findIndex((t) => t.job === job && t.freedAt <= at);
  if (i < 0) return false;
  takers.splice(i, 1);
  if (takers.length === 0) delete history.warmTakers;
  return true;
}

/**
 * The job named `job` took a warm pool freed at `freedAt` (SageMaker named it as the job that
 * reused it), in place; false if nothing changed. `lastArrivalAt` is the key's latest arrival
 * heard. Whether a job found a free pool is judged when its arrival is processed, and events are
 * not ordered: a predecessor's end processed after the arrival had no pool there yet, and a pool
 * found Reused before the arrival was heard is no longer free. So a running job is settled
 * here; and if no arrival of the key was heard since the pool was freed, the taker's cannot
 * have been, so its name is remembered (the newest `CHAIN_KEPT`) for its arrival to settle.
 * Otherwise the taker may have arrived, and even ended (ended jobs are not kept): it is left
 * as judged. `ReusedByJob` is a name only, unique per account and region: two jobs of one key
 * with the same name in two regions cannot be told apart, and the older is settled.
 */
function chainWarmStart(
  history: LiveChainHistory,
  job: string,
  freedAt: number,
  lastArrivalAt: number | undefined
): boolean {
  if (!isWarmStartNews(history, job, freedAt, lastArrivalAt)) return false;
  const running = history.running;
  const i = running.findIndex((r) => r.job === job);
  if (i >= 0) {
    running[i] = { at: (running[i] as RunningJob).at, cold: false, job };
    return true;
  }
  const takers = history.warmTakers ?? [];
  if (takers.length >= CHAIN_KEPT) takers.shift();
  takers.push({ job, freedAt });
  history.warmTakers = takers;
  return true;
}

/** Would {@link chainWarmStart} change `history` (none yet: a new one)? */
function isWarmStartNews(
  history: Pick<ChainHistory, 'running' | 'warmTakers'> | undefined,
  job: string,
  freedAt: number,
  lastArrivalAt: number | undefined
): boolean {
  if (job.length > MAX_JOB_NAME || !Number.isFinite(freedAt)) return false;
  const running = history?.running.find((r) => r.job === job);
  if (running !== undefined) return running.cold;
  if ((lastArrivalAt ?? Number.NEGATIVE_INFINITY) >= freedAt) return false;
  return history?.warmTakers?.some((t) => t.job === job) !== true;
}

/**
 * The key's job created at `createdAt` ended at `at`, in place, having taken `startupMs` from
 * creation to its start (undefined when it never started); `deltaMs` is the cold − warm
 * start-up. Whether it started cold is what was seen when it arrived (no free pool); for a job
 * not seen arriving, a start-up of at least Δ / 2: a warm start takes seconds, a cold one
 * minutes (TrainingStartTime comes before the download, so even a cold one may take less than Δ).
 * An end processed after the key's next arrival judges that arrival (`judgeLateArrival`).
 */
function chainEnd(
  history: LiveChainHistory,
  at: number,
  createdAt: number,
  startupMs: number | undefined,
  deltaMs: number
): void {
  const running = history.running;
  let arrivedCold: boolean | undefined;
  for (let i = 0; i < running.length; i++) {
    const job = running[i] as RunningJob;
    if (job.at === createdAt) {
      arrivedCold = job.cold;
      running.splice(i, 1);
      break;
    }
  }
  if (!(deltaMs > 0) || !Number.isFinite(at)) return;
  const cold =
    arrivedCold ??
    (startupMs !== undefined && Number.isFinite(startupMs) ? startupMs >= deltaMs / 2 : undefined);
  if (cold === undefined) return;
  const coldEnd = cold ? at : at + deltaMs;
  const endBefore = history.lastEndAt;
  if (history.linkUntil === undefined || coldEnd > history.linkUntil) {
    history.linkUntil = coldEnd;
    history.deltaMs = deltaMs;
  }
  // A late end does not stand for the key's latest.
  if (history.lastEndAt === undefined || at >= history.lastEndAt) {
    history.lastEndAt = at;
    history.lastEndCold = cold;
  }
  if (arrivedCold !== undefined) judgeLateArrival(history, at, coldEnd, deltaMs, endBefore);
  if (!cold) return;
  // Jobs that arrived during this one's extra Δ would have found its pool had it been warm.
  const warmEnd = at - deltaMs;
  const recent = history.recent;
  for (let i = recent.length - 1; i >= 0; i--) {
    const arrival = recent[i] as RecentArrival;
    if (arrival.at >= at) continue;
    if (arrival.at < warmEnd) break;
    // Each arrival links and rescues once, whichever cold job it fell behind.
    if (arrival.linked && arrival.gapMs === undefined) continue;
    if (arrival.gapMs !== undefined) addGap(history.rescues, arrival.gapMs, arrival.at, false);
    if (!arrival.linked) {
      history.linked += decayFactor(arrival.at, history.updatedAt);
      addGap(history.warmGaps, arrival.at - warmEnd, arrival.at, false);
    }
    recent[i] = { at: arrival.at, linked: true };
  }
}

/**
 * The end of a job seen running came after the key's next arrival was processed (events are not
 * ordered): that arrival saw the job still running and was not judged. Had the end come first,
 * nothing would have run then (an arrival with two jobs running is not kept in `recent`), so it
 * is judged now against this end, `linkUntil` being its cold end, as `chainArrive` would have
 * judged it (the key's own `linkUntil` may already stand for later ends, the arrival's own
 * among them). Only the first arrival after the end, and not when older arrivals may have left
 * `recent`: a later one saw the first running. An arrival after that first one that saw only
 * the late job running stays unjudged (it is counted, not linked), a small undercount of p.
 */
function judgeLateArrival(
  history: LiveChainHistory,
  endAt: number,
  linkUntil: number,
  deltaMs: number,
  /** The key's latest end before this one was heard. */
  endBefore: number | undefined
): void {
  const recent = history.recent;
  let first: number | undefined;
  for (let i = recent.length - 1; i >= 0 && (recent[i] as RecentArrival).at >= endAt; i--) {
    first = i;
  }
  if (first === undefined || (first === 0 && recent.length >= CHAIN_KEPT)) return;
  const arrival = recent[first] as RecentArrival;
  // Another end came between this one and the arrival (a parallel job's): in order the arrival
  // was judged against that one, which is not kept, so it stays unjudged.
  if (endBefore !== undefined && endBefore >= endAt && endBefore <= arrival.at) return;
  // Linked already (a cold end before this one linked it): each arrival links once.
  if (arrival.linked) return;
  const warmEnd = linkUntil - deltaMs;
  addGap(history.warmGaps, arrival.at - warmEnd, arrival.at, false);
  if (arrival.at >= linkUntil || arrival.at < warmEnd) return;
  history.linked += decayFactor(arrival.at, history.updatedAt);
  recent[first] = { at: arrival.at, linked: true };
}

/** p: the share of serial arrivals linked, one unlinked pseudo-arrival added. */
function linkedShare(history: Pick<ChainHistory, 'arrivals' | 'linked'>): number {
  return Math.min(history.linked, history.arrivals) / (history.arrivals + 1);
}

/** What a pool freed now may be worth on a key that works in chains. */
interface ChainOutlook {
  readonly kind: 'rescue' | 'chain';
  /** When the pool's next taker may come. */
  readonly gaps: GapHistogram;
  /** Pseudo-observations that never come, as a share of `gaps`' own weight. */
  readonly neverShare: number;
  /**
   * The gaps run from the end the pool's job would have had warm: for a job that started cold,
   * Δ before its real end.
   */
  readonly endShiftMs: number;
  /** Cold starts catching that taker saves. */
  readonly coldStartsSaved: number;
  /** p, for the reason. */
  readonly linkedShare: number;
}

/**
 * The outlook of the pool whose job ended at `poolEndTime`, on a key where a cold start holds up
 * the next job; undefined where chains say nothing (the pool is decided as any other):
 * - `chain`: nothing of the key runs and the pool is its latest job's. The next job comes as the
 *   key's jobs came after their predecessors' warm ends (`warmGaps`).
 * - `rescue`: the key's one running job started cold. The next job is a rescue when it is linked
 *   (p; else the running job's own pool serves it), and catching it saves the chain behind it:
 *   1 / (1 − p) cold starts.
 */
function chainOutlook(
  history: ChainHistory | undefined,
  poolEndTime: number
): ChainOutlook | undefined {
  if (history === undefined) return undefined;
  const p = linkedShare(history);
  if (!(p > 0)) return undefined;
  const running = history.running;
  if (running.length === 1 && running[0]?.cold === true) {
    if (history.rescues.count < MIN_CHAIN_GAPS) return undefined;
    return {
      kind: 'rescue',
      gaps: history.rescues,
      neverShare: (1 - p) / p,
      endShiftMs: 0,
      coldStartsSaved: Math.min(MAX_COLD_STARTS_SAVED, 1 / (1 - p)),
      linkedShare: p,
    };
  }
  if (running.length !== 0 || history.lastEndAt !== poolEndTime || p < MIN_LINKED_SHARE)
    return undefined;
  if (history.warmGaps.count < MIN_CHAIN_GAPS) return undefined;
  return {
    kind: 'chain',
    gaps: history.warmGaps,
    neverShare: 0,
    endShiftMs: history.lastEndCold === true ? (history.deltaMs ?? 0) : 0,
    coldStartsSaved: 1,
    linkedShare: p,
  };
}

/**
 * The share of `gaps` (decayed alike, so as recorded) no longer than `keepMs`, for a reason: of
 * the jobs that came so, how many a keep that long would have caught.
 */
function shareWithin(gaps: GapHistogram, keepMs: number): number {
  let caught = 0;
  let all = 0;
  const keep = keepMs / 1000;
  for (let b = 0; b < BINS; b++) {
    const w = gaps.weights[b] ?? 0;
    all += w;
    if (b < BIN_EDGES_S.length && (BIN_EDGES_S[b] as number) <= keep) caught += w;
  }
  return all > 0 ? caught / all : 0;
}

function isJobName(value: unknown): boolean {
  return typeof value === 'string' && value.length <= MAX_JOB_NAME;
}

/** Is `value` a well-formed chain history (the store is untrusted)? */
function isChainHistory(value: unknown): value is ChainHistory {
  if (typeof value !== 'object' || value === null) return false;
  const h = value as Record<string, unknown>;
  const list = (v: unknown, item: (e: Record<string, unknown>) => boolean) =>
    Array.isArray(v) &&
    v.length <= CHAIN_KEPT &&
    v.every((e) => typeof e === 'object' && e !== null && item(e as Record<string, unknown>));
  return (
    isStoredNumber(h.arrivals) &&
    isStoredNumber(h.linked) &&
    isStoredTime(h.updatedAt) &&
    isOptional(h.linkUntil, isStoredTime) &&
    isOptional(h.deltaMs, isStoredNumber) &&
    isOptional(h.lastEndAt, isStoredTime) &&
    isOptional(h.lastEndCold, (v) => typeof v === 'boolean') &&
    list(
      h.recent,
      (e) =>
        isStoredTime(e.at) && typeof e.linked === 'boolean' && isOptional(e.gapMs, isStoredNumber)
    ) &&
    list(
      h.running,
      (e) => isStoredTime(e.at) && typeof e.cold === 'boolean' && isOptional(e.job, isJobName)
    ) &&
    list(h.warmTakers ?? [], (e) => isJobName(e.job) && isStoredTime(e.freedAt)) &&
    isGapHistogram(h.warmGaps) &&
    isGapHistogram(h.rescues)
  );
}

export type { ChainHistory, ChainOutlook, LiveChainHistory };
export {
  CHAIN_KEPT,
  chainArrive,
  chainEnd,
  chainOutlook,
  chainWarmStart,
  copyChainHistory,
  isChainHistory,
  isWarmStartNews,
  linkedShare,
  MAX_COLD_STARTS_SAVED,
  MAX_RUNTIME_MS,
  MIN_CHAIN_GAPS,
  newChainHistory,
  shareWithin,
};
