import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeServer, isSigV4Signed, listenOnLoopback, readBody } from './loopback-http.js';

/** One call as the server saw it. */
interface AwsJsonCall {
  /** The operation, e.g. `DescribeTrainingJob` (the part of X-Amz-Target after the dot). */
  readonly operation: string;
  readonly headers: IncomingHttpHeaders;
  readonly input: Record<string, unknown>;
}

interface AwsJsonReply {
  readonly status: number;
  readonly body: object;
}

type Operation = (input: Record<string, unknown>) => AwsJsonReply;

/** An AWS error in the JSON 1.1 shape: `__type` in the body and in `x-amzn-errortype`. */
function awsError(status: number, type: string, message: string): AwsJsonReply {
  return { status, body: { __type: type, message } };
}

/** What every AWS service answers when a caller exceeds its request rate. */
function throttling(): AwsJsonReply {
  return awsError(400, 'ThrottlingException', 'Rate exceeded');
}

/** A server-side failure, as AWS answers during an incident. */
function internalFailure(): AwsJsonReply {
  return awsError(500, 'InternalFailure', 'We encountered an internal error. Please try again.');
}

/**
 * A service speaking the AWS JSON protocol (1.1, or 1.0 as DynamoDB does) on loopback: `POST /` with
 * `X-Amz-Target: <prefix>.<Operation>`, a SigV4-signed request, JSON in and out. Records every
 * call; faults can be scripted per operation ahead of the normal answers.
 */
class LoopbackAwsJson {
  readonly calls: AwsJsonCall[] = [];
  private readonly faults = new Map<string, AwsJsonReply[]>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly contentType: string
  ) {}

  static async start(
    targetPrefix: string,
    operations: Readonly<Record<string, Operation>>,
    version: '1.0' | '1.1' = '1.1'
  ): Promise<LoopbackAwsJson> {
    let service: LoopbackAwsJson | undefined;
    const server = createServer((request, response) => {
      void service?.handle(targetPrefix, operations, request, response);
    });
    service = new LoopbackAwsJson(
      server,
      await listenOnLoopback(server),
      `application/x-amz-json-${version}`
    );
    return service;
  }

  /** The next answers to `operation`, in order, before the normal behaviour resumes. */
  fail(operation: string, ...replies: AwsJsonReply[]): void {
    this.faults.set(operation, [...(this.faults.get(operation) ?? []), ...replies]);
  }

  callsTo(operation: string): AwsJsonCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  /** Forgets recorded calls and unused faults. */
  reset(): void {
    this.calls.length = 0;
    this.faults.clear();
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(
    targetPrefix: string,
    operations: Readonly<Record<string, Operation>>,
    request: IncomingMessage,
    response: ServerResponse
  ): Promise<void> {
    const text = await readBody(request);
    const target = String(request.headers['x-amz-target'] ?? '');
    const [prefix, operation = ''] = target.split('.');
    let input: unknown;
    try {
      input = JSON.parse(text === '' ? '{}' : text);
    } catch {
      input = undefined;
    }
    const reply = ((): AwsJsonReply => {
      if (request.method !== 'POST' || request.url !== '/') {
        return awsError(404, 'UnknownOperationException', 'Not found');
      }
      if (!isSigV4Signed(request)) {
        return awsError(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token');
      }
      if (request.headers['content-type'] !== this.contentType) {
        return awsError(400, 'SerializationException', `Expected ${this.contentType}`);
      }
      if (typeof input !== 'object' || input === null || Array.isArray(input)) {
        return awsError(400, 'SerializationException', 'Request body is not a JSON object');
      }
      const record = input as Record<string, unknown>;
      this.calls.push({ operation, headers: request.headers, input: record });
      const fault = this.faults.get(operation)?.shift();
      if (fault !== undefined) return fault;
      const handler = prefix === targetPrefix ? operations[operation] : undefined;
      if (handler === undefined) {
        return awsError(400, 'UnknownOperationException', `Unknown operation ${target}`);
      }
      return handler(record);
    })();
    const headers: Record<string, string> = {
      'content-type': this.contentType,
      'x-amzn-requestid': randomUUID(),
    };
    if ('__type' in reply.body) {
      // AWS appends the error namespace to the header; SDKs strip everything after the colon.
      headers['x-amzn-errortype'] =
        `${String(reply.body.__type)}:http://internal.amazon.com/coral/com.amazon.coral.service/`;
    }
    response.writeHead(reply.status, headers);
    response.end(JSON.stringify(reply.body));
  }
}

export type { AwsJsonCall, AwsJsonReply };
export { awsError, internalFailure, LoopbackAwsJson, throttling };
