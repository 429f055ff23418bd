import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildLambdaBundle } from '../../scripts/lambda-bundles.js';
import { DynamoNoticeLedger } from '../../src/adapters/aws/dynamo-notice-ledger.js';
import { parseStateChangeEvent } from '../../src/domain/event/state-change-event.js';
import { noticeKey } from '../../src/domain/notice/notice.js';
import {
  describeAnswer,
  lambdaContext,
  stateChangeEvent,
  TEAM_CONFIG_YAML,
} from '../helpers/factories.js';
import { LoopbackDynamo } from '../helpers/loopback-dynamodb.js';
import { loopbackClientConfig } from '../helpers/loopback-http.js';
import { LoopbackSageMaker } from '../helpers/loopback-sagemaker.js';
import { LoopbackSecretsManager } from '../helpers/loopback-secrets-manager.js';
import { LoopbackSlack } from '../helpers/loopback-slack.js';
import { sqsEvent } from '../helpers/sqs-records.js';

const TABLE = 'pool-warden-test';
const SECRET = 'pool-warden/test/slack';
const BOT_TOKEN = 'xoxb-bundle-test';
const BUNDLE_LIMIT_BYTES = 400 * 1024;

/**
 * The deployable artefact, end to end: the handler bundled exactly as `serverless package`
 * bundles it (config inlined, env-only credentials), run in fresh Node processes the way Lambda
 * runs it, against DynamoDB, SNS, SageMaker, Secrets Manager and Slack on loopback.
 */
