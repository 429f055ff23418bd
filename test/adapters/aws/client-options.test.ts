import { createServer, type Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsClientOptions } from '../../../src/adapters/aws/client-options.js';
import { DynamoPoolStore } from '../../../src/adapters/aws/dynamo-pool-store.js';
import { SdkSageMakerGateway } from '../../../src/adapters/aws/sagemaker-gateway.js';
import { StsRoleCredentials } from '../../../src/adapters/aws/sts-credentials.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import {
  closedPortUrl,
  closeServer,
  listenOnLoopback,
  loopbackClientConfig,
} from '../../helpers/loopback-http.js';

/** Accepts every connection and request, and never answers. */
function silentServer(): Server {
  return createServer(() => undefined);
}

describe('AWS client options', () => {
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    server = silentServer();
    endpoint = await listenOnLoopback(server);
  });

  afterAll(async () => {
    server.closeAllConnections();
    await closeServer(server);
  });

  // The deployed options with a short timeout and two attempts, so the test takes a second.
  const options = { ...awsClientOptions(150), maxAttempts: 2 };

  it('fails a SageMaker call that is never answered, as a retryable error, instead of hanging', async () => {
    // Prepare
    const client = new SageMakerClient({ ...loopbackClientConfig(endpoint), ...options });
    const gateway = new SdkSageMakerGateway(client);

    // Act
    const failure = await gateway.describeTrainingJob('resnet-sweep-017').catch((e: unknown) => e);

    // Assess
    expect(failure).toBeInstanceOf(DependencyError);
    expect(failure).toMatchObject({ retryable: true });
    expect((failure as Error).message).toMatch(/timeout/i);
    client.destroy();
  });

  it.each([
    ['never answers', async () => endpoint],
    ['cannot be reached', closedPortUrl],
  ])(
    'fails a member role whose STS %s, as a retryable error naming the account, and asks again next time',
    async (_what, stsEndpoint) => {
      // Prepare
      const client = new STSClient({ ...loopbackClientConfig(await stsEndpoint()), ...options });
      const role = new StsRoleCredentials(
        client,
        {
          roleArn: 'arn:aws:iam::444455556666:role/pool-warden-member-eu-west-1',
          externalId: 'ext-research',
          sessionName: 'pool-warden',
          account: 'research (444455556666)',
        },
        new VirtualClock(0)
      );

      // Act
      const first = await role.provide().catch((e: unknown) => e);
      const second = await role.provide().catch((e: unknown) => e);

      // Assess
      for (const failure of [first, second]) {
        expect(failure).toBeInstanceOf(DependencyError);
        expect(failure).toMatchObject({ dependency: 'STS', retryable: true });
        expect((failure as Error).message).toContain('research (444455556666)');
      }
      expect(second).not.toBe(first);
      client.destroy();
    }
  );

  it.each([
    ['reading the control', (store: DynamoPoolStore) => store.getControl()],
    ['counting an action', (store: DynamoPoolStore) => store.countAction(0, 0)],
  ])(
    'fails a DynamoDB call that is never answered (%s), as a retryable error, instead of hanging',
    async (_what, call) => {
      // Prepare
      const client = new DynamoDBClient({ ...loopbackClientConfig(endpoint), ...options });
      const store = new DynamoPoolStore(client, { tableName: 'pools', clock: new VirtualClock(0) });

      // Act
      const failure = await call(store).catch((e: unknown) => e);

      // Assess
      expect(failure).toBeInstanceOf(DependencyError);
      expect(failure).toMatchObject({ retryable: true });
      client.destroy();
    }
  );
});
