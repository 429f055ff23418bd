import type { ChainHistory } from '../policy/chain-history.js';
import type { GapHistogram } from '../policy/gap-history.js';
import type { MatchKey } from '../pool/match-key.js';
import type { PoolAction, PoolRecord } from '../pool/pool-record.js';

/** One audited decision or event about a pool, kept `auditRetentionDays`. */
interface AuditEntry {
  readonly at: number;
  readonly jobArn: string;
  readonly jobName: string;
  readonly creationTime: number;
  readonly owner: string;
  readonly team?: string;
  /** A decision's action, or what was observed (`reused`, `terminated`, `adopted`, `human-override`). */
  readonly kind: PoolAction | 'reused' | 'terminated' | 'adopted' | 'tracked' | 'human-override';
  /** Target expiry for decisions, epoch ms. */
  readonly until?: number;
  readonly keepAliveSeconds?: number;
  readonly reason: string;
  readonly rule?: string;
  readonly outcome: 'applied' | 'dry-run' | 'no-op' | 'skipped' | 'failed' | 'observed';
}

interface AuditQuery {
  readonly jobName?: string;
  readonly since?: number;
  readonly limit?: number;
}

/** A gap as recorded for a key: who left the pool, who came next. */
interface GapEvent {
  readonly at: number;
  readonly gapMs: number;
  readonly previousOwner?: string;
  readonly nextOwner?: string;
}

/** The end of a job of a key that no later job has taken the place of yet (a gap's start). */
interface OpenEnd {
  readonly at: number;
  readonly owner?: string;
  /**
   * A later job of the key ended while this end was open: its pool, if kept, had a newer free
   * pool beside it, which SageMaker hands out first.
   */
  readonly shadowed?: true;
}

/** A key's gap history: the decayed histogram plus the newest gaps verbatim (bounded). */
interface KeyHistory {
  readonly matchKey: MatchKey;
  readonly histogram: GapHistogram;
  /** The newest gaps, newest last (at most RECENT_GAPS_KEPT). */
  readonly recent: readonly GapEvent[];
  /**
   * Ends of jobs of the key not yet followed by a job (newest last, bounded): each is the start
   * of a gap, closed LIFO by the next arrival as SageMaker hands out the newest free pool.
   */
  readonly openEnds?: readonly OpenEnd[];
  /**
   * The gaps of shadowed ends only (they count in `histogram` too): how long a pool waits when
   * a newer one of its key is handed out first. Absent until the first such gap closes.
   */
  readonly shadowHistogram?: GapHistogram;
  /** Creation time of the newest arrival counted, so a job's repeated events count once. */
  readonly lastArrivalAt?: number;
  /** How the key's jobs chain (`chain-history.ts`); absent until a job's start-up is known. */
  readonly chain?: ChainHistory;
  readonly version: number;
}

/** Steward-wide switches an admin flips without a deploy. */
interface StewardControl {
  readonly paused: boolean;
  readonly pausedBy?: string;
  readonly pausedAt?: number;
  /** Set when the circuit breaker tripped; cleared by `warden steward resume`. */
  readonly breakerTrippedAt?: number;
  readonly breakerReason?: string;
  /** When an admin last resumed: the hourly action count starts afresh from then. */
  readonly resumedAt?: number;
}

/** Where the reconciliation left off when its time ran out. */
interface ReconcileCursor {
  readonly nextToken?: string;
  readonly createdAfter: number;
  readonly updatedAt: number;
}

type PutResult = 'ok' | 'conflict';

/** The circuit breakers' action counts, this one included. */
interface ActionCounts {
  readonly hour: number;
  readonly minute: number;
}

/**
 * Pools, key histories, audit, spend and the steward's switches, in the one table. Writes of
 * pools and histories are conditional on `version` (optimistic concurrency): a `conflict`
 * means someone else wrote first; re-read and decide again.
 */
interface PoolStore {
  getPool(jobArn: string, creationTime: number): Promise<PoolRecord | undefined>;
  /** Writes `pool` if the stored version is `pool.version − 1` (or absent when it is 1). */
  putPool(pool: PoolRecord): Promise<PutResult>;
  /** Pools whose `nextDecisionAt` ≤ `before`, oldest first, at most `limit` (an index, not a scan). */
  poolsDue(before: number, limit: number): Promise<PoolRecord[]>;
  /** Pools of a key not yet gone (InUse or Available). */
  poolsOfKey(matchKey: MatchKey): Promise<PoolRecord[]>;
  /** Every pool record not yet gone (for `warden pools list` and reconciliation). */
  livePools(): Promise<PoolRecord[]>;

  getHistory(matchKey: MatchKey): Promise<KeyHistory | undefined>;
  putHistory(history: KeyHistory): Promise<PutResult>;

  audit(entry: AuditEntry, retentionDays: number): Promise<void>;
  auditLog(query: AuditQuery): Promise<AuditEntry[]>;

  /** Adds retained spend for a team on a day (YYYY-MM-DD in the budget's zone). */
  addSpend(team: string, day: string, usd: number, instanceHours: number): Promise<void>;
  spend(team: string, day: string): Promise<{ usd: number; instanceHours: number }>;

  /**
   * Counts an action for the circuit breakers and returns the counts so far in the hour from
   * `hourStart` and in the clock minute from `minuteStart`, every run's actions together:
   * sweeps and the wakes for new pools alike. `by: -1` takes back an action whose call failed.
   */
  countAction(hourStart: number, minuteStart: number, by?: 1 | -1): Promise<ActionCounts>;

  getControl(): Promise<StewardControl>;
  putControl(control: StewardControl): Promise<void>;

  getReconcileCursor(): Promise<ReconcileCursor | undefined>;
  putReconcileCursor(cursor: ReconcileCursor | undefined): Promise<void>;
}

const RECENT_GAPS_KEPT = 50;
const OPEN_ENDS_KEPT = 16;

export type {
  ActionCounts,
  AuditEntry,
  AuditQuery,
  GapEvent,
  KeyHistory,
  OpenEnd,
  PoolStore,
  PutResult,
  ReconcileCursor,
  StewardControl,
};
export { OPEN_ENDS_KEPT, RECENT_GAPS_KEPT };
