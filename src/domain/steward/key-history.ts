import type { TrainingJobSnapshot } from '../job/training-job.js';
import {
  chainArrive,
  chainEnd,
  chainWarmStart,
  copyChainHistory,
  isWarmStartNews as isChainWarmStartNews,
  type LiveChainHistory,
  newChainHistory,
} from '../policy/chain-history.js';
import {
  addGap,
  copyHistogram,
  emptyHistogram,
  type GapHistogram,
  type LiveGapHistogram,
  observeGap,
} from '../policy/gap-history.js';
import type { MatchKey } from '../pool/match-key.js';
import {
  type GapEvent,
  type KeyHistory,
  OPEN_ENDS_KEPT,
  type OpenEnd,
  RECENT_GAPS_KEPT,
} from '../ports/pool-store.js';

/**
 * The history of every key's gaps together, kept under this pseudo key: the prior a key's own
 * thin history is blended with (see `adaptive-keep-alive.ts`).
 */
const ALL_KEYS: MatchKey = '*';

/**
 * How a key's gap history learns, in the service and in the backtest alike. A gap runs from a
 * job of the key ending (its pool becoming Available) to the job that would take that pool:
 * arrivals close open ends newest first, as SageMaker hands a new job the most recently freed
 * pool. The history is the key's, across owners, because SageMaker lends a pool to anyone whose
 * job matches; who left and who came are recorded beside each gap.
 *
 * An end that a later end of the key found still open is *shadowed*: had its pool been kept, a
 * newer free pool would have stood in front of it. Its gap counts in the key's histogram like
 * any other, and also in the key's shadow histogram, which a pool is decided on while it has a
 * newer free pool beside it: such a pool is taken only when more jobs come than there are newer
 * pools (reference/keepalive-policies.md §6, "the second pool of a burst is rarely reused").
 * What decides a gap's class is only the key's ends and arrivals, never what a policy did with
 * the pools, so a policy that releases shadowed pools does not thereby teach itself to.
 */

function newKeyHistory(matchKey: MatchKey): KeyHistory {
  return { matchKey, histogram: emptyHistogram(), recent: [], openEnds: [], version: 0 };
}

/**
 * A key's history the backtest owns and updates in place (`arriveInPlace`, `endInPlace`): the
 * same learning as `recordArrival` and `recordEnd`, without a copy per job of a million.
 */
interface LiveKeyHistory extends KeyHistory {
  histogram: LiveGapHistogram;
  recent: GapEvent[];
  openEnds: OpenEnd[];
  shadowHistogram?: LiveGapHistogram;
  lastArrivalAt?: number;
  chain?: LiveChainHistory;
}

/**
 * What a job's start-up says about chains (`chain-history.ts`): given at an arrival, whether
 * it found no free pool of its key; at an end, when it was created and how long it took to
 * start, against the cold − warm start-up Δ.
 */
interface ArrivalFacts {
  readonly cold: boolean;
  /** The job's name, so a pool that names it as its taker can settle `cold` (the steward's). */
  readonly job?: string;
}
interface EndFacts {
  readonly createdAt: number;
  /** Undefined for a job that never started (it failed or was stopped while starting). */
  readonly startupMs?: number;
  readonly coldStartWaitMs: number;
  /** The job that took this one's warm pool (`ReusedByJob`), if one did: it started warm. */
  readonly reusedBy?: string;
}

function newLiveKeyHistory(matchKey: MatchKey): LiveKeyHistory {
  return {
    matchKey,
    histogram: copyHistogram(emptyHistogram()),
    recent: [],
    openEnds: [],
    version: 0,
  };
}

/**
 * A job of the key arrived (was created) at `at`, in place; returns the gap it closed, if any.
 * Repeated events of one job count once. `recentKept` bounds the list of recent gaps: the store
 * keeps `RECENT_GAPS_KEPT` for audits and explanations; a backtest, which never reads them,
 * keeps only the newest.
 */
function arriveInPlace(
  history: LiveKeyHistory,
  at: number,
  owner: string | undefined,
  recentKept: number = RECENT_GAPS_KEPT,
  facts?: ArrivalFacts
): GapEvent | undefined {
  if (!isNewArrival(history, at)) return undefined;
  history.lastArrivalAt = at;
  const gap = closeGap(history, at, owner, recentKept);
  if (facts !== undefined) {
    history.chain ??= newChainHistory();
    chainArrive(history.chain, at, facts.cold, gap?.gapMs, facts.job);
  }
  return gap;
}

