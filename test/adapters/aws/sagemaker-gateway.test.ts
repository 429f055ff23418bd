import { SageMakerClient, type SageMakerClientConfig } from '@aws-sdk/client-sagemaker';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SdkSageMakerGateway } from '../../../src/adapters/aws/sagemaker-gateway.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { T0 } from '../../helpers/factories.js';
import { awsError, internalFailure, throttling } from '../../helpers/loopback-aws-json.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import { LoopbackSageMaker, type Tag } from '../../helpers/loopback-sagemaker.js';

const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017';
/** Retries as the deployed clients do, but without waiting between attempts. */
const MAX_ATTEMPTS = 4;

/** A DescribeTrainingJob answer as SageMaker sends it: times are epoch seconds with millis. */
const DESCRIBE = {
  TrainingJobName: 'resnet-sweep-017',
  TrainingJobArn: ARN,
  TrainingJobStatus: 'Completed',
  SecondaryStatus: 'Completed',
  RoleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
  AlgorithmSpecification: {
    TrainingImage: '763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-gpu-py311',
    TrainingInputMode: 'FastFile',
  },
  ResourceConfig: {
    InstanceType: 'ml.g5.2xlarge',
    InstanceCount: 1,
    VolumeSizeInGB: 100,
    KeepAlivePeriodInSeconds: 1800,
  },
  WarmPoolStatus: { Status: 'Available', ResourceRetainedBillableTimeInSeconds: 120 },
  StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  CreationTime: 1795165842.417,
  TrainingStartTime: 1795166142.0,
  TrainingEndTime: 1795169742.5,
  LastModifiedTime: 1795169750.25,
  TrainingTimeInSeconds: 3600,
  BillableTimeInSeconds: 3600,
  ModelArtifacts: { S3ModelArtifacts: 's3://vision-models/resnet-sweep-017/output/model.tar.gz' },
  SecondaryStatusTransitions: [
    { Status: 'Starting', StartTime: 1795165842.417, EndTime: 1795166142.0 },
    { Status: 'Completed', StartTime: 1795169742.5, EndTime: 1795169742.5 },
  ],
};

function tags(count: number): Tag[] {
  return Array.from({ length: count }, (_, i) => ({ Key: `tag-${i}`, Value: `value-${i}` }));
}

