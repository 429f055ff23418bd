import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pacer, SdkTraceExportSource } from '../../../src/adapters/aws/trace-export-source.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { awsError } from '../../helpers/loopback-aws-json.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import { LoopbackSageMaker, notFound } from '../../helpers/loopback-sagemaker.js';

describe('Pacer', () => {
  it('lets the first call through at once and spaces the next ones 1/rate apart', async () => {
    // Prepare
    const clock = new VirtualClock(1_000);
    const pacer = new Pacer(clock, 2);
    const times: number[] = [];

    // Act
    for (let i = 0; i < 4; i++) {
      await pacer.turn();
      times.push(clock.now());
    }

    // Assess
    expect(times).toEqual([1_000, 1_500, 2_000, 2_500]);
  });

  it('does not wait when the caller was slower than the rate anyway', async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(clock, 8);

    await pacer.turn();
    clock.advanceTo(10_000);
    await pacer.turn();

    expect(clock.now()).toBe(10_000);
  });
});

describe('SdkTraceExportSource on the SageMaker wire', () => {
  const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/job-1';
  let sagemaker: LoopbackSageMaker;
  let client: SageMakerClient;

  beforeEach(async () => {
    sagemaker = await LoopbackSageMaker.start();
    client = new SageMakerClient({
      ...loopbackClientConfig(sagemaker.endpoint),
      retryStrategy: new ConfiguredRetryStrategy(1, () => 0),
    });
  });

  afterEach(async () => {
    client.destroy();
    await sagemaker.stop();
  });

  const source = () => new SdkTraceExportSource(client, new VirtualClock(0));
  const page = (tags: Record<string, string>, nextToken?: string) => ({
    status: 200,
    body: {
      Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })),
      ...(nextToken === undefined ? {} : { NextToken: nextToken }),
    },
  });

  it('answers nothing for a job deleted since it was listed, in either spelling SageMaker uses', async () => {
    // Prepare: the simulator answers an unknown job as SageMaker does (ValidationException,
    // "Requested resource not found."); ResourceNotFound is scripted.
    sagemaker.service.fail('DescribeTrainingJob', awsError(400, 'ResourceNotFound', 'gone'));
    // Act
    const scripted = await source().describe('job-1');
    const simulated = await source().describe('job-2');
    // Assess
    expect([scripted, simulated]).toEqual([undefined, undefined]);
  });

  it('fails, naming the job, on a ValidationException that is not about a missing job', async () => {
    // Prepare
    const invalid =
      "1 validation error detected: Value 'a b' at 'trainingJobName' failed to satisfy constraint";
    sagemaker.service.fail('DescribeTrainingJob', awsError(400, 'ValidationException', invalid));
    // Act
    const error = await source()
      .describe('a b')
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toBe(
      `SageMaker: DescribeTrainingJob of a b failed: ValidationException: ${invalid}`
    );
  });

  it('reads every page of tags, passing the token on', async () => {
    // Prepare
    sagemaker.service.fail('ListTags', page({ owner: 'ana' }, 't-2'), page({ team: 'vision' }));
    // Act
    const tags = await source().listTags(ARN);
    // Assess
    expect(tags).toEqual({ owner: 'ana', team: 'vision' });
    const calls = sagemaker.service.callsTo('ListTags');
    expect(calls.map((c) => c.input.NextToken)).toEqual([undefined, 't-2']);
    expect(calls.map((c) => c.input.ResourceArn)).toEqual([ARN, ARN]);
  });

  it('keeps the tags read so far when the job is deleted between two pages', async () => {
    // Prepare
    sagemaker.service.fail('ListTags', page({ owner: 'ana' }, 't-2'), notFound());
    // Act and assess
    await expect(source().listTags(ARN)).resolves.toEqual({ owner: 'ana' });
  });

  it('skips a listed job without a name or an ARN, and a tag without a key or a value', async () => {
    // Prepare: answers SageMaker does not send, but the wire allows
    const arn = (name: string) => ARN.replace('job-1', name);
    sagemaker.service.fail('ListTrainingJobs', {
      status: 200,
      body: {
        TrainingJobSummaries: [
          { TrainingJobName: 'job-a', TrainingJobArn: arn('job-a') },
          { TrainingJobArn: arn('job-b') },
          { TrainingJobName: 'job-c' },
        ],
        NextToken: 'p-2',
      },
    });
    sagemaker.service.fail('ListTags', {
      status: 200,
      body: { Tags: [{ Key: 'owner' }, { Value: 'vision' }, { Key: 'team', Value: 'nlp' }] },
    });
    // Act
    const listed = await source().listPage(0, 1);
    const tags = await source().listTags(ARN);
    // Assess
    expect(listed).toEqual({ jobs: [{ name: 'job-a', arn: arn('job-a') }], nextToken: 'p-2' });
    // Strict: a tag without a value must not be kept as a key holding undefined
    expect(tags).toStrictEqual({ team: 'nlp' });
  });

  it('asks ListTrainingJobs for the window, oldest first, 100 a page', async () => {
    // Prepare: a token the simulator did not give would be refused, so the answer is scripted
    sagemaker.service.fail('ListTrainingJobs', { status: 200, body: { TrainingJobSummaries: [] } });
    // Act
    await source().listPage(Date.UTC(2026, 10, 1), Date.UTC(2026, 10, 15), 'p-3');
    // Assess: the wire carries epoch seconds
    expect(sagemaker.service.callsTo('ListTrainingJobs').map((c) => c.input)).toEqual([
      {
        CreationTimeAfter: Date.UTC(2026, 10, 1) / 1000,
        CreationTimeBefore: Date.UTC(2026, 10, 15) / 1000,
        SortBy: 'CreationTime',
        SortOrder: 'Ascending',
        MaxResults: 100,
        NextToken: 'p-3',
      },
    ]);
  });

  it('fails, naming the job, when ListTags fails for any reason but a deleted job', async () => {
    // Prepare: the role may describe jobs but not list their tags
    const denied = 'User is not authorized to perform: sagemaker:ListTags';
    sagemaker.service.fail('ListTags', awsError(400, 'AccessDeniedException', denied));
    // Act
    const error = await source()
      .listTags(ARN)
      .catch((e: unknown) => e);
    // Assess: no export row is written with its owner and team silently missing
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toBe(
      `SageMaker: ListTags of ${ARN} failed: AccessDeniedException: ${denied}`
    );
  });

  it('does not take another error for a deleted job, even one that says "not found"', async () => {
    // Prepare
    sagemaker.service.fail(
      'DescribeTrainingJob',
      awsError(400, 'AccessDeniedException', 'Role not found for this account')
    );
    // Act
    const error = await source()
      .describe('job-1')
      .catch((e: unknown) => e);
    // Assess: the SDK's own error stays reachable, as the cause
    expect(error).toBeInstanceOf(DependencyError);
    expect((error as Error).message).toBe(
      'SageMaker: DescribeTrainingJob of job-1 failed: AccessDeniedException: Role not found for this account'
    );
    expect((error as Error).cause).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('paces by default at 2 listings and 8 describes or tag pages a second', async () => {
    // Prepare
    const clock = new VirtualClock(0);
    const paced = new SdkTraceExportSource(client, clock);
    // Act: two calls on each pacer (a describe and a tag page share one), the clock standing
    // still between them
    await paced.listPage(0, 1);
    await paced.listPage(0, 1);
    const afterListing = clock.now();
    await paced.describe('job-1');
    await paced.listTags(ARN);
    // Assess: the second listing waited 1/2 s; the tag page waited 1/8 s after the describe
    expect([afterListing, clock.now()]).toEqual([500, 625]);
  });

  it('says what to set when there are no AWS credentials', async () => {
    // Prepare: the SDK's provider chain found none
    const bare = new SageMakerClient({
      endpoint: sagemaker.endpoint,
      region: 'us-east-1',
      credentials: async () => {
        const error = new Error('Could not load credentials from any providers\nmore detail');
        error.name = 'CredentialsProviderError';
        throw error;
      },
    });
    try {
      // Act
      const error = await new SdkTraceExportSource(bare, new VirtualClock(0))
        .listPage(0, 1)
        .catch((e: unknown) => e);
      // Assess
      expect((error as Error).message).toBe(
        'SageMaker: ListTrainingJobs failed: no AWS credentials (Could not load credentials from any providers): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached'
      );
      expect(sagemaker.service.calls).toHaveLength(0);
    } finally {
      bare.destroy();
    }
  });
});
