import { describe, expect, it } from 'vitest';
import { buildNotice, consoleUrl, noticeKey } from '../../../src/domain/notice/notice.js';
import { aliceOwner, finishedJob, G5_2XLARGE, noticeFor } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';

const TEN_MINUTES = 600_000;

describe('buildNotice', () => {
  describe('job facts', () => {
    it('links to the job in the SageMaker console of its region', () => {
      const notice = noticeFor({ region: 'eu-west-1' });

      expect(notice.consoleUrl).toBe(
        'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/resnet-sweep-017'
      );
    });

    it('takes the duration from the training start and end times', () => {
      expect(noticeFor().durationSeconds).toBe(3600);
    });

    it('falls back to TrainingTimeInSeconds when the job has no start time', () => {
      const notice = noticeFor({ job: { startTime: undefined, trainingSeconds: 1234 } });

      expect(notice.durationSeconds).toBe(1234);
    });

    it('ignores an end time before the start time', () => {
      const notice = noticeFor({ job: { startTime: T0 + 1000, trainingSeconds: 77 } });

      expect(notice.durationSeconds).toBe(77);
    });

    it('computes the billable cost as BillableTimeInSeconds × InstanceCount × price', () => {
      // Act
      const notice = noticeFor({ job: { billableSeconds: 3000, instanceCount: 4 } });

      // Assess
      expect(notice.billableSeconds).toBe(3000);
      expect(notice.costUsd).toBeCloseTo((3000 * 4 * 1.515) / 3600, 10);
    });

    it('gives no cost when the instance type has no price', () => {
      // Act
      const notice = noticeFor({ price: null });

      // Assess
      expect(notice).not.toHaveProperty('costUsd');
      expect(notice).not.toHaveProperty('price');
      expect(notice.billableSeconds).toBe(3600);
    });

    it('gives no cost when SageMaker reports no billable time, as for some failed jobs', () => {
      expect(noticeFor({ job: { billableSeconds: undefined } })).not.toHaveProperty('costUsd');
    });

    it('leaves the instance count unknown when the job does not say, and prices nothing on a guess', () => {
      // Act
      const notice = noticeFor({ job: { instanceCount: undefined } });

      // Assess
      expect(notice).not.toHaveProperty('instanceCount');
      expect(notice).not.toHaveProperty('costUsd');
      expect(notice.pool).toEqual({
        kind: 'available',
        expiresAt: T0 + 1_800_000,
        remainingSeconds: 1200,
      });
    });

    it('leaves out the secondary status when it only repeats the status', () => {
      expect(noticeFor()).not.toHaveProperty('secondaryStatus');
    });

    it('keeps a secondary status that adds something', () => {
      // Act
      const notice = noticeFor({
        status: 'Stopped',
        job: { secondaryStatus: 'MaxRuntimeExceeded' },
      });

      // Assess
      expect([notice.status, notice.secondaryStatus]).toEqual(['Stopped', 'MaxRuntimeExceeded']);
    });

    it('uses the status it is given, not the job snapshot’s', () => {
      // Act
      const notice = buildNotice({
        job: finishedJob({ status: 'InProgress' }),
        status: 'Failed',
        region: 'us-east-1',
        owner: aliceOwner(),
        now: T0,
      });

      // Assess
      expect(notice.status).toBe('Failed');
    });

    it('carries the failure reason, the owner and the creation time', () => {
      // Act
      const notice = noticeFor({
        status: 'Failed',
        job: { failureReason: 'AlgorithmError: CUDA out of memory' },
        now: T0 + 1234,
      });

      // Assess
      expect(notice.failureReason).toBe('AlgorithmError: CUDA out of memory');
      expect(notice.owner).toEqual(aliceOwner());
      expect(notice.createdAt).toBe(T0 + 1234);
    });
  });

  describe('warm pool view', () => {
    it('expires an available pool at TrainingEndTime + KeepAlivePeriodInSeconds', () => {
      // Act
      const notice = noticeFor({ job: { keepAliveSeconds: 3600 }, now: T0 + TEN_MINUTES });

      // Assess
      expect(notice.pool).toMatchObject({
        kind: 'available',
        expiresAt: T0 + 3_600_000,
        remainingSeconds: 3000,
      });
    });

    it('puts remaining time × instance count × hourly price / 3600 at risk', () => {
      // Act
      const notice = noticeFor({
        job: { keepAliveSeconds: 3600, instanceCount: 2 },
        price: { usdPerHour: 7.09, source: 'config' },
        now: T0 + TEN_MINUTES,
      });

      // Assess
      expect(notice.pool.kind).toBe('available');
      if (notice.pool.kind !== 'available') return;
      expect(notice.pool.atRiskUsd).toBeCloseTo((3000 * 2 * 7.09) / 3600, 10);
    });

    it('counts nothing remaining once the pool is past its expiry', () => {
      // Act
      const notice = noticeFor({ job: { keepAliveSeconds: 300 }, now: T0 + TEN_MINUTES });

      // Assess
      expect(notice.pool).toEqual({
        kind: 'available',
        expiresAt: T0 + 300_000,
        remainingSeconds: 0,
        atRiskUsd: 0,
      });
    });

    it('anchors the expiry on LastModifiedTime when the job has no end time', () => {
      // Act
      const notice = noticeFor({
        job: { endTime: undefined, lastModifiedTime: T0 + 5_000, keepAliveSeconds: 1800 },
      });

      // Assess
      expect(notice.pool).toMatchObject({ kind: 'available', expiresAt: T0 + 1_805_000 });
    });

    it('puts no amount at risk when the instance type has no price', () => {
      const notice = noticeFor({ price: null });

      expect(notice.pool.kind).toBe('available');
      expect(notice.pool).not.toHaveProperty('atRiskUsd');
    });

    it('reports a missing pool when keep-alive was asked for but no WarmPoolStatus came', () => {
      // Act
      const notice = noticeFor({ job: { keepAliveSeconds: 1800, warmPool: undefined } });

      // Assess
      expect(notice.pool).toEqual({ kind: 'missing', keepAliveSeconds: 1800 });
    });

    it('reports no pool when the job asked for no keep-alive', () => {
      expect(noticeFor({ job: { keepAliveSeconds: undefined, warmPool: undefined } }).pool).toEqual(
        {
          kind: 'none',
        }
      );
      expect(noticeFor({ job: { keepAliveSeconds: 0, warmPool: undefined } }).pool).toEqual({
        kind: 'none',
      });
    });

    it('reports a reused pool as gone, with the job that took it and its retained cost', () => {
      // Act
      const notice = noticeFor({
        job: {
          instanceCount: 2,
          warmPool: {
            status: 'Reused',
            reusedByJob: 'resnet-sweep-018',
            retainedBillableSeconds: 1200,
          },
        },
      });

      // Assess
      expect(notice.pool).toEqual({
        kind: 'gone',
        status: 'Reused',
        reusedByJob: 'resnet-sweep-018',
        retainedSeconds: 1200,
        retainedUsd: (1200 * 2 * 1.515) / 3600,
      });
    });

    it('reports a terminated pool as gone, with its retained cost', () => {
      // Act
      const notice = noticeFor({
        job: { warmPool: { status: 'Terminated', retainedBillableSeconds: 1800 } },
        price: G5_2XLARGE,
      });

      // Assess
      expect(notice.pool).toEqual({
        kind: 'gone',
        status: 'Terminated',
        retainedSeconds: 1800,
        retainedUsd: (1800 * 1.515) / 3600,
      });
    });

    it('reports a terminated pool without a retained time as just gone', () => {
      const notice = noticeFor({ job: { warmPool: { status: 'Terminated' } } });

      expect(notice.pool).toEqual({ kind: 'gone', status: 'Terminated' });
    });
  });
});

