import { type AwsJsonReply, awsError, LoopbackAwsJson } from './loopback-aws-json.js';

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

/** ListTags takes MaxResults up to 100. */
const MAX_TAG_RESULTS = 100;

/** SageMaker's answer for an unknown training job, word for word. */
function notFound(): AwsJsonReply {
  return awsError(400, 'ValidationException', 'Requested resource not found.');
}

/**
 * The SageMaker control plane's `DescribeTrainingJob` and `ListTags` on loopback, in the AWS
 * JSON 1.1 wire format (timestamps are epoch seconds). Jobs are stored as DescribeTrainingJob
 * answers; tags come back in pages of at most `tagPageSize`, linked by `NextToken`.
 */
class LoopbackSageMaker {
  private readonly jobs = new Map<string, Record<string, unknown>>();
  private readonly tags = new Map<string, readonly Tag[]>();

  private constructor(
    readonly service: LoopbackAwsJson,
    private readonly tagPageSize: number
  ) {}

  static async start(options: { tagPageSize?: number } = {}): Promise<LoopbackSageMaker> {
    let fake: LoopbackSageMaker | undefined;
    const service = await LoopbackAwsJson.start('SageMaker', {
      DescribeTrainingJob: (input) => fake?.describe(input) ?? notFound(),
      ListTags: (input) => fake?.listTags(input) ?? notFound(),
    });
    fake = new LoopbackSageMaker(service, options.tagPageSize ?? MAX_TAG_RESULTS);
    return fake;
  }

  get endpoint(): string {
    return this.service.endpoint;
  }

  /** Stores a job as its DescribeTrainingJob answer, with the tags ListTags returns for it. */
  addJob(describe: Record<string, unknown>, tags: readonly Tag[] = []): void {
    this.jobs.set(String(describe.TrainingJobName), describe);
    this.tags.set(String(describe.TrainingJobArn), tags);
  }

  async stop(): Promise<void> {
    await this.service.stop();
  }

  private describe(input: Record<string, unknown>): AwsJsonReply {
    const job = this.jobs.get(String(input.TrainingJobName));
    return job === undefined ? notFound() : { status: 200, body: job };
  }

  private listTags(input: Record<string, unknown>): AwsJsonReply {
    const tags = this.tags.get(String(input.ResourceArn));
    if (tags === undefined) return notFound();
    const max = input.MaxResults === undefined ? 50 : Number(input.MaxResults);
    if (!Number.isInteger(max) || max < 1 || max > MAX_TAG_RESULTS) {
      return awsError(
        400,
        'ValidationException',
        `1 validation error detected: Value '${String(input.MaxResults)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 100`
      );
    }
    const start = input.NextToken === undefined ? 0 : Number(fromToken(String(input.NextToken)));
    if (!Number.isInteger(start) || start < 0 || start > tags.length) {
      return awsError(400, 'ValidationException', 'Invalid pagination token');
    }
    const end = Math.min(start + Math.min(max, this.tagPageSize), tags.length);
    return {
      status: 200,
      body: {
        Tags: tags.slice(start, end),
        ...(end < tags.length ? { NextToken: toToken(String(end)) } : {}),
      },
    };
  }
}

/** Pagination tokens are opaque to callers. */
function toToken(offset: string): string {
  return Buffer.from(`tags:${offset}`).toString('base64');
}

function fromToken(token: string): string {
  return Buffer.from(token, 'base64')
    .toString('utf8')
    .replace(/^tags:/, '');
}

export type { Tag };
export { LoopbackSageMaker, notFound };
