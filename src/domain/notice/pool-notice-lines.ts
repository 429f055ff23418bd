import { formatDuration, formatRate, formatTimeInZone, formatUsd } from './format.js';
import { illustrativePriceNote, type NoticeLine, noPrice, shownActions } from './notice-lines.js';
import { printable, TEXT_LIMITS } from './plain-text.js';
import type { PoolNotice, PoolNoticeKind } from './pool-notice.js';

/** The headline around the job name, so Slack can make the name a link and email keep it plain. */
interface HeadlineParts {
  readonly before: string;
  readonly after: string;
}

const DONE: Readonly<Record<PoolNoticeKind, { readonly did: string; readonly would: string }>> = {
  extended: { did: 'extended', would: 'would have extended' },
  shrunk: { did: 'shortened', would: 'would have shortened' },
  released: { did: 'released', would: 'would have released' },
  'release-warning': { did: 'will release', would: 'would release' },
};

/** What a pool notice says for money it cannot work out for want of a price. */
function unpriced(notice: PoolNotice): string {
  return `unknown (${noPrice(notice.instanceType)})`;
}

/** The notice's time `epochMs` in the owner's zone, e.g. `Thu 26 Nov, 11:30 CET`. */
function timeOf(notice: PoolNotice, epochMs: number): string {
  return formatTimeInZone(epochMs, notice.owner.timeZone);
}

/** `Pool Warden extended the warm pool of ` + job + ` to Thu 26 Nov, 11:30 CET.` */
function poolHeadlineParts(notice: PoolNotice): HeadlineParts {
  const verb = notice.dryRun ? DONE[notice.kind].would : DONE[notice.kind].did;
  const at = timeOf(notice, notice.newExpiry);
  const before = `${notice.dryRun ? 'Dry run: ' : ''}Pool Warden ${verb} the warm pool of `;
  const when = notice.kind === 'extended' || notice.kind === 'shrunk' ? ` to ${at}` : ` at ${at}`;
  return { before, after: `${when}${notice.dryRun ? '; nothing was changed.' : '.'}` };
}

/** The whole headline in one line, the job name made printable. */
function poolHeadline(notice: PoolNotice): string {
  const { before, after } = poolHeadlineParts(notice);
  return `${before}${printable(notice.jobName, TEXT_LIMITS.jobName)}${after}`;
}

/** The facts of a pool notice, in reading order; absent facts are left out. */
function poolNoticeLines(notice: PoolNotice): NoticeLine[] {
  const lines: NoticeLine[] = [];
  const add = (label: string, value: string | undefined) => {
    if (value !== undefined)
      lines.push({ label, value: printable(value, TEXT_LIMITS.failureReason) });
  };
  const moved = Math.abs(notice.newExpiry - notice.previousExpiry) / 1000;
  add('Instances', `${notice.instanceCount} × ${notice.instanceType}`);
  switch (notice.kind) {
    case 'extended':
    case 'shrunk': {
      const way = notice.kind === 'extended' ? 'later' : 'sooner';
      add('Was to expire', timeOf(notice, notice.previousExpiry));
      add(
        notice.dryRun ? 'Would expire' : 'Now expires',
        `${timeOf(notice, notice.newExpiry)} (${formatDuration(moved)} ${way})`
      );
      break;
    }
    case 'released':
      add('Was to expire', timeOf(notice, notice.previousExpiry));
      add(notice.dryRun ? 'Would release' : 'Released', timeOf(notice, notice.newExpiry));
      break;
    case 'release-warning': {
      const left = Math.max(0, (notice.newExpiry - notice.createdAt) / 1000);
      add('Expires', timeOf(notice, notice.previousExpiry));
      add('Release at', `${timeOf(notice, notice.newExpiry)} (in ${formatDuration(left)})`);
      break;
    }
  }
  add(...money(notice, moved));
  add('Reason', notice.reason);
  add('Rule', notice.rule);
  add('Owner', `${notice.owner.displayName} (via ${notice.owner.via})`);
  return lines;
}

function money(notice: PoolNotice, movedSeconds: number): [label: string, value: string] {
  const time = formatDuration(movedSeconds);
  const rate =
    notice.price === undefined
      ? ''
      : ` at ${formatRate(notice.price.usdPerHour)}${notice.instanceCount > 1 ? ` × ${notice.instanceCount}` : ''}`;
  if (notice.kind === 'extended') {
    const label = notice.dryRun ? 'Would cost' : 'Extra cost';
    if (notice.extraUsd === undefined) return [label, unpriced(notice)];
    return [
      label,
      `up to ${formatUsd(notice.extraUsd)} (${time} more retained${rate}), if nobody reuses the pool`,
    ];
  }
  const label = notice.dryRun || notice.kind === 'release-warning' ? 'Would save' : 'Saves';
  if (notice.savedUsd === undefined) return [label, unpriced(notice)];
  return [label, `up to ${formatUsd(notice.savedUsd)} (${time} less retained${rate})`];
}

/** What the owner can do now, one sentence each; empty when there is nothing to do. */
function poolNextSteps(notice: PoolNotice): string[] {
  const at = timeOf(notice, notice.newExpiry);
  switch (notice.kind) {
    case 'release-warning':
      return [
        `To keep the pool, start a matching job before ${at} (same role, instance type and count, volume and network settings): it takes the pool, and nothing is released.`,
        shownActions(notice.actions).some((a) => a.kind === 'extend')
          ? 'To keep it longer without a job, choose a Keep warm time below.'
          : 'To keep it longer without a job, ask a Pool Warden admin.',
        'If you no longer need it, there is nothing to do.',
      ];
    case 'released':
      return notice.dryRun
        ? []
        : ['Your next matching job starts cold, as it would after the keep-alive ran out.'];
    case 'extended':
    case 'shrunk':
      return [`A matching job started before ${at} takes the pool.`];
  }
}

/** The footnotes a pool notice carries: the dry-run note and the illustrative-price note. */
function poolFootnotes(notice: PoolNotice): string[] {
  const notes: string[] = [];
  if (notice.dryRun) {
    notes.push(
      'Dry run: nothing was changed. Pool Warden only records what it would do until an admin sets dryRun: false under settings: in the config.'
    );
  }
  if (notice.price?.source === 'illustrative') {
    notes.push(illustrativePriceNote(notice.instanceType));
  }
  return notes;
}

export type { HeadlineParts };
export {
  poolFootnotes,
  poolHeadline,
  poolHeadlineParts,
  poolNextSteps,
  poolNoticeLines,
  printable,
};
