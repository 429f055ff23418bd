import { formatDuration, formatRate, formatTimeInZone, formatUsd } from './format.js';
import type { Notice } from './notice.js';

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

/** `my-job completed after 1h 02m.` */
function headline(notice: Notice): string {
  const after =
    notice.durationSeconds === undefined ? '' : ` after ${formatDuration(notice.durationSeconds)}`;
  return `${notice.jobName} ${STATUS_WORD[notice.status]}${after}.`;
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
    case 'gone': {
      if (pool.status === 'InUse') return 'In use by a matching job.';
      const reused = pool.reusedByJob === undefined ? '' : ` by ${pool.reusedByJob}`;
      const retained =
        pool.retainedSeconds === undefined
          ? ''
          : `, retained ${formatDuration(pool.retainedSeconds)}${pool.retainedUsd === undefined ? '' : ` (${formatUsd(pool.retainedUsd)})`}`;
      return `${pool.status}${reused}${retained}.`;
    }
  }
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
      : `${notice.status} (${notice.secondaryStatus})`
  );
  add(
    'Duration',
    notice.durationSeconds === undefined ? undefined : formatDuration(notice.durationSeconds)
  );
  add(
    'Instances',
    notice.instanceType === undefined
      ? undefined
      : `${notice.instanceCount} × ${notice.instanceType}`
  );
  add('Billable time', billable(notice));
  add('Failure reason', notice.failureReason);
  add('Warm pool', poolSentence(notice));
  if (notice.pool.kind === 'available') {
    add(
      'At risk',
      notice.pool.atRiskUsd === undefined
        ? 'unknown (no price for this instance type; add it under prices: in the config)'
        : `${formatUsd(notice.pool.atRiskUsd)} if nobody reuses the pool before it expires`
    );
  }
  add('Owner', `${notice.owner.displayName} (via ${notice.owner.via})`);
  return lines;
}

function billable(notice: Notice): string | undefined {
  if (notice.billableSeconds === undefined) return undefined;
  const time = formatDuration(notice.billableSeconds);
  const per = notice.instanceCount > 1 ? ` × ${notice.instanceCount} instances` : '';
  if (notice.costUsd === undefined || notice.price === undefined) return `${time}${per}`;
  return `${time}${per} = ${formatUsd(notice.costUsd)} at ${formatRate(notice.price.usdPerHour)}`;
}

/** The footnote every notice carries when a price came from the illustrative table. */
function priceNote(notice: Notice): string | undefined {
  if (notice.price?.source !== 'illustrative') return undefined;
  return `Prices are illustrative list prices for ${notice.instanceType}, not a quote; admins can set real ones under prices: in the Pool Warden config.`;
}

export type { NoticeLine };
export { headline, noticeLines, poolSentence, priceNote };
