import { SageMakerClient, type SageMakerClientConfig } from '@aws-sdk/client-sagemaker';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { SdkSageMakerGateway } from '../../../src/adapters/aws/sagemaker-gateway.js';
import { DependencyError } from '../../../src/domain/errors.js';
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
});