/** The gap an arrival at `at` closes, in place: the newest end before it. */
function closeGap(
  history: LiveKeyHistory,
  at: number,
  owner: string | undefined,
  recentKept: number
): GapEvent | undefined {
  const ends = history.openEnds;
  // The newest end before the arrival; ends after it belong to jobs that were still running.
  let index = ends.length - 1;
  while (index >= 0 && (ends[index]?.at ?? 0) > at) index--;
  const taken = index >= 0 ? ends[index] : undefined;
  if (taken === undefined) return undefined;
  const gapMs = at - taken.at;
  // A stored end that is no time closes no gap (addGap would refuse it after the lists changed).
  if (!Number.isFinite(gapMs)) return undefined;
  const gap: { at: number; gapMs: number; previousOwner?: string; nextOwner?: string } = {
    at,
    gapMs,
  };
  if (taken.owner !== undefined) gap.previousOwner = taken.owner;
  if (owner !== undefined) gap.nextOwner = owner;
  const recent = history.recent;
  const kept = Math.max(1, recentKept);
  if (recent.length >= kept) recent.splice(0, recent.length - kept + 1);
  recent.push(gap);
  ends.splice(index, 1);
  addGap(history.histogram, gapMs, at);
  if (taken.shadowed === true) {
    history.shadowHistogram ??= copyHistogram(emptyHistogram());
    addGap(history.shadowHistogram, gapMs, at);
  }
  return gap;
}

/**
 * A job of the key ended at `at` (its pool, if any, became Available), in place; false if
 * nothing changed. The end stays open for the next arrival, unless it comes late: the job that
 * took its pool (`facts.reusedBy`, which started warm) arrived already and closed no gap, and
 * closes it now. `recentKept` bounds the recent gaps, as for `arriveInPlace`; they also tell a
 * repeated end, so out of order the backtest's one kept gap learns less than the service's 50.
 */
function endInPlace(
  history: LiveKeyHistory,
  at: number,
  owner: string | undefined,
  facts?: EndFacts,
  recentKept: number = RECENT_GAPS_KEPT
): boolean {
  // The chain learns from every end, a repeated one included (it is idempotent there), so a
  // job is never left running in it.
  const learnt = facts !== undefined && Number.isFinite(at);
  if (learnt) {
    history.chain ??= newChainHistory();
    chainEnd(history.chain, at, facts.createdAt, facts.startupMs, facts.coldStartWaitMs);
    if (facts.reusedBy !== undefined) {
      chainWarmStart(history.chain, facts.reusedBy, at, history.lastArrivalAt);
    }
  }
  const ends = history.openEnds;
  // A time that is no time would sort after every real end and never close; an end whose gap
  // was closed already (a repeated event) would stay open for good.
  if (
    !Number.isFinite(at) ||
    ends.some((end) => end.at === at) ||
    wasClosed(history, at, recentKept)
  ) {
    return learnt;
  }
  // Ends arrive nearly in order: insert from the back, keeping the newest OPEN_ENDS_KEPT.
  const full = ends.length >= OPEN_ENDS_KEPT;
  const oldest = full ? 1 : 0;
  let i = ends.length;
  while (i > oldest && (ends[i - 1] as { at: number }).at > at) i--;
  if (full && i === oldest && (ends[0] as { at: number }).at > at) return learnt;
  // Every older end still open now has a newer one in front of it, and so has this one if a
  // newer end is open already, or was until a job took it (events may come late). Entries are
  // replaced, not changed: the pure recordEnd shares them with the history it copied.
  for (let j = 0; j < i; j++) {
    const older = ends[j] as OpenEnd;
    if (older.shadowed !== true) ends[j] = openEnd(older.at, older.owner, true);
  }
  const closer = takerArrival(history, at, facts?.reusedBy);
  const shadowed = i < ends.length || tookNewerEnd(history, at, closer ?? Number.POSITIVE_INFINITY);
  ends.splice(i, 0, openEnd(at, owner, shadowed));
  if (full) ends.shift();
  if (closer !== undefined) closeGap(history, closer, undefined, recentKept);
  return true;
}

/**
 * A repeated end event: an arrival already closed the gap from this end. Beyond the recent gaps
 * kept, an end older than all of them cannot be told from a repeat, and is not taken.
 */
function wasClosed(history: Pick<KeyHistory, 'recent'>, endAt: number, kept: number): boolean {
  const recent = history.recent;
  for (const gap of recent) if (gap.at - gap.gapMs === endAt) return true;
  return recent.length >= kept && endAt < (recent[0]?.at ?? Number.NEGATIVE_INFINITY);
}

