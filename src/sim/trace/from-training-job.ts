import type { Tags } from '../../domain/event/tags.js';
import { MAX_JOB_SECONDS, readTrainingJob } from '../../domain/job/training-job.js';
import { isRecord, ownValue } from '../../domain/objects.js';
import { matchKeyOf } from '../../domain/pool/match-key.js';
import {
  INSTANCE_TYPE,
  type InputMode,
  MILLIS_FROM,
  MIN_EPOCH_SECONDS,
  type TraceJob,
} from './trace.js';

/**
 * Turns one DescribeTrainingJob answer (plus the job's tags) into a trace row, for
 * `warden trace export`. Pure: the adapter fetches, this decides.
 */

/** Tag keys read as the job's owner and team, most specific first. */
const OWNER_TAGS = ['warden:owner', 'owner'];
const TEAM_TAGS = ['warden:team', 'team'];

type TraceRowResult =
  | { readonly kind: 'job'; readonly job: TraceJob }
  /** Not a row: still running, never started, or answered without the fields a row needs. */
  | {
      readonly kind: 'skip';
      readonly reason: 'running' | 'not-started' | 'invalid';
      readonly detail: string;
    };

const RUNNING = new Set(['InProgress', 'Stopping']);

/** The answer's fields a row is made of (its times, shape and match key), as warnings name them. */
const ROW_FIELDS = [
  'ResourceConfig',
  'RoleArn',
  'VpcConfig',
  'EnableNetworkIsolation',
  'EnableInterContainerTrafficEncryption',
  'CreationTime',
  'TrainingStartTime',
  'TrainingEndTime',
].map((field) => `DescribeTrainingJob.${field}`);

/** Does a reading warning concern a field the row uses (not, say, FailureReason)? */
function isAboutRowField(warning: string): boolean {
  return ROW_FIELDS.some(
    (field) => warning.startsWith(`${field}.`) || warning.startsWith(`${field} `)
  );
}

/**
 * A trace row from a DescribeTrainingJob answer: submit_time = CreationTime, duration =
 * TrainingEndTime − TrainingStartTime, key = the warm-pool match key, owner and team from tags.
 *
 * @example traceRowOf(describeOutput, { 'warden:owner': 'alice' })
 */
function traceRowOf(describe: unknown, tags: Tags): TraceRowResult {
  const read = readTrainingJob(describe, 'DescribeTrainingJob');
  if (!read.ok) return { kind: 'skip', reason: 'invalid', detail: read.reason };
  const job = read.job;
  if (RUNNING.has(job.status)) return { kind: 'skip', reason: 'running', detail: job.name };
  if (job.startTime === undefined) {
    return { kind: 'skip', reason: 'not-started', detail: job.name };
  }
  // Started but no end, or no shape: what SageMaker answered lacks what a row is made of.
  const { endTime, creationTime, instanceType, instanceCount } = job;
  if (
    endTime === undefined ||
    creationTime === undefined ||
    instanceType === undefined ||
    instanceCount === undefined
  ) {
    const missing =
      endTime === undefined
        ? 'TrainingEndTime'
        : creationTime === undefined
          ? 'CreationTime'
          : instanceType === undefined
            ? 'ResourceConfig.InstanceType'
            : 'ResourceConfig.InstanceCount';
    // A field SageMaker answered malformed (an InstanceCount of 0) reads as missing: say which.
    const why = read.warnings.find(isAboutRowField) ?? `no ${missing}`;
    return { kind: 'skip', reason: 'invalid', detail: `${job.name}: ${why}` };
  }
  // A trace feeds cost estimates: a field SageMaker answered malformed (an InstanceCount of 0,
  // a keep-alive past the maximum) is not filled in with a guess, and neither is a job that
  // ended before it started or runs on a type no SageMaker instance is spelt as.
  const problem =
    read.warnings.find(isAboutRowField) ??
    (endTime < job.startTime ? 'TrainingEndTime is before TrainingStartTime' : undefined) ??
    (INSTANCE_TYPE.test(instanceType)
      ? undefined
      : `"${instanceType}" is not a SageMaker instance type`) ??
    beyondTraceLimits(creationTime, endTime - job.startTime);
  if (problem !== undefined) {
    return { kind: 'skip', reason: 'invalid', detail: `${job.name}: ${problem}` };
  }
  const record = describe as Record<string, unknown>;
  return {
    kind: 'job',
    job: {
      submitTime: creationTime,
      durationMs: endTime - job.startTime,
      key: matchKeyOf(job),
      instanceType,
      instanceCount,
      owner: firstTag(tags, OWNER_TAGS),
      team: firstTag(tags, TEAM_TAGS),
      account: /^arn:[^:]+:[^:]+:[^:]*:(\d{12}):/.exec(job.arn)?.[1],
      tags: Object.keys(tags).length > 0 ? { ...tags } : undefined,
      inputMode: inputModeOf(record),
      keepAliveMs: job.keepAliveSeconds === undefined ? undefined : job.keepAliveSeconds * 1000,
      line: undefined,
    },
  };
}

/**
 * Why read-trace would refuse a row of these times, in the answer's terms: an export must not
 * write a file its own reader then rejects whole.
 */
function beyondTraceLimits(submitTime: number, durationMs: number): string | undefined {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  if (submitTime < MIN_EPOCH_SECONDS * 1000) {
    return `CreationTime ${new Date(submitTime).toISOString()} is before ${day(MIN_EPOCH_SECONDS * 1000)}, the earliest job time a trace takes`;
  }
  if (submitTime >= MILLIS_FROM * 1000) {
    return `CreationTime ${new Date(submitTime).toISOString()} is after ${day(MILLIS_FROM * 1000)}, the latest job time a trace takes`;
  }
  if (durationMs > MAX_JOB_SECONDS * 1000) {
    return `TrainingEndTime is ${durationMs / 1000} s after TrainingStartTime, longer than a trace takes (${MAX_JOB_SECONDS / 86_400} days)`;
  }
  return undefined;
}

function firstTag(tags: Tags, keys: readonly string[]): string | undefined {
  for (const key of keys) {
    const value = ownValue(tags, key);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/**
 * FSx when any channel reads from a file system (its start-up numbers are FSx's whatever the
 * declared mode), else the algorithm's TrainingInputMode: File → file, FastFile → ffm. Pipe
 * mode streams like Fast File and is counted as ffm.
 */
function inputModeOf(record: Record<string, unknown>): InputMode | undefined {
  const channels = record.InputDataConfig;
  if (Array.isArray(channels)) {
    for (const channel of channels) {
      const source = isRecord(channel) ? channel.DataSource : undefined;
      if (isRecord(source) && isRecord(source.FileSystemDataSource)) return 'fsx';
    }
  }
  const algorithm = record.AlgorithmSpecification;
  const mode = isRecord(algorithm) ? algorithm.TrainingInputMode : undefined;
  if (mode === 'File') return 'file';
  if (mode === 'FastFile' || mode === 'Pipe') return 'ffm';
  return undefined;
}

export type { TraceRowResult };
export { traceRowOf };
