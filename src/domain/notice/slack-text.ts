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

/** Escapes, then caps to `max` characters without cutting an entity in half. */
function mrkdwn(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max);
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

export { escapeMrkdwn, mrkdwn, SLACK_LIMITS, truncate };