/**
 * A late end is shadowed if an arrival took a newer end before `before` (when this end's own
 * taker came): that end's pool stood in front of this one while both were free.
 */
function tookNewerEnd(history: Pick<KeyHistory, 'recent'>, endAt: number, before: number): boolean {
  for (const gap of history.recent) {
    const end = gap.at - gap.gapMs;
    if (end > endAt && end <= before) return true;
  }
  return false;
}

/**
 * An end processed after the job that took its pool arrived (events are not ordered): that
 * job's arrival, if it closed no gap, closes this end now. Only SageMaker's word (`ReusedByJob`)
 * names the arrival: without it, which later arrival would have closed the end in order cannot
 * be told from what is kept (parallel arrivals that ended are not), so the end stays open. The
 * taker's gap is the true one, which pairing newest-first in order may not have been.
 */
function takerArrival(
  history: LiveKeyHistory,
  endAt: number,
  taker: string | undefined
): number | undefined {
  if (taker === undefined) return undefined;
  const took = history.chain?.running.find((r) => r.job === taker);
  if (took === undefined || took.at < endAt) return undefined;
  return history.recent.some((gap) => gap.at === took.at) ? undefined : took.at;
}

/**
 * An open end in one of four fixed shapes, written out rather than spread: a backtest reads
 * millions of them, and objects of few shapes keep those reads fast.
 */
function openEnd(at: number, owner: string | undefined, shadowed: boolean): OpenEnd {
  if (owner === undefined) return shadowed ? { at, shadowed: true } : { at };
  return shadowed ? { at, owner, shadowed: true } : { at, owner };
}

/** A copy of `history` that the in-place functions may change without touching the original. */
function liveCopy(history: KeyHistory): LiveKeyHistory {
  const { shadowHistogram, chain, ...rest } = history;
  const copy: LiveKeyHistory = {
    ...rest,
    histogram: copyHistogram(history.histogram),
    recent: history.recent.slice(),
    openEnds: (history.openEnds ?? []).slice(),
  };
  if (shadowHistogram !== undefined) copy.shadowHistogram = copyHistogram(shadowHistogram);
  if (chain !== undefined) copy.chain = copyChainHistory(chain);
  return copy;
}

/** {@link arriveInPlace} on a copy: the stored history is a value, updated by compare-and-set. */
function recordArrival(
  history: KeyHistory,
  at: number,
  owner: string | undefined,
  recentKept: number = RECENT_GAPS_KEPT,
  facts?: ArrivalFacts
): KeyHistory {
  if (!isNewArrival(history, at)) return history;
  const next = liveCopy(history);
  const gap = arriveInPlace(next, at, owner, recentKept, facts);
  if (gap !== undefined) return next;
  // No gap closed: the histogram stays the very same value (`closedGap` tells them apart so).
  return next.chain === undefined
    ? { ...history, lastArrivalAt: at }
    : { ...history, lastArrivalAt: at, chain: next.chain };
}

/**
 * The end facts of a job SageMaker describes (TrainingStartTime − CreationTime is its start-up,
 * absent when it never started; `ReusedByJob` the job its pool went to); undefined without a
 * creation time.
 */
function endFacts(
  job: Pick<TrainingJobSnapshot, 'creationTime' | 'startTime' | 'warmPool'>,
  settings: { readonly coldStartWaitSeconds: number }
): EndFacts | undefined {
  const { creationTime, startTime } = job;
  if (creationTime === undefined) return undefined;
  const base: EndFacts = {
    createdAt: creationTime,
    coldStartWaitMs: settings.coldStartWaitSeconds * 1000,
  };
  const facts = startTime === undefined ? base : { ...base, startupMs: startTime - creationTime };
  const reusedBy = job.warmPool?.reusedByJob;
  return reusedBy === undefined ? facts : { ...facts, reusedBy };
}

/** {@link endInPlace} on a copy. */
function recordEnd(
  history: KeyHistory,
  at: number,
  owner: string | undefined,
  facts?: EndFacts,
  recentKept: number = RECENT_GAPS_KEPT
): KeyHistory {
  const live = liveCopy(history);
  if (!endInPlace(live, at, owner, facts, recentKept)) return history;
  // A late end closed a gap: the histogram changed (`closedGap` tells so by its identity).
  if (live.recent[live.recent.length - 1] !== history.recent[history.recent.length - 1]) {
    return live;
  }
  return live.chain === undefined
    ? { ...history, openEnds: live.openEnds }
    : { ...history, openEnds: live.openEnds, chain: live.chain };
}

