import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDlqCommand, type DlqDeps } from '../../src/cli/dlq-command.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { runCli } from '../helpers/admin-cli.js';
import { loopbackClientConfig } from '../helpers/loopback-http.js';
import { LoopbackSqsMoveTasks } from '../helpers/loopback-sqs-move-tasks.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

/** Receives before fauxqs parks a message, as the deployed queues do after 40. */
const MAX_RECEIVES = 2;
const HOUR = 3_600_000;

let fauxqs: FauxqsServer;
let sqsFake: LoopbackSqsMoveTasks;
let sqs: SQSClient;
let stage: string;
let stageCount = 0;
const urls = new Map<string, string>();

beforeAll(async () => {
  fauxqs = await startFauxqs({ port: 0, logger: false });
  sqsFake = await LoopbackSqsMoveTasks.start(fauxqs.address);
  sqs = new SQSClient(loopbackClientConfig(fauxqs.address));
});

afterAll(async () => {
  sqs.destroy();
  await sqsFake.stop();
  await fauxqs.stop();
});

/** A fresh stage's queues, as serverless.yml names and links them. */
beforeEach(() => {
  stageCount += 1;
  stage = `t${stageCount}`;
  for (const name of ['notice', 'caller', 'intake']) {
    const dlq = fauxqs.createQueue(`pool-warden-${stage}-${name}-dlq`);
    const queue = fauxqs.createQueue(`pool-warden-${stage}-${name}`, {
      attributes: {
        RedrivePolicy: JSON.stringify({
          deadLetterTargetArn: dlq.queueArn,
          maxReceiveCount: MAX_RECEIVES,
        }),
      },
    });
    urls.set(name, queue.queueUrl);
  }
  fauxqs.createQueue(`pool-warden-${stage}-failed-events`);
});

function urlOf(queue: string): string {
  const url = urls.get(queue);
  if (url === undefined) throw new Error(`no queue ${queue}`);
  return url;
}

/** Events that fail every receive of `queue` until SQS parks them in its dead-letter queue. */
async function failEveryReceive(queue: string, bodies: readonly string[]): Promise<void> {
  for (const body of bodies) {
    await sqs.send(new SendMessageCommand({ QueueUrl: urlOf(queue), MessageBody: body }));
  }
  for (let i = 0; i <= MAX_RECEIVES; i++) {
    await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: urlOf(queue),
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      })
    );
  }
}

async function bodiesIn(queue: string): Promise<string[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: urlOf(queue), MaxNumberOfMessages: 10 })
  );
  return Messages.map((m) => m.Body ?? '').sort();
}

function dlq(now = Date.now()) {
  const deps: DlqDeps = {
    clock: new VirtualClock(now),
    sqsClient: () => new SQSClient({ ...loopbackClientConfig(sqsFake.endpoint), maxAttempts: 1 }),
  };
  return (argv: readonly string[]) => runCli(argv, createDlqCommand(deps));
}

describe('warden dlq list', () => {
  it('shows each dead-letter queue’s depth and its oldest message’s age', async () => {
    // Prepare
    await failEveryReceive('notice', ['{"id":"a"}', '{"id":"b"}']);

    // Act
    const { code, lines } = await dlq(Date.now() + 2 * HOUR)(['list', '--stage', stage]);

    // Assess
    expect(code).toBe(0);
    expect(lines[0]).toBe(`dead-letter queues of stage ${stage}`);
    expect(lines[1]).toMatch(
      new RegExp(
        `^pool-warden-${stage}-notice-dlq +2 waiting +0 in flight {2}oldest 2h 0m +never redriven$`
      )
    );
    expect(lines[2]).toMatch(/-caller-dlq +0 waiting +0 in flight {2}oldest - +never redriven$/);
    expect(lines.slice(3).map((l) => l.split(' ')[0])).toEqual([
      `pool-warden-${stage}-intake-dlq`,
      `pool-warden-${stage}-failed-events`,
    ]);
  });

  it('lists as JSON, with ages in seconds', async () => {
    await failEveryReceive('intake', ['{"id":"c"}']);

    const { stdout } = await dlq(Date.now() + 90_000)(['list', '--stage', stage, '--json']);

    const listed = JSON.parse(stdout) as { deadLetterQueues: Record<string, unknown>[] };
    expect(listed.deadLetterQueues.find((q) => q.queue === 'intake')).toEqual({
      queue: 'intake',
      deadLetterQueue: `pool-warden-${stage}-intake-dlq`,
      messages: 1,
      inFlight: 0,
      oldestAgeSeconds: expect.toSatisfy((s: number) => s >= 89 && s <= 95),
    });
  });

  it('fails with the queue’s name when the stage is not deployed', async () => {
    const { code, stderr } = await dlq()(['list', '--stage', 'nowhere']);

    expect(code).toBe(1);
    expect(stderr).toMatch(/SQS: pool-warden-nowhere-notice-dlq: no such queue/);
  });
});

