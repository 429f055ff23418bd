import { createServer, type Server } from 'node:http';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { awsClientOptions } from '../../src/adapters/aws/client-options.js';
import { DynamoNoticeLedger } from '../../src/adapters/aws/dynamo-notice-ledger.js';
import { SnsEmailReach } from '../../src/adapters/aws/sns-email-reach.js';
import { SnsEmailSender } from '../../src/adapters/aws/sns-email-sender.js';
import { MemoryCallerRegistry } from '../../src/adapters/memory/memory-caller-registry.js';
import { MemoryParkedEvents } from '../../src/adapters/memory/memory-parked-events.js';
import { HttpSlackSender } from '../../src/adapters/slack/slack-sender.js';
import { DependencyError } from '../../src/domain/errors.js';
import { readTrainingJob } from '../../src/domain/job/training-job.js';
import { noActionLinks } from '../../src/domain/ports/action-links.js';
import type { MetricName, Metrics } from '../../src/domain/ports/metrics.js';
import type { NoticeLedger } from '../../src/domain/ports/notice-ledger.js';
import type { EmailReach, EmailSender, SlackSender } from '../../src/domain/ports/senders.js';
import { createHandler } from '../../src/handlers/job-state-change.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  describeAnswer,
  lambdaContext,
  recordingLog,
  ScriptedSageMaker,
  stateChangeEvent,
  T0,
  teamConfig,
} from '../helpers/factories.js';
import { LoopbackDynamo } from '../helpers/loopback-dynamodb.js';
import { closeServer, listenOnLoopback, loopbackClientConfig } from '../helpers/loopback-http.js';
import { LoopbackSlack, rateLimited, serverError } from '../helpers/loopback-slack.js';
import {
  LoopbackSns,
  snsAuthorizationError,
  snsInternalError,
  snsThrottling,
} from '../helpers/loopback-sns.js';

/**
 * The finish notice's domain flow against the real DynamoDB ledger (dynalite), SNS and Slack
 * on loopback, with faults: throttling, timeouts, 5xx, permanent errors, and a crash between
 * any two steps followed by Lambda's retry. The invariant: every notice reaches someone exactly
 * once, or the invocation fails so Lambda keeps the event; a duplicate that cannot be avoided
 * is counted.
 */

type Deps = Awaited<ReturnType<Parameters<typeof createHandler>[0]>>;

const BOT_TOKEN = 'xoxb-1111-2222-fault';
const ALICE = 'alice@example.com';
const ALICE_SLACK = 'U0ALICE01';
const LEASE_MS = 60_000;
/** Lambda retries a failed asynchronous invocation twice. */
const LAMBDA_ATTEMPTS = 3;
/** Short enough for a test, long enough for a loopback answer on a busy machine. */
const TIMEOUT_MS = 400;

/** One crash point: the step that throws, counted in the order the flow takes them. */
type Mode = 'throws' | 'dies';

/**
 * Counts the flow's steps (claim, the address check, each send, each record, complete) and
 * makes the Nth one fail. `throws`: the step raises a transient error and the handler's own
 * error handling runs. `dies`: the process is gone from that instant, so nothing after it
 * (not even giving the lease back) reaches any dependency.
 */
class FaultPlan {
  readonly steps: string[] = [];
  private dead = false;

  constructor(
    private readonly failAt?: number,
    private readonly mode: Mode = 'throws'
  ) {}

  async step<T>(name: string, run: () => Promise<T>): Promise<T> {
    if (this.dead) throw new DependencyError('process', 'the container is gone');
    this.steps.push(name);
    if (this.steps.length === this.failAt) {
      if (this.mode === 'dies') this.dead = true;
      throw new DependencyError('fault', `injected at ${name}`, { retryable: true });
    }
    return run();
  }

  /** Lambda's retry runs in a fresh container. */
  revive(): void {
    this.dead = false;
  }

  /** Calls that are not steps of their own (giving a lease back) still need a live process. */
  async alive<T>(run: () => Promise<T>): Promise<T> {
    if (this.dead) throw new DependencyError('process', 'the container is gone');
    return run();
  }
}

function faultyLedger(inner: NoticeLedger, plan: FaultPlan): NoticeLedger {
  return {
    claim: (...args) => plan.step('claim', () => inner.claim(...args)),
    recordAttempt: (...args) => plan.step(`attempt ${args[1]}`, () => inner.recordAttempt(...args)),
    recordDelivery: (...args) =>
      plan.step(`record ${args[1]}`, () => inner.recordDelivery(...args)),
    complete: (...args) => plan.step('complete', () => inner.complete(...args)),
    release: (...args) => plan.alive(() => inner.release(...args)),
  };
}

