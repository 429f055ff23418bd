import { describe, expect, it } from 'vitest';
import { describeUntilPoolKnown, isSameJob } from '../../../src/domain/job/describe-job.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { finishedJob } from '../../helpers/domain-notices.js';
import { recordingLog, ScriptedSageMaker, T0 } from '../../helpers/factories.js';

const CREATED = T0 - 3_900_000;

function describeDeps(answers: ConstructorParameters<typeof ScriptedSageMaker>[0]) {
  const log = recordingLog();
  const sageMaker = new ScriptedSageMaker(answers);
  const deps = {
    config: { notices: { describeAttempts: 2 } },
    sageMaker,
    clock: new VirtualClock(T0),
    log,
  };
  return { deps, log, sageMaker };
}

describe('isSameJob', () => {
  const job = finishedJob({ creationTime: CREATED });

  it('is the same job when ARN and creation time agree', () => {
    expect(isSameJob(finishedJob({ creationTime: CREATED }), job)).toBe(true);
  });

  it('is the same job when the ARNs differ only in case', () => {
    expect(isSameJob(finishedJob({ arn: job.arn.toUpperCase() }), job)).toBe(true);
  });

  it('is the same job when the creation times differ by less than a second of precision', () => {
    expect(isSameJob(finishedJob({ creationTime: CREATED + 999 }), job)).toBe(true);
  });

  it('is another job when the creation time differs by a second or more', () => {
    expect(isSameJob(finishedJob({ creationTime: CREATED + 1000 }), job)).toBe(false);
    expect(isSameJob(finishedJob({ creationTime: CREATED - 7_200_000 }), job)).toBe(false);
  });

  it('is another job when Describe gives no creation time but the event does', () => {
    expect(isSameJob(finishedJob({ creationTime: undefined }), job)).toBe(false);
  });

  it('is another job when the ARN differs', () => {
    expect(isSameJob(finishedJob({ name: 'other', arn: `${job.arn}-2` }), job)).toBe(false);
  });

  it('is another job when the event has no creation time and Describe’s job was created after it ended', () => {
    // Prepare
    const eventJob = finishedJob({ creationTime: undefined });

    // Act / Assess
    expect(isSameJob(finishedJob({ creationTime: T0 + 1 }), eventJob)).toBe(false);
    expect(isSameJob(finishedJob({ creationTime: T0 - 1 }), eventJob)).toBe(true);
  });
});

describe('describeUntilPoolKnown', () => {
  it('drops an answer about another job of the same name even when the caller did not ask (case 1)', async () => {
    // Prepare
    const { deps, log, sageMaker } = describeDeps([
      finishedJob({ creationTime: CREATED + 7_200_000 }),
    ]);

    // Act
    const described = await describeUntilPoolKnown(finishedJob({ creationTime: CREATED }), deps);

    // Assess
    expect(described).toBeUndefined();
    expect(sageMaker.describeCalls).toBe(1);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'DescribeTrainingJob answered for another job of the same name',
      extra: {
        job: 'resnet-sweep-017',
        eventCreationTime: CREATED,
        describedCreationTime: CREATED + 7_200_000,
      },
    });
  });

  it('returns the answer when it is about the same job', async () => {
    // Prepare
    const answer = finishedJob({ creationTime: CREATED, billableSeconds: 1234 });
    const { deps } = describeDeps([answer]);

    // Act
    const described = await describeUntilPoolKnown(finishedJob({ creationTime: CREATED }), deps);

    // Assess
    expect(described).toEqual(answer);
  });
});
