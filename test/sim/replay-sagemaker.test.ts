import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseStateChangeEvent,
  type StateChangeEvent,
} from '../../src/domain/event/state-change-event.js';
import { readTrainingJob } from '../../src/domain/job/training-job.js';
import { startReplay } from '../../src/sim/replay.js';
import { ReplaySageMaker } from '../../src/sim/replay-sagemaker.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  AWS_DOCS_SAMPLE,
  describeAnswer,
  fixture,
  recordingLog,
  stateChangeEvent,
  T0,
  teamConfig,
} from '../helpers/factories.js';

const MIN = 60_000;

function parsed(event: Record<string, unknown>): StateChangeEvent {
  const result = parseStateChangeEvent(event);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

/** The factory's job (1 h on ml.g5.2xlarge, ending at T0) with a 30-minute keep-alive. */
function keepAliveEvent(options: Parameters<typeof stateChangeEvent>[0] = {}) {
  return stateChangeEvent({
    ...options,
    detail: {
      ResourceConfig: {
        InstanceType: 'ml.g5.2xlarge',
        InstanceCount: 1,
        VolumeSizeInGB: 100,
        KeepAlivePeriodInSeconds: 1800,
      },
      ...options.detail,
    },
  });
}

describe('ReplaySageMaker', () => {
  it('answers DescribeTrainingJob and ListTags from the events it has seen', async () => {
    // Prepare
    const sageMaker = new ReplaySageMaker();
    const event = parsed(stateChangeEvent());

    // Act
    sageMaker.observe(event);

    // Assess
    expect(await sageMaker.describeTrainingJob('resnet-sweep-017')).toMatchObject({
      ...event.job,
      trainingSeconds: 3600,
      billableSeconds: 3600,
    });
    expect((await sageMaker.describeTrainingJob('resnet-sweep-017'))?.warmPool).toBeUndefined();
    expect(await sageMaker.listTags(event.job.arn)).toEqual({ 'warden:owner': 'alice' });
    expect(await sageMaker.describeTrainingJob('unknown-job')).toBeUndefined();
  });

  it('keeps the finished job when a late InProgress event arrives', async () => {
    // Prepare
    const sageMaker = new ReplaySageMaker();
    sageMaker.observe(parsed(stateChangeEvent()));

    // Act
    sageMaker.observe(
      parsed(
        stateChangeEvent({ status: 'InProgress', secondaryStatus: 'Training', endTime: T0 + 1 })
      )
    );

    // Assess
    expect((await sageMaker.describeTrainingJob('resnet-sweep-017'))?.status).toBe('Completed');
  });

  it('keeps the first end when the terminal event is delivered again later', async () => {
    // Prepare
    const sageMaker = new ReplaySageMaker();
    sageMaker.observe(parsed(keepAliveEvent()));

    // Act
    sageMaker.observe(parsed(keepAliveEvent({ status: 'Stopped', endTime: T0 + 5 * MIN })));

    // Assess
    expect(await sageMaker.describeTrainingJob('resnet-sweep-017')).toMatchObject({
      status: 'Completed',
      endTime: T0,
    });
  });

  it('prefers a describe fixture over what the events said', async () => {
    // Prepare
    const event = stateChangeEvent();
    const read = readTrainingJob(describeAnswer(event), 'fixture');
    if (!read.ok) throw new Error(read.reason);
    const sageMaker = new ReplaySageMaker(
      new Map([[read.job.name, { job: read.job, tags: { owner: 'bob' } }]])
    );

    // Act
    sageMaker.observe(parsed(event));

    // Assess
    expect((await sageMaker.describeTrainingJob('resnet-sweep-017'))?.warmPool).toMatchObject({
      status: 'Available',
    });
    expect(await sageMaker.listTags(read.job.arn)).toEqual({ owner: 'bob' });
  });

  it('replays the AWS docs sample into a completed job without a pool', async () => {
    // Prepare
    const sageMaker = new ReplaySageMaker();

    // Act
    sageMaker.observe(parsed(fixture(AWS_DOCS_SAMPLE)));

    // Assess
    const job = await sageMaker.describeTrainingJob('89c96cc8-dded-4739-afcc-6f1dc936701d');
    expect(job).toMatchObject({
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/kmeans-1',
      status: 'Completed',
      instanceCount: 3,
      volumeSizeGb: 20,
      endTime: 1583831889050,
    });
    expect(job?.warmPool).toBeUndefined();
  });

  it('gives a job that asked for keep-alive an Available pool expiring at end + keep-alive', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const sageMaker = new ReplaySageMaker(new Map(), clock);

    // Act
    sageMaker.observe(parsed(keepAliveEvent()));
    clock.advanceTo(T0 + 10 * MIN);

    // Assess
    expect(await sageMaker.describeTrainingJob('resnet-sweep-017')).toMatchObject({
      keepAliveSeconds: 1800,
      billableSeconds: 3600,
      warmPool: { status: 'Available', retainedBillableSeconds: 600 },
    });
    expect(sageMaker.simulator.job('resnet-sweep-017')?.warmPool?.expiresAt).toBe(T0 + 30 * MIN);
    const page = await sageMaker.listTrainingJobs({ warmPoolStatus: 'Available' });
    expect(page.jobs.map((j) => j.name)).toEqual(['resnet-sweep-017']);
  });

  it('lets a later matching job reuse the pool, and the steward update only an Available one', async () => {
    // Prepare
    const clock = new VirtualClock(T0);
    const sageMaker = new ReplaySageMaker(new Map(), clock);
    sageMaker.observe(parsed(keepAliveEvent()));
    const next = keepAliveEvent({ name: 'resnet-sweep-018', endTime: T0 + 80 * MIN });
    (next.detail as Record<string, unknown>).TrainingStartTime = T0 + 20 * MIN;
    clock.advanceTo(T0 + 80 * MIN);

    // Act
    sageMaker.observe(parsed(next));
    const reused = await sageMaker.updateKeepAlive('resnet-sweep-017', 3600);
    const available = await sageMaker.updateKeepAlive('resnet-sweep-018', 3600);

    // Assess
    expect(sageMaker.simulator.job('resnet-sweep-018')?.start).toBe('warm');
    expect((await sageMaker.describeTrainingJob('resnet-sweep-017'))?.warmPool).toEqual({
      status: 'Reused',
      reusedByJob: 'resnet-sweep-018',
      retainedBillableSeconds: 20 * 60,
    });
    expect(reused.kind).toBe('not-updatable');
    expect(available).toEqual({ kind: 'updated' });
  });

  it('keeps no simulated pool when the fixture shows SageMaker kept none', async () => {
    // Prepare
    const event = keepAliveEvent();
    const { WarmPoolStatus: _, ...noPool } = describeAnswer(event);
    const read = readTrainingJob(noPool, 'fixture');
    if (!read.ok) throw new Error(read.reason);
    const sageMaker = new ReplaySageMaker(new Map([[read.job.name, { job: read.job }]]));

    // Act
    sageMaker.observe(parsed(event));

    // Assess
    expect(sageMaker.simulator.job('resnet-sweep-017')?.warmPool).toBeUndefined();
  });
});

describe('replay with the simulator', () => {
  it('notices the pool, its expiry and its cost for a keep-alive job with no describe fixture', async () => {
    // Prepare
    const outboxDir = join(await mkdtemp(join(tmpdir(), 'warden-replay-sim-')), 'outbox');
    const session = startReplay({ config: teamConfig(), outboxDir, log: recordingLog() });

    // Act
    const results = await session.run({ source: 'event.json', event: keepAliveEvent() });

    // Assess
    expect(results).toMatchObject([{ kind: 'notice', owner: 'alice' }]);
    const eml = await readFile(join(outboxDir, 'resnet-sweep-017-Completed.eml'), 'utf8');
    // alice is in Europe/Berlin: the pool expires 30 min after the 10:00 UTC end.
    expect(eml).toContain('Available until Thu 26 Nov, 11:30 CET (30m 00s left).');
    expect(eml).toMatch(/Billable time: +1h 00m = \$1\.52 at \$1\.515\/h/);
    expect(eml).toContain('At risk:       $0.76 if nobody reuses the pool before it expires');
  });
});
