import type { MatchKey } from '../../domain/pool/match-key.js';
import { MAX_DECISIONS_KEPT, type PoolRecord, poolId } from '../../domain/pool/pool-record.js';
import type { Clock } from '../../domain/ports/clock.js';
import {
  type ActionCounts,
  type AuditEntry,
  type AuditQuery,
  type KeyHistory,
  OPEN_ENDS_KEPT,
  type PoolStore,
  type PutResult,
  RECENT_GAPS_KEPT,
  type ReconcileCursor,
  type StewardControl,
} from '../../domain/ports/pool-store.js';
import type { PoolRef } from '../../domain/steward/evaluate-due-pools.js';
import {
  auditExpiry,
  auditWindow,
  BREAKER_KEPT_MS,
  checkSpend,
  checkSpendDay,
  countLimit,
  dueBound,
  liveOrderKey,
  sortableTime,
  versionFollows,
} from '../pool-store-rules.js';
import { lowerBound, SortedKeys } from './sorted-keys.js';

interface AuditRow {
  /** Sorts as the table's audit sort key does: time, then job, then arrival. */
  readonly key: string;
  readonly entry: AuditEntry;
  /** Recorded, not enforced: the simulator keeps every entry for its run. */
  readonly expiresAt: number;
}

/**
 * A history with its lists cut to the newest kept, as DynamoDB stores it: whether it was
 * written or loaded from a hand-edited state file, no decision reads more than that.
 */
function keptHistory(history: KeyHistory): KeyHistory {
  const tooLong =
    history.recent.length > RECENT_GAPS_KEPT || (history.openEnds?.length ?? 0) > OPEN_ENDS_KEPT;
  if (!tooLong) return history;
  return {
    ...history,
    recent: history.recent.slice(-RECENT_GAPS_KEPT),
    ...(history.openEnds && { openEnds: history.openEnds.slice(-OPEN_ENDS_KEPT) }),
  };
}

/**
 * The pool store in memory, with the DynamoDB store's semantics (versions, conflicts, order,
 * limits) for the simulator and tests. Live pools sit in one sorted set of the same order
 * keys the table's `due` index holds, so `poolsDue` reads only what it returns and a
 * reschedule costs a few microseconds, even with tens of thousands of pools.
 * Records are kept as given (they are readonly), not copied.
 */
class MemoryPoolStore implements PoolStore {
  private readonly pools = new Map<string, PoolRecord>();
  private readonly liveOrder = new SortedKeys();
  private readonly byKey = new Map<MatchKey, Set<string>>();
  private readonly histories = new Map<MatchKey, KeyHistory>();
  private readonly auditRows: AuditRow[] = [];
  private readonly auditByJob = new Map<string, AuditRow[]>();
  private auditCount = 0;
  private readonly spendByTeam = new Map<string, Map<string, SpendTotal>>();
  private readonly actionsByHour = new Map<number, number>();
  /** By hour start, then minute start, as the Dynamo store keeps them on the hour's item. */
  private readonly actionsByMinute = new Map<number, Map<number, number>>();
  private control: StewardControl = { paused: false };
  private cursor: ReconcileCursor | undefined;

  /**
   * `onInsert` hears of each pool written for the first time, as the table's stream carries
   * such INSERTs: the simulator wakes the evaluator with it.
   */
  constructor(
    private readonly clock: Clock,
    private readonly onInsert?: (pool: PoolRef) => void
  ) {}

  async getPool(jobArn: string, creationTime: number): Promise<PoolRecord | undefined> {
    return this.pools.get(poolId({ jobArn, creationTime }));
  }

  async putPool(pool: PoolRecord): Promise<PutResult> {
    const stored = this.pools.get(poolId(pool));
    const orderKey = liveOrderKey(pool);
    if (!versionFollows(stored?.version, pool.version)) return 'conflict';
    this.place(pool, stored, orderKey);
    if (stored === undefined)
      this.onInsert?.({ jobArn: pool.jobArn, creationTime: pool.creationTime });
    return 'ok';
  }

  async poolsDue(before: number, limit: number): Promise<PoolRecord[]> {
    return this.liveOrder.upTo(dueBound(before), countLimit(limit)).map((key) => this.poolAt(key));
  }

  async poolsOfKey(matchKey: MatchKey): Promise<PoolRecord[]> {
    const ids = [...(this.byKey.get(matchKey) ?? [])].sort();
    return ids.flatMap((id) => this.pools.get(id) ?? []);
  }

  async livePools(): Promise<PoolRecord[]> {
    return Array.from(this.liveOrder, (key) => this.poolAt(key));
  }