describe('buildNotice with out-of-range values (issue 7, case 3)', () => {
  it.each([
    ['missing', undefined],
    ['0', 0],
  ])(
    'gives an Available pool with a %s keep-alive an unknown expiry, not "expiring now"',
    (_, keepAliveSeconds) => {
      // Act
      const notice = noticeFor({ job: { keepAliveSeconds } });

      // Assess
      expect(notice.pool).toEqual({ kind: 'expiry-unknown' });
    }
  );

  it('gives an unknown expiry when the expiry would be past what a Date can hold', () => {
    const notice = noticeFor({ job: { endTime: 8.64e15, keepAliveSeconds: 1800 } });

    expect(notice.pool).toEqual({ kind: 'expiry-unknown' });
  });

  it.each([1.79e308, Number.POSITIVE_INFINITY, Number.NaN, -1, 0])(
    'treats a price of %s per hour as no price',
    (usdPerHour) => {
      // Act
      const notice = noticeFor({ price: { usdPerHour, source: 'config' } });

      // Assess
      expect(notice).not.toHaveProperty('price');
      expect(notice).not.toHaveProperty('costUsd');
      expect(notice.pool).not.toHaveProperty('atRiskUsd');
    }
  );
});

describe('buildNotice links and job-controlled text', () => {
  it('links a job’s CloudWatch log streams: its log group, filtered by the job name', () => {
    const notice = noticeFor({ region: 'eu-west-1' });

    expect(notice.logsUrl).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#logsV2:log-groups/log-group/$252Faws$252Fsagemaker$252FTrainingJobs$3FlogStreamNameFilter$3Dresnet-sweep-017'
    );
  });

  it('builds links for a name with a lone surrogate instead of throwing URIError', () => {
    // Act
    const notice = noticeFor({ job: { name: 'job-\uD800' } });

    // Assess
    expect(notice.consoleUrl).toContain('/jobs/job-%EF%BF%BD');
    expect(notice.logsUrl).toContain('job-$25EF$25BF$25BD');
    expect(notice.jobName).toBe('job-\uFFFD');
  });

  it('caps a job name no SageMaker job can have, and links to the job list for it', () => {
    // Act
    const notice = noticeFor({ job: { name: 'n'.repeat(20_000) } });

    // Assess
    expect(notice.jobName).toHaveLength(200);
    expect(notice.consoleUrl.endsWith('#/jobs/')).toBe(true);
    expect(notice.logsUrl.endsWith('TrainingJobs')).toBe(true);
  });

  it('makes the job name printable for every reader, SNS attributes included', () => {
    expect(noticeFor({ job: { name: 'a\r\nb\u001b[2Jc' } }).jobName).toBe('a  bc');
  });

  it('marks a managed-spot job and keeps its training and run times', () => {
    // Act
    const notice = noticeFor({ job: { managedSpot: true, trainingSeconds: 3600 } });

    // Assess
    expect(notice).toMatchObject({
      managedSpot: true,
      trainingSeconds: 3600,
      startTime: T0 - 3_600_000,
      endTime: T0,
    });
  });

  it('carries the details-unavailable mark and the delivery note it is given', () => {
    // Act
    const notice = buildNotice({
      job: finishedJob(),
      status: 'Completed',
      region: 'us-east-1',
      owner: aliceOwner(),
      now: T0,
      detailsUnavailable: true,
      deliveryNote: 'Slack could not be reached (invalid_auth), so this came by email.',
    });

    // Assess
    expect(notice.detailsUnavailable).toBe(true);
    expect(notice.deliveryNote).toBe(
      'Slack could not be reached (invalid_auth), so this came by email.'
    );
    expect(noticeFor()).not.toHaveProperty('detailsUnavailable');
  });
});

describe('noticeKey', () => {
  const arn = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/Job-1';

  it('gives one key per job, whatever the ARN case or the terminal status claimed', () => {
    const job = { arn, creationTime: T0 };

    expect(noticeKey(job)).toBe(noticeKey({ ...job, arn: arn.toLowerCase() }));
    expect(noticeKey(job)).toBe(`${arn.toLowerCase()}#${T0}`);
  });

  it('tells apart two jobs that reused a name after DeleteTrainingJob', () => {
    expect(noticeKey({ arn, creationTime: T0 })).not.toBe(
      noticeKey({ arn, creationTime: T0 + 86_400_000 })
    );
  });
});

describe('consoleUrl', () => {
  it('encodes the job name and region so they cannot break out of the URL', () => {
    // Act
    const url = consoleUrl('us-east-1', 'x<!channel>|y&z');

    // Assess
    expect(url).toBe(
      'https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/jobs/x%3C!channel%3E%7Cy%26z'
    );
    expect(url).not.toMatch(/[<>|&\s]/);
  });
});
