import { describe, expect, it } from 'vitest';
import { readTrainingJob, type SnapshotResult } from '../../../src/domain/job/training-job.js';
import { T0 } from '../../helpers/factories.js';

const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017';

/** A DescribeTrainingJob answer as the AWS SDK v3 returns it (times as Date objects). */
function describeAnswer(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    TrainingJobName: 'resnet-sweep-017',
    TrainingJobArn: ARN,
    TrainingJobStatus: 'Completed',
    SecondaryStatus: 'Completed',
    RoleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
    ResourceConfig: {
      InstanceType: 'ml.g5.2xlarge',
      InstanceCount: 2,
      VolumeSizeInGB: 100,
      KeepAlivePeriodInSeconds: 1800,
    },
    WarmPoolStatus: { Status: 'Available' },
    ModelArtifacts: { S3ModelArtifacts: 's3://bucket/model.tar.gz' },
    StoppingCondition: { MaxRuntimeInSeconds: 86400 },
    CreationTime: new Date(T0 - 3_900_000),
    TrainingStartTime: new Date(T0 - 3_600_000),
    TrainingEndTime: new Date(T0),
    LastModifiedTime: new Date(T0 + 5_000),
    TrainingTimeInSeconds: 3600,
    BillableTimeInSeconds: 3540,
    ...overrides,
  };
}

/** Reads a record that must parse; fails the test with the reason otherwise. */
function read(record: unknown, prefix = 'detail'): Extract<SnapshotResult, { ok: true }> {
  const result = readTrainingJob(record, prefix);
  if (!result.ok) throw new Error(`expected ${prefix} to parse: ${result.reason}`);
  return result;
}

