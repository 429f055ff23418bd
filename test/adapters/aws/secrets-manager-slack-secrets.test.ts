import { ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SecretsManagerSlackSecrets } from '../../../src/adapters/aws/secrets-manager-slack-secrets.js';
import { DeliveryError, DependencyError } from '../../../src/domain/errors.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { T0 } from '../../helpers/factories.js';
import { internalFailure } from '../../helpers/loopback-aws-json.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import { LoopbackSecretsManager } from '../../helpers/loopback-secrets-manager.js';

const SECRET_ID = 'pool-warden/test/slack';
const SECRET = {
  botToken: 'xoxb-1111-2222-warden',
  webhooks: { vision: 'https://hooks.slack.com/services/T0WARDEN/B0VISION/abc123' },
};

describe('secrets-manager-slack-secrets', () => {
  let secretsManager: LoopbackSecretsManager;
  let client: SecretsManagerClient;
  let clock: VirtualClock;

  beforeAll(async () => {
    secretsManager = await LoopbackSecretsManager.start();
    client = new SecretsManagerClient({
      ...loopbackClientConfig(secretsManager.endpoint),
      maxAttempts: 1,
    });
  });

  beforeEach(() => {
    secretsManager.service.reset();
    secretsManager.putSecret(SECRET_ID, JSON.stringify(SECRET));
    clock = new VirtualClock(T0);
  });

  afterAll(async () => {
    client.destroy();
    await secretsManager.stop();
  });

  function secrets(secretId = SECRET_ID): SecretsManagerSlackSecrets {
    return new SecretsManagerSlackSecrets(client, secretId, clock);
  }

  function reads(): number {
    return secretsManager.service.callsTo('GetSecretValue').length;
  }

  it('reads the bot token and a named webhook URL when the secret holds them as JSON', async () => {
    // Prepare
    const slack = secrets();

    // Act
    const token = await slack.botToken();
    const url = await slack.webhookUrl('vision');

    // Assess
    expect(token).toBe(SECRET.botToken);
    expect(url).toBe(SECRET.webhooks.vision);
    expect(secretsManager.service.callsTo('GetSecretValue')[0]?.input).toEqual({
      SecretId: SECRET_ID,
    });
  });

  it('reads the secret once when it is used twice within five minutes', async () => {
    // Prepare
    const slack = secrets();

    // Act
    await slack.botToken();
    clock.advanceTo(T0 + 5 * 60_000 - 1);
    await slack.webhookUrl('vision');

    // Assess
    expect(reads()).toBe(1);
  });

  it('reads the secret again and sees a rotated token when five minutes have passed', async () => {
    // Prepare
    const slack = secrets();
    await slack.botToken();
    secretsManager.putSecret(SECRET_ID, JSON.stringify({ ...SECRET, botToken: 'xoxb-rotated' }));

    // Act
    clock.advanceTo(T0 + 5 * 60_000);
    const token = await slack.botToken();

    // Assess
    expect(token).toBe('xoxb-rotated');
    expect(reads()).toBe(2);
  });

  it('throws a DeliveryError naming the secret when it has no bot token', async () => {
    // Prepare
    secretsManager.putSecret(SECRET_ID, JSON.stringify({ webhooks: SECRET.webhooks }));

    // Act
    const error = await secrets()
      .botToken()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toBe(
      `slack delivery failed: secret ${SECRET_ID} has no "botToken" (needed for DMs)`
    );
  });

  it('throws a DeliveryError naming the webhook when the secret lacks it', async () => {
    // Act
    const error = await secrets()
      .webhookUrl('robotics')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toContain(`secret ${SECRET_ID} has no webhooks.robotics`);
  });

  it.each([
    ['no scheme', 'hooks.slack.com/services/T0WARDEN/B0VISION/sekrit-part', 'is not a URL'],
    [
      'plain http',
      'http://hooks.slack.com/services/T0WARDEN/B0VISION/sekrit-part',
      'is not an https URL',
    ],
    [
      'credentials',
      'https://user:sekrit-part@hooks.slack.com/services/T0',
      'holds a user name or password',
    ],
  ])(
    'refuses a webhook URL with %s as a permanent configuration error naming the field but not the value',
    async (_, url, why) => {
      // Prepare
      secretsManager.putSecret(SECRET_ID, JSON.stringify({ ...SECRET, webhooks: { vision: url } }));

      // Act
      const error = await secrets()
        .webhookUrl('vision')
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toContain(
        `slack delivery failed: configuration error: webhooks.vision in secret ${SECRET_ID} ${why}`
      );
      expect(error).toMatchObject({ retryable: false });
      expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('sekrit');
    }
  );

  it('refuses a bot token that is not a Slack token as a configuration error that does not show it', async () => {
    // Prepare
    secretsManager.putSecret(
      SECRET_ID,
      JSON.stringify({ ...SECRET, botToken: 'sekrit-part\nX-Injected: yes' })
    );

    // Act
    const error = await secrets()
      .botToken()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as Error).message).toBe(
      `slack delivery failed: configuration error: "botToken" in secret ${SECRET_ID} is not a Slack token (expected xoxb-…); fix the secret (its value is not shown)`
    );
    expect(error).toMatchObject({ retryable: false });
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('sekrit');
  });

  it('still serves a good webhook when another webhook in the secret is malformed', async () => {
    // Prepare
    secretsManager.putSecret(
      SECRET_ID,
      JSON.stringify({ ...SECRET, webhooks: { ...SECRET.webhooks, robotics: 'not a url' } })
    );

    // Act
    const url = await secrets().webhookUrl('vision');

    // Assess
    expect(url).toBe(SECRET.webhooks.vision);
  });

  it('throws a non-retryable DependencyError keeping the cause when the secret does not exist', async () => {
    // Act
    const error = await secrets('pool-warden/test/missing')
      .botToken()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ dependency: 'Secrets Manager', retryable: false });
    expect((error as Error).message).toContain('secret pool-warden/test/missing does not exist');
    expect((error as DependencyError).cause).toBeInstanceOf(ResourceNotFoundException);
  });

  it('throws a retryable DependencyError when Secrets Manager fails', async () => {
    // Prepare
    secretsManager.service.fail('GetSecretValue', internalFailure());

    // Act
    const error = await secrets()
      .botToken()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain(`reading ${SECRET_ID} failed`);
  });

  it.each([
    ['xoxb-plain-token', 'is not JSON (expected {"botToken": …, "webhooks": {…}})'],
    ['["xoxb"]', 'is not a JSON object'],
    ['{"botToken": 42}', 'has a non-string "botToken"'],
    ['{"webhooks": {"vision": 1}}', 'has "webhooks" that is not a map of names to URLs'],
  ])('throws a clear DependencyError when the secret is %s', async (value, why) => {
    // Prepare
    secretsManager.putSecret(SECRET_ID, value);

    // Act
    const error = await secrets()
      .botToken()
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toBe(`Secrets Manager: secret ${SECRET_ID} ${why}`);
  });

  it('reads again on the next use when a read failed', async () => {
    // Prepare
    secretsManager.service.fail('GetSecretValue', internalFailure());
    const slack = secrets();
    await slack.botToken().catch(() => undefined);

    // Act
    const token = await slack.botToken();

    // Assess
    expect(token).toBe(SECRET.botToken);
    expect(reads()).toBe(2);
  });
});
