import type { NoticeAction } from '../actions/action-grant.js';
import type { Notice } from './notice.js';
import {
  DETAILS_UNAVAILABLE,
  headline,
  type NoticeLine,
  noticeLines,
  poolSummary,
  priceNote,
  shownActions,
} from './notice-lines.js';
import { printable, TEXT_LIMITS } from './plain-text.js';
import { codeBlock, mrkdwn, SLACK_LIMITS, truncate } from './slack-text.js';

/** A Block Kit message body, valid for both `chat.postMessage` and incoming webhooks. */
interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

type SlackText = { readonly type: 'mrkdwn' | 'plain_text'; readonly text: string };
type PlainText = { readonly type: 'plain_text'; readonly text: string };

/** Block Kit's confirmation dialog on a button. */
interface SlackConfirm {
  readonly title: PlainText;
  readonly text: PlainText;
  readonly confirm: PlainText;
  readonly deny: PlainText;
  readonly style: 'primary' | 'danger';
}

/** A Block Kit button that sends `block_actions` to the service, its token as the value. */
interface SlackButton {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: PlainText;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: SlackConfirm;
}

type SlackBlock =
  | { readonly type: 'header'; readonly text: SlackText }
  | { readonly type: 'section'; readonly text?: SlackText; readonly fields?: readonly SlackText[] }
  | { readonly type: 'context'; readonly elements: readonly SlackText[] }
  | {
      readonly type: 'actions';
      readonly block_id: string;
      readonly elements: readonly SlackButton[];
    };

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
      fields: factFields(facts),
    }
  );
  if (notice.detailsUnavailable === true) {
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: DETAILS_UNAVAILABLE }] });
  }
  const actions = actionsBlock(notice.actions, name);
  if (actions !== undefined) blocks.push(actions);
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

/** A notice's facts as a section's fields, `*Label*` over the escaped value, at most 10. */
function factFields(facts: readonly NoticeLine[]): SlackText[] {
  return facts.slice(0, MAX_FIELDS).map((l) => ({
    type: 'mrkdwn',
    text: `*${l.label}*\n${mrkdwn(l.value, SLACK_LIMITS.fieldText - l.label.length - 3)}`,
  }));
}

/** Slack's limits on a confirmation dialog's texts. */
const CONFIRM_LIMITS = { title: 100, text: 300, button: 30 } as const;

/**
 * The notice's actions as one Block Kit `actions` block: the keep-warm buttons (the first
 * primary) and "Release now" in red behind a confirmation dialog. Each button carries its
 * signed token as the value; action ids are unique in the block, as Slack requires
 * (`warden_extend`, `warden_extend_2`, `warden_release`). No block when there is nothing to offer.
 *
 * @example actionsBlock(notice.actions, 'resnet')?.elements.map((b) => b.action_id) // ['warden_extend', 'warden_release']
 */
function actionsBlock(
  actions: readonly NoticeAction[] | undefined,
  jobName: string
): SlackBlock | undefined {
  const shown = shownActions(actions);
  if (shown.length === 0) return undefined;
  const seen = { extend: 0, release: 0 };
  let primary = false;
  const elements = shown.map((action): SlackButton => {
    seen[action.kind] += 1;
    const n = seen[action.kind];
    const base: SlackButton = {
      type: 'button',
      action_id: `warden_${action.kind}${n === 1 ? '' : `_${n}`}`,
      text: { type: 'plain_text', text: action.label },
      value: action.slackToken,
    };
    if (action.kind === 'release') {
      return {
        ...base,
        style: 'danger',
        ...(action.confirm ? { confirm: releaseConfirm(jobName) } : {}),
      };
    }
    // Block Kit wants one primary button per set: the nearest keep-warm time.
    if (primary) return base;
    primary = true;
    return { ...base, style: 'primary' };
  });
  return { type: 'actions', block_id: 'warden_actions', elements };
}

function releaseConfirm(jobName: string): SlackConfirm {
  // plain_text is never parsed for mentions or links; only the length needs minding.
  const text = `SageMaker ends the warm pool of ${printable(jobName, 120)} now, and your next matching job starts cold. This cannot be undone.`;
  return {
    title: { type: 'plain_text', text: 'Release the warm pool?' },
    text: { type: 'plain_text', text: truncate(text, CONFIRM_LIMITS.text) },
    confirm: { type: 'plain_text', text: 'Release now' },
    deny: { type: 'plain_text', text: 'Keep it' },
    style: 'danger',
  };
}

/** A failure reason for a code block: each line printable, the lines kept. */
function printableReason(reason: string): string {
  return reason
    .split(/\r\n|[\r\n\u2028\u2029]/)
    .map((line) => printable(line, TEXT_LIMITS.failureReason))
    .join('\n');
}

export type { SlackBlock, SlackButton, SlackConfirm, SlackMessage };
export { actionsBlock, CONFIRM_LIMITS, factFields, renderSlack };