function faultyEmail(inner: EmailSender, plan: FaultPlan): EmailSender {
  return { send: (...args) => plan.step('send email', () => inner.send(...args)) };
}

function faultySlack(inner: SlackSender, plan: FaultPlan): SlackSender {
  return { send: (...args) => plan.step('send slack', () => inner.send(...args)) };
}

function faultyReach(inner: EmailReach, plan: FaultPlan): EmailReach {
  return { canReach: (address) => plan.step('check address', () => inner.canReach(address)) };
}

function recordingMetrics(): Metrics & { readonly counted: Partial<Record<MetricName, number>> } {
  const counted: Partial<Record<MetricName, number>> = {};
  return {
    counted,
    count: (name, value = 1) => {
      counted[name] = (counted[name] ?? 0) + value;
    },
  };
}

/** Accepts every connection and request, and never answers. */
function silentServer(): Server {
  return createServer(() => undefined);
}

let dynamo: LoopbackDynamo;
let sns: LoopbackSns;
let slack: LoopbackSlack;
let silent: Server;
let silentEndpoint: string;
let topicArn: string;
let snsClient: SNSClient;
let tableCount = 0;

beforeAll(async () => {
  [dynamo, sns, slack] = await Promise.all([
    LoopbackDynamo.start(),
    LoopbackSns.start(),
    LoopbackSlack.start({ botToken: BOT_TOKEN, members: { [ALICE]: ALICE_SLACK } }),
  ]);
  silent = silentServer();
  silentEndpoint = await listenOnLoopback(silent);
  topicArn = sns.createTopic('pool-warden-notices');
  sns.subscribe(topicArn, {
    protocol: 'email',
    endpoint: ALICE,
    filterPolicy: JSON.stringify({ owner: [ALICE] }),
  });
  snsClient = new SNSClient({
    ...loopbackClientConfig(sns.endpoint),
    ...awsClientOptions(TIMEOUT_MS),
    maxAttempts: 2,
  });
});

afterAll(async () => {
  snsClient.destroy();
  silent.closeAllConnections();
  await Promise.all([dynamo.stop(), sns.stop(), slack.stop(), closeServer(silent)]);
});

beforeEach(() => {
  sns.reset();
  slack.reset();
});

interface WorldOptions {
  readonly plan?: FaultPlan;
  /** Point the ledger at a server that never answers. */
  readonly ledgerUnreachable?: boolean;
}

/** A fresh table and the deployed adapters, wired as lambda-deps.ts wires them. */
async function world(options: WorldOptions = {}) {
  tableCount += 1;
  const tableName = `faults-${tableCount}`;
  await dynamo.createWardenTable(tableName);
  const plan = options.plan ?? new FaultPlan();
  const clock = new VirtualClock(T0);
  const ledgerClient = options.ledgerUnreachable
    ? new DynamoDBClient({
        ...loopbackClientConfig(silentEndpoint),
        ...awsClientOptions(TIMEOUT_MS),
        maxAttempts: 1,
      })
    : dynamo.client;
  const metrics = recordingMetrics();
  const log = recordingLog();
  const described = readTrainingJob(describeAnswer(stateChangeEvent()), 'fixture');
  if (!described.ok) throw new Error(described.reason);
  const deps: Deps = {
    config: teamConfig(),
    clock,
    sageMaker: new ScriptedSageMaker([described.job]),
    ledger: faultyLedger(
      new DynamoNoticeLedger(ledgerClient, { tableName, leaseMs: LEASE_MS }),
      plan
    ),
    callers: new MemoryCallerRegistry(),
    parked: new MemoryParkedEvents(),
    email: faultyEmail(new SnsEmailSender(snsClient, topicArn), plan),
    emailReach: faultyReach(new SnsEmailReach(snsClient, topicArn, clock), plan),
    actionLinks: noActionLinks,
    slack: faultySlack(
      new HttpSlackSender({
        secrets: {
          botToken: async () => BOT_TOKEN,
          webhookUrl: async () => slack.webhookUrl('vision'),
        },
        sleep: async () => undefined,
        apiBase: slack.apiBase,
        timeoutMs: TIMEOUT_MS,
      }),
      plan
    ),
    metrics,
    log,
  };
  const handler = createHandler(async () => deps);
  const event = stateChangeEvent();

  /** Lambda's asynchronous invocation: the first attempt, then retries a minute or two apart. */
  async function invokeAsLambda(attempts = LAMBDA_ATTEMPTS) {
    const results: ('ok' | 'failed')[] = [];
    for (let i = 0; i < attempts; i++) {
      const outcome = await handler(structuredClone(event), lambdaContext()).then(
        (o) => o,
        () => undefined
      );
      if (outcome !== undefined) return { outcome, results: [...results, 'ok' as const] };
      results.push('failed');
      plan.revive();
      clock.advanceTo(clock.now() + LEASE_MS + 1);
    }
    return { outcome: undefined, results };
  }

  const delivered = () => ({
    email: sns.published.filter((m) => m.attributes.owner === ALICE).length,
    slack: slack
      .requestsTo('/api/chat.postMessage')
      .filter((r) => (JSON.parse(r.body) as { channel?: string }).channel === ALICE_SLACK).length,
  });

  const ledgerState = async () => {
    const items = await dynamo.client.send(
      new (await import('@aws-sdk/client-dynamodb')).ScanCommand({ TableName: tableName })
    );
    return (items.Items ?? []).filter((i) => i.pk?.S?.startsWith('NOTICE#')).map((i) => i.state?.S);
  };

  return { handler, event, plan, clock, metrics, log, invokeAsLambda, delivered, ledgerState };
}

