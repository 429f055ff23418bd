import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { traceRowOf } from '../../../src/sim/trace/from-training-job.js';
import { readTrace } from '../../../src/sim/trace/read-trace.js';
import { writeTrace } from '../../../src/sim/trace/write-trace.js';

const ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-017';

/** A DescribeTrainingJob answer as the SDK returns it (times as Date). */
const DESCRIBE = {
  TrainingJobName: 'resnet-017',
  TrainingJobArn: ARN,
  TrainingJobStatus: 'Completed',
  RoleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
  AlgorithmSpecification: { TrainingImage: 'img', TrainingInputMode: 'FastFile' },
  ResourceConfig: {
    InstanceType: 'ml.g5.2xlarge',
    InstanceCount: 2,
    VolumeSizeInGB: 100,
    KeepAlivePeriodInSeconds: 1800,
  },
  CreationTime: new Date('2026-03-02T09:00:00.000Z'),
  TrainingStartTime: new Date('2026-03-02T09:02:30.000Z'),
  TrainingEndTime: new Date('2026-03-02T09:12:30.500Z'),
};

describe('traceRowOf', () => {
  it('maps creation time, run time, match key, shape, keep-alive, tags, owner, team and account', () => {
    const result = traceRowOf(DESCRIBE, { 'warden:owner': 'alice', owner: 'bob', team: 'vision' });

    expect(result).toEqual({
      kind: 'job',
      job: {
        submitTime: Date.UTC(2026, 2, 2, 9),
        durationMs: 600_500,
        key: 'role=arn:aws:iam::111122223333:role/VisionTraining|type=ml.g5.2xlarge|count=2|volume=100|kms=-|subnets=|sgs=|isolation=false|encryption=false',
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 2,
        owner: 'alice',
        team: 'vision',
        account: '111122223333',
        tags: { 'warden:owner': 'alice', owner: 'bob', team: 'vision' },
        inputMode: 'ffm',
        keepAliveMs: 1_800_000,
      },
    });
  });

  it('reads the owner tag when there is no warden:owner tag, and leaves absent tags out', () => {
    const withOwner = traceRowOf(DESCRIBE, { owner: 'bob' });
    const untagged = traceRowOf(DESCRIBE, {});

    expect(withOwner.kind === 'job' && withOwner.job.owner).toBe('bob');
    expect(untagged.kind === 'job' && [untagged.job.owner, untagged.job.tags]).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('maps File to file, and any FSx channel to fsx whatever the declared mode', () => {
    const file = traceRowOf(
      { ...DESCRIBE, AlgorithmSpecification: { TrainingInputMode: 'File' } },
      {}
    );
    const fsx = traceRowOf(
      {
        ...DESCRIBE,
        InputDataConfig: [
          { ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://b/k' } } },
          {
            ChannelName: 'cache',
            DataSource: { FileSystemDataSource: { FileSystemType: 'FSxLustre' } },
          },
        ],
      },
      {}
    );

    expect(file.kind === 'job' && file.job.inputMode).toBe('file');
    expect(fsx.kind === 'job' && fsx.job.inputMode).toBe('fsx');
  });

  it('maps FastFile and Pipe to ffm whatever S3 channels say, and no declared mode to none', () => {
    const s3 = [{ ChannelName: 'train', DataSource: { S3DataSource: { S3Uri: 's3://b/k' } } }];
    const mode = (TrainingInputMode: string | undefined) => {
      const result = traceRowOf(
        { ...DESCRIBE, InputDataConfig: s3, AlgorithmSpecification: { TrainingInputMode } },
        {}
      );
      return result.kind === 'job' ? result.job.inputMode : result.detail;
    };

    expect([mode('FastFile'), mode('Pipe'), mode('File'), mode(undefined)]).toEqual([
      'ffm',
      'ffm',
      'file',
      undefined,
    ]);
  });

  it('passes over an empty owner or team tag to the next one', () => {
    const result = traceRowOf(DESCRIBE, {
      'warden:owner': '',
      owner: 'bob',
      'warden:team': '',
      team: 'nlp',
    });

    expect(result.kind === 'job' && [result.job.owner, result.job.team]).toEqual(['bob', 'nlp']);
  });

  it('leaves the keep-alive out for a job that asked for none, and keeps a job that ran 0 s', () => {
    const { KeepAlivePeriodInSeconds: _, ...noKeepAlive } = DESCRIBE.ResourceConfig;
    const result = traceRowOf(
      { ...DESCRIBE, ResourceConfig: noKeepAlive, TrainingEndTime: DESCRIBE.TrainingStartTime },
      {}
    );

    expect(result.kind === 'job' && [result.job.keepAliveMs, result.job.durationMs]).toEqual([
      undefined,
      0,
    ]);
  });

  it('skips a job still running, one that never started, and an answer without a name', () => {
    const running = traceRowOf(
      { ...DESCRIBE, TrainingJobStatus: 'InProgress', TrainingEndTime: undefined },
      {}
    );
    const neverStarted = traceRowOf(
      {
        ...DESCRIBE,
        TrainingJobStatus: 'Failed',
        TrainingStartTime: undefined,
        TrainingEndTime: undefined,
      },
      {}
    );
    const invalid = traceRowOf({ ...DESCRIBE, TrainingJobName: undefined }, {});

    expect([running.kind, neverStarted.kind, invalid.kind]).toEqual(['skip', 'skip', 'skip']);
    expect([
      running.kind === 'skip' && running.reason,
      neverStarted.kind === 'skip' && neverStarted.reason,
      invalid.kind === 'skip' && invalid.reason,
    ]).toEqual(['running', 'not-started', 'invalid']);
  });

  it('keeps a failed job that ran: it asked for a pool like any other', () => {
    const failed = traceRowOf({ ...DESCRIBE, TrainingJobStatus: 'Failed' }, {});

    expect(failed.kind).toBe('job');
  });
});

describe('traceRowOf on answers no real job gives', () => {
  const resources = DESCRIBE.ResourceConfig;

  it.each([
    [
      'an InstanceCount of 0',
      { ResourceConfig: { ...resources, InstanceCount: 0 } },
      'ResourceConfig.InstanceCount ignored',
    ],
    [
      'a keep-alive past the maximum',
      { ResourceConfig: { ...resources, KeepAlivePeriodInSeconds: 99_999 } },
      'ResourceConfig.KeepAlivePeriodInSeconds ignored',
    ],
    ['no CreationTime', { CreationTime: undefined }, 'resnet-017: no CreationTime'],
    [
      'a TrainingEndTime that is not a time',
      { TrainingEndTime: 'yesterday' },
      'resnet-017: DescribeTrainingJob.TrainingEndTime ignored: expected',
    ],
    [
      'no instance type',
      { ResourceConfig: { ...resources, InstanceType: undefined } },
      'resnet-017: no ResourceConfig.InstanceType',
    ],
    [
      'an end before the start',
      { TrainingEndTime: new Date('2026-03-02T09:00:00.000Z') },
      'TrainingEndTime is before TrainingStartTime',
    ],
    [
      'an instance type in capitals',
      { ResourceConfig: { ...resources, InstanceType: 'ml.G5.XLARGE' } },
      '"ml.G5.XLARGE" is not a SageMaker instance type',
    ],
    [
      'a CreationTime before 2000',
      { CreationTime: new Date('1998-01-01T00:00:00.000Z') },
      'CreationTime 1998-01-01T00:00:00.000Z is before 2000-01-01, the earliest job time a trace takes',
    ],
    [
      'a CreationTime from 1e11 epoch seconds on',
      { CreationTime: new Date(1e14) },
      'CreationTime 5138-11-16T09:46:40.000Z is after 5138-11-16, the latest job time a trace takes',
    ],
    [
      'a run longer than a trace takes',
      { TrainingEndTime: new Date(Date.parse('2026-03-02T09:02:30.000Z') + 40_000_000_000) },
      'TrainingEndTime is 40000000 s after TrainingStartTime, longer than a trace takes (366 days)',
    ],
  ])('skips %s as unreadable instead of guessing a row', (_, change, detail) => {
    const result = traceRowOf({ ...DESCRIBE, ...change }, {});

    expect(result).toMatchObject({ kind: 'skip', reason: 'invalid' });
    expect(result.kind === 'skip' && result.detail).toContain(detail);
  });
});

describe('traceRowOf at the limits of what read-trace takes', () => {
  it('exports a job of 2000-01-01 that ran 366 days, and the trace reads back', async () => {
    const start = Date.parse('2000-01-01T00:00:00.000Z');
    const result = traceRowOf(
      {
        ...DESCRIBE,
        CreationTime: new Date(start),
        TrainingStartTime: new Date(start),
        TrainingEndTime: new Date(start + 366 * 86_400_000),
      },
      {}
    );
    const file = join(await mkdtemp(join(tmpdir(), 'warden-trace-row-')), 'row.csv');

    if (result.kind !== 'job') throw new Error(`skipped: ${result.detail}`);
    await writeTrace({ jobs: [result.job] }, file);
    const [read] = (await readTrace(file)).jobs;
    expect([read?.submitTime, read?.durationMs]).toEqual([start, 366 * 86_400_000]);
  });
});

describe('traceRowOf just short of the latest job time a trace takes', () => {
  it('exports a job created 1 ms before 1e11 epoch seconds', () => {
    const result = traceRowOf({ ...DESCRIBE, CreationTime: new Date(1e14 - 1) }, {});

    expect(result.kind === 'job' && result.job.submitTime).toBe(1e14 - 1);
  });
});

describe('traceRowOf on a malformed field no row uses', () => {
  it('exports the row: a FailureReason or LastModifiedTime it would drop changes nothing', () => {
    const result = traceRowOf({ ...DESCRIBE, FailureReason: 7, LastModifiedTime: 'soon' }, {});

    expect(result.kind).toBe('job');
  });
});
