import { afterEach, describe, expect, it, vi } from 'vitest';
import { notifyOnFinish } from '../../../src/domain/finish/notify-on-finish.js';
import { noticeKey } from '../../../src/domain/notice/notice.js';
import { renderSlack } from '../../../src/domain/notice/render-slack.js';
import { finishedJob, jobArn } from '../../helpers/domain-notices.js';
import { stateChangeEvent } from '../../helpers/factories.js';
import { CREATED, finishWorld, NOW } from './finish-world.js';

// Lets a test make the real Slack renderer throw, as a renderer bug on hostile input would.
vi.mock('../../../src/domain/notice/render-slack.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/domain/notice/render-slack.js')>();
  return { ...real, renderSlack: vi.fn(real.renderSlack) };
});

/** The latest time a Date holds: a job that ended then has a pool expiring past it. */
const MAX_TIME_MS = 8.64e15;

describe('poison events (case 8)', () => {
  afterEach(() => {
    vi.mocked(renderSlack).mockReset();
  });

  it('parks and acknowledges an event whose notice cannot be rendered, with the reason', async () => {
    // Prepare
    const { deps, parked, senders, metrics, ledger } = finishWorld();
    vi.mocked(renderSlack).mockImplementationOnce(() => {
      throw new RangeError('Invalid time value');
    });
    const event = stateChangeEvent();

    // Act
    const outcome = await notifyOnFinish(event, deps);

    // Assess
    const reason = 'rendering the notice failed: RangeError: Invalid time value';
    expect(outcome).toEqual({ kind: 'rejected', reason });
    expect(parked.entries).toEqual([{ reason, receivedAt: expect.any(Number), event }]);
    expect(metrics.total('EventRejected', { stage: 'render' })).toBe(1);
    expect([senders.emails.length, senders.slacks.length]).toEqual([0, 0]);
    const key = noticeKey({ arn: jobArn('resnet-sweep-017'), creationTime: CREATED });
    expect(await ledger.claim(key, NOW)).toEqual({ kind: 'claimed', delivered: [] });
  });

  it('sends nothing on any channel when one channel’s message cannot be rendered', async () => {
    // Prepare
    const { deps, senders } = finishWorld();
    vi.mocked(renderSlack).mockImplementationOnce(() => {
      throw new TypeError('cannot read properties of undefined');
    });

    // Act
    const outcome = await notifyOnFinish(stateChangeEvent(), deps);

    // Assess
    expect(outcome.kind).toBe('rejected');
    expect(senders.emails).toHaveLength(0);
  });

  it('still fails the invocation for a transient failure, so it is retried', async () => {
    // Prepare
    const { deps, parked, metrics } = finishWorld();
    const throttled = {
      ...deps,
      sageMaker: {
        describeTrainingJob: () => Promise.reject(new Error('ThrottlingException: Rate exceeded')),
        listTags: async () => ({}),
      },
    };

    // Act
    const result = notifyOnFinish(stateChangeEvent(), throttled);

    // Assess
    await expect(result).rejects.toThrow('ThrottlingException');
    expect(parked.entries).toHaveLength(0);
    expect(metrics.total('EventRejected')).toBe(0);
  });

  it('counts a malformed event as rejected at parse', async () => {
    // Prepare
    const { deps, metrics } = finishWorld();

    // Act
    await notifyOnFinish(stateChangeEvent({ detail: { TrainingJobName: 42 } }), deps);

    // Assess
    expect(metrics.total('EventRejected', { stage: 'parse' })).toBe(1);
  });

  it.each([
    [
      'a lone UTF-16 surrogate in the job name',
      stateChangeEvent({ name: 'resnet-\uD800-017' }),
      undefined,
    ],
    [
      'a job that ended at the edge of the Date range',
      stateChangeEvent({ endTime: MAX_TIME_MS }),
      finishedJob({
        creationTime: MAX_TIME_MS - 3_900_000,
        startTime: MAX_TIME_MS - 3_600_000,
        endTime: MAX_TIME_MS,
        lastModifiedTime: MAX_TIME_MS,
      }),
    ],
  ])('never fails the invocation for %s: it notifies or parks', async (_case, event, answer) => {
    // Prepare
    const { deps, parked } = finishWorld({ answers: [answer] });

    // Act
    const outcome = await notifyOnFinish(event, deps);

    // Assess
    expect(['notice', 'rejected']).toContain(outcome.kind);
    expect(parked.entries).toHaveLength(outcome.kind === 'rejected' ? 1 : 0);
  });
});
