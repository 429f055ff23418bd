import { Logger } from '@aws-lambda-powertools/logger';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readTrainingJob, type TrainingJobSnapshot } from '../../src/domain/job/training-job.js';
import { renderSlack } from '../../src/domain/notice/render-slack.js';
import { createHandler, createQueueHandler } from '../../src/handlers/job-state-change.js';
import { RECORD_FAILED } from '../../src/handlers/sqs-batch.js';
import { finishWorld } from '../domain/finish/finish-world.js';
import {
  AWS_DOCS_SAMPLE,
  describeAnswer,
  fixture,
  lambdaContext,
  stateChangeEvent,
  T0,
} from '../helpers/factories.js';
import { logLines } from '../helpers/log-lines.js';
import { sqsEvent } from '../helpers/sqs-records.js';

/** A job as DescribeTrainingJob reports it right after it ended with a warm pool. */
function describedWithPool(event: Record<string, unknown>) {
  const read = readTrainingJob(describeAnswer(event), 'fixture');
  if (!read.ok) throw new Error(read.reason);
  return read.job;
}

// Lets a test make the real Slack renderer throw, as a renderer bug on hostile input would.
vi.mock('../../src/domain/notice/render-slack.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/domain/notice/render-slack.js')>();
  return { ...real, renderSlack: vi.fn(real.renderSlack) };
});

const FAILURE_MESSAGE =
  'invocation failed; it is retried (from its queue, or at the next scheduled run)';

function setup(
  answers: readonly (TrainingJobSnapshot | undefined)[] = [describedWithPool(stateChangeEvent())],
  log?: Logger
) {
  const world = finishWorld({ now: T0, answers });
  const { senders, parked, clock, metrics } = world;
  const deps = log === undefined ? world.deps : { ...world.deps, log };
  const handler = createHandler(async () => deps, log);
  const invoke = (event: unknown) => handler(event, lambdaContext());
  const flushes = { count: 0 };
  const queueHandler = createQueueHandler(async () => deps, log, {
    flush: () => {
      flushes.count += 1;
    },
  });
  const invokeBatch = (bodies: readonly unknown[]) =>
    queueHandler(sqsEvent(bodies), lambdaContext());
  return { invoke, invokeBatch, flushes, senders, parked, clock, metrics };
}

describe('job-state-change handler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.mocked(renderSlack).mockReset();
  });

  it('acknowledges and parks an event whose notice cannot be rendered, instead of failing (case 8)', async () => {
    // Prepare
    const { invoke, parked, senders, metrics } = setup();
    vi.mocked(renderSlack).mockImplementationOnce(() => {
      throw new URIError('URI malformed');
    });
    const event = stateChangeEvent();

    // Act
    const outcome = await invoke(event);

    // Assess
    const reason = 'rendering the notice failed: URIError: URI malformed';
    expect(outcome).toEqual({ kind: 'rejected', reason });
    expect(parked.entries).toEqual([{ reason, receivedAt: T0, event }]);
    expect(metrics.total('EventRejected', { stage: 'render' })).toBe(1);
    expect(senders.emails).toHaveLength(0);
  });

  it('sends one notice per job when a later event claims another terminal status (case 4)', async () => {
    // Prepare
    const { invoke, senders, metrics } = setup();

    // Act
    const first = await invoke(stateChangeEvent({ status: 'Completed' }));
    const later = await invoke(stateChangeEvent({ status: 'Stopped' }));

    // Assess
    expect(first).toMatchObject({ kind: 'notice', status: 'Completed' });
    expect(later).toMatchObject({
      kind: 'ignored',
      reason: 'contradiction: Stopped after the Completed notice was sent',
    });
    expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
    expect(metrics.total('NoticeContradiction')).toBe(1);
  });

  it('sends one notice per channel when the same event arrives twice', async () => {
    // Prepare
    const { invoke, senders } = setup();
    const event = stateChangeEvent();

    // Act
    const first = await invoke(event);
    const second = await invoke(structuredClone(event));

    // Assess
    expect(first).toEqual({
      kind: 'notice',
      job: 'resnet-sweep-017',
      status: 'Completed',
      owner: 'alice',
      channels: ['email', 'slack'],
    });
    expect(second).toMatchObject({
      kind: 'ignored',
      reason: 'duplicate: Completed notice already sent',
    });
    expect(senders.emails).toHaveLength(1);
    expect(senders.slacks).toHaveLength(1);
  });

  it('sends one notice when SageMaker emits the same state change under different event ids', async () => {
    const { invoke, senders } = setup();

    await invoke(stateChangeEvent({ id: 'a' }));
    await invoke(stateChangeEvent({ id: 'b' }));

    expect(senders.emails).toHaveLength(1);
  });

  it('ignores a late InProgress event and still notifies once when events arrive out of order', async () => {
    // Prepare
    const { invoke, senders } = setup();
    const completed = stateChangeEvent();
    const inProgress = stateChangeEvent({
      status: 'InProgress',
      secondaryStatus: 'Training',
      endTime: T0 - 600_000,
    });

    // Act
    const outcomes = [await invoke(completed), await invoke(inProgress), await invoke(completed)];

    // Assess
    expect(outcomes.map((o) => o.kind)).toEqual(['notice', 'ignored', 'ignored']);
    expect(outcomes[1]).toMatchObject({ reason: 'non-terminal status InProgress' });
    expect(senders.emails).toHaveLength(1);
  });

  it('notifies the fallback contact for the AWS docs sample, whose job names no owner', async () => {
    const { invoke, senders } = setup([undefined]);

    const outcome = await invoke(fixture(AWS_DOCS_SAMPLE));

    // The sample has no tags and its role is not mapped, so the fallback contact hears.
    expect(outcome).toMatchObject({ kind: 'notice', owner: 'platform', channels: ['email'] });
    expect(senders.emails[0]?.message.to).toBe('ml-platform@example.com');
  });

  it('rejects and parks a malformed event without throwing, so it is not retried forever', async () => {
    const { invoke, parked, senders } = setup();
    const broken = {
      source: 'aws.sagemaker',
      'detail-type': 'SageMaker Training Job State Change',
      detail: {},
    };

    const outcome = await invoke(broken);

    expect(outcome).toEqual({
      kind: 'rejected',
      reason: 'detail.TrainingJobName is missing or not a string',
    });
    expect(parked.entries).toEqual([
      { reason: outcome.kind === 'rejected' ? outcome.reason : '', receivedAt: T0, event: broken },
    ]);
    expect(senders.emails).toHaveLength(0);
  });

  it('fails the invocation when delivery fails, and the retry sends only the missing channel', async () => {
    // Prepare
    const { invoke, senders } = setup();
    senders.failures.slack = 1;
    const event = stateChangeEvent();

    // Act
    const failed = invoke(event);
    await expect(failed).rejects.toThrow('slack down');
    const retried = await invoke(event);

    // Assess
    expect(retried).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
    expect(senders.emails).toHaveLength(1);
    expect(senders.slacks).toHaveLength(1);
  });

  it('writes the job ARN on every log line of an invocation', async () => {
    // Prepare
    const log = new Logger({ serviceName: 'pool-warden', logLevel: 'INFO' });
    const { invoke } = setup(undefined, log);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });

    // Act
    await invoke(stateChangeEvent());

    // Assess
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      expect(record.jobArn).toBe(
        'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017'
      );
    }
    expect(records.at(-1)).toMatchObject({
      message: 'event handled',
      function_request_id: lambdaContext().awsRequestId,
    });
  });

  it('logs a failed invocation once, with the job ARN and the error, before Lambda retries it', async () => {
    // Prepare
    const log = new Logger({ serviceName: 'pool-warden', logLevel: 'INFO' });
    const { invoke, senders } = setup(undefined, log);
    senders.failures.email = 1;
    const lines: string[] = [];
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
        lines.push(String(chunk));
        return true;
      });
    }

    // Act
    await expect(invoke(stateChangeEvent())).rejects.toThrow('email down');

    // Assess
    const failures = lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((r) => r.message === FAILURE_MESSAGE);
    expect(failures).toHaveLength(1);
    expect(failures[0]).toMatchObject({
      level: 'ERROR',
      error: { message: 'email down' },
      jobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017',
    });
  });
});