describe('readTrainingJob', () => {
  it('reads every field Pool Warden uses from a DescribeTrainingJob answer', () => {
    // Act
    const result = readTrainingJob(describeAnswer(), 'describe');

    // Assess
    expect(result).toEqual({
      ok: true,
      warnings: [],
      job: {
        name: 'resnet-sweep-017',
        arn: ARN,
        status: 'Completed',
        secondaryStatus: 'Completed',
        roleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 2,
        keepAliveSeconds: 1800,
        volumeSizeGb: 100,
        warmPool: { status: 'Available' },
        creationTime: T0 - 3_900_000,
        startTime: T0 - 3_600_000,
        endTime: T0,
        lastModifiedTime: T0 + 5_000,
        trainingSeconds: 3600,
        billableSeconds: 3540,
      },
    });
  });

  it('reads a reused warm pool with its retained billable time and the job that took it', () => {
    // Prepare
    const record = describeAnswer({
      WarmPoolStatus: {
        Status: 'Reused',
        ResourceRetainedBillableTimeInSeconds: 1200,
        ReusedByJob: 'resnet-sweep-018',
      },
    });

    // Act
    const result = read(record, 'describe');

    // Assess
    expect(result.job.warmPool).toEqual({
      status: 'Reused',
      retainedBillableSeconds: 1200,
      reusedByJob: 'resnet-sweep-018',
    });
  });

  it('reads the failure reason of a failed job', () => {
    const result = read(
      describeAnswer({ TrainingJobStatus: 'Failed', FailureReason: 'AlgorithmError: OOM' }),
      'describe'
    );

    expect(result.job.failureReason).toBe('AlgorithmError: OOM');
  });

  it('accepts counts written as numeric strings', () => {
    const result = read(
      describeAnswer({ ResourceConfig: { InstanceCount: '3', KeepAlivePeriodInSeconds: '600' } }),
      'detail'
    );

    expect([result.job.instanceCount, result.job.keepAliveSeconds]).toEqual([3, 600]);
  });

  it('accepts a keep-alive of 0, which means no warm pool', () => {
    const result = read(
      describeAnswer({ ResourceConfig: { KeepAlivePeriodInSeconds: 0 } }),
      'detail'
    );

    expect(result.job.keepAliveSeconds).toBe(0);
    expect(result.warnings).toEqual([]);
  });

  it('accepts an ARN from another AWS partition', () => {
    const arn = 'arn:aws-cn:sagemaker:cn-north-1:111122223333:training-job/resnet-sweep-017';

    const result = read(describeAnswer({ TrainingJobArn: arn }), 'detail');

    expect(result.job.arn).toBe(arn);
  });

  it('treats null and empty-string optional fields as absent, without warnings', () => {
    // Prepare
    const record = describeAnswer({
      FailureReason: '',
      SecondaryStatus: null,
      TrainingEndTime: '',
      WarmPoolStatus: null,
      BillableTimeInSeconds: null,
    });

    // Act
    const result = read(record, 'detail');

    // Assess
    expect(result.warnings).toEqual([]);
    expect(result.job).not.toHaveProperty('failureReason');
    expect(result.job).not.toHaveProperty('secondaryStatus');
    expect(result.job).not.toHaveProperty('endTime');
    expect(result.job).not.toHaveProperty('warmPool');
    expect(result.job).not.toHaveProperty('billableSeconds');
  });

  it('leaves out a warm pool that has no status, since the model requires one', () => {
    const result = read(
      describeAnswer({ WarmPoolStatus: { ResourceRetainedBillableTimeInSeconds: 10 } }),
      'detail'
    );

    expect(result.job).not.toHaveProperty('warmPool');
  });

  describe('required fields', () => {
    it.each([
      ['null', null],
      ['a string', 'resnet-sweep-017'],
      ['an array', [describeAnswer()]],
    ])('rejects a record that is %s, naming the prefix', (_label, record) => {
      expect(readTrainingJob(record, 'detail')).toEqual({
        ok: false,
        reason: 'detail is not an object',
      });
    });

    it.each([
      ['missing', undefined],
      ['blank', '  '],
      ['a number', 17],
    ])('rejects a TrainingJobName that is %s, naming the field', (_label, value) => {
      expect(readTrainingJob(describeAnswer({ TrainingJobName: value }), 'detail')).toEqual({
        ok: false,
        reason: 'detail.TrainingJobName is missing or not a string',
      });
    });

    it.each([
      ['missing', undefined],
      ['an endpoint ARN', 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/resnet'],
      ['a job name', 'resnet-sweep-017'],
      ['an ARN without a job name', 'arn:aws:sagemaker:us-east-1:111122223333:training-job/'],
      ['an ARN with a short account', 'arn:aws:sagemaker:us-east-1:1111:training-job/resnet'],
    ])('rejects a TrainingJobArn that is %s, naming the field', (_label, value) => {
      expect(readTrainingJob(describeAnswer({ TrainingJobArn: value }), 'describe')).toEqual({
        ok: false,
        reason: 'describe.TrainingJobArn is missing or not a training-job ARN',
      });
    });

    it.each([
      ['missing', undefined],
      ['empty', ''],
      ['an object', { Status: 'Completed' }],
    ])('rejects a TrainingJobStatus that is %s, naming the field', (_label, value) => {
      expect(readTrainingJob(describeAnswer({ TrainingJobStatus: value }), 'detail')).toEqual({
        ok: false,
        reason: 'detail.TrainingJobStatus is missing or not a string',
      });
    });

    it('keeps an unknown future status, since the status set is open', () => {
      const result = read(describeAnswer({ TrainingJobStatus: 'Deleting' }), 'detail');

      expect(result.job.status).toBe('Deleting');
    });
  });

  describe('malformed optional fields', () => {
    it('drops a keep-alive above the API maximum of 21600 seconds', () => {
      const read = readTrainingJob(
        {
          TrainingJobName: 'j',
          TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/j',
          TrainingJobStatus: 'Completed',
          ResourceConfig: { KeepAlivePeriodInSeconds: 21_601 },
        },
        'detail'
      );

      expect(read.ok && read.job.keepAliveSeconds).toBeUndefined();
      expect(read.ok && read.warnings).toEqual([
        'detail.ResourceConfig.KeepAlivePeriodInSeconds ignored: expected a decimal integer from 0 to 21600',
      ]);
    });

    it('drops each malformed optional field with a warning naming it, and keeps the rest', () => {
      // Prepare
      const record = describeAnswer({
        SecondaryStatus: 7,
        FailureReason: { message: 'OOM' },
        RoleArn: ['arn:aws:iam::111122223333:role/VisionTraining'],
        ResourceConfig: {
          InstanceType: 42,
          InstanceCount: 'three',
          KeepAlivePeriodInSeconds: -60,
        },
        WarmPoolStatus: { Status: 'Available', ResourceRetainedBillableTimeInSeconds: 1.5 },
        CreationTime: 'yesterday',
        TrainingStartTime: true,
        TrainingTimeInSeconds: '1h',
        BillableTimeInSeconds: -1,
      });

      // Act
      const result = read(record, 'detail');

      // Assess
      expect(result.warnings).toEqual([
        'detail.SecondaryStatus ignored: expected a string',
        'detail.FailureReason ignored: expected a string',
        'detail.RoleArn ignored: expected a string',
        'detail.ResourceConfig.InstanceType ignored: expected a string',
        'detail.ResourceConfig.InstanceCount ignored: expected a decimal integer from 1 to 10000',
        'detail.ResourceConfig.KeepAlivePeriodInSeconds ignored: expected a decimal integer from 0 to 21600',
        'detail.WarmPoolStatus.ResourceRetainedBillableTimeInSeconds ignored: expected a decimal integer from 0 to 31622400',
        'detail.CreationTime ignored: expected a timestamp',
        'detail.TrainingStartTime ignored: expected a timestamp',
        'detail.TrainingTimeInSeconds ignored: expected a decimal integer from 0 to 31622400',
        'detail.BillableTimeInSeconds ignored: expected a decimal integer from 0 to 31622400',
      ]);
      expect(result.job).toEqual({
        name: 'resnet-sweep-017',
        arn: ARN,
        status: 'Completed',
        warmPool: { status: 'Available' },
        endTime: T0,
        lastModifiedTime: T0 + 5_000,
      });
    });

    it('drops a ResourceConfig or WarmPoolStatus that is not an object, with a warning', () => {
      // Prepare
      const record = describeAnswer({
        ResourceConfig: 'ml.g5.2xlarge',
        WarmPoolStatus: 'Available',
      });

      // Act
      const result = read(record, 'detail');

      // Assess
      expect(result.warnings).toEqual([
        'detail.ResourceConfig ignored: expected an object',
        'detail.WarmPoolStatus ignored: expected an object',
      ]);
      expect(result.job).not.toHaveProperty('instanceType');
      expect(result.job).not.toHaveProperty('warmPool');
    });

    it('rejects an instance count of 0, which no running job has', () => {
      const result = read(describeAnswer({ ResourceConfig: { InstanceCount: 0 } }), 'detail');

      expect(result.warnings).toEqual([
        'detail.ResourceConfig.InstanceCount ignored: expected a decimal integer from 1 to 10000',
      ]);
    });
  });

  describe('integers as SageMaker sends them (issue 7, case 3)', () => {
    it.each([
      ['an exponent', '1e3'],
      ['a hex prefix', '0x10'],
      ['a binary prefix', '0b11'],
      ['a leading zero', '007'],
      ['padding', ' 5'],
      ['a sign', '+4'],
      ['a fraction', '2.0'],
      ['a word', 'Infinity'],
    ])('treats an instance count with %s (%s) as unknown, not as a number', (_, text) => {
      // Act
      const result = read(describeAnswer({ ResourceConfig: { InstanceCount: text } }));

      // Assess
      expect(result.job).not.toHaveProperty('instanceCount');
      expect(result.warnings).toEqual([
        'detail.ResourceConfig.InstanceCount ignored: expected a decimal integer from 1 to 10000',
      ]);
    });

    it('reads plain decimal digits in a string, as the documentation sample quotes them', () => {
      // Act
      const result = read(
        describeAnswer({
          ResourceConfig: { InstanceCount: '4', KeepAlivePeriodInSeconds: '1800' },
          TrainingTimeInSeconds: '3600',
          BillableTimeInSeconds: '0',
        })
      );

      // Assess
      expect(result.warnings).toEqual([]);
      expect(result.job).toMatchObject({
        instanceCount: 4,
        keepAliveSeconds: 1800,
        trainingSeconds: 3600,
        billableSeconds: 0,
      });
    });

    it('treats "0x10" seconds as unknown rather than 16', () => {
      const result = read(describeAnswer({ TrainingTimeInSeconds: '0x10' }));

      expect(result.job).not.toHaveProperty('trainingSeconds');
    });

    it('treats a number beyond what a job can run, or past safe integers, as unknown', () => {
      // Act
      const result = read(
        describeAnswer({
          BillableTimeInSeconds: 1e15,
          TrainingTimeInSeconds: 2 ** 53,
          ResourceConfig: { InstanceCount: 1e6 },
        })
      );

      // Assess
      expect(result.job).not.toHaveProperty('billableSeconds');
      expect(result.job).not.toHaveProperty('trainingSeconds');
      expect(result.job).not.toHaveProperty('instanceCount');
      expect(result.warnings).toHaveLength(3);
    });

    it('reads managed spot training, so the notice can say why it billed less', () => {
      const result = read(describeAnswer({ EnableManagedSpotTraining: true }));

      expect(result.job.managedSpot).toBe(true);
    });
  });
});
