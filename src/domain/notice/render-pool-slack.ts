import { formatUsd } from './format.js';
import type { PoolNotice, PoolNoticeKind } from './pool-notice.js';
import {
  poolFootnotes,
  poolHeadline,
  poolHeadlineParts,
  poolNextSteps,
  poolNoticeLines,
  printable,
} from './pool-notice-lines.js';
import { actionsBlock, factFields, type SlackBlock, type SlackMessage } from './render-slack.js';
import { mrkdwn, SLACK_LIMITS, truncate } from './slack-text.js';

const EMOJI: Readonly<Record<PoolNoticeKind, string>> = {
  extended: ':hourglass_flowing_sand:',
  shrunk: ':scissors:',
  released: ':wastebasket:',
  'release-warning': ':warning:',
};

const TITLE: Readonly<Record<PoolNoticeKind, { readonly did: string; readonly would: string }>> = {
  extended: { did: 'Warm pool extended', would: 'Dry run: warm pool would be extended' },
  shrunk: { did: 'Warm pool shortened', would: 'Dry run: warm pool would be shortened' },
  released: { did: 'Warm pool released', would: 'Dry run: warm pool would be released' },
  'release-warning': {
    did: 'Warm pool release planned',
    would: 'Dry run: warm pool release would be planned',
  },
};

/** Slack allows at most 10 elements per context block. */
const MAX_CONTEXT = 10;

/**
 * Renders a pool notice as Block Kit: a header, the headline with the console link, the facts
 * as fields, the reason, what the owner can do, and a context line. Every user-controlled
 * string goes through `mrkdwn()`, which escapes and caps it, as in the finish notice.
 *
 * @example renderPoolSlack(notice).text // ':warning: Pool Warden will release the warm pool of … Would save up to $0.50.'
 */
function renderPoolSlack(notice: PoolNotice): SlackMessage {
  const { before, after } = poolHeadlineParts(notice);
  const facts = poolNoticeLines(notice).filter((l) => l.label !== 'Reason');
  const title = notice.dryRun ? TITLE[notice.kind].would : TITLE[notice.kind].did;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: truncate(`${title}: ${printable(notice.jobName)}`, SLACK_LIMITS.headerText),
      },
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        // The link text is escaped; the URL is built from encoded parts, so it cannot break out.
        text: truncate(
          `${mrkdwn(before, 200)}<${notice.consoleUrl}|${mrkdwn(printable(notice.jobName), 200)}>${mrkdwn(after, 200)}`,
          SLACK_LIMITS.sectionText
        ),
      },
      fields: factFields(facts),
    },
    {
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*Why*\n${mrkdwn(printable(notice.reason), SLACK_LIMITS.sectionText - 10)}`,
      },
    },
  ];
  const steps = poolNextSteps(notice);
  if (steps.length > 0) {
    const heading = notice.kind === 'release-warning' ? 'What you can do' : 'What this means';
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `*${heading}*\n${mrkdwn(
          steps.map((s) => `• ${s}`).join('\n'),
          SLACK_LIMITS.sectionText - heading.length - 3
        )}`,
      },
    });
  }
  const actions = actionsBlock(notice.actions, notice.jobName);
  if (actions !== undefined) blocks.push(actions);
  const context = [
    `${EMOJI[notice.kind]} Pool Warden · owner via ${printable(notice.owner.via)}`,
    ...poolFootnotes(notice),
    notice.owner.skipped.length === 0
      ? undefined
      : `Tried first: ${printable(notice.owner.skipped.join('; '), SLACK_LIMITS.contextText)}`,
  ]
    .filter((t): t is string => t !== undefined)
    .slice(0, MAX_CONTEXT)
    .map((t) => ({ type: 'mrkdwn' as const, text: mrkdwn(t, SLACK_LIMITS.contextText) }));
  blocks.push({ type: 'context', elements: context });
  return {
    // The fallback text is mrkdwn too, and drives notifications: a mention here would ping.
    text: mrkdwn(
      `${EMOJI[notice.kind]} ${poolHeadline(notice)}${moneyNote(notice)}`,
      SLACK_LIMITS.fallbackText
    ),
    blocks,
  };
}

/** The dollars in a few words for the notification preview, or nothing without a price. */
function moneyNote(notice: PoolNotice): string {
  if (notice.extraUsd !== undefined) {
    return ` ${notice.dryRun ? 'Would cost' : 'Costs'} up to ${formatUsd(notice.extraUsd)} more.`;
  }
  if (notice.savedUsd === undefined) return '';
  const verb = notice.dryRun || notice.kind === 'release-warning' ? 'Would save' : 'Saves';
  return ` ${verb} up to ${formatUsd(notice.savedUsd)}.`;
}

export { renderPoolSlack };
