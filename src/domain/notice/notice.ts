import type { NoticeAction } from '../actions/action-grant.js';
import type { TerminalStatus } from '../job/job-status.js';
import { MAX_KEEP_ALIVE_SECONDS, type TrainingJobSnapshot } from '../job/training-job.js';
import { dropUndefined } from '../objects.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import { costOf, type HourlyPrice, isUsablePrice } from '../pricing/price-table.js';
import { cap, printable, TEXT_LIMITS, wellFormed } from './plain-text.js';

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
  /**
   * SageMaker says the pool is Available but gave no keep-alive from 1 s to 21600 s (or no end
   * time), so when it expires, and what it costs until then, is not known.
   */
  | { readonly kind: 'expiry-unknown' }
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
  /** `undefined` when SageMaker gave no usable count: no cost is worked out from a guess. */
  readonly instanceCount?: number;
  readonly durationSeconds?: number;
  /** When training started and ended, epoch ms, for the owner's local times. */
  readonly startTime?: number;
  readonly endTime?: number;
  /** TrainingTimeInSeconds, which managed spot compares with the billable time. */
  readonly trainingSeconds?: number;
  readonly billableSeconds?: number;
  /** The job ran on managed spot capacity, so it is billed for less than it trained. */
  readonly managedSpot?: true;
  readonly costUsd?: number;
  readonly price?: HourlyPrice;
  readonly pool: PoolView;
  /** The job's logs in the CloudWatch console of its region. */
  readonly logsUrl: string;
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
  /** Keep-warm and release actions the owner may take, as links (email) and buttons (Slack). */
  readonly actions?: readonly NoticeAction[];
  /**
   * The admins' rule under which Pool Warden decides this pool's keep-alive (`managingRule`):
   * its first decision follows within a minute, so the notice says the expiry may change.
   */
  readonly managedByRule?: string;
}

interface NoticeInputs {
  readonly job: TrainingJobSnapshot;
  readonly status: TerminalStatus;
  readonly region: string;
  readonly owner: ResolvedOwner;
  readonly price?: HourlyPrice;
  readonly now: number;
  /** Describe did not speak for this job (see `Notice.detailsUnavailable`). */
  readonly detailsUnavailable?: boolean;
  readonly deliveryNote?: string;
}

/**
 * The dedupe key: one finish notice per job, whatever terminal statuses its events claim. The
 * creation time is part of it because a job name (and so its ARN) can be used again after
 * DeleteTrainingJob.
 *
 * @example noticeKey(event.job) // 'arn:aws:sagemaker:…:training-job/resnet#1795169100000'
 */
function noticeKey(job: Pick<TrainingJobSnapshot, 'arn' | 'creationTime'>): string {
  const created = job.creationTime === undefined ? '' : `#${job.creationTime}`;
  return `${job.arn.toLowerCase()}${created}`;
}

/**
 * The job in the SageMaker console of its region. A name no SageMaker job can have (longer than
 * a notice shows) links to the job list instead of a page that does not exist.
 *
 * @example consoleUrl('eu-west-1', 'resnet') // 'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/resnet'
 */
function consoleUrl(region: string, jobName: string): string {
  const r = encodeURIComponent(wellFormed(region));
  const job = jobName.length > TEXT_LIMITS.jobName ? '' : encodeURIComponent(wellFormed(jobName));
  return `https://${r}.console.aws.amazon.com/sagemaker/home?region=${r}#/jobs/${job}`;
}

/** Where SageMaker writes every training job's logs; each stream starts with the job name. */
const LOG_GROUP = '/aws/sagemaker/TrainingJobs';

/**
 * The job's log streams in the CloudWatch console: the log group, filtered to streams that
 * start with the job name. The console's `logsV2` fragment encodes twice, `%` written as `$`.
 *
 * @example logsUrl('us-east-1', 'resnet') // 'https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Dresnet'
 */
function logsUrl(region: string, jobName: string): string {
  const r = encodeURIComponent(wellFormed(region));
  const twice = (text: string) =>
    encodeURIComponent(encodeURIComponent(wellFormed(text))).replace(/%/g, '$');
  const group = `log-groups/log-group/${twice(LOG_GROUP)}`;
  const filter =
    jobName.length > TEXT_LIMITS.jobName ? '' : `$3FlogStreamNameFilter$3D${twice(jobName)}`;
  return `https://${r}.console.aws.amazon.com/cloudwatch/home?region=${r}#logsV2:${group}${filter}`;
}