describe('warden dlq redrive', () => {
  it('moves each dead-letter queue’s messages back to its queue, and list shows the move', async () => {
    // Prepare
    await failEveryReceive('notice', ['{"id":"a"}', '{"id":"b"}']);
    await failEveryReceive('caller', ['{"id":"c"}']);
    const run = dlq();

    // Act
    const { code, lines } = await run(['redrive', '--stage', stage]);
    const after = await run(['list', '--stage', stage]);

    // Assess
    expect(code).toBe(0);
    expect(lines).toEqual([
      `pool-warden-${stage}-notice-dlq → pool-warden-${stage}-notice: moving about 2 messages; follow with warden dlq list --stage ${stage}`,
      `pool-warden-${stage}-caller-dlq → pool-warden-${stage}-caller: moving about 1 messages; follow with warden dlq list --stage ${stage}`,
      `pool-warden-${stage}-intake-dlq → pool-warden-${stage}-intake: empty, nothing to move`,
    ]);
    expect(await bodiesIn('notice')).toEqual(['{"id":"a"}', '{"id":"b"}']);
    expect(await bodiesIn('caller')).toEqual(['{"id":"c"}']);
    expect(after.lines[1]).toMatch(/0 waiting .* last redrive COMPLETED: 2 of 2 moved$/);
    expect(sqsFake.tasks.map((t) => t.DestinationArn.split(':').at(-1))).toEqual([
      `pool-warden-${stage}-notice`,
      `pool-warden-${stage}-caller`,
    ]);
  });

  it('moves nothing on a dry run, and only the named queue with --queue', async () => {
    // Prepare
    await failEveryReceive('notice', ['{"id":"a"}']);
    await failEveryReceive('intake', ['{"id":"b"}']);

    // Act
    const dry = await dlq()(['redrive', '--stage', stage, '--dry-run']);
    const one = await dlq()(['redrive', '--stage', stage, '--queue', 'intake']);

    // Assess
    expect(dry.lines).toEqual([
      `pool-warden-${stage}-notice-dlq → pool-warden-${stage}-notice: would move about 1 messages (dry run)`,
      `pool-warden-${stage}-caller-dlq → pool-warden-${stage}-caller: empty, nothing to move`,
      `pool-warden-${stage}-intake-dlq → pool-warden-${stage}-intake: would move about 1 messages (dry run)`,
    ]);
    expect(one.lines).toEqual([
      `pool-warden-${stage}-intake-dlq → pool-warden-${stage}-intake: moving about 1 messages; follow with warden dlq list --stage ${stage}`,
    ]);
    expect(await bodiesIn('intake')).toEqual(['{"id":"b"}']);
    expect(await bodiesIn('notice')).toEqual([]);
  });

  it('reports a redrive SQS refuses while another runs, and exits 1', async () => {
    // Prepare
    await failEveryReceive('notice', ['{"id":"a"}']);
    sqsFake.holdNextTask();
    await dlq()(['redrive', '--stage', stage, '--queue', 'notice']);

    // Act
    const again = await dlq()(['redrive', '--stage', stage, '--queue', 'notice']);
    const listed = await dlq()(['list', '--stage', stage, '--queue', 'notice']);

    // Assess
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      new RegExp(
        `-notice-dlq → .*: not started: SQS: pool-warden-${stage}-notice-dlq: UnsupportedOperation: There is already a task running`
      )
    );
    expect(listed.lines[1]).toMatch(/1 waiting .* last redrive RUNNING: 0 of 1 moved$/);
  });

  it('refuses the failed-events queue and a missing stage as usage errors', async () => {
    const failedEvents = await dlq()(['redrive', '--stage', stage, '--queue', 'failed-events']);
    const noStage = await dlq()(['redrive']);
    const badQueue = await dlq()(['list', '--stage', stage, '--queue', 'notices']);

    expect([failedEvents.code, noStage.code, badQueue.code]).toEqual([2, 2, 2]);
    expect(failedEvents.stderr).toMatch(/SQS cannot redrive it/);
    expect(noStage.stderr).toMatch(/name the stage: --stage S/);
    expect(badQueue.stderr).toMatch(/--queue "notices" is not one of notice, caller, intake/);
  });

  it('refuses a region that is none, from --region or from AWS_REGION, before calling SQS', async () => {
    const flag = await dlq()(['list', '--stage', stage, '--region', 'x y']);
    vi.stubEnv('AWS_REGION', '');
    const env = await dlq()(['list', '--stage', stage]).finally(() => vi.unstubAllEnvs());

    expect([flag.code, env.code]).toEqual([2, 2]);
    expect(flag.stderr).toContain('--region "x y" is not an AWS region such as eu-west-1');
    expect(env.stderr).toContain('AWS_REGION "" is not an AWS region such as eu-west-1');
  });
});