  async getHistory(matchKey: MatchKey): Promise<KeyHistory | undefined> {
    return this.histories.get(matchKey);
  }

  async putHistory(history: KeyHistory): Promise<PutResult> {
    const stored = this.histories.get(history.matchKey);
    if (!versionFollows(stored?.version, history.version)) return 'conflict';
    this.histories.set(history.matchKey, keptHistory(history));
    return 'ok';
  }

  async audit(entry: AuditEntry, retentionDays: number): Promise<void> {
    this.addAuditRow(entry, auditExpiry(entry.at, retentionDays));
  }

  async auditLog(query: AuditQuery): Promise<AuditEntry[]> {
    const window = auditWindow(query, this.clock.now());
    const rows =
      window.jobName === undefined ? this.auditRows : (this.auditByJob.get(window.jobName) ?? []);
    const newestFirst: AuditEntry[] = [];
    for (let i = rows.length - 1; i >= 0 && newestFirst.length < window.limit; i--) {
      const { entry } = rows[i] as AuditRow;
      if (entry.at < window.since) break;
      if (entry.at < window.until) newestFirst.push(entry);
    }
    return newestFirst.reverse();
  }

  async addSpend(team: string, day: string, usd: number, instanceHours: number): Promise<void> {
    checkSpend(team, day, usd, instanceHours);
    const days = this.spendByTeam.get(team) ?? new Map<string, SpendTotal>();
    const total = days.get(day) ?? { usd: 0, instanceHours: 0 };
    days.set(day, { usd: total.usd + usd, instanceHours: total.instanceHours + instanceHours });
    this.spendByTeam.set(team, days);
  }

  async spend(team: string, day: string): Promise<SpendTotal> {
    checkSpendDay(day);
    const total = this.spendByTeam.get(team)?.get(day);
    return { usd: total?.usd ?? 0, instanceHours: total?.instanceHours ?? 0 };
  }

  async countAction(hourStart: number, minuteStart: number, by: 1 | -1 = 1): Promise<ActionCounts> {
    // Old hours can only have expired when a new one begins.
    if (!this.actionsByHour.has(hourStart)) this.forgetExpiredCounts(hourStart);
    const hour = (this.actionsByHour.get(hourStart) ?? 0) + by;
    this.actionsByHour.set(hourStart, hour);
    const minutes = this.actionsByMinute.get(hourStart) ?? new Map<number, number>();
    const minute = (minutes.get(minuteStart) ?? 0) + by;
    minutes.set(minuteStart, minute);
    this.actionsByMinute.set(hourStart, minutes);
    return { hour, minute };
  }

  /** Counts the table would have let expire by `now` are dropped here too. */
  private forgetExpiredCounts(now: number): void {
    for (const hourStart of this.actionsByHour.keys()) {
      if (hourStart + BREAKER_KEPT_MS > now) continue;
      this.actionsByHour.delete(hourStart);
      this.actionsByMinute.delete(hourStart);
    }
  }

  async getControl(): Promise<StewardControl> {
    return this.control;
  }

  async putControl(control: StewardControl): Promise<void> {
    this.control = control;
  }

  async getReconcileCursor(): Promise<ReconcileCursor | undefined> {
    return this.cursor;
  }

  async putReconcileCursor(cursor: ReconcileCursor | undefined): Promise<void> {
    this.cursor = cursor;
  }

  /**
   * Everything the store holds, as plain JSON-ready values: every pool (gone ones too), the
   * audit in its order, and the counters, so a local run's state outlives the process.
   */
  snapshot(): PoolStoreSnapshot {
    return {
      version: 1,
      takenAt: this.clock.now(),
      pools: [...this.pools.values()],
      histories: [...this.histories.values()],
      audit: this.auditRows.map(({ entry, expiresAt }) => ({ entry, expiresAt })),
      spend: [...this.spendByTeam].flatMap(([team, days]) =>
        [...days].map(([day, total]) => ({ team, day, ...total }))
      ),
      actionsByHour: [...this.actionsByHour].map(([hourStart, count]) => ({ hourStart, count })),
      actionsByMinute: [...this.actionsByMinute].flatMap(([hourStart, minutes]) =>
        [...minutes].map(([minuteStart, count]) => ({ hourStart, minuteStart, count }))
      ),
      control: this.control,
      ...(this.cursor === undefined ? {} : { cursor: this.cursor }),
    };
  }

