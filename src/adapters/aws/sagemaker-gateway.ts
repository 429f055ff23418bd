import {
  DescribeTrainingJobCommand,
  ListTagsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DependencyError } from '../../domain/errors.js';
import type { Tags } from '../../domain/event/tags.js';
import { readTrainingJob, type TrainingJobSnapshot } from '../../domain/job/training-job.js';
import type { SageMakerGateway } from '../../domain/ports/sagemaker-gateway.js';

/** ListTags accepts at most 100 per page; training jobs may carry up to 50 tags. */
const TAG_PAGE = 100;

/**
 * The SageMaker port over the AWS SDK. Throttling and 5xx are retried by the client's own
 * retry strategy (configure `retryMode: 'adaptive'`); what still fails becomes a retryable
 * DependencyError so the invocation fails and Lambda retries the event.
 */
class SdkSageMakerGateway implements SageMakerGateway {
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
          if (Key !== undefined && Value !== undefined) tags[Key] = Value;
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (isNotFound(error)) return tags;
      throw wrap('ListTags', error);
    }
    return tags;
  }
}

/** SageMaker reports a missing job as ResourceNotFound or, for Describe, as a ValidationException. */
function isNotFound(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'ResourceNotFound') return true;
  return (
    error.name === 'ValidationException' && /not (be )?found|does not exist/i.test(error.message)
  );
}

function wrap(operation: string, error: unknown): DependencyError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DependencyError('SageMaker', `${operation} failed: ${message}`, {
    cause: error,
    retryable: true,
  });
}

export { SdkSageMakerGateway };
