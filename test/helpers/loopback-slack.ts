import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { closeServer, listenOnLoopback, readBody } from './loopback-http.js';

/** One request as the server saw it. */
interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, e.g. `/api/chat.postMessage`. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A canned answer that replaces the normal behaviour for one request; `hang` never answers. */
type ScriptedReply = Reply | 'hang';

/** Slack's answer when a caller exceeds a rate limit tier. */
function rateLimited(retryAfterSeconds: number): ScriptedReply {
  return {
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds), 'content-type': 'application/json' },
    body: JSON.stringify({ ok: false, error: 'ratelimited' }),
  };
}

/** An outage page, as Slack's edge answers during an incident. */
function serverError(status = 500): ScriptedReply {
  return { status, headers: { 'content-type': 'text/html' }, body: '<html>Server Error</html>' };
}

/** A rejected incoming-webhook post: 4xx with a plain-text reason such as `invalid_blocks`. */
function webhookRejects(status: number, reason: string): ScriptedReply {
  return text(status, reason);
}

interface LoopbackSlackOptions {
  /** The bot token the Web API accepts. */
  readonly botToken: string;
  /** Workspace members as email → member id. */
  readonly members?: Readonly<Record<string, string>>;
}

/**
 * Slack's wire format on loopback: incoming webhooks under `/services/…` and the Web API
 * methods `chat.postMessage` and `users.lookupByEmail` under `/api`, with Slack's status
 * codes, bodies and auth rules. Records every request and can be scripted per path.
 */
class LoopbackSlack {
  readonly requests: RecordedRequest[] = [];
  private readonly scripts = new Map<string, ScriptedReply[]>();
  private readonly webhooks = new Set<string>();
  private readonly members: Map<string, string>;
  private dmCount = 0;

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly options: LoopbackSlackOptions
  ) {
    this.members = new Map(Object.entries(options.members ?? {}));
  }

  static async start(options: LoopbackSlackOptions): Promise<LoopbackSlack> {
    let slack: LoopbackSlack | undefined;
    const server = createServer((request, response) => {
      void slack?.handle(request, response);
    });
    const baseUrl = await listenOnLoopback(server);
    slack = new LoopbackSlack(server, baseUrl, options);
    return slack;
  }

  /** What a deployment sets as the Web API base. */
  get apiBase(): string {
    return `${this.baseUrl}/api`;
  }

  /** Creates an incoming webhook and returns its URL (Slack's `/services/T…/B…/secret` shape). */
  webhookUrl(name: string): string {
    const path = `/services/T0WARDEN/B0${name.toUpperCase()}/${name}-secret`;
    this.webhooks.add(path);
    return `${this.baseUrl}${path}`;
  }

  /** The next answers for requests to `path`, in order, before normal behaviour resumes. */
  script(path: string, ...replies: ScriptedReply[]): void {
    this.scripts.set(path, [...(this.scripts.get(path) ?? []), ...replies]);
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Forgets recorded requests and unused scripts; webhooks and members stay. */
  reset(): void {
    this.requests.length = 0;
    this.scripts.clear();
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const body = await readBody(request);
    this.requests.push({
      method: request.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
    });
    const reply = this.scripts.get(url.pathname)?.shift() ?? this.route(url, request, body);
    if (reply === 'hang') return;
    response.writeHead(reply.status, { ...reply.headers });
    response.end(reply.body);
  }

  private route(url: URL, request: IncomingMessage, body: string): Reply {
    if (url.pathname.startsWith('/services/')) return this.webhook(url.pathname, request, body);
    if (url.pathname === '/api/chat.postMessage') return this.postMessage(request, body);
    if (url.pathname === '/api/users.lookupByEmail') {
      return this.lookupByEmail(request, url.searchParams);
    }
    return apiAnswer({ ok: false, error: 'unknown_method' }, 404);
  }

  private webhook(path: string, request: IncomingMessage, body: string): Reply {
    if (request.method !== 'POST') return text(405, 'invalid_method');
    if (!this.webhooks.has(path)) return text(404, 'no_service');
    const payload = parseJson(body);
    if (payload === undefined) return text(400, 'invalid_payload');
    if (typeof payload.text !== 'string' && !Array.isArray(payload.blocks)) {
      return text(400, 'no_text');
    }
    return text(200, 'ok');
  }

  private postMessage(request: IncomingMessage, body: string): Reply {
    const auth = this.authError(request);
    if (auth !== undefined) return apiAnswer({ ok: false, error: auth });
    if (request.method !== 'POST') return apiAnswer({ ok: false, error: 'invalid_method' });
    const payload = parseJson(body);
    if (payload === undefined) return apiAnswer({ ok: false, error: 'invalid_json' });
    const channel = payload.channel;
    if (typeof channel !== 'string' || channel === '') {
      return apiAnswer({ ok: false, error: 'channel_not_found' });
    }
    if (typeof payload.text !== 'string' && !Array.isArray(payload.blocks)) {
      return apiAnswer({ ok: false, error: 'no_text' });
    }
    // Posting to a member id opens (or reuses) the bot's DM with that member.
    if (![...this.members.values()].includes(channel)) {
      return apiAnswer({ ok: false, error: 'channel_not_found' });
    }
    this.dmCount += 1;
    return apiAnswer({
      ok: true,
      channel: `D0${channel.slice(1)}`,
      ts: `1795169742.${String(this.dmCount).padStart(6, '0')}`,
      message: { type: 'message', text: payload.text, bot_id: 'B0WARDEN' },
    });
  }

  private lookupByEmail(request: IncomingMessage, query: URLSearchParams): Reply {
    const auth = this.authError(request);
    if (auth !== undefined) return apiAnswer({ ok: false, error: auth });
    const email = query.get('email');
    if (email === null || email === '') return apiAnswer({ ok: false, error: 'invalid_arguments' });
    const id = this.members.get(email);
    if (id === undefined) return apiAnswer({ ok: false, error: 'users_not_found' });
    return apiAnswer({
      ok: true,
      user: { id, team_id: 'T0WARDEN', name: email.split('@')[0], profile: { email } },
    });
  }

  private authError(request: IncomingMessage): string | undefined {
    const header = request.headers.authorization;
    if (header === undefined) return 'not_authed';
    return header === `Bearer ${this.options.botToken}` ? undefined : 'invalid_auth';
  }
}

/** Webhooks answer plain text: `ok`, or the reason for a rejection. */
function text(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/html' }, body };
}

/** A Web API answer as Slack sends it: JSON, HTTP 200 even for most failures. */
function apiAnswer(body: object, status = 200): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  };
}

function parseJson(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export type { RecordedRequest, ScriptedReply };
export { apiAnswer, LoopbackSlack, rateLimited, serverError, webhookRejects };
