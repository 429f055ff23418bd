import { DeliveryError } from '../../domain/errors.js';
import type { SlackMessage } from '../../domain/notice/render-slack.js';
import type { NoticeRef, SlackSender, SlackTarget } from '../../domain/ports/senders.js';
import { type Attempt, DEFAULT_RETRY, fetchWithRetry, type RetryOptions } from './http-retry.js';
import { checkBotToken, checkWebhookUrl } from './slack-secret-values.js';
import type { SlackSecrets } from './slack-secrets.js';

interface SlackSenderOptions {
  readonly secrets: SlackSecrets;
  readonly sleep: (ms: number) => Promise<void>;
  /** Web API base; a loopback server in tests. */
  readonly apiBase?: string;
  readonly retry?: Partial<Omit<RetryOptions, 'sleep'>>;
  /** Per-attempt timeout, well inside the Lambda timeout. */
  readonly timeoutMs?: number;
}

/**
 * Web API error codes that mean the token itself is unusable, with what an operator should
 * read. Each fails every later notice the same way, so they are permanent and spelled out.
 */
const AUTH_ERRORS: Readonly<Record<string, string>> = {
  invalid_auth: 'the bot token was revoked or is wrong',
  not_authed: 'no bot token was sent',
  token_revoked: 'the bot token was revoked',
  token_expired: 'the bot token expired',
  account_inactive: 'the bot user or its workspace was deactivated',
  no_permission: 'the bot token lacks a permission this call needs',
  missing_scope: 'the bot token lacks a scope this call needs (chat:write, users:read.email)',
  not_allowed_token_type: 'the token is not a bot token (xoxb-…)',
  ekm_access_denied: "the workspace's encryption keys deny access",
  team_access_not_granted: 'the bot token has no access to this workspace',
  org_login_required: 'the workspace is being migrated and needs a login first',
};

/** Web API error codes on an HTTP 200 that Slack documents as worth retrying. */
const TRANSIENT_ERRORS = new Set([
  'ratelimited',
  'internal_error',
  'fatal_error',
  'service_unavailable',
  'request_timeout',
]);

/** Incoming-webhook rejection reasons (plain-text bodies) with what an operator should read. */
const WEBHOOK_ERRORS: Readonly<Record<string, string>> = {
  invalid_token: 'the webhook was revoked or its app removed',
  no_service: 'the webhook was removed or its URL is wrong',
  no_service_id: 'the webhook URL is incomplete',
  no_team: 'the webhook URL names no workspace',
  team_disabled: 'the workspace was deactivated',
  no_active_hooks: 'the webhook was disabled',
  channel_not_found: "the webhook's channel was deleted",
  channel_is_archived: "the webhook's channel was archived",
  action_prohibited: 'an admin restricted posting to the channel',
  posting_to_general_channel_denied: 'only admins may post to that channel',
};

/**
 * Slack delivery: a team channel through an incoming webhook, or a member's DM through the bot
 * token and `chat.postMessage` (finding the member with `users.lookupByEmail` when only an
 * email is known). Rate limits and 5xx are retried; what still fails is a DeliveryError whose
 * message never holds a secret (the token, or any part of a webhook URL).
 */
class HttpSlackSender implements SlackSender {
  private readonly apiBase: string;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;

  constructor(private readonly options: SlackSenderOptions) {
    this.apiBase = (options.apiBase ?? 'https://slack.com/api').replace(/\/$/, '');
    this.retry = { ...DEFAULT_RETRY, ...options.retry, sleep: options.sleep };
    this.timeoutMs = options.timeoutMs ?? 8_000;
  }

  async send(target: SlackTarget, message: SlackMessage, _ref?: NoticeRef): Promise<void> {
    switch (target.kind) {
      case 'webhook':
        return this.postWebhook(target.name, message);
      case 'user':
        return this.postMessage(target.id, message);
      case 'email':
        return this.postMessage(await this.lookupByEmail(target.email), message);
    }
  }

  private async postWebhook(name: string, message: SlackMessage): Promise<void> {
    const what = `webhook ${name}`;
    const url = await this.options.secrets.webhookUrl(name);
    const problem = checkWebhookUrl(url);
    if (problem !== undefined) throw configurationError(`${what} ${problem}`);
    const attempt = await fetchWithRetry(() => this.post(url, message), this.retry);
    const response = expectResponse(attempt, what, 'webhook');
    const text = await bodyText(response);
    if (response.ok) {
      if (!looksLikeHtml(response, text)) return;
      throw new DeliveryError(
        'slack',
        `${what} answered HTTP ${response.status} with an HTML page, not "ok" (a proxy or ` +
          'captive portal is in the way, or the URL is not a Slack webhook)'
      );
    }
    // Webhooks answer 4xx with a plain-text reason such as "invalid_blocks".
    const reason = slackCode(text);
    if (reason === undefined) {
      const body = looksLikeHtml(response, text) ? 'an HTML page' : 'no reason';
      throw new DeliveryError('slack', `${what} answered ${response.status} with ${body}`);
    }
    const why = WEBHOOK_ERRORS[reason];
    throw new DeliveryError(
      'slack',
      `${what} answered ${response.status} ${reason}${why === undefined ? '' : ` (${why})`}`
    );
  }

