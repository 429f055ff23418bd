import type { NoticeAction } from '../actions/action-grant.js';
import {
  formatDuration,
  formatDurationExact,
  formatRate,
  formatTimeInZone,
  formatTimeRange,
  formatUsd,
} from './format.js';
import type { Notice } from './notice.js';
import { printable, TEXT_LIMITS } from './plain-text.js';

/** One labelled fact of a notice, shared by the email and Slack renderings. */
interface NoticeLine {
  readonly label: string;
  readonly value: string;
}

const STATUS_WORD: Readonly<Record<Notice['status'], string>> = {
  Completed: 'completed',
  Failed: 'failed',
  Stopped: 'was stopped',
};

/** What every channel says when Describe could not speak for the job. */
const DETAILS_UNAVAILABLE =
  "This job's details are no longer available from SageMaker (its name was reused or it was deleted); this notice shows only what the event said.";

/**
 * Why a cost is unknown for want of a price, naming the instance type so an admin can add it.
 *
 * @example noPrice('ml.trn2.48xlarge') // 'no price for ml.trn2.48xlarge; add it under prices: in the config'
 */
function noPrice(instanceType: string | undefined): string {
  if (instanceType === undefined) return 'SageMaker did not say the instance type';
  return `no price for ${printable(instanceType)}; add it under prices: in the config`;
}

/** `my-job completed after 1h 02m.` */
function headline(notice: Notice): string {
  const after =
    notice.durationSeconds === undefined ? '' : ` after ${formatDuration(notice.durationSeconds)}`;
  return `${printable(notice.jobName, TEXT_LIMITS.jobName)} ${STATUS_WORD[notice.status]}${after}.`;
}

/** The warm pool in one sentence, in the owner's time zone. */
function poolSentence(notice: Notice): string {
  const { pool } = notice;
  switch (pool.kind) {
    case 'none':
      return 'No warm pool (the job set no keep-alive).';
    case 'missing':
      // SageMaker keeps no pool after failures that may have harmed the cluster.
      if (notice.status === 'Failed') {
        return `No warm pool retained (the job asked for ${formatDuration(pool.keepAliveSeconds)}): SageMaker keeps none after some failures.`;
      }
      return `No warm pool reported although the job asked for ${formatDuration(pool.keepAliveSeconds)} of keep-alive: check the account's warm pool quota for this instance type.`;
    case 'available': {
      const at = formatTimeInZone(pool.expiresAt, notice.owner.timeZone);
      if (pool.remainingSeconds === 0) return `Available, expiring now (${at}).`;
      return `Available until ${at} (${formatDuration(pool.remainingSeconds)} left).`;
    }
    case 'expiry-unknown':
      return 'Available, but its expiry is unknown: SageMaker gave no keep-alive from 1 s to 6 h (or no end time) for this job.';
    case 'gone': {
      if (pool.status === 'InUse') return 'In use by a matching job.';
      const reused = pool.reusedByJob === undefined ? '' : ` by ${printable(pool.reusedByJob)}`;
      const retained =
        pool.retainedSeconds === undefined
          ? ''
          : `, retained ${formatDuration(pool.retainedSeconds)}${pool.retainedUsd === undefined ? '' : ` (${formatUsd(pool.retainedUsd)})`}`;
      return `${printable(pool.status)}${reused}${retained}.`;
    }
  }
}

/**
 * The pool's expiry and money at risk in a few words, for the notification preview; `undefined`
 * when there is no pool to act on.
 *
 * @example poolSummary(notice) // 'Warm pool until Thu 26 Nov, 11:30 CET; $1.01 at risk.'
 */
function poolSummary(notice: Notice): string | undefined {
  const { pool } = notice;
  if (pool.kind === 'expiry-unknown') return 'Warm pool available; expiry unknown.';
  if (pool.kind !== 'available') return undefined;
  const at = formatTimeInZone(pool.expiresAt, notice.owner.timeZone);
  if (pool.remainingSeconds === 0) return `Warm pool expiring now (${at}).`;
  const risk =
    pool.atRiskUsd === undefined
      ? 'amount at risk unknown'
      : `${formatUsd(pool.atRiskUsd)} at risk`;
  return `Warm pool until ${at}; ${risk}.`;
}