/**
 * Would the key's history learn from hearing that the job named `job` took its pool freed at
 * `freedAt` (`chainWarmStart`)? Without a history, no arrival was heard: the taker's is to come.
 */
function isWarmStartNews(history: KeyHistory | undefined, job: string, freedAt: number): boolean {
  return isChainWarmStartNews(history?.chain, job, freedAt, history?.lastArrivalAt);
}

/**
 * The key's job named `job` took a warm pool freed at `freedAt` (the pool names it as
 * `ReusedByJob`): it started warm, whatever its arrival saw or will see (`chainWarmStart`).
 * The same history if that changes nothing.
 */
function recordWarmStart(history: KeyHistory, job: string, freedAt: number): KeyHistory {
  if (!isWarmStartNews(history, job, freedAt)) return history;
  const next = history.chain === undefined ? newChainHistory() : copyChainHistory(history.chain);
  chainWarmStart(next, job, freedAt, history.lastArrivalAt);
  return { ...history, chain: next };
}

/**
 * Repeated events of one job count once; a time that is no time counts never (it would hold
 * back every later arrival).
 */
function isNewArrival(history: KeyHistory, at: number): boolean {
  return Number.isFinite(at) && (history.lastArrivalAt === undefined || at > history.lastArrivalAt);
}

/** How long a matching job's start protects the key's pools from release (it may be taking one). */
const PENDING_ARRIVAL_MS = 5 * 60_000;

/**
 * The creation time of a matching job that started after a pool freed up, recently enough that
 * SageMaker may be handing it that pool right now; undefined otherwise.
 */
function pendingArrival(
  history: KeyHistory | undefined,
  poolEndTime: number,
  now: number
): number | undefined {
  const arrival = history?.lastArrivalAt;
  return arrival !== undefined && arrival > poolEndTime && now - arrival < PENDING_ARRIVAL_MS
    ? arrival
    : undefined;
}

/**
 * The key's shadow histogram when its history says the pool whose job ended at `poolEndTime`
 * may have a newer free pool beside it at `now`: a later end of the key is still open. Every live
 * pool's end is open (arrivals close ends newest first, as SageMaker hands out pools), so without
 * one there is no newer pool; with one there may be none either (that job kept no pool, or it
 * was released or expired), which {@link isBehindNewerPool} settles against the pools there
 * are. Undefined as well while no shadowed gap has been seen (the pool is decided as any other).
 */
function shadowCandidate(
  history: KeyHistory | undefined,
  poolEndTime: number,
  now: number
): GapHistogram | undefined {
  const shadow = history?.shadowHistogram;
  const ends = history?.openEnds;
  if (shadow === undefined || ends === undefined) return undefined;
  for (let i = ends.length - 1; i >= 0; i--) {
    const at = (ends[i] as OpenEnd).at;
    if (at <= poolEndTime) return undefined;
    if (at <= now) return shadow;
  }
  return undefined;
}

/**
 * Does a free pool of the key stand in front of the pool whose job ended at `poolEndTime`: one
 * whose job ended later, by `now`? `freePoolEndTimes` are the end times of the key's other pools
 * that are Available now.
 */
function isBehindNewerPool(
  poolEndTime: number,
  freePoolEndTimes: Iterable<number>,
  now: number
): boolean {
  for (const end of freePoolEndTimes) if (end > poolEndTime && end <= now) return true;
  return false;
}

/** The gap an arrival just closed on a key, if it closed one. */
function closedGap(before: KeyHistory, after: KeyHistory): GapEvent | undefined {
  if (after.histogram === before.histogram) return undefined;
  return after.recent[after.recent.length - 1];
}

/**
 * The all-keys history after a gap closed on some key: its histogram only (who came is per key),
 * without hour-of-day counts, since every key's gaps together are only ever a prior.
 */
function withGap(all: KeyHistory, gap: GapEvent): KeyHistory {
  return { ...all, histogram: observeGap(all.histogram, gap.gapMs, gap.at, false) };
}

export type { ArrivalFacts, EndFacts, LiveKeyHistory };
export {
  ALL_KEYS,
  arriveInPlace,
  closedGap,
  endFacts,
  endInPlace,
  isBehindNewerPool,
  isWarmStartNews,
  newKeyHistory,
  newLiveKeyHistory,
  PENDING_ARRIVAL_MS,
  pendingArrival,
  recordArrival,
  recordEnd,
  recordWarmStart,
  shadowCandidate,
  withGap,
};