describe('job-state-change bundle', () => {
  let dir: string;
  let bundle: string;
  let bundleBytes: number;
  let dynamo: LoopbackDynamo;
  let fauxqs: FauxqsServer;
  let sqs: SQSClient;
  let queueUrl: string;
  let topicArn: string;
  let sageMaker: LoopbackSageMaker;
  let secrets: LoopbackSecretsManager;
  let slack: LoopbackSlack;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-bundle-'));
    const config = join(dir, 'warden.config.yaml');
    await writeFile(config, TEAM_CONFIG_YAML);
    bundle = join(dir, 'job-state-change.mjs');
    const previous = process.env.WARDEN_CONFIG_FILE;
    process.env.WARDEN_CONFIG_FILE = config;
    try {
      bundleBytes = await buildLambdaBundle('src/handlers/job-state-change.ts', bundle);
    } finally {
      if (previous === undefined) delete process.env.WARDEN_CONFIG_FILE;
      else process.env.WARDEN_CONFIG_FILE = previous;
    }

    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable(TABLE);
    fauxqs = await startFauxqs({ port: 0, logger: false });
    sqs = new SQSClient(loopbackClientConfig(fauxqs.address));
    ({ topicArn } = fauxqs.createTopic('notices'));
    ({ queueUrl } = fauxqs.createQueue('alice-inbox'));
    fauxqs.subscribe({
      topic: 'notices',
      queue: 'alice-inbox',
      attributes: {
        RawMessageDelivery: 'true',
        FilterPolicy: JSON.stringify({ owner: ['alice@example.com'] }),
      },
    });
    // What reaches alice's mailbox is read from the queue above; this confirmed email
    // subscription is what tells Warden her address is reachable (ListSubscriptionsByTopic).
    await new SNSClient(loopbackClientConfig(fauxqs.address)).send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'email',
        Endpoint: 'alice@example.com',
        Attributes: { FilterPolicy: JSON.stringify({ owner: ['alice@example.com'] }) },
      })
    );
    sageMaker = await LoopbackSageMaker.start();
    slack = await LoopbackSlack.start({
      botToken: BOT_TOKEN,
      members: { 'alice@example.com': 'U0ALICE01' },
    });
    secrets = await LoopbackSecretsManager.start();
    secrets.putSecret(
      SECRET,
      JSON.stringify({ botToken: BOT_TOKEN, webhooks: { vision: slack.webhookUrl('vision') } })
    );
  });

  afterAll(async () => {
    sqs.destroy();
    await Promise.all([
      dynamo.stop(),
      fauxqs.stop(),
      sageMaker.stop(),
      secrets.stop(),
      slack.stop(),
    ]);
  });

  let lastMetrics: string[] = [];

  /** What one container did: each invocation's batch response, and each event's logged outcome. */
  interface Container {
    readonly responses: unknown[];
    readonly outcomes: unknown[];
  }

  /**
   * One cold Lambda container: imports the bundle and invokes it once per batch, each batch an
   * SQS event as the notice queue's poller delivers it (one record per EventBridge event).
   */
  async function coldContainer(batches: unknown[][]): Promise<Container> {
    const eventsFile = join(dir, `events-${Math.random().toString(36).slice(2)}.json`);
    const invocations = batches.map((events) => sqsEvent(events));
    await writeFile(eventsFile, JSON.stringify({ invocations, context: lambdaContext() }));
    const script = `
      import { readFileSync } from 'node:fs';
      const { invocations, context } = JSON.parse(readFileSync(${JSON.stringify(eventsFile)}, 'utf8'));
      context.getRemainingTimeInMillis = () => 30000;
      const { handler } = await import(${JSON.stringify(bundle)});
      const responses = [];
      for (const event of invocations) {
        try { responses.push(await handler(event, context)); }
        catch (error) { responses.push({ thrown: error.message }); }
      }
      process.stdout.write('\\nRESPONSES ' + JSON.stringify(responses) + '\\n');`;
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', script],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
          AWS_ENDPOINT_URL_SNS: fauxqs.address,
          AWS_ENDPOINT_URL_SAGEMAKER: sageMaker.endpoint,
          AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
          POWERTOOLS_LOG_LEVEL: 'INFO',
          WARDEN_TABLE: TABLE,
          WARDEN_EMAIL_TOPIC_ARN: topicArn,
          WARDEN_SLACK_SECRET_ID: SECRET,
          WARDEN_NOTICE_LEASE_SECONDS: '150',
          WARDEN_SLACK_API_BASE: slack.apiBase,
        },
      }
    );
    // Stdout also carries the invocation's metrics (embedded metric format), one per line.
    lastMetrics = stdout.split('\n').filter((line) => line.includes('"_aws"'));
    const marked = stdout.split('\n').find((line) => line.startsWith('RESPONSES '));
    return {
      responses: JSON.parse(marked?.slice('RESPONSES '.length) ?? 'null') as unknown[],
      outcomes: loggedOutcomes(`${stdout}\n${stderr}`),
    };
  }

  /** The outcome of each event, from the handler's one closing log line per event. */
  function loggedOutcomes(output: string): unknown[] {
    return output
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { message?: string; outcome?: unknown })
      .filter((r) => r.message === 'event handled' || r.message === 'event rejected and parked')
      .map((r) => r.outcome);
  }

  async function aliceInbox(): Promise<Message[]> {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      })
    );
    return Messages;
  }

  it('stays within the 400 KB bundle budget', () => {
    expect(bundleBytes).toBeLessThanOrEqual(BUNDLE_LIMIT_BYTES);
  });

  it('notifies once across duplicate deliveries in warm and cold containers', async () => {
    // Prepare
    // The deployed handler reads the real clock, so the job ends a minute before the test runs.
    const event = stateChangeEvent({ name: 'bundle-run-001', endTime: Date.now() - 60_000 });
    sageMaker.addJob(describeAnswer(event));

    // Act
    const warm = await coldContainer([[event], [event]]);
    const warmMetrics = lastMetrics.join('\n');
    const cold = await coldContainer([[event]]);

    // Assess
    const acknowledged = { batchItemFailures: [] };
    expect(warm.responses).toEqual([acknowledged, acknowledged]);
    expect(cold.responses).toEqual([acknowledged]);
    expect(warm.outcomes).toEqual([
      {
        kind: 'notice',
        job: 'bundle-run-001',
        status: 'Completed',
        owner: 'alice',
        channels: ['email', 'slack'],
      },
      {
        kind: 'ignored',
        job: 'bundle-run-001',
        reason: 'duplicate: Completed notice already sent',
      },
    ]);
    expect(cold.outcomes).toEqual([
      {
        kind: 'ignored',
        job: 'bundle-run-001',
        reason: 'duplicate: Completed notice already sent',
      },
    ]);
    const inbox = await aliceInbox();
    expect(inbox).toHaveLength(1);
    expect(inbox[0]?.Body).toMatch(/Warm pool: +Available until .+ \((28|29)m \d\ds left\)\./);
    expect(inbox[0]?.Body).toMatch(/At risk: +\$0\.7\d if nobody reuses the pool/);
    expect(inbox[0]?.MessageAttributes?.owner?.StringValue).toBe('alice@example.com');
    const posts = slack.requestsTo('/api/chat.postMessage');
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(JSON.parse(posts[0]?.body ?? '{}')).toMatchObject({ channel: 'U0ALICE01' });
    const created = (event.detail as { CreationTime: number }).CreationTime;
    const ledger = await dynamo.item(
      TABLE,
      `NOTICE#arn:aws:sagemaker:us-east-1:111122223333:training-job/bundle-run-001#${created}`,
      'NOTICE'
    );
    expect(ledger?.state?.S).toBe('sent');
    // Each invocation flushed its metrics in CloudWatch's embedded format.
    expect(warmMetrics).toContain('"NoticeSent"');
    expect(warmMetrics).toContain('"PoolWarden"');
    expect(warmMetrics).not.toContain('ChannelFailedPermanent');
    expect(ledger?.delivered?.SS?.sort()).toEqual(['email', 'slack']);
  });

  it('parks a malformed event and acknowledges it, so it is not retried', async () => {
    const { responses, outcomes } = await coldContainer([
      [{ source: 'aws.sagemaker', 'detail-type': 'SageMaker Training Job State Change' }],
      ['not json'],
    ]);

    expect(responses).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(outcomes).toEqual([
      { kind: 'rejected', reason: 'detail is not an object' },
      { kind: 'rejected', reason: 'event is not a JSON object' },
    ]);
  });

  it('reports a record whose notice another invocation is sending, so the queue delivers it again', async () => {
    // Prepare: SQS delivers at least once; a copy of the message is being handled elsewhere.
    const event = stateChangeEvent({ name: 'bundle-run-002', endTime: Date.now() - 60_000 });
    sageMaker.addJob(describeAnswer(event));
    const parsed = parseStateChangeEvent(event);
    if (!parsed.ok) throw new Error(parsed.reason);
    const elsewhere = new DynamoNoticeLedger(dynamo.client, { tableName: TABLE, leaseMs: 150_000 });
    await elsewhere.claim(noticeKey(parsed.event.job), Date.now());
    const postsBefore = slack.requestsTo('/api/chat.postMessage').length;

    // Act
    const { responses } = await coldContainer([[event]]);

    // Assess: a one-record batch that fails fails the invocation (Lambda counts the error).
    expect(responses).toEqual([{ thrown: expect.stringMatching(/All records failed/) }]);
    expect(slack.requestsTo('/api/chat.postMessage')).toHaveLength(postsBefore);
  });
});
