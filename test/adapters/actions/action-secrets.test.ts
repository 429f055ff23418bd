import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretsManagerSlackSecrets } from '../../../src/adapters/aws/secrets-manager-slack-secrets.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { T0 } from '../../helpers/factories.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import { LoopbackSecretsManager } from '../../helpers/loopback-secrets-manager.js';

const K2 = { id: 'k2', secret: 'k2-0123456789abcdef0123456789abcdef' };
const K1 = { id: 'k1', secret: 'k1-0123456789abcdef0123456789abcdef' };
const SIGNING = '8f742231b10e8888abcd99yyyzzz85a5';

describe('action secrets in the Slack secret', () => {
  let secretsManager: LoopbackSecretsManager;
  let client: SecretsManagerClient;

  beforeAll(async () => {
    secretsManager = await LoopbackSecretsManager.start();
    client = new SecretsManagerClient({
      ...loopbackClientConfig(secretsManager.endpoint),
      maxAttempts: 1,
    });
  });

  afterAll(async () => {
    client.destroy();
    await secretsManager.stop();
  });

  function secretsWith(value: Record<string, unknown>, id = `s-${Math.random()}`) {
    secretsManager.putSecret(id, JSON.stringify({ webhooks: {}, ...value }));
    return new SecretsManagerSlackSecrets(client, id, new VirtualClock(T0));
  }

  it('reads the action keys newest first and the signing secret', async () => {
    // Prepare
    const secrets = secretsWith({ actionKeys: [K2, K1], signingSecret: SIGNING });

    // Act
    const [keys, signing] = [await secrets.actionKeys(), await secrets.signingSecret()];

    // Assess
    expect(keys).toEqual([K2, K1]);
    expect(signing).toBe(SIGNING);
  });

  it('answers no keys and no signing secret when the secret has neither', async () => {
    // Prepare
    const secrets = secretsWith({ botToken: 'xoxb-1111-2222-warden' });

    // Act & Assess
    expect(await secrets.actionKeys()).toEqual([]);
    expect(await secrets.signingSecret()).toBeUndefined();
    expect(await secrets.botToken()).toBe('xoxb-1111-2222-warden');
  });

  it.each([
    [
      'a key list that is not a list',
      { actionKeys: 'k1' },
      /"actionKeys" in secret .* is not a list/,
    ],
    [
      'a short key',
      { actionKeys: [{ id: 'k1', secret: 'short-secret' }] },
      /actionKeys\[0\] .* shorter than 32/,
    ],
    ['a bad key id', { actionKeys: [{ id: 'k 1', secret: K1.secret }] }, /actionKeys\[0\] .* "id"/],
    ['a repeated key id', { actionKeys: [K1, K1] }, /lists a key id twice/],
  ])('names the field, never the value, for %s', async (_name, value, message) => {
    // Prepare
    const secrets = secretsWith(value);

    // Act
    const error = await secrets.actionKeys().catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('short-secret');
  });

  it('refuses a signing secret that cannot be one, without showing it', async () => {
    // Prepare
    const secrets = secretsWith({ signingSecret: 'tiny' });

    // Act
    const error = await secrets.signingSecret().catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toMatch(
      /"signingSecret" in secret .* is not a Slack signing secret/
    );
    expect((error as Error).message).not.toContain('tiny');
  });

  it('keeps Slack notices working when the action keys are malformed', async () => {
    // Prepare
    const secrets = secretsWith({ botToken: 'xoxb-1111-2222-warden', actionKeys: 7 });

    // Act & Assess
    expect(await secrets.botToken()).toBe('xoxb-1111-2222-warden');
    await expect(secrets.actionKeys()).rejects.toThrow(DependencyError);
  });
});