/**
 * Builds the channel-independent notice for a finished job. A value SageMaker did not give, or
 * gave out of range, stays unknown: no default instance count, no expiry from a keep-alive of
 * 0, no cost from an unusable price.
 *
 * @example buildNotice({ job, status: 'Completed', region: 'us-east-1', owner, price, now })
 */
function buildNotice(inputs: NoticeInputs): Notice {
  const { job, status, region, owner, now } = inputs;
  const price =
    inputs.price !== undefined && isUsablePrice(inputs.price.usdPerHour) ? inputs.price : undefined;
  const instanceCount = job.instanceCount;
  const billable = job.billableSeconds;
  return dropUndefined({
    deliveryNote:
      inputs.deliveryNote === undefined
        ? undefined
        : cap(wellFormed(inputs.deliveryNote), TEXT_LIMITS.deliveryNote),
    // Renderers escape again; here the name is made safe for every other reader (SNS message
    // attributes, ledger refs, outbox file names), and no real SageMaker name changes.
    jobName: printable(job.name, TEXT_LIMITS.jobName),
    jobArn: job.arn,
    region,
    consoleUrl: consoleUrl(region, job.name),
    logsUrl: logsUrl(region, job.name),
    status,
    secondaryStatus: job.secondaryStatus === status ? undefined : job.secondaryStatus,
    failureReason: job.failureReason,
    instanceType: job.instanceType,
    instanceCount,
    durationSeconds: durationOf(job),
    startTime: job.startTime,
    endTime: job.endTime,
    trainingSeconds: job.trainingSeconds,
    billableSeconds: billable,
    managedSpot: job.managedSpot === true ? (true as const) : undefined,
    costUsd: dollars(billable, instanceCount, price),
    price,
    pool: poolView(job, instanceCount, price, now),
    owner,
    createdAt: now,
    detailsUnavailable: inputs.detailsUnavailable === true ? (true as const) : undefined,
  });
}

/** Seconds × instances × price, or `undefined` when any of them is unknown or it is not finite. */
function dollars(
  seconds: number | undefined,
  count: number | undefined,
  price: HourlyPrice | undefined
): number | undefined {
  if (seconds === undefined || count === undefined || price === undefined) return undefined;
  const usd = costOf(seconds, count, price);
  return Number.isFinite(usd) && usd >= 0 ? usd : undefined;
}

function durationOf(job: TrainingJobSnapshot): number | undefined {
  if (job.startTime !== undefined && job.endTime !== undefined && job.endTime >= job.startTime) {
    return Math.round((job.endTime - job.startTime) / 1000);
  }
  return job.trainingSeconds;
}

/** The largest time a JavaScript Date can hold; an expiry past it cannot be shown. */
const MAX_TIME_MS = 8.64e15;

function poolView(
  job: TrainingJobSnapshot,
  instanceCount: number | undefined,
  price: HourlyPrice | undefined,
  now: number
): PoolView {
  const keepAlive = job.keepAliveSeconds;
  const pool = job.warmPool;
  if (pool === undefined) {
    return keepAlive !== undefined && keepAlive > 0
      ? { kind: 'missing', keepAliveSeconds: keepAlive }
      : { kind: 'none' };
  }
  if (pool.status === 'Available') {
    // The expiry anchor is undocumented; the job end is the earliest reading, so the safest.
    const anchor = job.endTime ?? job.lastModifiedTime;
    const valid = keepAlive !== undefined && keepAlive >= 1 && keepAlive <= MAX_KEEP_ALIVE_SECONDS;
    if (!valid || anchor === undefined) return { kind: 'expiry-unknown' };
    const expiresAt = anchor + keepAlive * 1000;
    if (expiresAt > MAX_TIME_MS) return { kind: 'expiry-unknown' };
    const remainingSeconds = Math.max(0, Math.round((expiresAt - now) / 1000));
    return dropUndefined({
      kind: 'available' as const,
      expiresAt,
      remainingSeconds,
      atRiskUsd: dollars(remainingSeconds, instanceCount, price),
    });
  }
  const retained = pool.retainedBillableSeconds;
  return dropUndefined({
    kind: 'gone' as const,
    status: pool.status,
    reusedByJob: pool.reusedByJob,
    retainedSeconds: retained,
    retainedUsd: dollars(retained, instanceCount, price),
  });
}

export type { Notice, PoolView };
export { buildNotice, consoleUrl, LOG_GROUP, logsUrl, noticeKey };
