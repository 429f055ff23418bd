import type { TerminalStatus } from '../job/job-status.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import { dropUndefined } from '../objects.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import { costOf, type HourlyPrice } from '../pricing/price-table.js';

/** What the notice says about the job's warm pool. */
type PoolView =
  /** The job asked for no keep-alive, so there is no pool. */
  | { readonly kind: 'none' }
  /** Keep-alive was requested but SageMaker reports no pool: often a warm-pool quota of 0. */
  | { readonly kind: 'missing'; readonly keepAliveSeconds: number }
  | {
      readonly kind: 'available';
      /** Conservative expiry: TrainingEndTime + KeepAlivePeriodInSeconds. */
      readonly expiresAt: number;
      readonly remainingSeconds: number;
      /** Dollars billed if nobody reuses the pool before it expires. */
      readonly atRiskUsd?: number;
    }
  | {
      readonly kind: 'gone';
      readonly status: string;
      readonly reusedByJob?: string;
      readonly retainedSeconds?: number;
      readonly retainedUsd?: number;
    };

/** Everything a finish notice says, independent of channel. */
interface Notice {
  readonly jobName: string;
  readonly jobArn: string;
  readonly region: string;
  readonly consoleUrl: string;
  readonly status: TerminalStatus;
  readonly secondaryStatus?: string;
  readonly failureReason?: string;
  readonly instanceType?: string;
  readonly instanceCount: number;
  readonly durationSeconds?: number;
  readonly billableSeconds?: number;
  readonly costUsd?: number;
  readonly price?: HourlyPrice;
  readonly pool: PoolView;
  readonly owner: ResolvedOwner;
  readonly createdAt: number;
  /**
   * Describe answered for another job of the same name (deleted and created again) or not at
   * all, so the notice holds only what the event said; renderers say the details are gone.
   */
  readonly detailsUnavailable?: true;
  /**
   * One plain sentence on how this notice reached its reader when it did not go the usual way
   * ("Slack could not be reached (invalid_auth), so this came by email."); shown first.
   */
  readonly deliveryNote?: string;
}

interface NoticeInputs {
  readonly job: TrainingJobSnapshot;
  readonly status: TerminalStatus;
  readonly region: string;
  readonly owner: ResolvedOwner;
  readonly price?: HourlyPrice;
  readonly now: number;
}

/**
 * The dedupe key: one notice per job and terminal status. The creation time is part of it
 * because a job name (and so its ARN) can be used again after DeleteTrainingJob.
 */
function noticeKey(
  job: Pick<TrainingJobSnapshot, 'arn' | 'creationTime'>,
  status: TerminalStatus
): string {
  const created = job.creationTime === undefined ? '' : `#${job.creationTime}`;
  return `${job.arn.toLowerCase()}${created}#${status}`;
}

function consoleUrl(region: string, jobName: string): string {
  const r = encodeURIComponent(region);
  return `https://${r}.console.aws.amazon.com/sagemaker/home?region=${r}#/jobs/${encodeURIComponent(jobName)}`;
}

/** Builds the channel-independent notice for a finished job. */
function buildNotice({ job, status, region, owner, price, now }: NoticeInputs): Notice {
  const instanceCount = job.instanceCount ?? 1;
  const billable = job.billableSeconds;
  return dropUndefined({
    jobName: job.name,
    jobArn: job.arn,
    region,
    consoleUrl: consoleUrl(region, job.name),
    status,
    secondaryStatus: job.secondaryStatus === status ? undefined : job.secondaryStatus,
    failureReason: job.failureReason,
    instanceType: job.instanceType,
    instanceCount,
    durationSeconds: durationOf(job),
    billableSeconds: billable,
    costUsd:
      billable === undefined || price === undefined
        ? undefined
        : costOf(billable, instanceCount, price),
    price,
    pool: poolView(job, instanceCount, price, now),
    owner,
    createdAt: now,
  });
}

function durationOf(job: TrainingJobSnapshot): number | undefined {
  if (job.startTime !== undefined && job.endTime !== undefined && job.endTime >= job.startTime) {
    return Math.round((job.endTime - job.startTime) / 1000);
  }
  return job.trainingSeconds;
}

function poolView(
  job: TrainingJobSnapshot,
  instanceCount: number,
  price: HourlyPrice | undefined,
  now: number
): PoolView {
  const keepAlive = job.keepAliveSeconds ?? 0;
  const pool = job.warmPool;
  if (pool === undefined)
    return keepAlive > 0 ? { kind: 'missing', keepAliveSeconds: keepAlive } : { kind: 'none' };
  if (pool.status === 'Available' || pool.status === 'InUse') {
    // The expiry anchor is undocumented; the job end is the earliest reading, so the safest.
    const anchor = job.endTime ?? job.lastModifiedTime;
    if (pool.status === 'Available' && anchor !== undefined) {
      const expiresAt = anchor + keepAlive * 1000;
      const remainingSeconds = Math.max(0, Math.round((expiresAt - now) / 1000));
      return dropUndefined({
        kind: 'available' as const,
        expiresAt,
        remainingSeconds,
        atRiskUsd: price === undefined ? undefined : costOf(remainingSeconds, instanceCount, price),
      });
    }
  }
  const retained = pool.retainedBillableSeconds;
  return dropUndefined({
    kind: 'gone' as const,
    status: pool.status,
    reusedByJob: pool.reusedByJob,
    retainedSeconds: retained,
    retainedUsd:
      retained === undefined || price === undefined
        ? undefined
        : costOf(retained, instanceCount, price),
  });
}

export type { Notice, PoolView };
export { buildNotice, consoleUrl, noticeKey };
