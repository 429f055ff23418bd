import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListMessageMoveTasksCommand,
  ReceiveMessageCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { DependencyError } from '../../domain/errors.js';

/** A stage's buffer queue and where its failures go, by the stack's naming convention. */
interface BufferQueue {
  /** `notice`, `caller`, `intake`, or `failed-events` (EventBridge's, with no source queue). */
  readonly name: string;
  /** The queue the dead-letter queue's messages came from; none for `failed-events`. */
  readonly source?: string;
  readonly deadLetter: string;
}

/** What a dead-letter queue holds now. */
interface DeadLetterDepth {
  readonly queue: BufferQueue;
  readonly deadLetterArn: string;
  /** Messages waiting, and messages someone is reading right now. */
  readonly visible: number;
  readonly inFlight: number;
  /**
   * The earliest first-enqueue time among the messages a peek saw (SQS keeps it across the
   * move to a dead-letter queue); undefined when empty. A peek sees up to 10 messages.
   */
  readonly oldestSentAt?: number;
  readonly sampled: number;
}

/** A redrive as ListMessageMoveTasks reports it. */
interface MoveTask {
  readonly status: string;
  readonly moved: number;
  readonly toMove?: number;
  readonly startedAt?: number;
  readonly failureReason?: string;
}

/** The queues `serverless deploy --stage S` creates (serverless.yml, "Buffering"). */
function bufferQueues(stage: string): BufferQueue[] {
  const prefix = `pool-warden-${stage}-`;
  return [
    ...['notice', 'caller', 'intake'].map((name) => ({
      name,
      source: `${prefix}${name}`,
      deadLetter: `${prefix}${name}-dlq`,
    })),
    { name: 'failed-events', deadLetter: `${prefix}failed-events` },
  ];
}

/**
 * A stage's dead-letter queues through the SQS API: their depth and oldest message, and the
 * redrive of a dead-letter queue back to its source (StartMessageMoveTask), which SQS runs on
 * its side; ListMessageMoveTasks follows it. Failures come out as DependencyErrors naming the
 * queue.
 */
class SqsDeadLetterQueues {
  private readonly arns = new Map<string, { url: string; arn: string }>();

  constructor(private readonly client: SQSClient) {}

  /** How many messages wait; with `peek`, also the oldest of up to 10 (a receive that leaves them). */
  async depth(queue: BufferQueue, options: { peek: boolean }): Promise<DeadLetterDepth> {
    const { url, arn } = await this.locate(queue.deadLetter);
    const attributes = await this.call(queue.deadLetter, () =>
      this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        })
      )
    );
    const visible = Number(attributes.Attributes?.ApproximateNumberOfMessages ?? 0);
    const inFlight = Number(attributes.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
    const sent =
      visible === 0 || !options.peek ? [] : await this.peekSentTimes(queue.deadLetter, url);
    return {
      queue,
      deadLetterArn: arn,
      visible,
      inFlight,
      ...(sent.length === 0 ? {} : { oldestSentAt: Math.min(...sent) }),
      sampled: sent.length,
    };
  }

  /** Starts moving every message of the dead-letter queue back to its source queue. */
  async redrive(queue: BufferQueue): Promise<string> {
    if (queue.source === undefined) {
      throw new DependencyError(
        'SQS',
        `${queue.deadLetter} is EventBridge's dead-letter queue, not a queue's: SQS cannot redrive it`
      );
    }
    const source = await this.locate(queue.deadLetter);
    const destination = await this.locate(queue.source);
    const { TaskHandle } = await this.call(queue.deadLetter, () =>
      this.client.send(
        new StartMessageMoveTaskCommand({ SourceArn: source.arn, DestinationArn: destination.arn })
      )
    );
    return TaskHandle ?? '';
  }

  /** The dead-letter queue's latest redrive, if any. */
  async lastMoveTask(queue: BufferQueue): Promise<MoveTask | undefined> {
    if (queue.source === undefined) return undefined;
    const { arn } = await this.locate(queue.deadLetter);
    const { Results = [] } = await this.call(queue.deadLetter, () =>
      this.client.send(new ListMessageMoveTasksCommand({ SourceArn: arn, MaxResults: 1 }))
    );
    const [task] = Results;
    if (task === undefined) return undefined;
    return {
      status: task.Status ?? 'UNKNOWN',
      moved: task.ApproximateNumberOfMessagesMoved ?? 0,
      ...(task.ApproximateNumberOfMessagesToMove === undefined
        ? {}
        : { toMove: task.ApproximateNumberOfMessagesToMove }),
      ...(task.StartedTimestamp === undefined ? {} : { startedAt: task.StartedTimestamp }),
      ...(task.FailureReason === undefined ? {} : { failureReason: task.FailureReason }),
    };
  }

  private async locate(name: string): Promise<{ url: string; arn: string }> {
    const known = this.arns.get(name);
    if (known !== undefined) return known;
    const { QueueUrl } = await this.call(name, () =>
      this.client.send(new GetQueueUrlCommand({ QueueName: name }))
    );
    if (QueueUrl === undefined) throw new DependencyError('SQS', `${name}: no queue URL returned`);
    const { Attributes } = await this.call(name, () =>
      this.client.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))
    );
    const located = { url: QueueUrl, arn: Attributes?.QueueArn ?? '' };
    this.arns.set(name, located);
    return located;
  }

  /**
   * Send times of up to 10 messages, received with a zero visibility timeout so they stay
   * where they are (a dead-letter queue has no redrive policy, so the receive moves nothing).
   */
  private async peekSentTimes(name: string, url: string): Promise<number[]> {
    const { Messages = [] } = await this.call(name, () =>
      this.client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
          WaitTimeSeconds: 1,
          MessageSystemAttributeNames: ['SentTimestamp'],
        })
      )
    );
    return Messages.map((m) => Number(m.Attributes?.SentTimestamp)).filter(Number.isFinite);
  }

  private async call<T>(queue: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      throw new DependencyError('SQS', `${queue}: ${sqsReason(error)}`, { cause: error });
    }
  }
}

function sqsReason(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  if (
    error.name === 'QueueDoesNotExist' ||
    error.name === 'AWS.SimpleQueueService.NonExistentQueue'
  ) {
    return 'no such queue (is the stage deployed in this region? see --region)';
  }
  return `${error.name}: ${error.message.replace(/\s*\n\s*/g, ' ')}`;
}

export type { BufferQueue, DeadLetterDepth, MoveTask };
export { bufferQueues, SqsDeadLetterQueues };
