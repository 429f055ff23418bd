import { afterEach, describe, expect, it, vi } from 'vitest';
import { defaultProvider } from '../../../src/adapters/aws/lambda-credentials.js';

describe('lambda-credentials', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('resolves the credentials when Lambda puts them in the environment', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', 'ASIAEXAMPLEROLEKEY');
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'role-secret');
    vi.stubEnv('AWS_SESSION_TOKEN', 'role-session-token');

    // Act
    const credentials = await defaultProvider()();

    // Assess
    expect(credentials).toMatchObject({
      accessKeyId: 'ASIAEXAMPLEROLEKEY',
      secretAccessKey: 'role-secret',
      sessionToken: 'role-session-token',
    });
  });

  it('fails instead of searching other sources when the environment has no credentials', async () => {
    // Prepare
    vi.stubEnv('AWS_ACCESS_KEY_ID', undefined);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', undefined);

    // Act
    const error = await defaultProvider()().catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ name: 'CredentialsProviderError' });
  });
});
