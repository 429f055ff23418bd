import { describe, expect, it } from 'vitest';
import { describeUntilPoolKnown } from '../../../src/domain/job/describe-job.js';
import { readTrainingJob, type TrainingJobSnapshot } from '../../../src/domain/job/training-job.js';
import { createHandler } from '../../../src/handlers/job-state-change.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import {
  describeAnswer,
  lambdaContext,
  recordingLog,
  ScriptedSageMaker,
  stateChangeEvent,
  T0,
} from '../../helpers/factories.js';
import { finishWorld } from '../finish/finish-world.js';

/** The event's job asked for a 30 min keep-alive (the documented event does carry it here). */
const EVENT = stateChangeEvent({
  detail: {
    ResourceConfig: {
      InstanceType: 'ml.g5.2xlarge',
      InstanceCount: 1,
      VolumeSizeInGB: 100,
      KeepAlivePeriodInSeconds: 1800,
    },
  },
});

/** What Describe says about the same job, without a keep-alive, with or without a pool status. */
function describedWithoutKeepAlive(poolStatus?: string): TrainingJobSnapshot {
  const answer = describeAnswer(EVENT);
  const { KeepAlivePeriodInSeconds: _dropped, ...resources } = answer.ResourceConfig as Record<
    string,
    unknown
  >;
  const { WarmPoolStatus: _pool, ...rest } = answer;
  const read = readTrainingJob(
    {
      ...rest,
      ResourceConfig: resources,
      ...(poolStatus === undefined ? {} : { WarmPoolStatus: { Status: poolStatus } }),
    },
    'fixture'
  );
  if (!read.ok) throw new Error(read.reason);
  return read.job;
}

function eventJob(): TrainingJobSnapshot {
  const read = readTrainingJob(EVENT.detail, 'event');
  if (!read.ok) throw new Error(read.reason);
  return read.job;
}

describe('the event keep-alive when Describe has none (seeded mutant)', () => {
  it('describes again while the pool status is missing, when only the event gives a keep-alive', async () => {
    // Prepare
    const sageMaker = new ScriptedSageMaker([
      describedWithoutKeepAlive(),
      describedWithoutKeepAlive('Available'),
    ]);
    const clock = new VirtualClock(T0);
    const job = eventJob();
    expect(job.keepAliveSeconds).toBe(1800);

    // Act
    const described = await describeUntilPoolKnown(job, {
      config: { notices: { describeAttempts: 3 } },
      sageMaker,
      clock,
      log: recordingLog(),
    });

    // Assess
    expect(sageMaker.describeCalls).toBe(2);
    expect(described?.warmPool).toEqual({ status: 'Available' });
  });

  it("tells the pool's expiry from the event's keep-alive when Describe reports none", async () => {
    // Prepare
    const { deps, senders } = finishWorld({
      now: T0,
      answers: [describedWithoutKeepAlive('Available')],
    });
    const handler = createHandler(async () => deps);

    // Act
    await handler(EVENT, lambdaContext());

    // Assess: the job ended at 11:00 in Berlin; 30 min of keep-alive, so 11:30.
    const text = senders.emails[0]?.message.text ?? '';
    expect(text).toContain('11:30');
    expect(text).not.toMatch(/expiring now|expiry unknown/i);
  });
});
