import { FALLBACK_VIA } from '../owner/resolve-owner.js';
import { formatTimeInZone } from './format.js';
import type { Notice } from './notice.js';
import { headline, noticeLines, priceNote } from './notice-lines.js';

interface EmailMessage {
  /** The owner's address; SNS subscriptions filter on it. */
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** SNS requires subjects under 100 characters, ASCII, without line breaks. */
const MAX_SUBJECT = 99;

/** Renders a notice as a plain-text email (SNS email subscriptions deliver plain text only). */
function renderEmail(notice: Notice, to: string): EmailMessage {
  const lines = noticeLines(notice);
  const width = Math.max(...lines.map((l) => l.label.length)) + 2;
  const body = [
    headline(notice),
    '',
    ...lines.map((l) => `${`${l.label}:`.padEnd(width)}${l.value}`),
    '',
    `Open in the SageMaker console: ${notice.consoleUrl}`,
  ];
  const note = priceNote(notice);
  if (note !== undefined) body.push('', note);
  if (notice.owner.skipped.length > 0) {
    body.push('', 'Owner candidates tried first:', ...notice.owner.skipped.map((s) => `  - ${s}`));
  }
  body.push(
    '',
    '--',
    notice.owner.via === FALLBACK_VIA
      ? `Pool Warden sent this to you as the fallback contact: nothing named an owner for ${notice.jobName}.`
      : `Pool Warden sent this because you own ${notice.jobName} (${notice.owner.via}).`
  );
  return { to, subject: subjectOf(notice), text: `${body.join('\n')}\n` };
}

function subjectOf(notice: Notice): string {
  const pool =
    notice.pool.kind === 'available' && notice.pool.remainingSeconds > 0
      ? `, warm pool until ${formatTimeInZone(notice.pool.expiresAt, notice.owner.timeZone).split(', ')[1]}`
      : '';
  const fixed = `Pool Warden: ${notice.status}${pool} - `;
  // ASCII first, then cut with an ASCII ellipsis: expanding `…` after the cut pushed it off the end.
  const job = toAscii(notice.jobName);
  const room = MAX_SUBJECT - fixed.length;
  const cut = job.length <= room ? job : `${job.slice(0, room - 3)}...`;
  return toAscii(`${fixed}${cut}`).slice(0, MAX_SUBJECT);
}

function toAscii(text: string): string {
  return text.replace(/…/g, '...').replace(/[^\x20-\x7E]/g, '?');
}

export type { EmailMessage };
export { renderEmail };
