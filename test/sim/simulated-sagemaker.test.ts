import { describe, expect, it } from 'vitest';
import { DependencyError } from '../../src/domain/errors.js';
import type { KeepAliveAnchor } from '../../src/domain/policy/policy.js';
import {
  type SimJobSpec,
  SimulatedSageMaker,
  type SimulatedSageMakerOptions,
} from '../../src/sim/simulated-sagemaker.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { T0 } from '../helpers/factories.js';

const MIN = 60_000;
const ROLE = 'arn:aws:iam::111122223333:role/VisionTraining';

function world(options: Partial<Omit<SimulatedSageMakerOptions, 'clock'>> = {}) {
  const clock = new VirtualClock(T0);
  const sim = new SimulatedSageMaker({ ...options, clock });
  /** Submits at now, starts a minute later, ends `minutes` after the start; the clock follows. */
  function run(spec: Partial<SimJobSpec> & { name: string }, minutes = 60) {
    sim.submit({ roleArn: ROLE, instanceType: 'ml.g5.2xlarge', keepAliveSeconds: 1800, ...spec });
    clock.advanceTo(clock.now() + MIN);
    const start = sim.start(spec.name);
    clock.advanceTo(clock.now() + minutes * MIN);
    sim.end(spec.name, 'Completed');
    return start;
  }
  return { clock, sim, run };
}

