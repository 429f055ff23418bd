/**
 * Slack's documented limits that our messages can reach. Exceeding one makes Slack reject the
 * whole message (`invalid_blocks`), so every user-controlled string is capped before it is sent.
 */
const SLACK_LIMITS = {
  headerText: 150,
  sectionText: 3000,
  fieldText: 2000,
  contextText: 2000,
  fallbackText: 3000,
} as const;

/**
 * Escapes text for Slack mrkdwn: `&`, `<`, `>` become entities, so a job name or failure
 * reason can never form a link or a mention such as `<!channel>` or `<@U123>`.
 */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A backtick from job-controlled text would open or close code (a failure reason holding
 * three of them ends our code block, and what follows renders as formatting), and mrkdwn has
 * no escape for it; U+02CB looks the same and means nothing to Slack.
 */
function neutraliseBackticks(text: string): string {
  return text.replace(/`/g, '\u02CB');
}

/** Escapes, then caps to `max` characters without cutting an entity in half. */
function mrkdwn(text: string, max: number): string {
  return truncate(escapeMrkdwn(neutraliseBackticks(text)), max);
}

/**
 * A fenced code block holding `text`, escaped and capped so the whole block, fences included,
 * fits in `max` characters; the text can never close the fence early.
 *
 * @example codeBlock('Error: ```*bold*```', 100) // '```Error: ˋˋˋ*bold*ˋˋˋ```'
 */
function codeBlock(text: string, max: number): string {
  return `\`\`\`${mrkdwn(text, max - 6)}\`\`\``;
}

/** Caps `text` to `max` characters, ending in an ellipsis when something was cut. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = text.slice(0, max - 1);
  const amp = cut.lastIndexOf('&');
  if (amp !== -1 && !cut.slice(amp).includes(';')) cut = cut.slice(0, amp);
  // Never leave half of a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return `${cut}…`;
}

export { codeBlock, escapeMrkdwn, mrkdwn, neutraliseBackticks, SLACK_LIMITS, truncate };