/** The facts of a notice, in reading order; absent facts are left out rather than shown empty. */
function noticeLines(notice: Notice): NoticeLine[] {
  const lines: NoticeLine[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined) lines.push({ label, value });
  };
  add(
    'Status',
    notice.secondaryStatus === undefined
      ? notice.status
      : `${notice.status} (${printable(notice.secondaryStatus)})`
  );
  add(
    'Duration',
    notice.durationSeconds === undefined ? undefined : formatDuration(notice.durationSeconds)
  );
  add('Ran', ran(notice));
  add('Instances', instances(notice));
  add('Billable time', billable(notice));
  add('Managed spot', spot(notice));
  add(
    'Failure reason',
    notice.failureReason === undefined
      ? undefined
      : printable(notice.failureReason, TEXT_LIMITS.failureReason)
  );
  add('Warm pool', poolSentence(notice));
  add('At risk', atRisk(notice));
  add(
    'Managed by',
    notice.managedByRule === undefined || notice.pool.kind !== 'available'
      ? undefined
      : `Pool Warden (rule ${printable(notice.managedByRule, TEXT_LIMITS.short)}): it may change this expiry, and tells you if it does`
  );
  add('Owner', `${printable(notice.owner.displayName)} (via ${printable(notice.owner.via)})`);
  return lines;
}

/** Start and end in the owner's zone, so a failure can be matched with what they saw. */
function ran(notice: Notice): string | undefined {
  const { startTime, endTime } = notice;
  const zone = notice.owner.timeZone;
  if (startTime !== undefined && endTime !== undefined && endTime >= startTime) {
    return formatTimeRange(startTime, endTime, zone);
  }
  if (startTime !== undefined) return `from ${formatTimeInZone(startTime, zone)}`;
  if (endTime !== undefined) return `until ${formatTimeInZone(endTime, zone)}`;
  return undefined;
}

function instances(notice: Notice): string | undefined {
  const { instanceType, instanceCount } = notice;
  if (instanceType === undefined && instanceCount === undefined) return undefined;
  const type = instanceType === undefined ? 'an unknown instance type' : printable(instanceType);
  if (instanceCount === undefined)
    return `${type} (instance count unknown: SageMaker gave none usable)`;
  return `${instanceCount} × ${type}`;
}

function billable(notice: Notice): string | undefined {
  if (notice.billableSeconds === undefined) return undefined;
  // To the second: the line multiplies it out to a cost.
  const time = formatDurationExact(notice.billableSeconds);
  const count = notice.instanceCount;
  if (count === undefined) return `${time} per instance (cost unknown: instance count unknown)`;
  const per = count > 1 ? ` × ${count} instances` : '';
  if (notice.costUsd !== undefined && notice.price !== undefined) {
    return `${time}${per} = ${formatUsd(notice.costUsd)} at ${formatRate(notice.price.usdPerHour)}`;
  }
  return `${time}${per} (cost unknown: ${noPrice(notice.instanceType)})`;
}

/** Managed spot bills only part of the training time; say so, or the billable time looks wrong. */
function spot(notice: Notice): string | undefined {
  if (notice.managedSpot !== true) return undefined;
  const { trainingSeconds: trained, billableSeconds: billed } = notice;
  if (trained === undefined || billed === undefined || trained === 0 || billed > trained) {
    return 'yes; SageMaker gave no training and billable times to compare';
  }
  const percent = Math.round((1 - billed / trained) * 100);
  const price = notice.price;
  const count = notice.instanceCount;
  const saved =
    price === undefined || count === undefined
      ? ''
      : ` (${formatUsd(((trained - billed) * count * price.usdPerHour) / 3600)})`;
  return `billed ${formatDuration(billed)} of ${formatDuration(trained)} trained: ${percent}% saved${saved}`;
}

