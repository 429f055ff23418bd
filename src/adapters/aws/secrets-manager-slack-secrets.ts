import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DeliveryError, DependencyError } from '../../domain/errors.js';
import { isRecord, ownValue } from '../../domain/objects.js';
import type { Clock } from '../../domain/ports/clock.js';
import { checkBotToken, checkWebhookUrl } from '../slack/slack-secret-values.js';
import type { SlackSecrets } from '../slack/slack-secrets.js';

/** Re-read after this long, so a rotated token reaches warm containers. */
const CACHE_MS = 5 * 60_000;

interface SlackSecretValue {
  readonly botToken?: string;
  readonly webhooks: Readonly<Record<string, string>>;
}

/**
 * Slack credentials as one Secrets Manager secret holding JSON:
 * `{"botToken": "xoxb-…", "webhooks": {"vision": "https://hooks.slack.com/services/…"}}`.
 * Read on first use, not at cold start, so events that need no Slack pay nothing. (Secrets
 * Manager rather than SSM SecureString: its client adds 13 KB to the bundle, SSM's 76 KB.)
 * Each value is checked when it is used, so one malformed webhook fails only its own channel.
 */
class SecretsManagerSlackSecrets implements SlackSecrets {
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
  const { botToken, webhooks = {} } = json;
  if (botToken !== undefined && typeof botToken !== 'string')
    throw fail('has a non-string "botToken"');
  if (!isRecord(webhooks) || !Object.values(webhooks).every((u) => typeof u === 'string')) {
    throw fail('has "webhooks" that is not a map of names to URLs');
  }
  return {
    ...(botToken === undefined ? {} : { botToken }),
    webhooks: webhooks as Record<string, string>,
  };
}

export { SecretsManagerSlackSecrets };
