import { isGone, type PoolRecord, poolId } from '../domain/pool/pool-record.js';
import type { AuditQuery } from '../domain/ports/pool-store.js';

/**
 * What both PoolStore adapters must agree on, kept once so the simulator's in-memory store
 * orders, bounds and rejects exactly as the DynamoDB table does.
 */

/** One UTC day, ms: audit partitions and TTLs count in days. */
const DAY_MS = 24 * 60 * 60 * 1000;

/** Epoch-ms sort keys are zero-padded to 15 digits (up to the year 33658). */
const TIME_DIGITS = 15;
const MAX_SORTABLE_MS = 10 ** TIME_DIGITS - 1;

/**
 * A live pool without `nextDecisionAt` sorts after every scheduled one ('~' > any digit), so
 * one ordered list answers both "due before t" and "every live pool".
 */
const UNSCHEDULED = '~';

/** When `auditLog` is given no `since`: the last week. */
const AUDIT_DEFAULT_LOOKBACK_MS = 7 * DAY_MS;
/** Entries `auditLog` returns when given no `limit`. */
const AUDIT_DEFAULT_LIMIT = 100;
/** The most entries one `auditLog` call returns, whatever `limit` says. */
const AUDIT_MAX_LIMIT = 1000;
/** `auditLog` reads one partition per UTC day, so how far back it may go is bounded. */
const AUDIT_MAX_LOOKBACK_DAYS = 400;

const SPEND_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** How long the circuit breakers' counts are kept after their hour starts. */
const BREAKER_KEPT_MS = 2 * DAY_MS;

/** `ms` as a fixed-width string that sorts as the number does; throws on what cannot. */
function sortableTime(ms: number, field: string): string {
  if (!Number.isSafeInteger(ms) || ms < 0 || ms > MAX_SORTABLE_MS) {
    throw new RangeError(
      `${field} must be a whole epoch-ms time from 0 to ${MAX_SORTABLE_MS}, got ${ms}`
    );
  }
  return String(ms).padStart(TIME_DIGITS, '0');
}

/**
 * The pool's place among live pools: scheduled ones by `nextDecisionAt` then id, unscheduled
 * ones last; `undefined` once the pool is gone, which takes it out of every list.
 */
function liveOrderKey(pool: PoolRecord): string | undefined {
  if (isGone(pool.state)) return undefined;
  const id = poolId(pool);
  if (pool.nextDecisionAt === undefined) return `${UNSCHEDULED}#${id}`;
  return `${sortableTime(pool.nextDecisionAt, `pool ${id}: nextDecisionAt`)}#${id}`;
}

/** The greatest live order key of a pool due at or before `before` ('' when none can be). */
function dueBound(before: number): string {
  if (Number.isNaN(before) || before < 0) return '';
  const ms = Math.min(Math.floor(before), MAX_SORTABLE_MS);
  return `${String(ms).padStart(TIME_DIGITS, '0')}~`;
}

/** Optimistic concurrency: a write of `next` lands on `stored` only as its successor. */
function versionFollows(stored: number | undefined, next: number): boolean {
  return stored === undefined ? next === 1 : next === stored + 1;
}

/** A query limit as a count of items: whole, at least 0. */
function countLimit(limit: number, max = Number.MAX_SAFE_INTEGER): number {
  if (Number.isNaN(limit) || limit <= 0) return 0;
  return Math.min(Math.floor(limit), max);
}

/** An `auditLog` query with its defaults and bounds applied. */
interface AuditWindow {
  /** Inclusive. */
  readonly since: number;
  /** Exclusive: the end of the UTC day after `now`, so a clock a little ahead is still read. */
  readonly until: number;
  readonly limit: number;
  readonly jobName?: string;
}

/**
 * `auditLog`'s defaults: the last 7 days, the newest 100 entries (at most 1,000), and never
 * more than 400 days back.
 */
function auditWindow(query: AuditQuery, now: number): AuditWindow {
  const until = (Math.floor(now / DAY_MS) + 2) * DAY_MS;
  const earliest = (Math.floor(now / DAY_MS) - AUDIT_MAX_LOOKBACK_DAYS) * DAY_MS;
  const since = Math.ceil(Math.max(query.since ?? now - AUDIT_DEFAULT_LOOKBACK_MS, earliest, 0));
  const limit = countLimit(query.limit ?? AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT);
  return query.jobName === undefined
    ? { since, until, limit }
    : { since, until, limit, jobName: query.jobName };
}

/** When an audit entry may be dropped (the table's TTL), epoch ms. */
function auditExpiry(at: number, retentionDays: number): number {
  if (!Number.isFinite(retentionDays) || retentionDays <= 0) {
    throw new RangeError(`audit retentionDays must be a positive number, got ${retentionDays}`);
  }
  return at + retentionDays * DAY_MS;
}

/** Checks a spend addition; budgets are per calendar day written YYYY-MM-DD. */
function checkSpend(team: string, day: string, usd: number, instanceHours: number): void {
  checkSpendDay(day);
  if (team === '') throw new RangeError('spend team must not be empty');
  if (!Number.isFinite(usd) || !Number.isFinite(instanceHours)) {
    throw new RangeError(
      `spend of ${team} on ${day}: usd and instanceHours must be finite numbers`
    );
  }
}

function checkSpendDay(day: string): void {
  const start = Date.parse(`${day}T00:00:00Z`);
  if (!SPEND_DAY.test(day) || Number.isNaN(start) || utcDay(start) !== day) {
    throw new RangeError(`spend day must be a date written YYYY-MM-DD, got "${day}"`);
  }
}

/** The UTC calendar day (YYYY-MM-DD) of an epoch-ms time. */
function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export type { AuditWindow };
export {
  AUDIT_MAX_LIMIT,
  AUDIT_MAX_LOOKBACK_DAYS,
  auditExpiry,
  auditWindow,
  BREAKER_KEPT_MS,
  checkSpend,
  checkSpendDay,
  countLimit,
  DAY_MS,
  dueBound,
  liveOrderKey,
  sortableTime,
  utcDay,
  versionFollows,
};
