import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  REFRESH_BEFORE_MS,
  StsRoleCredentials,
} from '../../../src/adapters/aws/sts-credentials.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { T0 } from '../../helpers/factories.js';
import { LoopbackSts } from '../../helpers/loopback-sts.js';

const ROLE = 'arn:aws:iam::444455556666:role/pool-warden-member-eu-west-1';
const HOUR = 3_600_000;

let clock: VirtualClock;
let sts: LoopbackSts;
let client: STSClient;

beforeAll(async () => {
  clock = new VirtualClock(T0);
  sts = await LoopbackSts.start(
    { [ROLE]: { externalId: 'ext-research', accessKeyId: 'ASIARESEARCH' } },
    clock
  );
  client = new STSClient({
    endpoint: sts.endpoint,
    region: 'us-east-1',
    maxAttempts: 1,
    credentials: { accessKeyId: 'AKIAHUB', secretAccessKey: 'hub' },
  });
});

afterAll(async () => {
  client.destroy();
  await sts.stop();
});

beforeEach(() => {
  sts.calls.length = 0;
});

function credentials(externalId = 'ext-research', roleArn = ROLE): StsRoleCredentials {
  return new StsRoleCredentials(
    client,
    { roleArn, externalId, sessionName: 'pool-warden', account: 'research (444455556666)' },
    clock
  );
}

describe('StsRoleCredentials', () => {
  it('assumes the role with its external id and hands out the session', async () => {
    // Act
    const session = await credentials().provide();

    // Assess
    expect(session).toMatchObject({
      accessKeyId: 'ASIARESEARCH',
      sessionToken: expect.any(String),
    });
    expect(session.expiration.getTime()).toBe(clock.now() + HOUR);
    expect(sts.calls.map((c) => c.params)).toEqual([
      expect.objectContaining({
        RoleArn: ROLE,
        ExternalId: 'ext-research',
        RoleSessionName: 'pool-warden',
        DurationSeconds: '3600',
      }),
    ]);
  });

  it('reuses the session until shortly before it expires, then assumes the role again', async () => {
    // Prepare
    const role = credentials();
    const first = await role.provide();

    // Act
    clock.advanceTo(first.expiration.getTime() - REFRESH_BEFORE_MS - 1);
    const reused = await role.provide();
    clock.advanceTo(first.expiration.getTime() - REFRESH_BEFORE_MS);
    const renewed = await role.provide();

    // Assess
    expect(reused).toBe(first);
    expect(renewed).not.toBe(first);
    expect(sts.calls).toHaveLength(2);
  });

  it('makes one AssumeRole call for callers that ask at the same time', async () => {
    // Prepare
    const role = credentials();

    // Act
    const sessions = await Promise.all([role.provide(), role.provide(), role.provide()]);

    // Assess
    expect(new Set(sessions).size).toBe(1);
    expect(sts.calls).toHaveLength(1);
  });

  it('fails for good, naming the account and role, when the external id is wrong', async () => {
    // Act
    const refused = credentials('not-the-id').provide();

    // Assess
    await expect(refused).rejects.toMatchObject({
      dependency: 'STS',
      retryable: false,
      message: expect.stringMatching(
        /AssumeRole of arn:aws:iam::444455556666:role\/pool-warden-member-eu-west-1 for account research \(444455556666\) failed: AccessDenied.*serverless\.member\.yml/
      ),
    });
  });

  it('tries again on the next call after a refusal, so a fixed member stack is picked up', async () => {
    // Prepare
    const role = credentials('wrong');
    await expect(role.provide()).rejects.toThrow(/AccessDenied/);

    // Act
    const again = role.provide();

    // Assess
    await expect(again).rejects.toThrow(/AccessDenied/);
    expect(sts.calls).toHaveLength(2);
  });
});
