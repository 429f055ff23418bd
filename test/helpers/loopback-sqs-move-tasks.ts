import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, request, type Server } from 'node:http';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { closeServer, listenOnLoopback, loopbackClientConfig, readBody } from './loopback-http.js';

/** A move task as ListMessageMoveTasks reports it. */
interface MoveTask {
  readonly TaskHandle: string;
  readonly Status: 'RUNNING' | 'COMPLETED' | 'FAILED';
  readonly SourceArn: string;
  readonly DestinationArn: string;
  ApproximateNumberOfMessagesMoved: number;
  readonly ApproximateNumberOfMessagesToMove: number;
  readonly StartedTimestamp: number;
  readonly FailureReason?: string;
}

interface Reply {
  readonly status: number;
  readonly body: object;
}

const TARGET_PREFIX = 'AmazonSQS.';

/**
 * SQS on loopback: fauxqs answers every call it knows, and this server, in front of it, answers
 * the dead-letter redrive calls fauxqs 1.9 lacks (`StartMessageMoveTask`, `ListMessageMoveTasks`)
 * in SQS's JSON 1.0 protocol. A task checks what SQS checks (the source is some queue's
 * dead-letter queue, the destination exists, one task per source at a time), then moves every
 * message at once through fauxqs, receiving, sending and deleting as SQS does, so ends
 * COMPLETED. `holdNextTask()` leaves the next one RUNNING, with nothing moved.
 */
