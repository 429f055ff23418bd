import { describe, expect, it } from 'vitest';
import { MemoryCallerRegistry } from '../../src/adapters/memory/memory-caller-registry.js';
import type { CallerRegistry } from '../../src/domain/ports/caller-registry.js';
import { createHandler, createQueueHandler } from '../../src/handlers/record-job-caller.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { lambdaContext, T0 } from '../helpers/factories.js';
import { sqsEvent } from '../helpers/sqs-records.js';

const JOB_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/Churn-XGB-Berlin';

function createTrainingJobCall(
  userIdentity: Record<string, unknown>,
  extra: Record<string, unknown> = {}
) {
  return {
    version: '0',
    id: 'cloudtrail-1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: '111122223333',
    time: '2026-11-24T14:02:00Z',
    region: 'us-east-1',
    detail: {
      eventVersion: '1.09',
      userIdentity,
      eventSource: 'sagemaker.amazonaws.com',
      eventName: 'CreateTrainingJob',
      requestParameters: { trainingJobName: 'Churn-XGB-Berlin' },
      responseElements: { trainingJobArn: JOB_ARN },
      ...extra,
    },
  };
}

describe('record-job-caller handler', () => {
  it('records the Studio user profile as the caller of an assumed-role session', async () => {
    // Prepare
    const registry = new MemoryCallerRegistry();
    const handler = createHandler(async () => registry, new VirtualClock(T0));
    const event = createTrainingJobCall({
      type: 'AssumedRole',
      arn: 'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-Studio/carol.studio',
    });

    // Act
    const outcome = await handler(event, lambdaContext());

    // Assess
    expect(outcome).toEqual({ kind: 'recorded', jobArn: JOB_ARN, principal: 'carol.studio' });
    // The registry is keyed by the lower-cased ARN, as the notice side looks it up.
    expect(await registry.find(JOB_ARN.toLowerCase())).toEqual({
      principal: 'carol.studio',
      arn: 'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-Studio/carol.studio',
    });
  });

  it('ignores a failed CreateTrainingJob call, which created no job', async () => {
    const registry = new MemoryCallerRegistry();
    const handler = createHandler(async () => registry, new VirtualClock(T0));
    const event = createTrainingJobCall(
      { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/bob', userName: 'bob' },
      { errorCode: 'ResourceLimitExceeded', responseElements: null }
    );

    const outcome = await handler(event, lambdaContext());

    expect(outcome).toEqual({
      kind: 'ignored',
      reason: 'the call failed (ResourceLimitExceeded); no job was created',
    });
    expect(await registry.find(JOB_ARN.toLowerCase())).toBeUndefined();
  });
});

describe('record-job-caller queue handler', () => {
  it('records good calls, ignores an unreadable one and reports the write that failed', async () => {
    // Prepare
    const registry = new MemoryCallerRegistry();
    let failNext = true;
    const flaky: CallerRegistry = {
      find: (key) => registry.find(key),
      record: async (key, caller) => {
        if (key.endsWith('/second')) {
          if (failNext) {
            failNext = false;
            throw new Error('DynamoDB throttled');
          }
        }
        await registry.record(key, caller);
      },
    };
    const handler = createQueueHandler(async () => flaky, new VirtualClock(T0));
    const callOf = (job: string) => {
      const event = createTrainingJobCall({
        type: 'IAMUser',
        arn: `arn:aws:iam::111122223333:user/${job}-owner`,
        userName: `${job}-owner`,
      });
      const arn = `arn:aws:sagemaker:us-east-1:111122223333:training-job/${job}`;
      return { ...event, detail: { ...event.detail, responseElements: { trainingJobArn: arn } } };
    };

    // Act
    const first = await handler(
      sqsEvent([callOf('first'), callOf('second'), 'garbage', callOf('third')]),
      lambdaContext()
    );
    const again = await handler(sqsEvent([callOf('second')], 2), lambdaContext());

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(again).toEqual({ batchItemFailures: [] });
    for (const job of ['first', 'second', 'third']) {
      const key = `arn:aws:sagemaker:us-east-1:111122223333:training-job/${job}`;
      expect(await registry.find(key)).toMatchObject({ principal: `${job}-owner` });
    }
  });
});
