import { createHmac, timingSafeEqual } from 'node:crypto';
import { isRecord } from '../objects.js';
import { SLACK_MEMBER } from '../owner/owner-ref.js';

/**
 * Slack interactivity requests (Block Kit button clicks): the v0 signature check and the
 * payload parser. Both are pure (HMAC as computation) and never throw, whatever the input.
 */

/** Slack's replay window: a request signed longer ago than this is refused. */
const MAX_SKEW_SECONDS = 5 * 60;
const SIGNATURE = /^v0=[0-9a-f]{64}$/;
const TIMESTAMP = /^\d{1,12}$/;
/** Far above any token; a longer button value is not ours. */
const MAX_VALUE_CHARS = 1024;

type SlackRejection = 'missing-signature' | 'stale' | 'bad-signature';

interface SignedRequest {
  /** The body exactly as Slack sent it (decoded from base64 when API Gateway encoded it). */
  readonly rawBody: Uint8Array;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * Checks `X-Slack-Signature` (`v0=` + HMAC-SHA256 of `v0:<timestamp>:<raw body>`) in constant
 * time, and that `X-Slack-Request-Timestamp` is within 5 minutes of `now` (epoch ms).
 *
 * @example verifySlackSignature({ rawBody, timestamp, signature }, secret, clock.now())
 */
function verifySlackSignature(
  request: SignedRequest,
  signingSecret: string,
  now: number,
  maxSkewSeconds: number = MAX_SKEW_SECONDS
): { readonly ok: true } | { readonly ok: false; readonly reason: SlackRejection } {
  try {
    const { timestamp, signature } = request;
    if (timestamp === undefined || signature === undefined || !TIMESTAMP.test(timestamp)) {
      return { ok: false, reason: 'missing-signature' };
    }
    if (Math.abs(now / 1000 - Number(timestamp)) > maxSkewSeconds) {
      return { ok: false, reason: 'stale' };
    }
    if (!SIGNATURE.test(signature) || signingSecret === '') {
      return { ok: false, reason: 'bad-signature' };
    }
    const expected = createHmac('sha256', signingSecret)
      .update(`v0:${timestamp}:`)
      .update(request.rawBody)
      .digest();
    const given = Buffer.from(signature.slice(3), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected)
      ? { ok: true }
      : { ok: false, reason: 'bad-signature' };
  } catch {
    return { ok: false, reason: 'bad-signature' };
  }
}

/** One button click, as far as Warden needs it. */
interface SlackClick {
  readonly userId: string;
  readonly userName?: string;
  /** The button's value: an action token. */
  readonly token: string;
  readonly responseUrl: string;
  /** The message's blocks, so the reply can keep the notice and drop its buttons. */
  readonly blocks: readonly unknown[];
}

type InteractionParse =
  | { readonly ok: true; readonly click: SlackClick }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads a `block_actions` payload from a form-encoded body (`payload=<JSON>`).
 *
 * @example parseInteraction(rawBody) // { ok: true, click: { userId: 'U…', token: 'AQ…', … } }
 */
function parseInteraction(rawBody: Uint8Array): InteractionParse {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(rawBody);
    const payloads = new URLSearchParams(text).getAll('payload');
    if (payloads.length !== 1) return { ok: false, reason: 'the body has no single payload field' };
    let payload: unknown;
    try {
      payload = JSON.parse(payloads[0] as string);
    } catch {
      return { ok: false, reason: 'the payload is not JSON' };
    }
    if (!isRecord(payload)) return { ok: false, reason: 'the payload is not an object' };
    if (payload.type !== 'block_actions') {
      return { ok: false, reason: 'not a block_actions payload' };
    }
    const user = isRecord(payload.user) ? payload.user : {};
    if (typeof user.id !== 'string' || !SLACK_MEMBER.test(user.id)) {
      return { ok: false, reason: 'user.id is not a Slack member id' };
    }
    const actions = Array.isArray(payload.actions) ? payload.actions : [];
    const action: unknown = actions[0];
    if (actions.length !== 1 || !isRecord(action)) {
      return { ok: false, reason: 'the payload has not exactly one action' };
    }
    const token = action.value;
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_VALUE_CHARS) {
      return { ok: false, reason: 'the action has no token value' };
    }
    const responseUrl = payload.response_url;
    if (typeof responseUrl !== 'string' || responseUrl.length > 2048) {
      return { ok: false, reason: 'the payload has no response_url' };
    }
    const userName = typeof user.username === 'string' ? user.username.slice(0, 80) : undefined;
    const message = isRecord(payload.message) ? payload.message : {};
    const blocks = Array.isArray(message.blocks) ? message.blocks : [];
    return {
      ok: true,
      click: {
        userId: user.id,
        ...(userName === undefined ? {} : { userName }),
        token,
        responseUrl,
        blocks,
      },
    };
  } catch {
    return { ok: false, reason: 'the body is not UTF-8 form data' };
  }
}

/** Slack response URLs are https on hooks.slack.com; loopback only where tests allow it. */
function isSlackResponseUrl(url: string, allowLoopback = false): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.username !== '' || parsed.password !== '') return false;
  if (parsed.protocol === 'https:' && parsed.hostname === 'hooks.slack.com') return true;
  return (
    allowLoopback &&
    parsed.protocol === 'http:' &&
    (parsed.hostname === '127.0.0.1' || parsed.hostname === 'localhost')
  );
}

export type { InteractionParse, SignedRequest, SlackClick, SlackRejection };
export { isSlackResponseUrl, MAX_SKEW_SECONDS, parseInteraction, verifySlackSignature };
