/**
 * Checks of the values kept in the Slack secret. Each answers with a problem phrased without
 * the value (a token or a webhook URL is the secret itself), or `undefined` when it is usable.
 */

/** Slack tokens are visible ASCII starting `xox` (`xoxb-…`, or `xoxe.xoxb-…` when rotating). */
const TOKEN = /^xox[\x21-\x7e]{4,500}$/;

/** Plain HTTP only to a loopback host, where tests and local fakes listen. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why `token` cannot be a bot token, or `undefined` when it can. */
function checkBotToken(token: string): string | undefined {
  return TOKEN.test(token) ? undefined : 'is not a Slack token (expected xoxb-…)';
}

/** Why `url` cannot be an incoming webhook URL, or `undefined` when it can. */
function checkWebhookUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL (expected https://hooks.slack.com/services/…)';
  }
  const secure =
    parsed.protocol === 'https:' ||
    (parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname));
  if (!secure) return 'is not an https URL (expected https://hooks.slack.com/services/…)';
  if (parsed.username !== '' || parsed.password !== '') return 'holds a user name or password';
  return undefined;
}

/** Slack signing secrets are 32 hex digits today; anything shorter cannot be one. */
const SIGNING_SECRET = /^[\x21-\x7e]{16,200}$/;

/** Why `secret` cannot be Slack's signing secret, or `undefined` when it can. */
function checkSigningSecret(secret: string): string | undefined {
  return SIGNING_SECRET.test(secret)
    ? undefined
    : 'is not a Slack signing secret (16–200 visible characters; Basic Information → App Credentials)';
}

export { checkBotToken, checkSigningSecret, checkWebhookUrl };
