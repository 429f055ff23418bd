import {
  DescribeTrainingJobCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
  UpdateTrainingJobCommand,
} from '@aws-sdk/client-sagemaker';
import { DependencyError } from '../../domain/errors.js';
import type { Tags } from '../../domain/event/tags.js';
import { readTrainingJob, type TrainingJobSnapshot } from '../../domain/job/training-job.js';
import { setOwn } from '../../domain/objects.js';
import type {
  ListTrainingJobsQuery,
  PoolGateway,
  TrainingJobPage,
  TrainingJobSummary,
  UpdateOutcome,
} from '../../domain/ports/sagemaker-gateway.js';

/** ListTags accepts at most 100 per page; training jobs may carry up to 50 tags. */
const TAG_PAGE = 100;
/** ListTrainingJobs is throttled to about 2 requests/s: take the largest page it allows. */
const JOB_PAGE = 100;
const THROTTLING = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

/**
 * The SageMaker port over the AWS SDK. Throttling and 5xx are retried by the client's own
 * retry strategy (configure `retryMode: 'adaptive'`); what still fails becomes a retryable
 * DependencyError so the invocation fails and Lambda retries the event.
 */
class SdkSageMakerGateway implements PoolGateway {
  constructor(private readonly client: SageMakerClient) {}

  async describeTrainingJob(name: string): Promise<TrainingJobSnapshot | undefined> {
    let output: unknown;
    try {
      output = await this.client.send(new DescribeTrainingJobCommand({ TrainingJobName: name }));
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrap('DescribeTrainingJob', error);
    }
    const read = readTrainingJob(output, 'DescribeTrainingJob');
    if (!read.ok)
      throw new DependencyError('SageMaker', `DescribeTrainingJob answered badly: ${read.reason}`);
    return read.job;
  }

  async listTags(jobArn: string): Promise<Tags> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    try {
      do {
        const page = await this.client.send(
          new ListTagsCommand({ ResourceArn: jobArn, MaxResults: TAG_PAGE, NextToken: nextToken })
        );
        for (const { Key, Value } of page.Tags ?? []) {
          if (Key !== undefined && Value !== undefined) setOwn(tags, Key, Value);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (isNotFound(error)) return tags;
      throw wrap('ListTags', error);
    }
    return tags;
  }

  async listTrainingJobs(query: ListTrainingJobsQuery): Promise<TrainingJobPage> {
    let output: { TrainingJobSummaries?: unknown[]; NextToken?: string };
    try {
      output = await this.client.send(
        new ListTrainingJobsCommand({
          MaxResults: query.maxResults ?? JOB_PAGE,
          NextToken: query.nextToken,
          WarmPoolStatusEquals: query.warmPoolStatus,
          CreationTimeAfter: dateOf(query.createdAfter),
          CreationTimeBefore: dateOf(query.createdBefore),
        })
      );
    } catch (error) {
      throw wrap('ListTrainingJobs', error, isRetryable(error));
    }
    const jobs = (output.TrainingJobSummaries ?? []).map((summary, i) =>
      readSummary(summary, `ListTrainingJobs.TrainingJobSummaries[${i}]`)
    );
    return { jobs, ...(output.NextToken ? { nextToken: output.NextToken } : {}) };
  }

  /**
   * A pool that cannot be updated any more (reused, terminated, job gone) is an answer, not an
   * error. A value SageMaker refuses (out of range) is a bug here, so it is not retried.
   */
  async updateKeepAlive(name: string, keepAliveSeconds: number): Promise<UpdateOutcome> {
    try {
      await this.client.send(
        new UpdateTrainingJobCommand({
          TrainingJobName: name,
          ResourceConfig: { KeepAlivePeriodInSeconds: keepAliveSeconds },
        })
      );
    } catch (error) {
      const reason = notUpdatableReason(error);
      if (reason !== undefined) return { kind: 'not-updatable', reason };
      throw wrap('UpdateTrainingJob', error, isRetryable(error));
    }
    return { kind: 'updated' };
  }
}

function readSummary(summary: unknown, prefix: string): TrainingJobSummary {
  const read = readTrainingJob(summary, prefix);
  if (!read.ok || read.job.creationTime === undefined) {
    const reason = read.ok ? `${prefix}.CreationTime is missing` : read.reason;
    throw new DependencyError('SageMaker', `ListTrainingJobs answered badly: ${reason}`);
  }
  const { name, arn, status, creationTime, endTime, warmPool } = read.job;
  return {
    name,
    arn,
    creationTime,
    status,
    ...(endTime === undefined ? {} : { endTime }),
    ...(warmPool === undefined ? {} : { warmPoolStatus: warmPool.status }),
  };
}

/**
 * Why an UpdateTrainingJob refusal means "this pool is past updating": the job is gone, or
 * SageMaker rejects the update for the pool's state. Constraint violations are not among them.
 */
function notUpdatableReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  if (isNotFound(error)) return error.message || 'training job not found';
  if (error.name !== 'ValidationException') return undefined;
  if (/failed to satisfy constraint|validation errors? detected/i.test(error.message)) {
    return undefined;
  }
  return error.message;
}

/** Throttling and server faults may pass on a later try; every other client fault will not. */
function isRetryable(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (THROTTLING.has(error.name)) return true;
  const fault = (error as { $fault?: unknown }).$fault;
  // No $fault: the request never got an answer (network, timeout), which a retry may cure.
  return fault === undefined || fault === 'server';
}

function dateOf(ms: number | undefined): Date | undefined {
  return ms === undefined ? undefined : new Date(ms);
}

/** SageMaker reports a missing job as ResourceNotFound or, for Describe, as a ValidationException. */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ResourceNotFound') return true;
  return (
    error.name === 'ValidationException' && /not (be )?found|does not exist/i.test(error.message)
  );
}

function wrap(operation: string, error: unknown, retryable = true): DependencyError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DependencyError('SageMaker', `${operation} failed: ${message}`, {
    cause: error,
    retryable,
  });
}

export { SdkSageMakerGateway };
