import {
  DescribeTrainingJobCommand,
  ListTagsCommand,
  ListTrainingJobsCommand,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { DependencyError } from '../../domain/errors.js';
import type { Tags } from '../../domain/event/tags.js';
import { setOwn } from '../../domain/objects.js';
import type { Clock } from '../../domain/ports/clock.js';

/** One job ListTrainingJobs named. */
interface ListedJob {
  readonly name: string;
  readonly arn: string;
}

interface ListedPage {
  readonly jobs: readonly ListedJob[];
  /** Absent on the last page; a page may be empty while a token remains. */
  readonly nextToken?: string;
}

/** The account history `warden trace export` reads. */
interface TraceExportSource {
  /** One ListTrainingJobs page of jobs created in [createdAfter, createdBefore), oldest first. */
  listPage(createdAfter: number, createdBefore: number, nextToken?: string): Promise<ListedPage>;
  /** The raw DescribeTrainingJob answer; `undefined` when the job no longer exists. */
  describe(name: string): Promise<Record<string, unknown> | undefined>;
  /** All tags of a job (DescribeTrainingJob does not return them). */
  listTags(arn: string): Promise<Tags>;
}

interface Rates {
  /** ListTrainingJobs calls per second (its account quota is about 2/s, not adjustable). */
  readonly listPerSecond: number;
  /** DescribeTrainingJob and ListTags calls per second, together. */
  readonly describePerSecond: number;
}

const DEFAULT_RATES: Rates = { listPerSecond: 2, describePerSecond: 8 };

/** ListTrainingJobs and ListTags accept at most 100 per page. */
const PAGE = 100;

/**
 * Spaces calls at least `1 / perSecond` apart on `clock`, so an export stays under the account's
 * rate quota instead of leaning on throttling and retries.
 */
class Pacer {
  private next = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly clock: Clock,
    private readonly perSecond: number
  ) {}

  async turn(): Promise<void> {
    const now = this.clock.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await this.clock.sleep(at - now);
  }
}

/**
 * The export's SageMaker reads over the AWS SDK, sequential and paced, on top of the client's
 * own retries (configure `retryMode: 'adaptive'`). What still fails becomes a DependencyError.
 */
class SdkTraceExportSource implements TraceExportSource {
  private readonly listPacer: Pacer;
  private readonly describePacer: Pacer;

  constructor(
    private readonly client: SageMakerClient,
    clock: Clock,
    rates: Rates = DEFAULT_RATES
  ) {
    this.listPacer = new Pacer(clock, rates.listPerSecond);
    this.describePacer = new Pacer(clock, rates.describePerSecond);
  }

  async listPage(
    createdAfter: number,
    createdBefore: number,
    nextToken?: string
  ): Promise<ListedPage> {
    await this.listPacer.turn();
    try {
      const page = await this.client.send(
        new ListTrainingJobsCommand({
          CreationTimeAfter: new Date(createdAfter),
          CreationTimeBefore: new Date(createdBefore),
          SortBy: 'CreationTime',
          SortOrder: 'Ascending',
          MaxResults: PAGE,
          NextToken: nextToken,
        })
      );
      const jobs: ListedJob[] = [];
      for (const summary of page.TrainingJobSummaries ?? []) {
        if (summary.TrainingJobName !== undefined && summary.TrainingJobArn !== undefined) {
          jobs.push({ name: summary.TrainingJobName, arn: summary.TrainingJobArn });
        }
      }
      return page.NextToken ? { jobs, nextToken: page.NextToken } : { jobs };
    } catch (error) {
      throw wrap('ListTrainingJobs', error);
    }
  }

  async describe(name: string): Promise<Record<string, unknown> | undefined> {
    await this.describePacer.turn();
    try {
      const { $metadata: _, ...output } = await this.client.send(
        new DescribeTrainingJobCommand({ TrainingJobName: name })
      );
      return output as Record<string, unknown>;
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw wrap(`DescribeTrainingJob of ${name}`, error);
    }
  }

  async listTags(arn: string): Promise<Tags> {
    const tags: Record<string, string> = {};
    let nextToken: string | undefined;
    try {
      do {
        await this.describePacer.turn();
        const page = await this.client.send(
          new ListTagsCommand({ ResourceArn: arn, MaxResults: PAGE, NextToken: nextToken })
        );
        for (const { Key, Value } of page.Tags ?? []) {
          if (Key !== undefined && Value !== undefined) setOwn(tags, Key, Value);
        }
        nextToken = page.NextToken;
      } while (nextToken);
    } catch (error) {
      if (isNotFound(error)) return tags;
      throw wrap(`ListTags of ${arn}`, error);
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
  return new DependencyError('SageMaker', `${operation} failed: ${plainMessage(error)}`, {
    cause: error,
    retryable: true,
  });
}

/**
 * An SDK error in one line a person can act on: without the SDK's notes to developers (where
 * to find the raw response, which package timed out), with the HTTP status of an answer that
 * was not SageMaker's JSON, and with what to do when there are no credentials.
 */
function plainMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (error.name === 'CredentialsProviderError') {
    return `no AWS credentials (${firstLine(error.message)}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is attached`;
  }
  const message = firstLine(error.message).replace(/^@smithy\/[\w-]+ - \[ERROR\] /, '');
  const status = (error as { $response?: { statusCode?: unknown } }).$response?.statusCode;
  const http =
    error.name === 'SyntaxError' && typeof status === 'number'
      ? ` (HTTP ${status}, an answer that is not SageMaker's JSON)`
      : '';
  return `${error.name}: ${message}${http}`;
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').trim();
}

export type { ListedJob, ListedPage, Rates, TraceExportSource };
export { DEFAULT_RATES, Pacer, SdkTraceExportSource };