describe('SimulatedSageMaker', () => {
  describe('warm pool lifecycle', () => {
    it('leaves an Available pool until end + keep-alive when a job with keep-alive completes', async () => {
      // Prepare
      const { clock, sim, run } = world();

      // Act
      run({ name: 'a' });
      const end = clock.now();
      clock.advanceTo(end + 10 * MIN);

      // Assess
      expect(await sim.describeTrainingJob('a')).toMatchObject({
        status: 'Completed',
        keepAliveSeconds: 1800,
        endTime: end,
        warmPool: { status: 'Available', retainedBillableSeconds: 600 },
      });
      expect(sim.job('a')?.warmPool?.expiresAt).toBe(end + 30 * MIN);
    });

    it('terminates the pool lazily at its expiry, billing exactly the keep-alive', async () => {
      // Prepare
      const { clock, sim, run } = world();
      run({ name: 'a' });
      const end = clock.now();

      // Act
      clock.advanceTo(end + 5 * 60 * MIN);

      // Assess
      expect((await sim.describeTrainingJob('a'))?.warmPool).toEqual({
        status: 'Terminated',
        retainedBillableSeconds: 1800,
      });
      expect(sim.job('a')?.warmPool?.closedAt).toBe(end + 30 * MIN);
    });

    it('shows InUse while a job with keep-alive runs and no pool for a job without keep-alive', async () => {
      // Prepare
      const { sim } = world();
      sim.submit({
        name: 'with',
        roleArn: ROLE,
        instanceType: 'ml.g5.2xlarge',
        keepAliveSeconds: 60,
      });
      sim.submit({ name: 'without', roleArn: ROLE, instanceType: 'ml.g5.2xlarge' });

      // Act
      sim.start('with');
      sim.start('without');
      sim.end('without', 'Completed');

      // Assess
      expect((await sim.describeTrainingJob('with'))?.warmPool).toEqual({ status: 'InUse' });
      expect((await sim.describeTrainingJob('without'))?.warmPool).toBeUndefined();
    });

    it('reuses the most recently freed matching pool, which turns Reused with ReusedByJob', async () => {
      // Prepare
      const { clock, sim, run } = world();
      for (const name of ['older', 'newer']) {
        sim.submit({ name, roleArn: ROLE, instanceType: 'ml.g5.2xlarge', keepAliveSeconds: 1800 });
        sim.start(name);
      }
      sim.end('older', 'Completed', T0 + 10 * MIN);
      sim.end('newer', 'Completed', T0 + 12 * MIN);
      clock.advanceTo(T0 + 17 * MIN);

      // Act
      const start = run({ name: 'next', keepAliveSeconds: 600 }, 10);

      // Assess
      expect(start).toBe('warm');
      expect((await sim.describeTrainingJob('newer'))?.warmPool).toEqual({
        status: 'Reused',
        reusedByJob: 'next',
        retainedBillableSeconds: 6 * 60,
      });
      expect((await sim.describeTrainingJob('older'))?.warmPool?.status).toBe('Available');
      expect(sim.job('next')).toMatchObject({
        start: 'warm',
        warmPool: { status: 'Available', expiresAt: clock.now() + 10 * MIN },
      });
    });

    it('shows the reusing job InUse while it runs', async () => {
      // Prepare
      const { sim, run } = world();
      run({ name: 'first' });
      sim.submit({ name: 'second', roleArn: ROLE, instanceType: 'ml.g5.2xlarge' });

      // Act
      const start = sim.start('second');

      // Assess
      expect(start).toBe('warm');
      expect((await sim.describeTrainingJob('second'))?.warmPool).toEqual({ status: 'InUse' });
    });

    it('matches on the volume size but not on the training image', () => {
      // Prepare
      const { run } = world();
      run({ name: 'a', volumeSizeGb: 100, trainingImage: 'one' }, 5);

      // Act
      const other = run({ name: 'b', volumeSizeGb: 200, trainingImage: 'one' }, 5);
      const same = run({ name: 'c', volumeSizeGb: 100, trainingImage: 'two' }, 5);

      // Assess
      expect([other, same]).toEqual(['cold', 'warm']);
    });

    it('keeps a pool after a stop or an algorithm error, and none after an internal error', async () => {
      // Prepare
      const { sim } = world();
      for (const name of ['stopped', 'algorithm', 'internal']) {
        sim.submit({ name, roleArn: ROLE, instanceType: 'ml.p3.2xlarge', keepAliveSeconds: 900 });
        sim.start(name);
      }

      // Act
      sim.end('stopped', 'Stopped');
      sim.end('algorithm', 'Failed', undefined, { failureReason: 'AlgorithmError: ExitCode 1' });
      sim.end('internal', 'Failed', undefined, { failureReason: 'InternalServerError: oops' });

      // Assess
      const pools = await Promise.all(
        ['stopped', 'algorithm', 'internal'].map(async (n) => {
          return (await sim.describeTrainingJob(n))?.warmPool?.status;
        })
      );
      expect(pools).toEqual(['Available', 'Available', 'Terminated']);
    });

    it('keeps no pool for managed spot jobs and bills them what they report', async () => {
      // Prepare
      const { clock, sim } = world();
      sim.submit({
        name: 'spot',
        roleArn: ROLE,
        instanceType: 'ml.g5.2xlarge',
        keepAliveSeconds: 600,
        managedSpot: true,
      });
      sim.start('spot');
      clock.advanceTo(T0 + 40 * MIN);

      // Act
      sim.end('spot', 'Completed', undefined, { billableSeconds: 700 });

      // Assess
      expect(await sim.describeTrainingJob('spot')).toMatchObject({
        managedSpot: true,
        trainingSeconds: 2400,
        billableSeconds: 700,
      });
      expect((await sim.describeTrainingJob('spot'))?.warmPool).toBeUndefined();
    });

    it('bills end − start in whole seconds', async () => {
      // Prepare
      const { clock, sim } = world();
      sim.submit({ name: 'a', roleArn: ROLE, instanceType: 'ml.g5.2xlarge' });
      sim.start('a', T0 + 1000);

      // Act
      sim.end('a', 'Completed', T0 + 1000 + 90_400);
      clock.advanceTo(T0 + 5 * MIN);

      // Assess
      expect(await sim.describeTrainingJob('a')).toMatchObject({
        startTime: T0 + 1000,
        endTime: T0 + 91_400,
        trainingSeconds: 90,
        billableSeconds: 90,
      });
    });

    it('lets a start learnt late take a pool that expired after that start', async () => {
      // Prepare
      const { clock, sim, run } = world();
      run({ name: 'a' });
      const end = clock.now();
      sim.submit({
        name: 'b',
        roleArn: ROLE,
        instanceType: 'ml.g5.2xlarge',
        creationTime: end + MIN,
      });
      clock.advanceTo(end + 60 * MIN);

      // Act
      const start = sim.start('b', end + 20 * MIN);

      // Assess
      expect(start).toBe('warm');
      expect((await sim.describeTrainingJob('a'))?.warmPool).toEqual({
        status: 'Reused',
        reusedByJob: 'b',
        retainedBillableSeconds: 20 * 60,
      });
    });
  });

  describe('warm-pool quota', () => {
    it('keeps no pool, and shows no WarmPoolStatus, when the quota of the type is used up', async () => {
      // Prepare
      const { sim, run } = world({ warmPoolQuota: { 'ml.g5.2xlarge': 1 } });
      run({ name: 'a' }, 5);

      // Act
      run({ name: 'b', volumeSizeGb: 50 }, 5);

      // Assess
      expect((await sim.describeTrainingJob('a'))?.warmPool?.status).toBe('Available');
      expect((await sim.describeTrainingJob('b'))?.warmPool).toBeUndefined();
    });

    it('keeps a pool again once the quota is freed by a termination', async () => {
      // Prepare
      const { clock, sim, run } = world({ warmPoolQuota: { 'ml.g5.2xlarge': 1 } });
      run({ name: 'a' });
      await sim.updateKeepAlive('a', 0);

      // Act
      run({ name: 'b', volumeSizeGb: 50 });
      clock.advanceTo(clock.now() + MIN);

      // Assess
      expect((await sim.describeTrainingJob('b'))?.warmPool?.status).toBe('Available');
    });

    it('never shows a pool for a type whose quota is 0, even while the job runs', async () => {
      // Prepare
      const { sim } = world({ warmPoolQuota: { 'ml.p4d.24xlarge': 0 } });
      sim.submit({
        name: 'big',
        roleArn: ROLE,
        instanceType: 'ml.p4d.24xlarge',
        keepAliveSeconds: 600,
      });

      // Act
      sim.start('big');
      const running = (await sim.describeTrainingJob('big'))?.warmPool;
      sim.end('big', 'Completed');

      // Assess
      expect(running).toBeUndefined();
      expect(await sim.describeTrainingJob('big')).toMatchObject({ keepAliveSeconds: 600 });
      expect((await sim.describeTrainingJob('big'))?.warmPool).toBeUndefined();
    });
  });

  describe('updateKeepAlive', () => {
    async function endedTenMinutesAgo(anchor: KeepAliveAnchor) {
      const w = world({ keepAliveAnchor: anchor });
      w.run({ name: 'a' });
      const end = w.clock.now();
      w.clock.advanceTo(end + 10 * MIN);
      return { ...w, end };
    }

    it('counts the new keep-alive from the job end under the job-end anchor', async () => {
      // Prepare
      const { sim, end } = await endedTenMinutesAgo('job-end');

      // Act
      const outcome = await sim.updateKeepAlive('a', 3600);

      // Assess
      expect(outcome).toEqual({ kind: 'updated' });
      expect(sim.job('a')?.warmPool?.expiresAt).toBe(end + 60 * MIN);
      expect((await sim.describeTrainingJob('a'))?.keepAliveSeconds).toBe(3600);
    });

    it('counts the new keep-alive from the update under the update-time anchor', async () => {
      // Prepare
      const { sim, clock } = await endedTenMinutesAgo('update-time');

      // Act
      await sim.updateKeepAlive('a', 3600);

      // Assess
      expect(sim.job('a')?.warmPool?.expiresAt).toBe(clock.now() + 60 * MIN);
    });

    it('terminates the pool at once when the keep-alive is 0', async () => {
      // Prepare
      const { sim } = await endedTenMinutesAgo('job-end');

      // Act
      const outcome = await sim.updateKeepAlive('a', 0);

      // Assess
      expect(outcome).toEqual({ kind: 'updated' });
      expect((await sim.describeTrainingJob('a'))?.warmPool).toEqual({
        status: 'Terminated',
        retainedBillableSeconds: 600,
      });
    });

    it('terminates the pool at once when the new expiry is already past under job-end', async () => {
      // Prepare
      const { sim } = await endedTenMinutesAgo('job-end');

      // Act
      await sim.updateKeepAlive('a', 300);

      // Assess
      expect((await sim.describeTrainingJob('a'))?.warmPool).toEqual({
        status: 'Terminated',
        retainedBillableSeconds: 600,
      });
    });

    it.each([
      [
        3601,
        "Value '3601' at 'resourceConfig.keepAlivePeriodInSeconds' failed to satisfy constraint: Member must have value less than or equal to 3600",
      ],
      [-1, 'Member must have value greater than or equal to 0'],
      [1.5, 'Member must be an integer'],
    ])('rejects %s as a non-retryable ValidationException', async (seconds, text) => {
      // Prepare
      const { sim } = await endedTenMinutesAgo('job-end');

      // Act
      const error = await sim.updateKeepAlive('a', seconds).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ retryable: false });
      expect((error as Error).message).toContain('UpdateTrainingJob failed: ValidationException');
      expect((error as Error).message).toContain(text);
      expect(sim.job('a')?.warmPool?.status).toBe('Available');
    });

    it('accepts up to the configured maximum, 21600 as in the API model', async () => {
      // Prepare
      const { clock, sim, run } = world({ maxKeepAliveSeconds: 21_600 });
      run({ name: 'a' });

      // Act
      const outcome = await sim.updateKeepAlive('a', 21_600);

      // Assess
      expect(outcome).toEqual({ kind: 'updated' });
      expect(sim.job('a')?.warmPool?.expiresAt).toBe(clock.now() + 6 * 60 * MIN);
    });

    it('answers not-updatable when the job does not exist', async () => {
      // Prepare
      const { sim } = world();

      // Act
      const outcome = await sim.updateKeepAlive('ghost', 600);

      // Assess
      expect(outcome).toEqual({ kind: 'not-updatable', reason: 'Requested resource not found.' });
    });

    it('answers not-updatable when the pool is InUse, Reused, Terminated or absent', async () => {
      // Prepare
      const { clock, sim, run } = world();
      run({ name: 'reused' });
      run({ name: 'taker' });
      run({ name: 'expired', volumeSizeGb: 1 });
      clock.advanceTo(clock.now() + 5 * 60 * MIN);
      run({ name: 'none', keepAliveSeconds: 0 });
      sim.submit({
        name: 'running',
        roleArn: ROLE,
        instanceType: 'ml.g5.2xlarge',
        keepAliveSeconds: 60,
      });
      sim.start('running');

      // Act
      const outcomes = await Promise.all(
        ['running', 'reused', 'expired', 'none'].map((n) => sim.updateKeepAlive(n, 600))
      );

      // Assess
      expect(outcomes.map((o) => o.kind)).toEqual(Array(4).fill('not-updatable'));
      expect(outcomes.map((o) => ('reason' in o ? o.reason : ''))).toEqual([
        expect.stringMatching(
          /warm pool of training job running cannot be updated: its status is InUse/
        ),
        expect.stringContaining('its status is Reused'),
        expect.stringContaining('its status is Terminated'),
        expect.stringContaining('its status is absent'),
      ]);
    });
  });

  describe('listTrainingJobs', () => {
    /** Five jobs created a minute apart, submitted out of order; only `j3` keeps a pool. */
    function fiveJobs() {
      const w = world();
      for (const i of [4, 2, 0, 1, 3]) {
        w.sim.submit({
          name: `j${i}`,
          roleArn: ROLE,
          instanceType: 'ml.g5.2xlarge',
          creationTime: T0 + i * MIN,
          ...(i === 3 ? { keepAliveSeconds: 600 } : {}),
        });
      }
      w.clock.advanceTo(T0 + 10 * MIN);
      for (const i of [0, 1, 2, 3, 4]) {
        w.sim.start(`j${i}`);
        w.sim.end(`j${i}`, 'Completed', T0 + 20 * MIN);
      }
      return w;
    }

    it('lists by creation time, ten per page by default', async () => {
      // Prepare
      const { sim } = fiveJobs();

      // Act
      const page = await sim.listTrainingJobs({});

      // Assess
      expect(page.jobs.map((j) => j.name)).toEqual(['j0', 'j1', 'j2', 'j3', 'j4']);
      expect(page.nextToken).toBeUndefined();
      expect(page.jobs[3]).toEqual({
        name: 'j3',
        arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/j3',
        creationTime: T0 + 3 * MIN,
        status: 'Completed',
        endTime: T0 + 20 * MIN,
        warmPoolStatus: 'Available',
      });
    });

    it('filters after taking the page, so pages may be empty while a token remains', async () => {
      // Prepare
      const { sim } = fiveJobs();
      const pages: string[][] = [];
      let nextToken: string | undefined;

      // Act
      do {
        const page = await sim.listTrainingJobs({
          warmPoolStatus: 'Available',
          maxResults: 2,
          nextToken,
        });
        pages.push(page.jobs.map((j) => j.name));
        nextToken = page.nextToken;
      } while (nextToken !== undefined);

      // Assess
      expect(pages).toEqual([[], ['j3'], []]);
      expect(sim.stats().calls.ListTrainingJobs).toBe(3);
    });

    it('pages only through jobs created inside the time range', async () => {
      // Prepare
      const { sim } = fiveJobs();

      // Act
      const page = await sim.listTrainingJobs({
        createdAfter: T0 + MIN,
        createdBefore: T0 + 4 * MIN,
      });

      // Assess
      expect(page.jobs.map((j) => j.name)).toEqual(['j2', 'j3']);
    });

    it.each([
      [{ maxResults: 0 }, 'Member must have value greater than or equal to 1'],
      [{ maxResults: 101 }, 'Member must have value less than or equal to 100'],
      [{ nextToken: 'not-a-token' }, 'Invalid pagination token'],
    ])('rejects %o with a non-retryable ValidationException', async (query, text) => {
      // Prepare
      const { sim } = fiveJobs();

      // Act
      const error = await sim.listTrainingJobs(query).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ retryable: false });
      expect((error as Error).message).toContain(text);
    });
  });

  describe('throttling and call counts', () => {
    it('throttles beyond the rate, then admits again as time passes', async () => {
      // Prepare
      const { clock, sim } = world({ rateLimits: { ListTrainingJobs: 2 } });
      await sim.listTrainingJobs({});
      await sim.listTrainingJobs({});

      // Act
      const throttled = await sim.listTrainingJobs({}).catch((e: unknown) => e);
      clock.advanceTo(clock.now() + 500);
      const admitted = await sim.listTrainingJobs({});

      // Assess
      expect(throttled).toBeInstanceOf(DependencyError);
      expect(throttled).toMatchObject({ retryable: true });
      expect((throttled as Error).message).toContain('ThrottlingException: Rate exceeded');
      expect(admitted.jobs).toEqual([]);
      expect(sim.stats().calls.ListTrainingJobs).toBe(4);
      expect(sim.stats().throttled.ListTrainingJobs).toBe(1);
    });

    it('never throttles operations without a configured rate', async () => {
      // Prepare
      const { sim } = world({ rateLimits: { ListTrainingJobs: 2 } });

      // Act
      for (let i = 0; i < 50; i++) await sim.describeTrainingJob('ghost');

      // Assess
      expect(sim.stats().throttled.DescribeTrainingJob).toBe(0);
      expect(sim.stats().calls.DescribeTrainingJob).toBe(50);
    });

    it('answers ThrottlingException "Rate exceeded" with 400 on the JSON wire', () => {
      // Prepare
      const { sim } = world({ rateLimits: { UpdateTrainingJob: 1 } });
      sim.handle('UpdateTrainingJob', { TrainingJobName: 'ghost' });

      // Act
      const reply = sim.handle('UpdateTrainingJob', { TrainingJobName: 'ghost' });

      // Assess
      expect(reply).toEqual({
        status: 400,
        body: { __type: 'ThrottlingException', message: 'Rate exceeded' },
      });
    });
  });

  describe('JSON wire and loading', () => {
    it('describes with epoch-second times and the required DescribeTrainingJob fields', () => {
      // Prepare
      const { run, sim } = world();
      run({ name: 'a' });

      // Act
      const reply = sim.handle('DescribeTrainingJob', { TrainingJobName: 'a' });

      // Assess
      expect(reply.status).toBe(200);
      expect(reply.body).toMatchObject({
        TrainingJobName: 'a',
        TrainingJobStatus: 'Completed',
        SecondaryStatus: 'Completed',
        CreationTime: T0 / 1000,
        TrainingStartTime: (T0 + MIN) / 1000,
        TrainingEndTime: (T0 + 61 * MIN) / 1000,
        ModelArtifacts: { S3ModelArtifacts: expect.stringContaining('/a/output/model.tar.gz') },
        StoppingCondition: { MaxRuntimeInSeconds: 86_400 },
        ResourceConfig: { InstanceType: 'ml.g5.2xlarge', KeepAlivePeriodInSeconds: 1800 },
        WarmPoolStatus: { Status: 'Available', ResourceRetainedBillableTimeInSeconds: 0 },
      });
    });

    it('answers a not-updatable pool as a ValidationException on the wire', () => {
      // Prepare
      const { sim } = world();

      // Act
      const reply = sim.handle('UpdateTrainingJob', {
        TrainingJobName: 'ghost',
        ResourceConfig: { KeepAlivePeriodInSeconds: 60 },
      });

      // Assess
      expect(reply).toEqual({
        status: 400,
        body: { __type: 'ValidationException', message: 'Requested resource not found.' },
      });
    });

    it('loads a described job and answers it back as described', async () => {
      // Prepare
      const { sim } = world();
      const describe = {
        TrainingJobName: 'loaded',
        TrainingJobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/loaded',
        TrainingJobStatus: 'Completed',
        RoleArn: ROLE,
        ResourceConfig: {
          InstanceType: 'ml.m5.large',
          InstanceCount: 2,
          KeepAlivePeriodInSeconds: 600,
        },
        WarmPoolStatus: {
          Status: 'Reused',
          ReusedByJob: 'later',
          ResourceRetainedBillableTimeInSeconds: 42,
        },
        CreationTime: (T0 - 60 * MIN) / 1000,
        TrainingStartTime: (T0 - 50 * MIN) / 1000,
        TrainingEndTime: (T0 - 20 * MIN) / 1000,
      };

      // Act
      sim.load(describe, [{ Key: 'owner', Value: 'bob' }]);

      // Assess
      expect(await sim.describeTrainingJob('loaded')).toMatchObject({
        status: 'Completed',
        instanceType: 'ml.m5.large',
        instanceCount: 2,
        keepAliveSeconds: 600,
        billableSeconds: 1800,
        warmPool: { status: 'Reused', reusedByJob: 'later', retainedBillableSeconds: 42 },
      });
      expect(await sim.listTags(describe.TrainingJobArn)).toEqual({ owner: 'bob' });
    });
  });
});