describe('job-state-change queue handler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('parks a malformed record, reports a transient failure, and acknowledges the rest of a batch', async () => {
    // Prepare
    const { invokeBatch, senders, parked, flushes } = setup();
    senders.failures.email = 1;
    const flaky = stateChangeEvent({ name: 'flaky-run-001' });
    const batch = [
      flaky,
      'not json {',
      stateChangeEvent({ name: 'good-run-002' }),
      stateChangeEvent({ name: 'good-run-003' }),
    ];

    // Act
    const response = await invokeBatch(batch);

    // Assess
    expect(response).toEqual({ batchItemFailures: [{ itemIdentifier: 'm1' }] });
    expect(parked.entries).toEqual([
      { reason: 'event is not a JSON object', receivedAt: T0, event: 'not json {' },
    ]);
    expect(senders.emails.map((e) => e.ref.jobName)).toEqual(['good-run-002', 'good-run-003']);
    expect(flushes.count).toBe(1);
  });

  it('sends the failed record’s notice once when the queue delivers it again', async () => {
    // Prepare
    const { invokeBatch, senders } = setup();
    senders.failures.slack = 1;
    const event = stateChangeEvent();
    await expect(invokeBatch([event])).rejects.toThrow('All records failed processing');

    // Act
    const again = await invokeBatch([event]);
    const duplicate = await invokeBatch([event]);

    // Assess
    expect(again).toEqual({ batchItemFailures: [] });
    expect(duplicate).toEqual({ batchItemFailures: [] });
    expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
  });

  it('fails the invocation when every record fails, so Lambda counts an error', async () => {
    // Prepare
    const { invokeBatch, senders, flushes } = setup();
    senders.failures.email = 1;

    // Act
    const failed = invokeBatch([stateChangeEvent()]);

    // Assess
    await expect(failed).rejects.toThrow('All records failed processing');
    expect(flushes.count).toBe(1);
  });

  it('labels each record’s log lines with its own job ARN and message id, never the previous one’s', async () => {
    // Prepare
    const log = new Logger({ serviceName: 'pool-warden', logLevel: 'INFO' });
    const { invokeBatch, senders } = setup(undefined, log);
    senders.failures.email = 1;
    const arnOf = (name: string) => `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`;

    // Act
    const records = await logLines(() =>
      invokeBatch([
        stateChangeEvent({ name: 'first-run' }),
        { source: 'aws.sagemaker', 'detail-type': 'SageMaker Training Job State Change' },
      ])
    );

    // Assess
    const failed = records.filter((r) => r.message === RECORD_FAILED);
    expect(failed).toEqual([
      expect.objectContaining({ level: 'ERROR', messageId: 'm1', jobArn: arnOf('first-run') }),
    ]);
    const parked = records.filter((r) => r.message === 'event rejected and parked');
    expect(parked).toHaveLength(1);
    expect(parked[0]).toMatchObject({ messageId: 'm2', receiveCount: 1 });
    expect(parked[0]).not.toHaveProperty('jobArn');
  });
});
