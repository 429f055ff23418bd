import { formatShortTime } from './format.js';
import { actionEmailLines } from './notice-lines.js';
import type { PoolNotice, PoolNoticeKind } from './pool-notice.js';
import {
  poolFootnotes,
  poolHeadline,
  poolNextSteps,
  poolNoticeLines,
} from './pool-notice-lines.js';
import {
  type EmailMessage,
  MAX_SUBJECT,
  signOff,
  toAscii,
  withActionUrls,
} from './render-email.js';

const SUBJECT_VERB: Readonly<
  Record<PoolNoticeKind, { readonly did: string; readonly would: string }>
> = {
  extended: { did: 'extended to', would: 'would be extended to' },
  shrunk: { did: 'shortened to', would: 'would be shortened to' },
  released: { did: 'released', would: 'would be released' },
  'release-warning': { did: 'will be released at', would: 'would be released at' },
};

/**
 * Renders a pool notice as a plain-text email (SNS email subscriptions deliver plain text only),
 * in the finish notice's layout: headline, aligned facts, what to do, console link, footnotes.
 *
 * @example renderPoolEmail(notice, 'alice@example.com').subject // 'Pool Warden: Warm pool of resnet-sweep-017 extended to 11:30 CET'
 */
function renderPoolEmail(notice: PoolNotice, to: string): EmailMessage {
  const lines = poolNoticeLines(notice);
  const width = Math.max(...lines.map((l) => l.label.length)) + 2;
  const body = [
    poolHeadline(notice),
    '',
    ...lines.map((l) => `${`${l.label}:`.padEnd(width)}${l.value}`),
  ];
  const steps = poolNextSteps(notice);
  if (steps.length > 0) {
    body.push(
      '',
      notice.kind === 'release-warning' ? 'What you can do:' : 'What this means:',
      ...steps.map((s) => `  - ${s}`)
    );
  }
  const actions = actionEmailLines(notice.actions);
  if (actions.length > 0) body.push('', ...actions);
  body.push('', `Open in the SageMaker console: ${notice.consoleUrl}`);
  for (const note of poolFootnotes(notice)) body.push('', note);
  body.push('', ...signOff(notice.jobName, notice.owner.via));
  return withActionUrls(
    { to, subject: subjectOf(notice), text: `${body.join('\n')}\n` },
    notice.actions
  );
}

function subjectOf(notice: PoolNotice): string {
  const verb = SUBJECT_VERB[notice.kind];
  const time =
    notice.kind === 'released'
      ? ''
      : ` ${formatShortTime(notice.newExpiry, notice.createdAt, notice.owner.timeZone)}`;
  const before = notice.dryRun
    ? 'Pool Warden: Dry run: warm pool of '
    : 'Pool Warden: Warm pool of ';
  const after = toAscii(` ${notice.dryRun ? verb.would : verb.did}${time}`);
  // The job name gives way, never the time: the time is what the owner must act on.
  const job = toAscii(notice.jobName);
  const room = MAX_SUBJECT - before.length - after.length;
  const cut = job.length <= room ? job : `${job.slice(0, Math.max(0, room - 3))}...`;
  return `${before}${cut}${after}`.slice(0, MAX_SUBJECT);
}

export { renderPoolEmail };
