import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, listenOnLoopback, readBody } from './loopback-http.js';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** One call as the server saw it: the query-protocol form, decoded. */
interface SnsCall {
  readonly action: string;
  readonly params: URLSearchParams;
}

/** A subscription as an admin created it. */
interface SubscriptionSpec {
  readonly protocol: string;
  readonly endpoint: string;
  /** Not yet confirmed by its owner: SNS lists it with SubscriptionArn "PendingConfirmation". */
  readonly pending?: boolean;
  /** The FilterPolicy attribute, as JSON text. */
  readonly filterPolicy?: string;
  readonly filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
}

interface Subscription extends SubscriptionSpec {
  readonly arn: string;
}

interface SnsReply {
  readonly status: number;
  readonly xml: string;
}

/** An SNS error in the query protocol's XML shape. */
function snsError(status: number, code: string, message: string): SnsReply {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return {
    status,
    xml:
      `<ErrorResponse xmlns="${XMLNS}"><Error><Type>${type}</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${randomUUID()}</RequestId>` +
      '</ErrorResponse>',
  };
}

/** What SNS answers when a caller exceeds its request rate. */
function snsThrottling(): SnsReply {
  return snsError(400, 'Throttling', 'Rate exceeded');
}

/** A server-side failure, as SNS answers during an incident. */
function snsInternalError(): SnsReply {
  return snsError(500, 'InternalError', 'An internal error occurred.');
}

/**
 * SNS's subscription calls on loopback, in the AWS query protocol (form-encoded POST, XML
 * answers): `ListSubscriptionsByTopic` with SNS's paging, pending confirmations and protocols,
 * and `GetSubscriptionAttributes` with filter policies. Records every call; faults can be
 * scripted per action ahead of the normal answers.
 */
class LoopbackSnsSubscriptions {
  readonly calls: SnsCall[] = [];
  private readonly faults = new Map<string, (SnsReply | 'answer')[]>();
  private readonly topics = new Map<string, Subscription[]>();

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    /** SNS answers at most 100 subscriptions per page; tests make pages small. */
    private readonly pageSize: number
  ) {}

  static async start(options: { pageSize?: number } = {}): Promise<LoopbackSnsSubscriptions> {
    let sns: LoopbackSnsSubscriptions | undefined;
    const server = createServer((request, response) => {
      void sns?.handle(request, response);
    });
    const endpoint = await listenOnLoopback(server);
    sns = new LoopbackSnsSubscriptions(server, endpoint, options.pageSize ?? 100);
    return sns;
  }

  /** Creates the topic (empty) and returns its ARN. */
  createTopic(name: string): string {
    const arn = `arn:aws:sns:us-east-1:111122223333:${name}`;
    this.topics.set(arn, []);
    return arn;
  }

  /** Adds a subscription and returns its ARN (the ARN it will have once confirmed). */
  subscribe(topicArn: string, spec: SubscriptionSpec): string {
    const arn = `${topicArn}:${randomUUID()}`;
    this.topics.get(topicArn)?.push({ ...spec, arn });
    return arn;
  }

  /** Removes every subscription of the topic. */
  clear(topicArn: string): void {
    this.topics.set(topicArn, []);
  }

  /**
   * The next answers to `action`, in order, before the normal behaviour resumes; `'answer'`
   * lets one call through, so a fault can hit a later page.
   */
  fail(action: string, ...replies: (SnsReply | 'answer')[]): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...replies]);
  }

  callsTo(action: string): SnsCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Forgets recorded calls and unused faults; topics stay. */
  reset(): void {
    this.calls.length = 0;
    this.faults.clear();
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const params = new URLSearchParams(await readBody(request));
    const action = params.get('Action') ?? '';
    const reply = ((): SnsReply => {
      if (request.method !== 'POST') return snsError(405, 'InvalidAction', 'POST only');
      if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
        return snsError(403, 'MissingAuthenticationToken', 'Request is missing a signature');
      }
      const type = String(request.headers['content-type']);
      if (!type.startsWith('application/x-www-form-urlencoded')) {
        return snsError(400, 'MalformedQueryString', 'Expected a form-encoded body');
      }
      this.calls.push({ action, params });
      const fault = this.faults.get(action)?.shift();
      if (fault !== undefined && fault !== 'answer') return fault;
      if (action === 'ListSubscriptionsByTopic') return this.list(params);
      if (action === 'GetSubscriptionAttributes') return this.attributes(params);
      return snsError(400, 'InvalidAction', `The action ${action} is not valid for this endpoint`);
    })();
    response.writeHead(reply.status, {
      'content-type': 'text/xml',
      'x-amzn-requestid': randomUUID(),
    });
    response.end(reply.xml);
  }

  private list(params: URLSearchParams): SnsReply {
    const topicArn = params.get('TopicArn') ?? '';
    const subscriptions = this.topics.get(topicArn);
    if (subscriptions === undefined) return snsError(404, 'NotFound', 'Topic does not exist');
    const start = Number(params.get('NextToken') ?? '0');
    const page = subscriptions.slice(start, start + this.pageSize);
    const next = start + this.pageSize < subscriptions.length ? start + this.pageSize : undefined;
    const members = page
      .map((s) => {
        const arn = s.pending === true ? 'PendingConfirmation' : escapeXml(s.arn);
        return (
          `<member><TopicArn>${escapeXml(topicArn)}</TopicArn>` +
          `<Protocol>${escapeXml(s.protocol)}</Protocol><SubscriptionArn>${arn}</SubscriptionArn>` +
          `<Owner>111122223333</Owner><Endpoint>${escapeXml(s.endpoint)}</Endpoint></member>`
        );
      })
      .join('');
    const token = next === undefined ? '' : `<NextToken>${next}</NextToken>`;
    return ok('ListSubscriptionsByTopic', `<Subscriptions>${members}</Subscriptions>${token}`);
  }

  private attributes(params: URLSearchParams): SnsReply {
    const arn = params.get('SubscriptionArn') ?? '';
    const subscription = [...this.topics.values()]
      .flat()
      .find((s) => s.arn === arn && s.pending !== true);
    if (subscription === undefined) {
      return snsError(404, 'NotFound', 'Subscription does not exist');
    }
    const attributes: Record<string, string> = {
      SubscriptionArn: subscription.arn,
      Protocol: subscription.protocol,
      Endpoint: subscription.endpoint,
      PendingConfirmation: 'false',
      ConfirmationWasAuthenticated: 'true',
      ...(subscription.filterPolicy === undefined
        ? {}
        : {
            FilterPolicy: subscription.filterPolicy,
            FilterPolicyScope: subscription.filterPolicyScope ?? 'MessageAttributes',
          }),
    };
    const entries = Object.entries(attributes)
      .map(([key, value]) => `<entry><key>${key}</key><value>${escapeXml(value)}</value></entry>`)
      .join('');
    return ok('GetSubscriptionAttributes', `<Attributes>${entries}</Attributes>`);
  }
}

function ok(action: string, result: string): SnsReply {
  return {
    status: 200,
    xml:
      `<${action}Response xmlns="${XMLNS}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export type { SnsCall, SnsReply, SubscriptionSpec };
export { LoopbackSnsSubscriptions, snsError, snsInternalError, snsThrottling };