/** Whether anything told an operator that a message may have gone out twice. */
function duplicateCounted(w: Awaited<ReturnType<typeof world>>): boolean {
  const logged = w.log.lines.some(
    (l) => l.level !== 'info' && /duplicate/i.test(`${l.message} ${JSON.stringify(l.extra)}`)
  );
  return (w.metrics.counted.DuplicateSend ?? 0) > 0 || logged;
}

/**
 * The crash points, in the order the flow takes its steps for an owner with email and Slack
 * (H1's order: the address is checked, Slack goes first so the email can say if it failed).
 * `duplicate` names the channel a retry must send again because its send succeeded and only
 * the record of it was lost: unavoidable, so it must be counted.
 */
const CRASH_POINTS = [
  { step: 1, name: 'claim', duplicate: undefined },
  { step: 2, name: 'check address', duplicate: undefined },
  { step: 3, name: 'attempt slack', duplicate: undefined },
  { step: 4, name: 'send slack', duplicate: undefined },
  { step: 5, name: 'record slack', duplicate: 'slack' },
  { step: 6, name: 'attempt email', duplicate: undefined },
  { step: 7, name: 'send email', duplicate: undefined },
  { step: 8, name: 'record email', duplicate: 'email' },
  { step: 9, name: 'complete', duplicate: undefined },
] as const;

