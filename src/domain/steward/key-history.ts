import { emptyHistogram, observeGap } from '../policy/gap-history.js';
import type { MatchKey } from '../pool/match-key.js';
import {
  type GapEvent,
  type KeyHistory,
  OPEN_ENDS_KEPT,
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
 */

function newKeyHistory(matchKey: MatchKey): KeyHistory {
  return { matchKey, histogram: emptyHistogram(), recent: [], openEnds: [], version: 0 };
}

/**
 * A job of the key arrived (was created) at `at`. Repeated events of one job count once.
 * `recentKept` bounds the list of recent gaps: the store keeps `RECENT_GAPS_KEPT` for audits and
 * explanations; a backtest, which never reads them, keeps only the newest (`closedGap` needs it).
 */
function recordArrival(
  history: KeyHistory,
  at: number,
  owner: string | undefined,
  recentKept: number = RECENT_GAPS_KEPT
): KeyHistory {
  if (history.lastArrivalAt !== undefined && at <= history.lastArrivalAt) return history;
  const ends = history.openEnds ?? [];
  // The newest end before the arrival; ends after it belong to jobs that were still running.
  let index = ends.length - 1;
  while (index >= 0 && (ends[index]?.at ?? 0) > at) index--;
  const taken = index >= 0 ? ends[index] : undefined;
  if (taken === undefined) return { ...history, lastArrivalAt: at };
  const gapMs = at - taken.at;
  const gap: { at: number; gapMs: number; previousOwner?: string; nextOwner?: string } = {
    at,
    gapMs,
  };
  if (taken.owner !== undefined) gap.previousOwner = taken.owner;
  if (owner !== undefined) gap.nextOwner = owner;
  // One copy of each list per gap (not three): a backtest closes millions of gaps.
  const kept = Math.max(1, recentKept);
  const recent =
    history.recent.length >= kept
      ? history.recent.slice(history.recent.length - kept + 1)
      : history.recent.slice();
  recent.push(gap);
  const openEnds = ends.slice();
  openEnds.splice(index, 1);
  return {
    ...history,
    lastArrivalAt: at,
    histogram: observeGap(history.histogram, gapMs, at),
    recent,
    openEnds,
  };
}

/** A job of the key ended at `at` (its pool, if any, became Available). */
function recordEnd(history: KeyHistory, at: number, owner: string | undefined): KeyHistory {
  const ends = history.openEnds ?? [];
  if (ends.some((end) => end.at === at)) return history;
  const end = owner === undefined ? { at } : { at, owner };
  // Ends arrive nearly in order: insert from the back, keeping the newest OPEN_ENDS_KEPT.
  const next = ends.length >= OPEN_ENDS_KEPT ? ends.slice(1) : ends.slice();
  let i = next.length;
  while (i > 0 && (next[i - 1] as { at: number }).at > at) i--;
  if (i === 0 && ends.length >= OPEN_ENDS_KEPT && (ends[0] as { at: number }).at > at) {
    return history;
  }
  next.splice(i, 0, end);
  return { ...history, openEnds: next };
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

/** The gap an arrival just closed on a key, if it closed one. */
function closedGap(before: KeyHistory, after: KeyHistory): GapEvent | undefined {
  if (after.histogram === before.histogram) return undefined;
  return after.recent[after.recent.length - 1];
}

/** The all-keys history after a gap closed on some key (its histogram only: who came is per key). */
function withGap(all: KeyHistory, gap: GapEvent): KeyHistory {
  return { ...all, histogram: observeGap(all.histogram, gap.gapMs, gap.at) };
}

export {
  ALL_KEYS,
  closedGap,
  newKeyHistory,
  PENDING_ARRIVAL_MS,
  pendingArrival,
  recordArrival,
  recordEnd,
  withGap,
};
