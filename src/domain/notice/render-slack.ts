import type { Notice } from './notice.js';
import { headline, noticeLines, priceNote } from './notice-lines.js';
import { mrkdwn, SLACK_LIMITS, truncate } from './slack-text.js';

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
 * values that became owner names) goes through `mrkdwn()`, which escapes and caps it.
 */
function renderSlack(notice: Notice): SlackMessage {
  const facts = noticeLines(notice).filter((l) => l.label !== 'Failure reason');
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${notice.status}: ${notice.jobName}`, SLACK_LIMITS.headerText),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        // The link text is escaped; the URL is built from encoded parts, so it cannot break out.
        text: truncate(
          `<${notice.consoleUrl}|${mrkdwn(notice.jobName, 200)}> ${mrkdwn(headline(notice).slice(notice.jobName.length + 1), 500)}`,
          SLACK_LIMITS.sectionText
        ),
      },
      fields: facts.slice(0, MAX_FIELDS).map((l) => ({
        type: 'mrkdwn' as const,
        text: `*${l.label}*\n${mrkdwn(l.value, SLACK_LIMITS.fieldText - l.label.length - 3)}`,
      })),
    },
  ];
  if (notice.failureReason !== undefined) {
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Failure reason*\n\`\`\`${mrkdwn(notice.failureReason, SLACK_LIMITS.sectionText - 40)}\`\`\``,
      },
    });
  }
  const context = [
    `${EMOJI[notice.status]} Pool Warden · owner via ${notice.owner.via}`,
    priceNote(notice),
    notice.owner.skipped.length === 0
      ? undefined
      : `Tried first: ${notice.owner.skipped.join('; ')}`,
  ]
    .filter((t): t is string => t !== undefined)
    .map((t) => ({ type: 'mrkdwn' as const, text: mrkdwn(t, SLACK_LIMITS.contextText) }));
  blocks.push({ type: 'context', elements: context });
  return {
    // The fallback text is mrkdwn too, and drives notifications: a mention here would ping.
    text: mrkdwn(`${EMOJI[notice.status]} ${headline(notice)}`, SLACK_LIMITS.fallbackText),
    blocks,
  };
}

export type { SlackBlock, SlackMessage };
export { renderSlack };
