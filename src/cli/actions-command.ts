import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { localActionSecrets } from '../adapters/actions/local-action-links.js';
import { createResponseUrlReplier } from '../adapters/actions/slack-response-url.js';
import { STATE_PARTIAL, saveState } from '../adapters/memory/state-dir.js';
import { maxLinkLifetimeMs } from '../domain/actions/offered-actions.js';
import { compilePolicy } from '../domain/config/compile-policy.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import { formatTimeInZone } from '../domain/notice/format.js';
import { isRecord } from '../domain/objects.js';
import type { Log } from '../domain/ports/log.js';
import { noMetrics } from '../domain/ports/metrics.js';
import type { NonceStore } from '../domain/ports/nonce-store.js';
import { printable } from '../domain/printable.js';
import { type ActionsHttpDeps, createActionsHandler } from '../handlers/actions-http.js';
import { lambdaContext } from '../sim/lambda-context.js';
import { StateSageMaker } from '../sim/state-sagemaker.js';
import { configOrDefaults } from './config-option.js';
import { parseFlags, subcommandOf, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { checkOutputFile, DEFAULT_STATE_DIR, loadStateDir } from './output-dir.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden actions serve [--state DIR] [--port N] [--config FILE]

Serves the action links and buttons of notices on http://127.0.0.1:PORT, against the simulated
world a \`warden replay --state DIR\` or \`warden simulate --mode service --state DIR\` saved:
  GET  /a/TOKEN            the confirmation page (changes nothing)
  POST /a/TOKEN            keeps the pool warm or releases it, and says what happened
  POST /slack/interactions Block Kit button clicks, signed with the local signing secret
Links are checked with the public local key that replay and simulate sign with. The world's
clock stands still at the moment the state was saved; every change is written back to DIR, so
\`warden pools list --state DIR\` and \`warden audit --state DIR\` show it.

  --state DIR    the saved world (default: ${DEFAULT_STATE_DIR})
  --port N       the port the outbox's links point at (default: 8787; 0 picks a free one)
  --config FILE  the config the world ran with (default: ./warden.config.yaml if present)

Stop with Ctrl-C. Exit status: 0 stopped, 1 the port is taken, 2 bad arguments or state.`;

/** The port the local links point at (`LOCAL_ACTIONS_BASE_URL`). */
const DEFAULT_PORT = 8787;
/** The handler refuses far less; more than this is not even read. */
const MAX_BODY_BYTES = 64 * 1024;
const NONCE_FILE = 'action-nonces.json';

interface ServeOptions {
  readonly stateDir: string;
  /** 0 picks a free port. */
  readonly port: number;
  readonly config: WardenConfig;
  /** One line per request and per problem. */
  readonly log: (line: string) => void;
}

/** A running `warden actions serve`. */
interface ActionsServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  /** The world's frozen time, epoch ms. */
  readonly worldTime: number;
  close(): Promise<void>;
}

/**
 * Serves the actions handler (the one deployed behind the HTTP API) on loopback: each request
 * becomes the API Gateway v2 event Lambda would get, the handler's answer the response. Requests
 * are handled one at a time, and the state is written back after each change.
 *
 * @example const server = await startActionsServer({ stateDir: 'out/state', port: 0, config, log })
 */
