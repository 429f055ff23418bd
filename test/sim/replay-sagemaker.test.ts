import { describe, expect, it } from 'vitest';
import {
  parseStateChangeEvent,
  type StateChangeEvent,
} from '../../src/domain/event/state-change-event.js';
import { readTrainingJob } from '../../src/domain/job/training-job.js';
import { ReplaySageMaker } from '../../src/sim/replay-sagemaker.js';
import { describeAnswer, stateChangeEvent, T0 } from '../helpers/factories.js';

function parsed(event: Record<string, unknown>): StateChangeEvent {
  const result = parseStateChangeEvent(event);
  if (!result.ok) throw new Error(result.reason);
  return result.event;
}

describe('ReplaySageMaker', () => {
  it('answers DescribeTrainingJob and ListTags from the events it has seen', async () => {
    const sageMaker = new ReplaySageMaker();
    const event = parsed(stateChangeEvent());

    sageMaker.observe(event);

    expect(await sageMaker.describeTrainingJob('resnet-sweep-017')).toEqual(event.job);
    expect(await sageMaker.listTags(event.job.arn)).toEqual({ 'warden:owner': 'alice' });
    expect(await sageMaker.describeTrainingJob('unknown-job')).toBeUndefined();
  });

  it('keeps the finished job when a late InProgress event arrives', async () => {
    const sageMaker = new ReplaySageMaker();

    sageMaker.observe(parsed(stateChangeEvent()));
    sageMaker.observe(
      parsed(
        stateChangeEvent({ status: 'InProgress', secondaryStatus: 'Training', endTime: T0 + 1 })
      )
    );

    expect((await sageMaker.describeTrainingJob('resnet-sweep-017'))?.status).toBe('Completed');
  });

  it('prefers a describe fixture over what the events said', async () => {
    const event = stateChangeEvent();
    const read = readTrainingJob(describeAnswer(event), 'fixture');
    if (!read.ok) throw new Error(read.reason);
    const sageMaker = new ReplaySageMaker(
      new Map([[read.job.name, { job: read.job, tags: { owner: 'bob' } }]])
    );

    sageMaker.observe(parsed(event));

    expect((await sageMaker.describeTrainingJob('resnet-sweep-017'))?.warmPool).toEqual({
      status: 'Available',
    });
    expect(await sageMaker.listTags(read.job.arn)).toEqual({ owner: 'bob' });
  });
});