  /** A store holding what `snapshot()` took; the snapshot must be checked already. */
  static restore(snapshot: PoolStoreSnapshot, clock: Clock): MemoryPoolStore {
    const store = new MemoryPoolStore(clock);
    for (const pool of snapshot.pools) {
      const stored = store.pools.get(poolId(pool));
      store.place(pool, stored, liveOrderKey(pool));
    }
    for (const history of snapshot.histories) {
      store.histories.set(history.matchKey, keptHistory(history));
    }
    for (const { entry, expiresAt } of snapshot.audit) store.addAuditRow(entry, expiresAt);
    for (const { team, day, usd, instanceHours } of snapshot.spend) {
      const days = store.spendByTeam.get(team) ?? new Map<string, SpendTotal>();
      days.set(day, { usd, instanceHours });
      store.spendByTeam.set(team, days);
    }
    for (const { hourStart, count } of snapshot.actionsByHour) {
      store.actionsByHour.set(hourStart, count);
    }
    for (const { hourStart, minuteStart, count } of snapshot.actionsByMinute ?? []) {
      const minutes = store.actionsByMinute.get(hourStart) ?? new Map<number, number>();
      minutes.set(minuteStart, count);
      store.actionsByMinute.set(hourStart, minutes);
    }
    store.control = snapshot.control;
    store.cursor = snapshot.cursor;
    return store;
  }

  private place(
    pool: PoolRecord,
    stored: PoolRecord | undefined,
    orderKey: string | undefined
  ): void {
    const id = poolId(pool);
    const record =
      pool.decisions.length > MAX_DECISIONS_KEPT
        ? { ...pool, decisions: pool.decisions.slice(-MAX_DECISIONS_KEPT) }
        : pool;
    this.pools.set(id, record);
    const previousKey = stored === undefined ? undefined : liveOrderKey(stored);
    if (previousKey !== orderKey) {
      if (previousKey !== undefined) this.liveOrder.delete(previousKey);
      if (orderKey !== undefined) this.liveOrder.add(orderKey);
    }
    if (stored !== undefined) this.byKey.get(stored.matchKey)?.delete(id);
    if (orderKey !== undefined) {
      const ids = this.byKey.get(pool.matchKey) ?? new Set<string>();
      ids.add(id);
      this.byKey.set(pool.matchKey, ids);
    }
  }

  private addAuditRow(entry: AuditEntry, expiresAt: number): void {
    this.auditCount += 1;
    const arrival = String(this.auditCount).padStart(12, '0');
    const key = `${sortableTime(entry.at, 'audit at')}#${entry.jobArn}#${arrival}`;
    const row: AuditRow = { key, entry, expiresAt };
    insertRow(this.auditRows, row);
    const ofJob = this.auditByJob.get(entry.jobName) ?? [];
    insertRow(ofJob, row);
    this.auditByJob.set(entry.jobName, ofJob);
  }

  private poolAt(orderKey: string): PoolRecord {
    // The order key ends with the pool id, which itself holds '#': cut at the first one.
    const pool = this.pools.get(orderKey.slice(orderKey.indexOf('#') + 1));
    if (pool === undefined) throw new Error(`memory pool store lost the pool of ${orderKey}`);
    return pool;
  }
}

interface SpendTotal {
  usd: number;
  instanceHours: number;
}

/** A memory store's whole state as plain JSON (see `state-dir.ts` for the file). */
interface PoolStoreSnapshot {
  readonly version: 1;
  /** The store's clock when it was taken: for a replay, the simulated world's "now". */
  readonly takenAt: number;
  /** Every pool, gone ones included. */
  readonly pools: readonly PoolRecord[];
  readonly histories: readonly KeyHistory[];
  /** In the store's order: time, then job ARN, then arrival. */
  readonly audit: readonly { readonly entry: AuditEntry; readonly expiresAt: number }[];
  readonly spend: readonly {
    readonly team: string;
    readonly day: string;
    readonly usd: number;
    readonly instanceHours: number;
  }[];
  /** Circuit-breaker counts per hour start. */
  readonly actionsByHour: readonly { readonly hourStart: number; readonly count: number }[];
  /** Circuit-breaker counts per minute within an hour; absent in states written before them. */
  readonly actionsByMinute?: readonly {
    readonly hourStart: number;
    readonly minuteStart: number;
    readonly count: number;
  }[];
  readonly control: StewardControl;
  readonly cursor?: ReconcileCursor;
}

function insertRow(rows: AuditRow[], row: AuditRow): void {
  // Entries mostly arrive in time order: append without searching when they do.
  const last = rows[rows.length - 1];
  if (last === undefined || last.key < row.key) rows.push(row);
  else
    rows.splice(
      lowerBound(rows, row.key, (r) => r.key),
      0,
      row
    );
}

export type { PoolStoreSnapshot };
export { MemoryPoolStore };
