import type { NoticeAction } from '../actions/action-grant.js';
import { FALLBACK_VIA } from '../owner/resolve-owner.js';
import { formatShortTime } from './format.js';
import type { Notice } from './notice.js';
import {
  actionEmailLines,
  DETAILS_UNAVAILABLE,
  headline,
  noticeLines,
  priceNote,
  shownActions,
} from './notice-lines.js';
import { printable, printableLines, TEXT_LIMITS } from './plain-text.js';

interface EmailMessage {
  /** The owner's address; SNS subscriptions filter on it. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /**
   * The notice's own action links, the only URLs besides the console's that the HTML part
   * makes clickable; job-controlled text never adds one.
   */
  readonly actionUrls?: readonly string[];
}

/** SNS requires subjects under 100 characters, ASCII, without line breaks. */
const MAX_SUBJECT = 99;

/** SNS takes at most 256 KiB per message, body, subject and attributes counted together. */
const SNS_MESSAGE_LIMIT_BYTES = 262_144;

/**
 * What the body of one email may take: a quarter of the SNS limit, so subject and attributes
 * (owner, status, job name) fit beside it with room to spare. Each job-controlled field is
 * capped well below this already; the cap here is the last guard, not the design.
 */
const MAX_EMAIL_TEXT_BYTES = 65_536;

/**
 * Renders a notice as a plain-text email (SNS email subscriptions deliver plain text only).
 * Job-controlled text is made printable and capped, so the body has no forged lines and stays
 * far under the SNS limit whatever the event held.
 *
 * @example renderEmail(notice, 'alice@example.com').subject // 'Pool Warden: Completed, warm pool until 11:30 CET - resnet-sweep-017'
 */
function renderEmail(notice: Notice, to: string): EmailMessage {
  const lines = noticeLines(notice);
  const width = Math.max(...lines.map((l) => l.label.length)) + 2;
  const body: string[] = [];
  if (notice.deliveryNote !== undefined) {
    body.push(printable(notice.deliveryNote, TEXT_LIMITS.deliveryNote), '');
  }
  body.push(headline(notice), '');
  if (notice.detailsUnavailable === true) body.push(DETAILS_UNAVAILABLE, '');
  for (const { label, value } of lines) {
    const head = `${label}:`.padEnd(width);
    if (label === 'Failure reason' && notice.failureReason !== undefined) {
      // A traceback keeps its lines, each indented under the label so none can pass for ours.
      const [first, ...rest] = printableLines(notice.failureReason, TEXT_LIMITS.failureReason);
      body.push(`${head}${first ?? ''}`, ...rest.map((l) => `${' '.repeat(width)}${l}`));
    } else {
      body.push(`${head}${value}`);
    }
  }
  const actions = actionEmailLines(notice.actions);
  if (actions.length > 0) body.push('', ...actions);
  body.push('', `Open in the SageMaker console: ${notice.consoleUrl}`);
  if (notice.status === 'Failed') body.push(`Read its logs in CloudWatch: ${notice.logsUrl}`);
  const note = priceNote(notice);
  if (note !== undefined) body.push('', note);
  const skipped = notice.owner.skipped;
  if (skipped.length > 0) {
    body.push(
      '',
      'Owner candidates tried first:',
      ...skipped
        .slice(0, TEXT_LIMITS.skippedCount)
        .map((s) => `  - ${printable(s, TEXT_LIMITS.skippedEntry)}`)
    );
    if (skipped.length > TEXT_LIMITS.skippedCount) {
      body.push(`  - and ${skipped.length - TEXT_LIMITS.skippedCount} more`);
    }
  }
  body.push('', ...signOff(notice.jobName, notice.owner.via));
  return withActionUrls(
    { to, subject: subjectOf(notice), text: capBytes(`${body.join('\n')}\n`) },
    notice.actions
  );
}

/** The closing lines of every email: why Pool Warden sent it to this person. */
function signOff(jobName: string, via: string): string[] {
  const job = printable(jobName, TEXT_LIMITS.jobName);
  return [
    '--',
    via === FALLBACK_VIA
      ? `Pool Warden sent this to you as the fallback contact: nothing named an owner for ${job}.`
      : `Pool Warden sent this because you own ${job} (${printable(via)}).`,
  ];
}

/** The message with the URLs of the actions it shows, for the HTML part. */
function withActionUrls(
  message: EmailMessage,
  actions: readonly NoticeAction[] | undefined
): EmailMessage {
  const urls = shownActions(actions).map((a) => a.url);
  return urls.length === 0 ? message : { ...message, actionUrls: urls };
}

/** UTF-8 length of `text`, counted without an encoder (the domain does no I/O). */
function utf8Bytes(text: string): number {
  let bytes = 0;
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    bytes += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return bytes;
}

function capBytes(text: string): string {
  if (utf8Bytes(text) <= MAX_EMAIL_TEXT_BYTES) return text;
  // At most 3 bytes per UTF-16 unit, so a third of the budget in units always fits.
  const room = Math.floor(MAX_EMAIL_TEXT_BYTES / 3) - 40;
  return `${text.slice(0, room).replace(/[\uD800-\uDBFF]$/, '')}\n… (notice cut to fit an email)\n`;
}

function subjectOf(notice: Notice): string {
  const pool =
    notice.pool.kind === 'available' && notice.pool.remainingSeconds > 0
      ? `, warm pool until ${formatShortTime(notice.pool.expiresAt, notice.createdAt, notice.owner.timeZone)}`
      : '';
  const fixed = `Pool Warden: ${notice.status}${pool} - `;
  // ASCII first, then cut with an ASCII ellipsis: expanding `…` after the cut pushed it off the end.
  const job = toAscii(notice.jobName);
  const room = MAX_SUBJECT - fixed.length;
  const cut = job.length <= room ? job : `${job.slice(0, room - 3)}...`;
  return toAscii(`${fixed}${cut}`).slice(0, MAX_SUBJECT);
}

/** SNS subjects are ASCII: the zone's minus sign and the ellipsis have ASCII spellings. */
function toAscii(text: string): string {
  return text
    .replace(/…/g, '...')
    .replace(/\u2212/g, '-')
    .replace(/[^\x20-\x7E]/g, '?');
}

export type { EmailMessage };
export {
  MAX_EMAIL_TEXT_BYTES,
  MAX_SUBJECT,
  renderEmail,
  SNS_MESSAGE_LIMIT_BYTES,
  signOff,
  toAscii,
  utf8Bytes,
  withActionUrls,
};