class LoopbackSqsMoveTasks {
  readonly tasks: MoveTask[] = [];
  private holdNext = false;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly fauxqs: SQSClient
  ) {}

  /** Listens on loopback in front of the fauxqs server at `fauxqsAddress`. */
  static async start(fauxqsAddress: string): Promise<LoopbackSqsMoveTasks> {
    let fake: LoopbackSqsMoveTasks | undefined;
    const server = createServer((incoming, response) => {
      void (async () => {
        const text = await readBody(incoming);
        const target = String(incoming.headers['x-amz-target'] ?? '');
        const reply = await fake?.answer(target, text);
        if (reply === undefined) {
          const forwarded = await forward(fauxqsAddress, incoming, text);
          response.writeHead(forwarded.status, forwarded.headers);
          response.end(forwarded.body);
          return;
        }
        const headers: Record<string, string> = {
          'content-type': 'application/x-amz-json-1.0',
          'x-amzn-requestid': randomUUID(),
        };
        response.writeHead(reply.status, headers);
        response.end(JSON.stringify(reply.body));
      })();
    });
    const endpoint = await listenOnLoopback(server);
    fake = new LoopbackSqsMoveTasks(
      server,
      endpoint,
      new SQSClient(loopbackClientConfig(fauxqsAddress))
    );
    return fake;
  }

  /** The next task starts and stays RUNNING, as a large redrive does for a while. */
  holdNextTask(): void {
    this.holdNext = true;
  }

  async stop(): Promise<void> {
    this.fauxqs.destroy();
    await closeServer(this.server);
  }

  /** The answer to a move-task call; undefined for every other call, which fauxqs answers. */
  private async answer(target: string, text: string): Promise<Reply | undefined> {
    if (!target.startsWith(TARGET_PREFIX)) return undefined;
    const operation = target.slice(TARGET_PREFIX.length);
    if (operation !== 'StartMessageMoveTask' && operation !== 'ListMessageMoveTasks') {
      return undefined;
    }
    const input = JSON.parse(text === '' ? '{}' : text) as Record<string, unknown>;
    const source = typeof input.SourceArn === 'string' ? input.SourceArn : '';
    if (source === '') return sqsError('MissingParameter', 'SourceArn is required.');
    if (operation === 'ListMessageMoveTasks') {
      const max = typeof input.MaxResults === 'number' ? input.MaxResults : 1;
      const results = this.tasks
        .filter((t) => t.SourceArn === source)
        .sort((a, b) => b.StartedTimestamp - a.StartedTimestamp)
        .slice(0, max)
        .map(({ TaskHandle, ...rest }) =>
          rest.Status === 'RUNNING' ? { TaskHandle, ...rest } : rest
        );
      return { status: 200, body: { Results: results } };
    }
    return this.startTask(
      source,
      typeof input.DestinationArn === 'string' ? input.DestinationArn : undefined
    );
  }

  private async startTask(source: string, destination: string | undefined): Promise<Reply> {
    const sourceUrl = await this.urlOf(source);
    if (sourceUrl === undefined) {
      return sqsError(
        'ResourceNotFoundException',
        "The resource that you specified for the SourceArn parameter doesn't exist."
      );
    }
    const origins = await this.queuesDeadLetteringTo(source);
    if (origins.length === 0) {
      return sqsError(
        'InvalidParameterValue',
        'Source queue must be configured as a Dead Letter Queue.'
      );
    }
    const target = destination ?? origins[0] ?? '';
    const targetUrl = await this.urlOf(target);
    if (targetUrl === undefined) {
      return sqsError(
        'ResourceNotFoundException',
        "The resource that you specified for the DestinationArn parameter doesn't exist."
      );
    }
    if (this.tasks.some((t) => t.SourceArn === source && t.Status === 'RUNNING')) {
      return sqsError(
        'UnsupportedOperation',
        'There is already a task running. Only one active task is allowed for each source queue arn at a given time.'
      );
    }
    const { Attributes = {} } = await this.fauxqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: sourceUrl,
        AttributeNames: ['ApproximateNumberOfMessages'],
      })
    );
    const task: MoveTask = {
      TaskHandle: Buffer.from(JSON.stringify({ taskId: randomUUID(), sourceArn: source })).toString(
        'base64'
      ),
      Status: this.holdNext ? 'RUNNING' : 'COMPLETED',
      SourceArn: source,
      DestinationArn: target,
      ApproximateNumberOfMessagesMoved: 0,
      ApproximateNumberOfMessagesToMove: Number(Attributes.ApproximateNumberOfMessages ?? 0),
      StartedTimestamp: Date.now(),
    };
    this.tasks.push(task);
    if (this.holdNext) this.holdNext = false;
    else task.ApproximateNumberOfMessagesMoved = await this.moveAll(sourceUrl, targetUrl);
    return { status: 200, body: { TaskHandle: task.TaskHandle } };
  }

  private async moveAll(from: string, to: string): Promise<number> {
    let moved = 0;
    for (;;) {
      const { Messages = [] } = await this.fauxqs.send(
        new ReceiveMessageCommand({
          QueueUrl: from,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 30,
        })
      );
      if (Messages.length === 0) return moved;
      for (const message of Messages) {
        await this.fauxqs.send(
          new SendMessageCommand({ QueueUrl: to, MessageBody: message.Body ?? '' })
        );
        await this.fauxqs.send(
          new DeleteMessageCommand({ QueueUrl: from, ReceiptHandle: message.ReceiptHandle })
        );
        moved += 1;
      }
    }
  }

  private async urlOf(arn: string): Promise<string | undefined> {
    const name = arn.split(':').at(-1) ?? '';
    try {
      return (await this.fauxqs.send(new GetQueueUrlCommand({ QueueName: name }))).QueueUrl;
    } catch {
      return undefined;
    }
  }

  /** ARNs of the queues whose redrive policy names `deadLetterArn`. */
  private async queuesDeadLetteringTo(deadLetterArn: string): Promise<string[]> {
    const { QueueUrls = [] } = await this.fauxqs.send(new ListQueuesCommand({}));
    const origins: string[] = [];
    for (const url of QueueUrls) {
      const { Attributes = {} } = await this.fauxqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['QueueArn', 'RedrivePolicy'],
        })
      );
      const policy = JSON.parse(Attributes.RedrivePolicy ?? '{}') as {
        deadLetterTargetArn?: string;
      };
      if (policy.deadLetterTargetArn === deadLetterArn && Attributes.QueueArn !== undefined) {
        origins.push(Attributes.QueueArn);
      }
    }
    return origins;
  }
}

/** An SQS error in the JSON 1.0 shape the SDK reads (`__type`, `message`). */
function sqsError(type: string, message: string): Reply {
  return { status: 400, body: { __type: `com.amazonaws.sqs#${type}`, message } };
}

/** Passes a request through to fauxqs unchanged and returns its answer. */
async function forward(
  address: string,
  incoming: IncomingMessage,
  body: string
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  const url = new URL(incoming.url ?? '/', address);
  return new Promise((resolve, reject) => {
    const outgoing = request(
      url,
      { method: incoming.method, headers: { ...incoming.headers, host: url.host } },
      (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('end', () => {
          const headers: Record<string, string> = {};
          for (const [key, value] of Object.entries(answer.headers)) {
            if (typeof value === 'string' && key !== 'transfer-encoding') headers[key] = value;
          }
          resolve({ status: answer.statusCode ?? 502, headers, body: Buffer.concat(chunks) });
        });
        answer.on('error', reject);
      }
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export type { MoveTask };
export { LoopbackSqsMoveTasks };
