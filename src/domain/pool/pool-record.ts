import type { Tags } from '../event/tags.js';
import type { MatchKey } from './match-key.js';

/**
 * Where a warm pool is in its life, as learnt from DescribeTrainingJob / ListTrainingJobs (no
 * event announces reuse or termination): `InUse` while its job runs, `Available` once it ended
 * with keep-alive, then `Reused` (a matching job took it) or `Terminated` (expired, released).
 */
type PoolState = 'InUse' | 'Available' | 'Reused' | 'Terminated';

type PoolAction = 'keep' | 'extend' | 'shrink' | 'release';

/** One decision as the pool record keeps it (the audit log keeps every one in full). */
interface DecisionEntry {
  readonly at: number;
  readonly action: PoolAction;
  /** Target expiry, epoch ms (`at` for a release). */
  readonly until: number;
  readonly reason: string;
  readonly rule?: string;
  /** What happened: applied, dry-run, skipped (breaker, pool gone) or failed. */
  readonly outcome: DecisionOutcome;
}

type DecisionOutcome = 'applied' | 'dry-run' | 'no-op' | 'skipped' | 'failed';

/** A person changed the pool's keep-alive themselves (console, SDK); it wins over the policy. */
interface HumanOverride {
  readonly at: number;
  readonly by: string;
  readonly keepAliveSeconds: number;
}

/**
 * Pool Warden's record of one warm pool. A pool belongs to the training job whose end made it
 * Available; it is keyed by that job's ARN *and* creation time, because a job name (so its ARN)
 * can be used again after DeleteTrainingJob.
 */
interface PoolRecord {
  readonly jobArn: string;
  readonly jobName: string;
  readonly creationTime: number;
  readonly region: string;
  /**
   * The AWS account id the job ran in. Optional because `jobArn` names it too (`poolAccount`
   * reads either); views without an ARN, like the simulator's, set it directly.
   */
  readonly account?: string;
  /** Directory id (or address) of the owner, as the finish notice resolved it. */
  readonly owner: string;
  /** How the owner was found (e.g. `tag warden:owner`), for the pool's notices. */
  readonly ownerVia?: string;
  readonly team?: string;
  readonly matchKey: MatchKey;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly tags: Tags;
  /** TrainingEndTime: the pool became Available then. */
  readonly endTime: number;
  /** The KeepAlivePeriodInSeconds in force, as last set by the job or by Warden. */
  readonly keepAliveSeconds: number;
  /** When Warden last set the keep-alive (the anchor under `update-time`). */
  readonly updatedAt?: number;
  /** Expiry as Warden computes it (see `keep-alive.ts`), epoch ms. */
  readonly expiresAt: number;
  readonly state: PoolState;
  /** When the steward must look at it next; absent once the pool is gone. */
  readonly nextDecisionAt?: number;
  /** A release was announced to the owner for this time. */
  readonly releaseWarnedFor?: number;
  readonly humanOverride?: HumanOverride;
  /** Who took the pool, once Reused. */
  readonly reusedByJob?: string;
  /** The newest decisions, newest last, bounded (see MAX_DECISIONS_KEPT). */
  readonly decisions: readonly DecisionEntry[];
  /** Optimistic-concurrency version; every write increments it. */
  readonly version: number;
}

const MAX_DECISIONS_KEPT = 20;

/** The record's id in stores, logs and notices: ARN + creation time. */
function poolId(pool: Pick<PoolRecord, 'jobArn' | 'creationTime'>): string {
  return `${pool.jobArn}#${pool.creationTime}`;
}

/** The account and region a SageMaker ARN names (`arn:aws:sagemaker:REGION:ACCOUNT:…`). */
function locationOfArn(arn: string): { account: string; region: string } | undefined {
  const match = /^arn:[a-z-]+:sagemaker:([a-z0-9-]+):(\d{12}):/.exec(arn);
  return match?.[1] === undefined || match[2] === undefined
    ? undefined
    : { region: match[1], account: match[2] };
}

/** The pool's account: its own field, else the one its job ARN names. */
function poolAccount(pool: Pick<PoolRecord, 'account'> & { readonly jobArn?: string }) {
  if (pool.account !== undefined) return pool.account;
  return pool.jobArn === undefined ? undefined : locationOfArn(pool.jobArn)?.account;
}

function isGone(state: PoolState): boolean {
  return state === 'Reused' || state === 'Terminated';
}

function withDecision(pool: PoolRecord, entry: DecisionEntry): PoolRecord {
  return { ...pool, decisions: [...pool.decisions, entry].slice(-MAX_DECISIONS_KEPT) };
}

export type { DecisionEntry, DecisionOutcome, HumanOverride, PoolAction, PoolRecord, PoolState };
export { isGone, locationOfArn, MAX_DECISIONS_KEPT, poolAccount, poolId, withDecision };
