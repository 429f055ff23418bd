import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import { parseStateChangeEvent } from '../../../src/domain/event/state-change-event.js';
import { matchKeyOf } from '../../../src/domain/pool/match-key.js';
import {
  jobNameOf,
  matchConfigOf,
  ownerTagValue,
  stateChangeEvent,
} from '../../../src/sim/service-sim/job-events.js';
import { generateScenario } from '../../../src/sim/trace/scenarios.js';
import type { TraceJob } from '../../../src/sim/trace/trace.js';

const JOB: TraceJob = {
  submitTime: Date.UTC(2026, 2, 2, 9),
  durationMs: 600_000,
  key: 'my-own-key',
  instanceType: 'ml.g5.xlarge',
  instanceCount: 2,
  team: 'vision & co',
};

const snapshot = (config: ReturnType<typeof matchConfigOf>) => matchKeyOf(config);

describe('service-mode job events', () => {
  it('reads a canonical trace key back into the configuration that has that key', () => {
    // Prepare
    const jobs = generateScenario('mixed', { days: 2 }).jobs;

    // Act
    const keys = jobs.map((job) => snapshot(matchConfigOf(job)));

    // Assess
    expect(keys).toEqual(jobs.map((job) => job.key));
  });

  it('gives any other key a role of its own, equal for equal keys only', () => {
    // Act
    const a = matchConfigOf(JOB);
    const again = matchConfigOf({ ...JOB });
    const other = matchConfigOf({ ...JOB, key: 'another-key' });

    // Assess
    expect(a.roleArn).toMatch(/^arn:aws:iam::111122223333:role\/warden-sim-[0-9a-f]{16}$/);
    expect(snapshot(again)).toBe(snapshot(a));
    expect(snapshot(other)).not.toBe(snapshot(a));
    expect(a).toMatchObject({ instanceType: 'ml.g5.xlarge', instanceCount: 2 });
  });

  it('tags the directory id of an owner the directory knows by address, else the address', () => {
    // Prepare
    const parsed = parseConfig(
      'version: 1\nowners:\n  fallback: ops@example.com\ndirectory:\n  anna:\n    email: Anna@Example.com\n',
      'test.yaml'
    );
    if (!parsed.ok) throw new Error(parsed.issues.join('\n'));

    // Act / Assess
    expect(ownerTagValue('anna@example.com', parsed.config.directory)).toBe('anna');
    expect(ownerTagValue('bob@example.com', parsed.config.directory)).toBe('bob@example.com');
  });

  it('names jobs as SageMaker allows, unique by trace index', () => {
    expect(jobNameOf(JOB, 42)).toBe('vision-co-000042');
    expect(jobNameOf({ ...JOB, team: undefined } as TraceJob, 7)).toBe('job-000007');
    // Hyphens only between words; a team of no letters or digits is named as none
    expect(jobNameOf({ ...JOB, team: '--Vision Team!!' }, 3)).toBe('Vision-Team-000003');
    expect(jobNameOf({ ...JOB, team: '¿¡!' }, 4)).toBe('job-000004');
    expect(jobNameOf({ ...JOB, team: 'x'.repeat(80) }, 5)).toBe(`${'x'.repeat(48)}-000005`);
  });

  it("puts another key's role in the job's account when that is an account id, else in the default one", () => {
    // Act
    const own = matchConfigOf({ ...JOB, account: '444455556666' });
    const odd = matchConfigOf({ ...JOB, account: '4444-5555-6666' });
    const long = matchConfigOf({ ...JOB, account: '4444555566667' });
    // Assess
    expect(own.roleArn).toMatch(/^arn:aws:iam::444455556666:role\//);
    expect(odd.roleArn).toMatch(/^arn:aws:iam::111122223333:role\//);
    expect(long.roleArn).toMatch(/^arn:aws:iam::111122223333:role\//);
  });

  it('builds an event the service parses, with epoch-ms times and the tags', () => {
    // Act
    const event = stateChangeEvent(
      {
        TrainingJobName: 'vision-000001',
        TrainingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/vision-000001',
        TrainingJobStatus: 'Completed',
        CreationTime: 1_772_442_000.123,
        TrainingEndTime: 1_772_442_600.5,
        ResourceConfig: {
          InstanceType: 'ml.g5.xlarge',
          InstanceCount: 1,
          KeepAlivePeriodInSeconds: 3600,
        },
      },
      { 'warden:owner': 'anna' },
      1_772_442_600_500,
      'us-east-1'
    );
    const parsed = parseStateChangeEvent(event);

    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.event.job.creationTime).toBe(1_772_442_000_123);
    expect(parsed.event.job.endTime).toBe(1_772_442_600_500);
    expect(parsed.event.job.keepAliveSeconds).toBe(3600);
    expect(parsed.event.tags).toEqual({ 'warden:owner': 'anna' });
    expect(event.time).toBe('2026-03-02T09:10:00Z');
    // The envelope and the times as EventBridge delivers them
    expect(event).toMatchObject({
      version: '0',
      id: 'sim-vision-000001-Completed-1772442600500',
      'detail-type': 'SageMaker Training Job State Change',
      source: 'aws.sagemaker',
      account: '111122223333',
      region: 'us-east-1',
      resources: ['arn:aws:sagemaker:us-east-1:111122223333:training-job/vision-000001'],
      detail: { CreationTime: 1_772_442_000_123, TrainingEndTime: 1_772_442_600_500 },
    });
  });
});