  private async postMessage(channel: string, message: SlackMessage): Promise<void> {
    await this.callApi('chat.postMessage', undefined, { channel, unfurl_links: false, ...message });
  }

  private async lookupByEmail(email: string): Promise<string> {
    // An address may hold `+`, `&` or `#`: unencoded, Slack would look up somebody else.
    const body = await this.callApi('users.lookupByEmail', `email=${encodeURIComponent(email)}`);
    const user = body.user;
    if (
      typeof user !== 'object' ||
      user === null ||
      !('id' in user) ||
      typeof user.id !== 'string'
    ) {
      throw new DeliveryError('slack', 'users.lookupByEmail returned no user id');
    }
    return user.id;
  }

  /** Web API calls answer HTTP 200 with `{ok: false, error}` for most failures. */
  private async callApi(
    method: string,
    query?: string,
    payload?: object
  ): Promise<Record<string, unknown>> {
    const token = await this.options.secrets.botToken();
    const problem = checkBotToken(token);
    if (problem !== undefined) throw configurationError(`the bot token ${problem}`);
    const url = `${this.apiBase}/${method}${query === undefined ? '' : `?${query}`}`;
    const attempt = await fetchWithRetry(
      () =>
        payload === undefined
          ? fetch(url, {
              headers: { authorization: `Bearer ${token}` },
              signal: AbortSignal.timeout(this.timeoutMs),
            })
          : this.post(url, payload, token),
      this.retry
    );
    const response = expectResponse(attempt, method, 'api');
    const text = await bodyText(response);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      const what = looksLikeHtml(response, text) ? 'an HTML page' : 'a body that is not JSON';
      throw new DeliveryError(
        'slack',
        `${method} answered HTTP ${response.status} with ${what} (a proxy or captive portal ` +
          'is in the way, or the API base is wrong)'
      );
    }
    if (typeof body === 'object' && body !== null && 'ok' in body && body.ok === true) {
      return body as Record<string, unknown>;
    }
    const code =
      typeof body === 'object' && body !== null && 'error' in body
        ? (slackCode(String(body.error)) ?? 'unknown')
        : 'unknown';
    const auth = AUTH_ERRORS[code];
    if (auth !== undefined) {
      throw new DeliveryError('slack', `${code} (${auth}) when calling ${method}`);
    }
    throw new DeliveryError('slack', `${method} failed: ${code} (HTTP ${response.status})`, {
      retryable: TRANSIENT_ERRORS.has(code),
    });
  }

  private post(url: string, payload: object, token?: string): Promise<Response> {
    return fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json; charset=utf-8',
        ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
      },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
  }
}

/** A Slack secret that can never work: permanent, and named without its value. */
function configurationError(problem: string): DeliveryError {
  return new DeliveryError(
    'slack',
    `configuration error: ${problem}; fix the Slack secret (its value is not shown)`
  );
}

/**
 * Fails on 429/5xx and network errors, retryable. A network error's own message can quote the
 * URL (a webhook's path is its secret) or a header (the token), so only its code is kept, and
 * the cause only when it is undici's fixed "fetch failed" whose causes name host and port.
 */
function expectResponse(attempt: Attempt, what: string, kind: 'webhook' | 'api'): Response {
  if (attempt.kind === 'response') {
    const { status } = attempt.response;
    if (status === 429 || status >= 500) {
      throw new DeliveryError(
        'slack',
        `${what} still answered ${status} after ${attempt.attempts} attempts`,
        { retryable: true }
      );
    }
    return attempt.response;
  }
  const { error } = attempt;
  const network = error instanceof TypeError && error.message === 'fetch failed';
  throw new DeliveryError(
    'slack',
    `${what} unreachable after ${attempt.attempts} attempts: ${errorCode(error)}`,
    { ...(network && kind === 'api' ? { cause: error } : {}), retryable: true }
  );
}

/** A short, value-free description of a fetch failure: `ECONNREFUSED`, `TimeoutError`. */
function errorCode(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  const code = (value: unknown): string | undefined =>
    typeof value === 'object' && value !== null && 'code' in value && typeof value.code === 'string'
      ? value.code
      : undefined;
  const found = code(cause) ?? code(error);
  if (found !== undefined && /^[A-Z0-9_]{1,40}$/.test(found)) return found;
  return error instanceof Error && /^[A-Za-z]{1,40}$/.test(error.name) ? error.name : 'error';
}

/** Slack's error codes are short snake_case words; anything else is not quoted. */
function slackCode(text: string): string | undefined {
  const trimmed = text.trim();
  return /^[a-z0-9_.]{1,64}$/.test(trimmed) ? trimmed : undefined;
}

function looksLikeHtml(response: Response, text: string): boolean {
  return (
    /^\s*</.test(text) ||
    ((response.headers.get('content-type') ?? '').includes('html') && text.trim() !== 'ok')
  );
}

async function bodyText(response: Response): Promise<string> {
  return (await response.text().catch(() => '')).slice(0, 500);
}

export { HttpSlackSender };
