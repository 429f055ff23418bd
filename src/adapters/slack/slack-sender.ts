import { DeliveryError } from '../../domain/errors.js';
import type { SlackMessage } from '../../domain/notice/render-slack.js';
import type { SlackSender, SlackTarget } from '../../domain/ports/senders.js';
import { type Attempt, DEFAULT_RETRY, fetchWithRetry, type RetryOptions } from './http-retry.js';
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
 * Slack delivery: a team channel through an incoming webhook, or a member's DM through the bot
 * token and `chat.postMessage` (finding the member with `users.lookupByEmail` when only an
 * email is known). Rate limits and 5xx are retried; what still fails is a DeliveryError.
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

  async send(target: SlackTarget, message: SlackMessage): Promise<void> {
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
    const url = await this.options.secrets.webhookUrl(name);
    const attempt = await fetchWithRetry(() => this.post(url, message), this.retry);
    const response = expectResponse(attempt, `webhook ${name}`);
    // Webhooks answer 200 "ok", or 4xx with a plain-text reason such as "invalid_blocks".
    if (!response.ok) {
      throw new DeliveryError(
        'slack',
        `webhook ${name} answered ${response.status} ${await bodyText(response)}`
      );
    }
    await response.arrayBuffer();
  }

  private async postMessage(channel: string, message: SlackMessage): Promise<void> {
    await this.callApi('chat.postMessage', { channel, unfurl_links: false, ...message });
  }

  private async lookupByEmail(email: string): Promise<string> {
    const body = await this.callApi(`users.lookupByEmail?email=${encodeURIComponent(email)}`);
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
  private async callApi(method: string, payload?: object): Promise<Record<string, unknown>> {
    const token = await this.options.secrets.botToken();
    const url = `${this.apiBase}/${method}`;
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
    const name = method.split('?')[0] ?? method;
    const response = expectResponse(attempt, name);
    const text = await bodyText(response);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new DeliveryError(
        'slack',
        `${name} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`
      );
    }
    if (typeof body !== 'object' || body === null || !('ok' in body) || body.ok !== true) {
      const error =
        typeof body === 'object' && body !== null && 'error' in body
          ? String(body.error)
          : 'unknown';
      throw new DeliveryError('slack', `${name} failed: ${error} (HTTP ${response.status})`);
    }
    return body as Record<string, unknown>;
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

function expectResponse(attempt: Attempt, what: string): Response {
  if (attempt.kind === 'response') {
    const { status } = attempt.response;
    if (status === 429 || status >= 500) {
      throw new DeliveryError(
        'slack',
        `${what} still answered ${status} after ${attempt.attempts} attempts`,
        {
          retryable: true,
        }
      );
    }
    return attempt.response;
  }
  const reason = attempt.error instanceof Error ? attempt.error.message : String(attempt.error);
  throw new DeliveryError(
    'slack',
    `${what} unreachable after ${attempt.attempts} attempts: ${reason}`,
    {
      cause: attempt.error,
      retryable: true,
    }
  );
}

async function bodyText(response: Response): Promise<string> {
  return (await response.text().catch(() => '')).slice(0, 500);
}

export { HttpSlackSender };
