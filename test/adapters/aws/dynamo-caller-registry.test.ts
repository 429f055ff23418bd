import { ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoCallerRegistry } from '../../../src/adapters/aws/dynamo-caller-registry.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { T0 } from '../../helpers/factories.js';
import { LoopbackDynamo } from '../../helpers/loopback-dynamodb.js';

const TABLE = 'pool-warden-callers';
const JOB_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017';
const CALLER = {
  principal: 'alice@example.com',
  arn: 'arn:aws:sts::111122223333:assumed-role/SageMakerStudio/alice@example.com',
};

describe('dynamo-caller-registry', () => {
  let dynamo: LoopbackDynamo;
  let registry: DynamoCallerRegistry;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable(TABLE);
    registry = new DynamoCallerRegistry(dynamo.client, TABLE);
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  it('finds the caller when one was recorded for the job', async () => {
    // Act
    await registry.record(JOB_ARN, CALLER, T0);
    const found = await registry.find(JOB_ARN);

    // Assess
    expect(found).toEqual(CALLER);
  });

  it('returns undefined when no caller was recorded for the job', async () => {
    // Act
    const found = await registry.find(`${JOB_ARN}-unknown`);

    // Assess
    expect(found).toBeUndefined();
  });

  it('keeps the latest caller when a job is recorded twice', async () => {
    // Prepare
    const arn = `${JOB_ARN}-twice`;
    await registry.record(arn, CALLER, T0);

    // Act
    await registry.record(arn, { principal: 'bob', arn: 'arn:aws:iam::111122223333:user/bob' }, T0);

    // Assess
    expect(await registry.find(arn)).toEqual({
      principal: 'bob',
      arn: 'arn:aws:iam::111122223333:user/bob',
    });
  });

  it('stores the caller with a TTL 35 days out in epoch seconds when it is recorded', async () => {
    // Act
    await registry.record(`${JOB_ARN}-ttl`, CALLER, T0);

    // Assess
    const item = await dynamo.item(TABLE, `CALLER#${JOB_ARN}-ttl`, 'CALLER');
    expect(item?.recordedAt).toEqual({ N: String(T0) });
    expect(item?.ttl).toEqual({ N: String(Math.floor((T0 + 35 * 86_400_000) / 1000)) });
  });

  it('throws a retryable DependencyError keeping the cause when the table is missing', async () => {
    // Prepare
    const broken = new DynamoCallerRegistry(dynamo.client, 'no-such-table');

    // Act
    const recordError = await broken.record(JOB_ARN, CALLER, T0).catch((e: unknown) => e);
    const findError = await broken.find(JOB_ARN).catch((e: unknown) => e);

    // Assess
    for (const error of [recordError, findError]) {
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency: 'DynamoDB', retryable: true });
      expect((error as DependencyError).cause).toBeInstanceOf(ResourceNotFoundException);
    }
    expect((recordError as Error).message).toContain('record caller failed');
    expect((findError as Error).message).toContain('find caller failed');
  });
});