describe('sagemaker-gateway', () => {
  let sagemaker: LoopbackSageMaker;
  let client: SageMakerClient;
  let gateway: SdkSageMakerGateway;

  function clientFor(config: SageMakerClientConfig = {}): SageMakerClient {
    return new SageMakerClient({
      ...loopbackClientConfig(sagemaker.endpoint),
      retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => 0),
      ...config,
    });
  }

  beforeAll(async () => {
    sagemaker = await LoopbackSageMaker.start({ tagPageSize: 20 });
    sagemaker.addJob(DESCRIBE, [
      { Key: 'warden:owner', Value: 'alice' },
      { Key: 'project', Value: 'resnet' },
    ]);
    sagemaker.addJob(
      {
        ...DESCRIBE,
        TrainingJobName: 'many-tags',
        TrainingJobArn: ARN.replace('resnet-sweep-017', 'many-tags'),
      },
      tags(50)
    );
    sagemaker.addJob(
      {
        ...DESCRIBE,
        TrainingJobName: 'proto-tag',
        TrainingJobArn: ARN.replace('resnet-sweep-017', 'proto-tag'),
      },
      [{ Key: '__proto__', Value: 'x' }]
    );
    client = clientFor();
    gateway = new SdkSageMakerGateway(client);
  });

  beforeEach(() => {
    sagemaker.service.reset();
  });

  afterAll(async () => {
    client.destroy();
    await sagemaker.stop();
  });

  describe('describeTrainingJob', () => {
    it('maps status, warm pool, keep-alive, billable time and epoch-ms times when the job exists', async () => {
      // Act
      const job = await gateway.describeTrainingJob('resnet-sweep-017');

      // Assess
      expect(job).toEqual({
        name: 'resnet-sweep-017',
        arn: ARN,
        status: 'Completed',
        secondaryStatus: 'Completed',
        roleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 1,
        keepAliveSeconds: 1800,
        volumeSizeGb: 100,
        networkIsolation: false,
        interContainerEncryption: false,
        managedSpot: false,
        warmPool: { status: 'Available', retainedBillableSeconds: 120 },
        creationTime: 1795165842417,
        startTime: 1795166142000,
        endTime: 1795169742500,
        lastModifiedTime: 1795169750250,
        trainingSeconds: 3600,
        billableSeconds: 3600,
      });
      const [call] = sagemaker.service.callsTo('DescribeTrainingJob');
      expect(call?.input).toEqual({ TrainingJobName: 'resnet-sweep-017' });
    });

    it('returns undefined when SageMaker answers ValidationException "Requested resource not found"', async () => {
      // Act
      const job = await gateway.describeTrainingJob('deleted-job');

      // Assess
      expect(job).toBeUndefined();
      expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(1);
    });

    it('returns undefined when SageMaker answers ResourceNotFound', async () => {
      // Prepare
      sagemaker.service.fail(
        'DescribeTrainingJob',
        awsError(400, 'ResourceNotFound', 'Training job resnet-sweep-017 does not exist.')
      );

      // Act
      const job = await gateway.describeTrainingJob('resnet-sweep-017');

      // Assess
      expect(job).toBeUndefined();
    });

    it('throws a DependencyError when a ValidationException is not about a missing job', async () => {
      // Prepare
      sagemaker.service.fail(
        'DescribeTrainingJob',
        awsError(400, 'ValidationException', "Value 'bad name!' at 'trainingJobName' failed")
      );

      // Act
      const error = await gateway.describeTrainingJob('bad name!').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as Error).message).toContain('DescribeTrainingJob failed: ValidationException');
    });

    it('succeeds after the SDK retries when SageMaker throttles twice', async () => {
      // Prepare
      sagemaker.service.fail('DescribeTrainingJob', throttling(), throttling());

      // Act
      const job = await gateway.describeTrainingJob('resnet-sweep-017');

      // Assess
      expect(job?.warmPool?.status).toBe('Available');
      expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(3);
    });

    it('throws a retryable DependencyError after every attempt when SageMaker keeps failing with 500', async () => {
      // Prepare
      sagemaker.service.fail(
        'DescribeTrainingJob',
        ...Array.from({ length: MAX_ATTEMPTS + 1 }, internalFailure)
      );

      // Act
      const error = await gateway.describeTrainingJob('resnet-sweep-017').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency: 'SageMaker', retryable: true });
      expect((error as Error).message).toContain('DescribeTrainingJob failed: InternalFailure');
      expect((error as DependencyError).cause).toMatchObject({
        name: 'InternalFailure',
        $metadata: { httpStatusCode: 500, attempts: MAX_ATTEMPTS },
      });
      expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(MAX_ATTEMPTS);
    });

    it('throws a DependencyError naming the problem when the answer lacks the job ARN', async () => {
      // Prepare
      sagemaker.service.fail('DescribeTrainingJob', {
        status: 200,
        body: { TrainingJobName: 'resnet-sweep-017', TrainingJobStatus: 'Completed' },
      });

      // Act
      const error = await gateway.describeTrainingJob('resnet-sweep-017').catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as Error).message).toContain(
        'DescribeTrainingJob answered badly: DescribeTrainingJob.TrainingJobArn is missing'
      );
    });
  });

  describe('listTags', () => {
    it('returns the tags as a map when they fit in one page', async () => {
      // Act
      const found = await gateway.listTags(ARN);

      // Assess
      expect(found).toEqual({ 'warden:owner': 'alice', project: 'resnet' });
      expect(sagemaker.service.callsTo('ListTags')).toHaveLength(1);
    });

    it('follows NextToken across pages when SageMaker pages the tags', async () => {
      // Act
      const found = await gateway.listTags(ARN.replace('resnet-sweep-017', 'many-tags'));

      // Assess
      expect(found).toEqual(Object.fromEntries(tags(50).map((t) => [t.Key, t.Value])));
      const calls = sagemaker.service.callsTo('ListTags');
      expect(calls).toHaveLength(3);
      expect(calls.map((c) => c.input.MaxResults)).toEqual([100, 100, 100]);
      expect(calls[0]?.input.NextToken).toBeUndefined();
      expect(calls[1]?.input.NextToken).toEqual(expect.any(String));
    });

    it('keeps a tag named __proto__, which SageMaker allows, as a tag', async () => {
      const found = await gateway.listTags(ARN.replace('resnet-sweep-017', 'proto-tag'));

      expect(Object.entries(found)).toEqual([['__proto__', 'x']]);
    });

    it('returns no tags when the job is unknown', async () => {
      // Act
      const found = await gateway.listTags(ARN.replace('resnet-sweep-017', 'deleted-job'));

      // Assess
      expect(found).toEqual({});
    });

    it('throws a retryable DependencyError when ListTags keeps failing', async () => {
      // Prepare
      sagemaker.service.fail('ListTags', ...Array.from({ length: MAX_ATTEMPTS }, internalFailure));

      // Act
      const error = await gateway.listTags(ARN).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).message).toContain('ListTags failed: InternalFailure');
    });
  });

  describe('configured through AWS_ENDPOINT_URL_SAGEMAKER', () => {
    afterEach(() => {
      vi.unstubAllEnvs();
    });

    it('reaches the endpoint named by the environment when the client has none', async () => {
      // Prepare
      vi.stubEnv('AWS_ENDPOINT_URL_SAGEMAKER', sagemaker.endpoint);
      const fromEnv = new SageMakerClient({
        region: 'us-east-1',
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
        maxAttempts: 1,
      });

      // Act
      const job = await new SdkSageMakerGateway(fromEnv)
        .describeTrainingJob('resnet-sweep-017')
        .finally(() => fromEnv.destroy());

      // Assess
      expect(job?.name).toBe('resnet-sweep-017');
      expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(1);
    });
  });

  describe('warm-pool calls', () => {
    const MIN = 60_000;
    const ROLE = 'arn:aws:iam::111122223333:role/VisionTraining';
    let shell: LoopbackSageMaker;
    let poolClient: SageMakerClient;
    let pools: SdkSageMakerGateway;

    /** A job of the shell's world that ran an hour and ended at T0, with a 30 min keep-alive. */
    function ended(name: string, spec: { volumeSizeGb?: number } = {}) {
      shell.simulator.submit({
        name,
        roleArn: ROLE,
        instanceType: 'ml.g5.2xlarge',
        keepAliveSeconds: 1800,
        creationTime: T0 - 70 * MIN,
        ...spec,
      });
      shell.simulator.start(name, T0 - 60 * MIN);
      shell.simulator.end(name, 'Completed', T0);
    }

    beforeEach(async () => {
      shell = await LoopbackSageMaker.start({ rateLimits: { UpdateTrainingJob: 1 } });
      shell.clock.advanceTo(T0);
      poolClient = new SageMakerClient({
        ...loopbackClientConfig(shell.endpoint),
        // The backoff passes in the shell's virtual time, so its rate limit refills at once.
        retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => {
          shell.clock.advanceTo(shell.clock.now() + 1000);
          return 0;
        }),
      });
      pools = new SdkSageMakerGateway(poolClient);
    });

    afterEach(async () => {
      poolClient.destroy();
      await shell.stop();
    });

    describe('listTrainingJobs', () => {
      it('asks for 100 per page with the filters and maps each summary', async () => {
        // Prepare
        ended('a');
        ended('b', { volumeSizeGb: 1 });
        shell.clock.advanceTo(T0 + 5 * MIN);

        // Act
        const page = await pools.listTrainingJobs({
          warmPoolStatus: 'Available',
          createdAfter: T0 - 24 * 60 * MIN,
        });

        // Assess
        expect(page).toEqual({
          jobs: ['a', 'b'].map((name) => ({
            name,
            arn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`,
            creationTime: T0 - 70 * MIN,
            status: 'Completed',
            endTime: T0,
            warmPoolStatus: 'Available',
          })),
        });
        const [call] = shell.service.callsTo('ListTrainingJobs');
        expect(call?.input).toEqual({
          MaxResults: 100,
          WarmPoolStatusEquals: 'Available',
          CreationTimeAfter: (T0 - 24 * 60 * MIN) / 1000,
        });
      });

      it('returns short and empty pages, as SageMaker filters after paging', async () => {
        // Prepare
        ended('a', { volumeSizeGb: 1 });
        shell.simulator.submit({ name: 'b', roleArn: ROLE, instanceType: 'ml.g5.2xlarge' });
        ended('c');
        ended('d', { volumeSizeGb: 2 });
        await pools.updateKeepAlive('a', 0);
        shell.clock.advanceTo(T0 + 5 * MIN);

        // Act
        const first = await pools.listTrainingJobs({ warmPoolStatus: 'Terminated', maxResults: 2 });
        const second = await pools.listTrainingJobs({
          warmPoolStatus: 'Terminated',
          maxResults: 2,
          nextToken: first.nextToken,
        });

        // Assess
        expect(first.jobs.map((j) => j.name)).toEqual(['a']);
        expect(first.nextToken).toEqual(expect.any(String));
        expect(second).toEqual({ jobs: [] });
      });

      it('throws a non-retryable DependencyError when SageMaker rejects the token', async () => {
        // Act
        const error = await pools
          .listTrainingJobs({ nextToken: 'forged' })
          .catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(DependencyError);
        expect(error).toMatchObject({ retryable: false });
        expect((error as Error).message).toContain(
          'ListTrainingJobs failed: ValidationException: Invalid pagination token'
        );
        expect(shell.service.callsTo('ListTrainingJobs')).toHaveLength(1);
      });
    });

    describe('updateKeepAlive', () => {
      it('sends UpdateTrainingJob with the new keep-alive and the pool then lasts longer', async () => {
        // Prepare
        ended('a');
        shell.clock.advanceTo(T0 + 10 * MIN);

        // Act
        const outcome = await pools.updateKeepAlive('a', 3600);

        // Assess
        expect(outcome).toEqual({ kind: 'updated' });
        const [call] = shell.service.callsTo('UpdateTrainingJob');
        expect(call?.headers['x-amz-target']).toBe('SageMaker.UpdateTrainingJob');
        expect(call?.input).toEqual({
          TrainingJobName: 'a',
          ResourceConfig: { KeepAlivePeriodInSeconds: 3600 },
        });
        expect(shell.simulator.job('a')?.warmPool?.expiresAt).toBe(T0 + 60 * MIN);
        expect((await pools.describeTrainingJob('a'))?.keepAliveSeconds).toBe(3600);
      });

      it('throws a non-retryable DependencyError, without retrying, for an out-of-range value', async () => {
        // Prepare
        ended('a');

        // Act
        const error = await pools.updateKeepAlive('a', 7200).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(DependencyError);
        expect(error).toMatchObject({ retryable: false });
        expect((error as Error).message).toContain(
          "UpdateTrainingJob failed: ValidationException: 1 validation error detected: Value '7200' at 'resourceConfig.keepAlivePeriodInSeconds'"
        );
        expect(shell.service.callsTo('UpdateTrainingJob')).toHaveLength(1);
        expect(shell.simulator.job('a')?.warmPool?.status).toBe('Available');
      });

      it('answers not-updatable when the pool was reused', async () => {
        // Prepare
        ended('a');
        shell.simulator.submit({ name: 'b', roleArn: ROLE, instanceType: 'ml.g5.2xlarge' });
        shell.simulator.start('b', T0 + MIN);

        // Act
        const outcome = await pools.updateKeepAlive('a', 600);

        // Assess
        expect(outcome).toEqual({
          kind: 'not-updatable',
          reason: expect.stringContaining('cannot be updated: its status is Reused'),
        });
      });

      it('answers not-updatable when the job is unknown, as ValidationException or ResourceNotFound', async () => {
        // Prepare
        shell.service.fail(
          'UpdateTrainingJob',
          awsError(400, 'ResourceNotFound', 'Training job gone does not exist.')
        );

        // Act
        const modeled = await pools.updateKeepAlive('gone', 600);
        const inPractice = await pools.updateKeepAlive('gone', 600);

        // Assess
        expect(modeled).toEqual({
          kind: 'not-updatable',
          reason: 'Training job gone does not exist.',
        });
        expect(inPractice).toEqual({
          kind: 'not-updatable',
          reason: 'Requested resource not found.',
        });
      });

      it('succeeds through the SDK retry when the rate limit throttles the call', async () => {
        // Prepare
        ended('a');
        ended('b', { volumeSizeGb: 1 });
        await pools.updateKeepAlive('a', 600);

        // Act
        const outcome = await pools.updateKeepAlive('b', 600);

        // Assess
        expect(outcome).toEqual({ kind: 'updated' });
        expect(shell.simulator.stats()).toMatchObject({
          calls: { UpdateTrainingJob: 3 },
          throttled: { UpdateTrainingJob: 1 },
        });
      });

      it('throws a retryable DependencyError when SageMaker keeps failing with 500', async () => {
        // Prepare
        ended('a');
        shell.service.fail(
          'UpdateTrainingJob',
          ...Array.from({ length: MAX_ATTEMPTS }, internalFailure)
        );

        // Act
        const error = await pools.updateKeepAlive('a', 600).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(DependencyError);
        expect(error).toMatchObject({ retryable: true });
        expect((error as Error).message).toContain('UpdateTrainingJob failed: InternalFailure');
        expect(shell.service.callsTo('UpdateTrainingJob')).toHaveLength(MAX_ATTEMPTS);
      });
    });
  });
});
