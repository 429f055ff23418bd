import { randomUUID } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeServer, isSigV4Signed, listenOnLoopback, readBody } from './loopback-http.js';

/** One SendEmail as the server saw it. */
interface SesCall {
  readonly headers: IncomingHttpHeaders;
  readonly input: Record<string, unknown>;
}

interface SesReply {
  readonly status: number;
  readonly body: object;
  /** The error's name, sent in `x-amzn-errortype` as the REST-JSON protocol does. */
  readonly errorType?: string;
}

/** An SES v2 error: status, type header and a JSON `message`. */
function sesError(status: number, type: string, message: string): SesReply {
  return { status, errorType: type, body: { message } };
}

/** What SES answers above the account's sending rate. */
function sesThrottled(): SesReply {
  return sesError(429, 'TooManyRequestsException', 'Maximum sending rate exceeded.');
}

/** A server-side failure, as SES answers during an incident. */
function sesInternalError(): SesReply {
  return sesError(500, 'InternalFailure', 'Internal failure.');
}

/**
 * Amazon SES v2's `SendEmail` on loopback, in its REST-JSON wire format:
 * `POST /v2/email/outbound-emails`, SigV4-signed, JSON in and out. Only verified identities
 * may send, as outside the sandbox; faults can be scripted ahead of the normal answers.
 */
class LoopbackSesV2 {
  readonly calls: SesCall[] = [];
  private readonly faults: SesReply[] = [];
  private readonly verified = new Set<string>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string
  ) {}

  static async start(): Promise<LoopbackSesV2> {
    let ses: LoopbackSesV2 | undefined;
    const server = createServer((request, response) => {
      void ses?.handle(request, response);
    });
    ses = new LoopbackSesV2(server, await listenOnLoopback(server));
    return ses;
  }

  /** Verifies an identity: a whole domain (`example.com`) or one address. */
  verify(identity: string): void {
    this.verified.add(identity.toLowerCase());
  }

  /** The next answers to SendEmail, in order, before the normal behaviour resumes. */
  fail(...replies: SesReply[]): void {
    this.faults.push(...replies);
  }

  reset(): void {
    this.calls.length = 0;
    this.faults.length = 0;
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const text = await readBody(request);
    const reply = ((): SesReply => {
      if (request.method !== 'POST' || request.url !== '/v2/email/outbound-emails') {
        return sesError(404, 'NotFoundException', 'Unknown operation');
      }
      if (!isSigV4Signed(request)) {
        return sesError(403, 'AccessDeniedException', 'Missing Authentication Token');
      }
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch {
        return sesError(400, 'BadRequestException', 'Request body is not JSON');
      }
      if (typeof input !== 'object' || input === null) {
        return sesError(400, 'BadRequestException', 'Request body is not an object');
      }
      const record = input as Record<string, unknown>;
      this.calls.push({ headers: request.headers, input: record });
      const fault = this.faults.shift();
      if (fault !== undefined) return fault;
      return this.sendEmail(record);
    })();
    response.writeHead(reply.status, {
      'content-type': 'application/json',
      'x-amzn-requestid': randomUUID(),
      ...(reply.errorType === undefined ? {} : { 'x-amzn-errortype': reply.errorType }),
    });
    response.end(JSON.stringify(reply.body));
  }

  private sendEmail(input: Record<string, unknown>): SesReply {
    const from = String(input.FromEmailAddress ?? '');
    const address = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
    const domain = address.split('@')[1] ?? '';
    if (!this.verified.has(address.toLowerCase()) && !this.verified.has(domain.toLowerCase())) {
      return sesError(
        400,
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region US-EAST-1: ${address}`
      );
    }
    return { status: 200, body: { MessageId: randomUUID() } };
  }
}

export type { SesCall, SesReply };
export { LoopbackSesV2, sesError, sesInternalError, sesThrottled };