describe('finish notice under faults', () => {
  it('takes the steps of the crash table, in order, when nothing fails', async () => {
    // Prepare
    const w = await world();

    // Act
    const { outcome } = await w.invokeAsLambda(1);

    // Assess
    expect(outcome).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
    expect(w.plan.steps).toEqual(CRASH_POINTS.map((p) => p.name));
    expect(w.delivered()).toEqual({ email: 1, slack: 1 });
    expect(await w.ledgerState()).toEqual(['sent']);
  });

  describe.each(['throws', 'dies'] as const)('a crash where the step %s', (mode) => {
    it.each(CRASH_POINTS)(
      'keeps the event for retry and then delivers exactly once when it fails at $name (step $step)',
      async ({ step, name, duplicate }) => {
        // Prepare
        const w = await world({ plan: new FaultPlan(step, mode) });

        // Act
        const { outcome, results } = await w.invokeAsLambda();
        const late = await w.handler(structuredClone(w.event), lambdaContext());

        // Assess
        expect(results[0], `the attempt that failed at ${name} must fail the invocation`).toBe(
          'failed'
        );
        expect(outcome).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
        expect(late).toMatchObject({ kind: 'ignored' });
        expect(await w.ledgerState()).toEqual(['sent']);
        const expected = {
          email: duplicate === 'email' ? 2 : 1,
          slack: duplicate === 'slack' ? 2 : 1,
        };
        // In `dies` mode a lost record of Slack also stops the email; only the record is lost.
        expect(w.delivered()).toEqual(expected);
        if (duplicate !== undefined) {
          expect(duplicateCounted(w), `a second ${duplicate} must be counted`).toBe(true);
        }
      }
    );
  });

  describe('SNS', () => {
    it('delivers once when Publish is throttled once and the SDK retries it', async () => {
      // Prepare
      const w = await world();
      sns.fail('Publish', snsThrottling());

      // Act
      const { outcome, results } = await w.invokeAsLambda();

      // Assess
      expect(results).toEqual(['ok']);
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
      expect(w.delivered()).toEqual({ email: 1, slack: 1 });
      expect(sns.callsTo('Publish')).toHaveLength(2);
    });

    it.each([
      ['throttled beyond the SDK retries', () => [snsThrottling(), snsThrottling()]],
      ['failing with 500s', () => [snsInternalError(), snsInternalError()]],
      ['never answering', () => ['hang' as const, 'hang' as const]],
    ])(
      'fails the invocation while Publish is %s, and the retry sends only the email',
      async (_label, faults) => {
        // Prepare
        const w = await world();
        sns.fail('Publish', ...faults());

        // Act
        const { outcome, results } = await w.invokeAsLambda();

        // Assess
        expect(results).toEqual(['failed', 'ok']);
        expect(outcome).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
        expect(w.delivered()).toEqual({ email: 1, slack: 1 });
        expect(w.metrics.counted.ChannelFailedRetried ?? 0).toBeGreaterThan(0);
      }
    );

    it('falls back to Slack, loudly, when the topic refuses Publish for good', async () => {
      // Prepare
      const w = await world();
      sns.fail('Publish', snsAuthorizationError(), snsAuthorizationError());

      // Act
      const { outcome, results } = await w.invokeAsLambda();

      // Assess
      expect(results).toEqual(['ok']);
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['slack'] });
      expect(w.delivered()).toEqual({ email: 0, slack: 1 });
      expect(w.metrics.counted.ChannelFailedPermanent).toBe(1);
      expect(w.log.lines.some((l) => l.level === 'error')).toBe(true);
    });
  });

  describe('Slack', () => {
    it('delivers once when chat.postMessage is rate limited once', async () => {
      // Prepare
      const w = await world();
      slack.script('/api/chat.postMessage', rateLimited(1));

      // Act
      const { outcome, results } = await w.invokeAsLambda();

      // Assess: two posts reached Slack's edge; the first was refused with 429.
      expect(results).toEqual(['ok']);
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
      expect(slack.requestsTo('/api/chat.postMessage')).toHaveLength(2);
      expect(w.delivered().email).toBe(1);
    });

    it.each([
      ['failing with 5xx pages', () => Array.from({ length: 8 }, () => serverError(503))],
      ['never answering', () => Array.from({ length: 8 }, () => 'hang' as const)],
    ])(
      'fails the invocation while Slack is %s, and the retry sends only Slack',
      async (_label, replies) => {
        // Prepare
        const w = await world();
        slack.script('/api/chat.postMessage', ...replies());

        // Act
        const first = await w.invokeAsLambda(1);
        slack.reset();
        const retry = await w.invokeAsLambda(1);

        // Assess
        expect(first.results).toEqual(['failed']);
        expect(retry.outcome).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
        expect(sns.published).toHaveLength(1);
        expect(w.delivered().slack).toBe(1);
      }
    );

    it('falls back to email, loudly, when the bot token was revoked', async () => {
      // Prepare
      const w = await world();
      slack.script('/api/chat.postMessage', {
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ ok: false, error: 'invalid_auth' }),
      });

      // Act
      const { outcome, results } = await w.invokeAsLambda();

      // Assess
      expect(results).toEqual(['ok']);
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['email'] });
      expect(sns.published).toHaveLength(1);
      expect(sns.published[0]?.message).toMatch(/slack/i);
      expect(w.metrics.counted.ChannelFailedPermanent).toBe(1);
      expect(w.log.lines.some((l) => l.level === 'error')).toBe(true);
    });
  });

  describe('DynamoDB', () => {
    it('sends nothing and fails the invocation while the ledger never answers', async () => {
      // Prepare
      const w = await world({ ledgerUnreachable: true });

      // Act
      const { outcome, results } = await w.invokeAsLambda();

      // Assess: nothing may go out before the claim is recorded; Lambda keeps the event.
      expect(outcome).toBeUndefined();
      expect(results).toEqual(['failed', 'failed', 'failed']);
      expect(w.delivered()).toEqual({ email: 0, slack: 0 });
    });
  });
});
