import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { type ActionKey, checkActionKey } from '../../domain/actions/action-token.js';
import { DeliveryError, DependencyError } from '../../domain/errors.js';
import { isRecord, ownValue } from '../../domain/objects.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { ActionSecrets } from '../actions/action-secrets.js';
import {
  checkBotToken,
  checkSigningSecret,
  checkWebhookUrl,
} from '../slack/slack-secret-values.js';
import type { SlackSecrets } from '../slack/slack-secrets.js';

/** Re-read after this long, so a rotated token reaches warm containers. */
const CACHE_MS = 5 * 60_000;

interface SlackSecretValue {
  readonly botToken?: string;
  readonly webhooks: Readonly<Record<string, string>>;
  /** Checked when used, so a malformed key never stops Slack notices. */
  readonly actionKeys?: unknown;
  readonly signingSecret?: unknown;
}

/**
 * Slack credentials as one Secrets Manager secret holding JSON:
 * `{"botToken": "xoxb-…", "webhooks": {"vision": "https://hooks.slack.com/services/…"}}`.
 * Read on first use, not at cold start, so events that need no Slack pay nothing. (Secrets
 * Manager rather than SSM SecureString: its client adds 13 KB to the bundle, SSM's 76 KB.)
 * Each value is checked when it is used, so one malformed webhook fails only its own channel.
 */
class SecretsManagerSlackSecrets implements SlackSecrets, ActionSecrets {
  private cached: { value: SlackSecretValue; until: number } | undefined;

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretId: string,
    private readonly clock: Clock
  ) {}

  async botToken(): Promise<string> {
    const { botToken } = await this.value();
    if (botToken === undefined) {
      throw new DeliveryError(
        'slack',
        `secret ${this.secretId} has no "botToken" (needed for DMs)`
      );
    }
    const problem = checkBotToken(botToken);
    if (problem !== undefined) throw this.malformed('"botToken"', problem);
    return botToken;
  }

  async webhookUrl(name: string): Promise<string> {
    const url = ownValue((await this.value()).webhooks, name);
    if (url === undefined) {
      throw new DeliveryError('slack', `secret ${this.secretId} has no webhooks.${name}`);
    }
    const problem = checkWebhookUrl(url);
    if (problem !== undefined) throw this.malformed(`webhooks.${name}`, problem);
    return url;
  }

  /**
   * The keys that sign action links, `"actionKeys": [{"id": "k2", "secret": "…"}, …]`, newest
   * first: the first signs, every listed key verifies (two during a rotation). None: no links.
   */
  async actionKeys(): Promise<readonly ActionKey[]> {
    const { actionKeys } = await this.value();
    if (actionKeys === undefined) return [];
    if (!Array.isArray(actionKeys)) {
      throw this.actionsMalformed('"actionKeys"', 'is not a list of {"id", "secret"}');
    }
    const keys = actionKeys.map((key: unknown, index) => {
      const field = `actionKeys[${index}]`;
      if (!isRecord(key)) throw this.actionsMalformed(field, 'is not an {"id", "secret"} object');
      const problem = checkActionKey({ id: key.id, secret: key.secret });
      if (problem !== undefined) throw this.actionsMalformed(field, problem);
      return { id: key.id as string, secret: key.secret as string };
    });
    if (new Set(keys.map((k) => k.id)).size !== keys.length) {
      throw this.actionsMalformed('"actionKeys"', 'lists a key id twice');
    }
    return keys;
  }

  /** Slack's signing secret (`"signingSecret"`), for interactivity requests; none: buttons are off. */
  async signingSecret(): Promise<string | undefined> {
    const { signingSecret } = await this.value();
    if (signingSecret === undefined) return undefined;
    const problem =
      typeof signingSecret === 'string' ? checkSigningSecret(signingSecret) : 'is not a string';
    if (problem !== undefined) throw this.actionsMalformed('"signingSecret"', problem);
    return signingSecret as string;
  }

  private actionsMalformed(field: string, problem: string): DependencyError {
    return new DependencyError(
      'Secrets Manager',
      `configuration error: ${field} in secret ${this.secretId} ${problem}; fix the secret ` +
        '(its value is not shown)'
    );
  }

  /** A value that can never work: permanent, named by its field, its value never shown. */
  private malformed(field: string, problem: string): DeliveryError {
    return new DeliveryError(
      'slack',
      `configuration error: ${field} in secret ${this.secretId} ${problem}; fix the secret ` +
        '(its value is not shown)'
    );
  }

  private async value(): Promise<SlackSecretValue> {
    const now = this.clock.now();
    if (this.cached !== undefined && this.cached.until > now) return this.cached.value;
    let text: string | undefined;
    try {
      ({ SecretString: text } = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.secretId })
      ));
    } catch (error) {
      const missing = error instanceof Error && error.name === 'ResourceNotFoundException';
      throw new DependencyError(
        'Secrets Manager',
        missing
          ? `secret ${this.secretId} does not exist`
          : `reading ${this.secretId} failed: ${String(error)}`,
        { cause: error, retryable: !missing }
      );
    }
    const value = parseSecret(text, this.secretId);
    this.cached = { value, until: now + CACHE_MS };
    return value;
  }
}

function parseSecret(text: string | undefined, secretId: string): SlackSecretValue {
  const fail = (why: string) => new DependencyError('Secrets Manager', `secret ${secretId} ${why}`);
  let json: unknown;
  try {
    json = JSON.parse(text ?? '');
  } catch {
    throw fail('is not JSON (expected {"botToken": …, "webhooks": {…}})');
  }
  if (!isRecord(json)) throw fail('is not a JSON object');
  const { botToken, webhooks = {}, actionKeys, signingSecret } = json;
  if (botToken !== undefined && typeof botToken !== 'string')
    throw fail('has a non-string "botToken"');
  if (!isRecord(webhooks) || !Object.values(webhooks).every((u) => typeof u === 'string')) {
    throw fail('has "webhooks" that is not a map of names to URLs');
  }
  return {
    ...(botToken === undefined ? {} : { botToken }),
    webhooks: webhooks as Record<string, string>,
    ...(actionKeys === undefined ? {} : { actionKeys }),
    ...(signingSecret === undefined ? {} : { signingSecret }),
  };
}

export { SecretsManagerSlackSecrets };
