import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { closeServer, isSigV4Signed, listenOnLoopback, readBody } from './loopback-http.js';

const NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';
const ACCOUNT = '111122223333';

/** One call as the server saw it. */
interface SnsCall {
  /** The `Action` parameter, e.g. `Publish`. */
  readonly action: string;
  /** Every form parameter of the call. */
  readonly params: URLSearchParams;
}

/** One Publish as SNS accepted it. */
interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly subject?: string;
  readonly message: string;
  /** Message attributes, name → string value. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** A subscription to a topic; confirmed unless `pending`. */
interface SubscriptionSpec {
  readonly protocol: string;
  readonly endpoint: string;
  readonly filterPolicy?: string;
  readonly filterPolicyScope?: 'MessageAttributes' | 'MessageBody';
  readonly pending?: boolean;
}

interface SnsReply {
  readonly status: number;
  readonly body: string;
}

/**
 * A scripted answer for one call: a reply, `answer` (behave normally for this call), or `hang`
 * (accept the request and never answer).
 */
type SnsFault = SnsReply | 'answer' | 'hang';

interface LoopbackSnsOptions {
  /** Subscriptions per ListSubscriptionsByTopic page (SNS uses 100). */
  readonly pageSize?: number;
}

/** An SNS error in the query protocol's XML shape. */
function snsError(status: number, code: string, message: string, type = 'Sender'): SnsReply {
  return {
    status,
    body:
      `<ErrorResponse xmlns="${NAMESPACE}"><Error><Type>${type}</Type><Code>${code}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error>` +
      `<RequestId>${randomUUID()}</RequestId></ErrorResponse>`,
  };
}

/** SNS's answer when a caller exceeds an action's request rate. */
function snsThrottling(): SnsReply {
  return snsError(400, 'Throttling', 'Rate exceeded');
}

/** A server-side failure, as SNS answers during an incident. */
function snsInternalError(): SnsReply {
  return snsError(500, 'InternalError', 'An internal service error has occurred', 'Receiver');
}

/** A failure no retry cures: the topic does not exist (deleted, or a wrong ARN). */
function snsTopicGone(): SnsReply {
  return snsError(404, 'NotFound', 'Topic does not exist');
}

/** A failure no retry cures: the caller may not publish to the topic. */
function snsAuthorizationError(): SnsReply {
  return snsError(403, 'AuthorizationError', 'User is not authorized to perform SNS:Publish');
}

interface Subscription extends SubscriptionSpec {
  readonly arn: string;
}

/**
 * Amazon SNS's query protocol on loopback: `POST /` with a form-encoded `Action=…` body and
 * SigV4 auth, XML answers. Implements `Publish` (recording each message),
 * `ListSubscriptionsByTopic` (paginated, pending subscriptions shown as `PendingConfirmation`)
 * and `GetSubscriptionAttributes`. Records every call; answers can be scripted per action
 * ahead of the normal behaviour.
 */
class LoopbackSns {
  readonly calls: SnsCall[] = [];
  readonly published: PublishedMessage[] = [];
  private readonly faults = new Map<string, SnsFault[]>();
  private readonly topics = new Map<string, Subscription[]>();
  private readonly hanging: ServerResponse[] = [];
  private subscriptionCount = 0;

  private constructor(
    private readonly server: Server,
    readonly endpoint: string,
    private readonly pageSize: number
  ) {}

  static async start(options: LoopbackSnsOptions = {}): Promise<LoopbackSns> {
    let sns: LoopbackSns | undefined;
    const server = createServer((request, response) => {
      void sns?.handle(request, response);
    });
    sns = new LoopbackSns(server, await listenOnLoopback(server), options.pageSize ?? 100);
    return sns;
  }

  /** Creates a topic and returns its ARN. */
  createTopic(name: string): string {
    const arn = `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`;
    if (!this.topics.has(arn)) this.topics.set(arn, []);
    return arn;
  }

  /** Adds a subscription and returns its ARN. */
  subscribe(topicArn: string, spec: SubscriptionSpec): string {
    this.subscriptionCount += 1;
    const arn = `${topicArn}:${String(this.subscriptionCount).padStart(8, '0')}`;
    this.topics.get(topicArn)?.push({ ...spec, arn });
    return arn;
  }

  /** Removes every subscription of the topic. */
  clear(topicArn: string): void {
    this.topics.get(topicArn)?.splice(0);
  }

  /** The next answers to `action`, in order, before the normal behaviour resumes. */
  fail(action: string, ...faults: SnsFault[]): void {
    this.faults.set(action, [...(this.faults.get(action) ?? []), ...faults]);
  }