function atRisk(notice: Notice): string | undefined {
  const { pool } = notice;
  if (pool.kind === 'expiry-unknown') return 'unknown (the pool’s expiry is unknown)';
  if (pool.kind !== 'available') return undefined;
  if (pool.atRiskUsd !== undefined) {
    return `${formatUsd(pool.atRiskUsd)} if nobody reuses the pool before it expires`;
  }
  if (notice.instanceCount === undefined) return 'unknown (instance count unknown)';
  return `unknown (${noPrice(notice.instanceType)})`;
}

/** The footnote every notice carries when a price came from the illustrative table. */
function priceNote(notice: Notice): string | undefined {
  if (notice.price?.source !== 'illustrative') return undefined;
  return illustrativePriceNote(notice.instanceType ?? 'this instance type');
}

/** What a notice priced from the illustrative table says of its prices, finish or pool alike. */
function illustrativePriceNote(instanceType: string): string {
  return `Prices are illustrative list prices for ${printable(instanceType)}, not a quote; admins can set real ones under prices: in the Pool Warden config.`;
}

/** Slack's button limits, which every channel keeps so both show the same choices. */
const ACTION_LIMITS = { label: 75, token: 2000, url: 3000, count: 5 } as const;

/** A URL of printable ASCII without spaces, quotes, angle brackets or pipes: no channel misreads it. */
const SAFE_URL = /^https?:\/\/[A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]+$/;
const SAFE_TOKEN = /^[A-Za-z0-9\-._~]+$/;

/**
 * The actions a renderer shows: those whose URL and token no channel can misread and whose
 * label fits a Slack button. They come from the service's own signer, never from job text;
 * the check makes sure a faulty signer cannot break a message either.
 *
 * @example shownActions(notice.actions).map((a) => a.label) // ['Keep warm until 11:30 CET', 'Release now']
 */
function shownActions(actions: readonly NoticeAction[] | undefined): NoticeAction[] {
  if (actions === undefined) return [];
  return actions
    .filter(
      (a) =>
        a.url.length <= ACTION_LIMITS.url &&
        SAFE_URL.test(a.url) &&
        a.token.length <= ACTION_LIMITS.token &&
        SAFE_TOKEN.test(a.token) &&
        a.slackToken.length <= ACTION_LIMITS.token &&
        SAFE_TOKEN.test(a.slackToken)
    )
    .slice(0, ACTION_LIMITS.count)
    .map((a) => ({ ...a, label: printable(a.label, ACTION_LIMITS.label) }));
}

/**
 * The heading over the action links of an email, naming only what they offer: a pool already
 * kept to the maximum can only be released.
 */
function actionsHeading(shown: readonly NoticeAction[]): string {
  const extend = shown.some((a) => a.kind === 'extend');
  const release = shown.some((a) => a.kind === 'release');
  const what =
    extend && release
      ? 'Keep the pool warm longer, or release it'
      : extend
        ? 'Keep the pool warm longer'
        : 'Release the pool';
  return shown.length === 1
    ? `${what} (the link opens a page that asks you to confirm):`
    : `${what} (each link opens a page that asks you to confirm):`;
}

/** The actions as email lines, `  Keep warm until 14:32 CET: https://…`; none without actions. */
function actionEmailLines(actions: readonly NoticeAction[] | undefined): string[] {
  const shown = shownActions(actions);
  if (shown.length === 0) return [];
  return [actionsHeading(shown), ...shown.map((a) => `  ${a.label}: ${a.url}`)];
}

export type { NoticeLine };
export {
  ACTION_LIMITS,
  actionEmailLines,
  DETAILS_UNAVAILABLE,
  headline,
  illustrativePriceNote,
  noPrice,
  noticeLines,
  poolSentence,
  poolSummary,
  priceNote,
  shownActions,
};
