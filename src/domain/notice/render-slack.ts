import type { Notice } from './notice.js';
import {
  DETAILS_UNAVAILABLE,
  headline,
  noticeLines,
  poolSummary,
  priceNote,
} from './notice-lines.js';
import { printable, TEXT_LIMITS } from './plain-text.js';
import { codeBlock, mrkdwn, SLACK_LIMITS, truncate } from './slack-text.js';

/** A Block Kit message body, valid for both `chat.postMessage` and incoming webhooks. */
interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

type SlackText = { readonly type: 'mrkdwn' | 'plain_text'; readonly text: string };
type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] };

const EMOJI: Readonly<Record<Notice['status'], string>> = {
  Completed: ':white_check_mark:',
  Failed: ':x:',
  Stopped: ':octagonal_sign:',
};

/** Slack allows at most 10 fields per section. */
const MAX_FIELDS = 10;

/**
 * Renders a notice as Block Kit. Every user-controlled string (job name, failure reason, tag
 * values that became owner names) goes through `mrkdwn()`, which escapes and caps it, so the
 * only links are the two built here from encoded parts: the console and, for a failed job,
 * its CloudWatch logs.
 *
 * @example renderSlack(notice).text // ':white_check_mark: resnet completed after 1h 00m. Warm pool until Thu 26 Nov, 11:30 CET; $0.50 at risk.'
 */
function renderSlack(notice: Notice): SlackMessage {
  const facts = noticeLines(notice).filter((l) => l.label !== 'Failure reason');
  const name = printable(notice.jobName, TEXT_LIMITS.jobName);
  const blocks: SlackBlock[] = [];
  if (notice.deliveryNote !== undefined) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: mrkdwn(
          printable(notice.deliveryNote, TEXT_LIMITS.deliveryNote),
          SLACK_LIMITS.sectionText
        ),
      },
    });
  }
  // The link texts are escaped; the URLs are built from encoded parts, so they cannot break out.
  const logs = notice.status === 'Failed' ? ` · <${notice.logsUrl}|CloudWatch logs>` : '';
  blocks.push(
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${notice.status}: ${name}`, SLACK_LIMITS.headerText),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: truncate(
          `<${notice.consoleUrl}|${mrkdwn(name, 200)}> ${mrkdwn(headline(notice).slice(name.length + 1), 500)}${logs}`,
          SLACK_LIMITS.sectionText
        ),
      },
      fields: facts.slice(0, MAX_FIELDS).map((l) => ({
        type: 'mrkdwn' as const,
        text: `*${l.label}*\n${mrkdwn(l.value, SLACK_LIMITS.fieldText - l.label.length - 3)}`,
      })),
    }
  );
  if (notice.detailsUnavailable === true) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: DETAILS_UNAVAILABLE }] });
  }
  if (notice.failureReason !== undefined) {
    const reason = notice.failureReason.slice(0, TEXT_LIMITS.failureReason * 2);
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        // Line breaks are kept inside the code block: a traceback reads better with them.
        text: `*Failure reason*\n${codeBlock(printableReason(reason), SLACK_LIMITS.sectionText - 40)}`,
      },
    });
  }
  const skipped = notice.owner.skipped;
  const context = [
    `${EMOJI[notice.status]} Pool Warden · owner via ${printable(notice.owner.via)}`,
    priceNote(notice),
    skipped.length === 0
      ? undefined
      : `Tried first: ${skipped
          .slice(0, TEXT_LIMITS.skippedCount)
          .map((s) => printable(s, TEXT_LIMITS.skippedEntry))
          .join(
            '; '
          )}${skipped.length > TEXT_LIMITS.skippedCount ? `; and ${skipped.length - TEXT_LIMITS.skippedCount} more` : ''}`,
  ]
    .filter((t): t is string => t !== undefined)
    .map((t) => ({ type: 'mrkdwn' as const, text: mrkdwn(t, SLACK_LIMITS.contextText) }));
  blocks.push({ type: 'context', elements: context });
  const summary = poolSummary(notice);
  return {
    // The fallback text is what phones show, and mrkdwn too: a mention here would ping.
    text: mrkdwn(
      `${EMOJI[notice.status]} ${headline(notice)}${summary === undefined ? '' : ` ${summary}`}`,
      SLACK_LIMITS.fallbackText
    ),
    blocks,
  };
}

/** A failure reason for a code block: each line printable, the lines kept. */
function printableReason(reason: string): string {
  return reason
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map((line) => printable(line, TEXT_LIMITS.failureReason))
    .join('\n');
}

export type { SlackBlock, SlackMessage };
export { renderSlack };