  callsTo(action: string): SnsCall[] {
    return this.calls.filter((c) => c.action === action);
  }

  /** Forgets calls, messages and unused scripts; topics and subscriptions stay. */
  reset(): void {
    this.calls.length = 0;
    this.published.length = 0;
    this.faults.clear();
  }

  async stop(): Promise<void> {
    for (const response of this.hanging) response.destroy();
    await closeServer(this.server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const params = new URLSearchParams(await readBody(request));
    const action = params.get('Action') ?? '';
    this.calls.push({ action, params });
    const reply = this.reply(request, action, params);
    if (reply === 'hang') {
      this.hanging.push(response);
      return;
    }
    response.writeHead(reply.status, {
      'content-type': 'text/xml',
      'x-amzn-requestid': randomUUID(),
    });
    response.end(reply.body);
  }

  private reply(
    request: IncomingMessage,
    action: string,
    params: URLSearchParams
  ): SnsReply | 'hang' {
    if (request.method !== 'POST') return snsError(405, 'InvalidAction', 'POST only');
    if (!isSigV4Signed(request)) {
      return snsError(403, 'MissingAuthenticationToken', 'Missing Authentication Token');
    }
    const fault = this.faults.get(action)?.shift();
    if (fault !== undefined && fault !== 'answer') return fault;
    if (action === 'Publish') return this.publish(params);
    if (action === 'ListSubscriptionsByTopic') return this.listSubscriptions(params);
    if (action === 'GetSubscriptionAttributes') return this.subscriptionAttributes(params);
    return snsError(400, 'InvalidAction', `Unknown action ${action}`);
  }

  private publish(params: URLSearchParams): SnsReply {
    const topicArn = params.get('TopicArn') ?? '';
    if (!this.topics.has(topicArn)) return snsTopicGone();
    const message = params.get('Message');
    if (message === null || message === '') {
      return snsError(400, 'InvalidParameter', 'Invalid parameter: Empty message');
    }
    const attributes: Record<string, string> = {};
    for (let i = 1; params.has(`MessageAttributes.entry.${i}.Name`); i++) {
      attributes[params.get(`MessageAttributes.entry.${i}.Name`) ?? ''] =
        params.get(`MessageAttributes.entry.${i}.Value.StringValue`) ?? '';
    }
    const messageId = randomUUID();
    const subject = params.get('Subject');
    this.published.push({
      messageId,
      topicArn,
      message,
      attributes,
      ...(subject === null ? {} : { subject }),
    });
    return ok('Publish', `<MessageId>${messageId}</MessageId>`);
  }

  private listSubscriptions(params: URLSearchParams): SnsReply {
    const topicArn = params.get('TopicArn') ?? '';
    const subscriptions = this.topics.get(topicArn);
    if (subscriptions === undefined) return snsTopicGone();
    const from = Number(params.get('NextToken') ?? '0');
    const page = subscriptions.slice(from, from + this.pageSize);
    const members = page
      .map(
        (s) =>
          `<member><TopicArn>${topicArn}</TopicArn><Protocol>${escapeXml(s.protocol)}</Protocol>` +
          `<SubscriptionArn>${s.pending ? 'PendingConfirmation' : s.arn}</SubscriptionArn>` +
          `<Owner>${ACCOUNT}</Owner><Endpoint>${escapeXml(s.endpoint)}</Endpoint></member>`
      )
      .join('');
    const next = from + this.pageSize;
    const token = next < subscriptions.length ? `<NextToken>${next}</NextToken>` : '';
    return ok('ListSubscriptionsByTopic', `<Subscriptions>${members}</Subscriptions>${token}`);
  }

  private subscriptionAttributes(params: URLSearchParams): SnsReply {
    const arn = params.get('SubscriptionArn') ?? '';
    const subscription = [...this.topics.values()].flat().find((s) => s.arn === arn);
    if (subscription === undefined) return snsError(404, 'NotFound', 'Subscription does not exist');
    const attributes: Record<string, string> = {
      SubscriptionArn: subscription.arn,
      Protocol: subscription.protocol,
      Endpoint: subscription.endpoint,
      PendingConfirmation: String(subscription.pending === true),
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
    body:
      `<${action}Response xmlns="${NAMESPACE}"><${action}Result>${result}</${action}Result>` +
      `<ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata>` +
      `</${action}Response>`,
  };
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

export type { PublishedMessage, SnsCall, SnsFault, SnsReply, SubscriptionSpec };
export { LoopbackSns, snsAuthorizationError, snsInternalError, snsThrottling };