async function startActionsServer(options: ServeOptions): Promise<ActionsServer> {
  const { stateDir, config } = options;
  const { store, takenAt } = await loadStateDir(stateDir);
  // Every change writes the state and the used nonces back: a folder that cannot take them is
  // refused now, not at the first click.
  for (const file of [STATE_PARTIAL, NONCE_FILE]) {
    await checkOutputFile('--state', join(stateDir, file));
  }
  const clock = { now: () => takenAt, sleep: async () => undefined };
  const nonces = await StateNonces.load(join(stateDir, NONCE_FILE));
  const deps: ActionsHttpDeps = {
    config,
    policy: compilePolicy(config),
    clock,
    sageMaker: new StateSageMaker(() => store.snapshot().pools, clock),
    store,
    nonces,
    log: lineLog(options.log),
    metrics: noMetrics,
    secrets: localActionSecrets,
    maxLinkLifetimeMs: maxLinkLifetimeMs(config),
    slackReply: createResponseUrlReplier(),
    allowLoopbackResponseUrl: true,
  };
  const handler = createActionsHandler(
    async () => deps,
    new Logger({ serviceName: 'pool-warden-local', logLevel: 'SILENT' }),
    { flush: () => undefined }
  );
  let queue: Promise<unknown> = Promise.resolve();
  let requests = 0;
  const server = createServer((req, res) => {
    queue = queue.then(async () => {
      requests += 1;
      const status = await serveOne(req, res, async (event) => {
        const result = await handler(event, lambdaContext(`local-${requests}`));
        if (event.requestContext.http.method === 'POST') await saveState(stateDir, store);
        return result;
      });
      options.log(`${req.method ?? '?'} ${shortPath(req.url ?? '/')} -> ${status}`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    worldTime: takenAt,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** One request through the handler; returns the status sent. */
async function serveOne(
  req: IncomingMessage,
  res: ServerResponse,
  handle: (event: APIGatewayProxyEventV2) => Promise<unknown>
): Promise<number> {
  try {
    const body = await readBody(req);
    if (body === undefined) return send(res, 413, { 'content-type': 'text/plain' }, 'too large');
    const result = await handle(toEvent(req, body));
    if (!isHttpResult(result)) return send(res, 500, { 'content-type': 'text/plain' }, 'no answer');
    return send(res, result.statusCode, result.headers, result.body);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return send(res, 500, { 'content-type': 'text/plain' }, `warden actions serve: ${message}`);
  }
}

function send(
  res: ServerResponse,
  status: number,
  headers: Readonly<Record<string, string>>,
  body: string
): number {
  res.writeHead(status, { ...headers, 'content-length': Buffer.byteLength(body) });
  res.end(body);
  return status;
}

function isHttpResult(
  value: unknown
): value is { statusCode: number; headers: Record<string, string>; body: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    'statusCode' in value &&
    typeof value.statusCode === 'number' &&
    'body' in value &&
    typeof value.body === 'string'
  );
}

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}

/** The request as API Gateway (HTTP API, payload 2.0) hands it to Lambda. */
function toEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const method = req.method ?? 'GET';
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: 'local',
      routeKey: '$default',
      stage: '$default',
      time: '',
      timeEpoch: 0,
    },
    // API Gateway base64-encodes form bodies; the handler must take them that way.
    ...(body.length === 0 ? {} : { body: body.toString('base64') }),
    isBase64Encoded: body.length > 0,
  };
}

/** A token is a credential, even a local one: the log shows its first characters only. */
function shortPath(path: string): string {
  return printable(path.replace(/^(\/a\/[A-Za-z0-9_-]{6})[A-Za-z0-9_-]+/, '$1…'));
}

function lineLog(write: (line: string) => void): Log {
  const line =
    (level: string) =>
    (message: string, extra: Record<string, unknown>): void => {
      write(printable(`${level}: ${message} ${JSON.stringify(extra)}`).slice(0, 2000));
    };
  return { info: () => undefined, warn: line('warning'), error: line('error') };
}

/**
 * Used nonces kept beside the state, so a link used once stays used when the server restarts.
 * The memory store's semantics, written through to a small JSON file.
 */
class StateNonces implements NonceStore {
  private constructor(
    private readonly file: string,
    private readonly used: Map<string, number>
  ) {}

  static async load(file: string): Promise<StateNonces> {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    const used = new Map<string, number>();
    if (text !== undefined) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new UsageError(`${file}: is not JSON (delete it to forget which links were used)`);
      }
      if (!isRecord(parsed)) {
        throw new UsageError(`${file}: is not an object of nonces`);
      }
      for (const [nonce, expiresAt] of Object.entries(parsed)) {
        if (typeof expiresAt === 'number') used.set(nonce, expiresAt);
      }
    }
    return new StateNonces(file, used);
  }

  async claim(nonce: string, expiresAt: number): Promise<'claimed' | 'used'> {
    if (this.used.has(nonce)) return 'used';
    this.used.set(nonce, expiresAt);
    await this.save();
    return 'claimed';
  }

  async release(nonce: string): Promise<void> {
    this.used.delete(nonce);
    await this.save();
  }

  private async save(): Promise<void> {
    await writeFile(this.file, `${JSON.stringify(Object.fromEntries(this.used), null, 1)}\n`);
  }
}

interface ActionsCommandDeps {
  /** Resolves when the server should stop (Ctrl-C in the CLI). */
  readonly stopped: () => Promise<void>;
}

/** Stops on Ctrl-C or a termination signal. */
const untilSignal = (): Promise<void> =>
  new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

/**
 * `warden actions …` with the way it stops injected, so tests can end a server.
 *
 * @example await createActionsCommand({ stopped: untilSignal })(['serve', '--port', '0'], io)
 */
function createActionsCommand(deps: ActionsCommandDeps) {
  return async (argv: readonly string[], io: CliIo): Promise<number> => {
    const picked = subcommandOf(argv, USAGE, {
      command: 'actions',
      subs: ['serve'],
      needs: 'a subcommand',
    });
    const args = picked === 'help' ? 'help' : parseServeArgs(picked.rest);
    if (args === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const config = await configOrDefaults(args.config, io);
    let server: ActionsServer;
    try {
      server = await startActionsServer({
        stateDir: args.state,
        port: args.port,
        config,
        log: (line) => io.stderr.write(`${line}\n`),
      });
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
        io.stderr.write(
          `warden actions: port ${args.port} is taken (another warden actions serve?); choose one with --port\n`
        );
        return 1;
      }
      throw error;
    }
    const time = formatTimeInZone(server.worldTime, config.defaults.timeZone);
    io.stdout.write(
      `Pool Warden actions on ${server.url} for the world in ${args.state} (its clock stands at ${time}); Ctrl-C to stop\n`
    );
    if (args.port !== DEFAULT_PORT) {
      io.stdout.write(
        `note: links made by replay and simulate point at port ${DEFAULT_PORT}; change the port in a link to ${server.url.split(':')[2]} to use it here\n`
      );
    }
    await deps.stopped();
    await server.close();
    return 0;
  };
}

/** `warden actions …`, stopped by Ctrl-C. */
const actionsCommand = createActionsCommand({ stopped: untilSignal });

interface ServeArgs {
  readonly state: string;
  readonly port: number;
  readonly config?: string;
}

function parseServeArgs(argv: readonly string[]): ServeArgs | 'help' {
  const { values, positionals } = withUsage(USAGE, () =>
    parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        state: { type: 'string' },
        port: { type: 'string' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) return 'help';
  if (positionals.length > 0) {
    throw new UsageError(`actions serve takes no PATH ("${positionals[0]}")\n\n${USAGE}`);
  }
  const portText = values.port ?? String(DEFAULT_PORT);
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : Number.NaN;
  if (!(port >= 0 && port <= 65_535)) {
    throw new UsageError(`--port "${portText}" is not a port number from 0 to 65535`);
  }
  if (values.state === '') throw new UsageError('--state needs a folder');
  return {
    state: values.state ?? DEFAULT_STATE_DIR,
    port,
    ...(values.config === undefined ? {} : { config: values.config }),
  };
}

export type { ActionsServer, ServeOptions };
export { actionsCommand, createActionsCommand, startActionsServer };
