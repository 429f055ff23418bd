import { SQSClient } from '@aws-sdk/client-sqs';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import {
  type BufferQueue,
  bufferQueues,
  type DeadLetterDepth,
  type MoveTask,
  SqsDeadLetterQueues,
} from '../adapters/aws/sqs-dead-letter-queues.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import type { Clock } from '../domain/ports/clock.js';
import { parseFlags, subcommandOf, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { regionOption } from './region-option.js';
import { checkStage } from './stage-name.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden dlq list --stage S [--region R] [--json]
       warden dlq redrive --stage S [--queue NAME] [--dry-run] [--region R]

Events that failed every receive of their queue (40 over 8 hours) wait 14 days in its
dead-letter queue. Fix the cause first (the function's log group says it), then redrive.

list     each dead-letter queue of the stage: messages waiting, the oldest one's age (of up
         to 10 peeked), and its latest redrive
redrive  moves every message of each non-empty dead-letter queue back to its queue (SQS's
         StartMessageMoveTask); follow the move with \`warden dlq list\`

  --stage S      the deployed stage: queues pool-warden-S-<queue> and pool-warden-S-<queue>-dlq
  --queue NAME   only this queue: notice, caller or intake
  --dry-run      say what would move, and move nothing
  --region R     the stage's region (default: the SDK's, from AWS_REGION or the profile)
  --json         list as one JSON object

failed-events holds what EventBridge could not put into a queue; SQS cannot redrive it (no
source queue): list shows it, and each message's TARGET_ARN attribute names its queue.

Exit status: 0 done, 1 a queue could not be read or a redrive not started, 2 bad arguments.`;

const REDRIVABLE = ['notice', 'caller', 'intake'];

interface DlqDeps {
  readonly clock: Clock;
  sqsClient(region: string | undefined): SQSClient;
}

/** The real AWS: the default credential chain, adaptive retries. */
const defaultDlqDeps: DlqDeps = {
  clock: systemClock,
  sqsClient: (region) =>
    new SQSClient({ ...AWS_CLIENT_OPTIONS, ...(region === undefined ? {} : { region }) }),
};

interface DlqArgs {
  readonly action: 'list' | 'redrive';
  readonly stage: string;
  readonly queue?: string;
  readonly region?: string;
  readonly dryRun: boolean;
  readonly json: boolean;
}

/**
 * `warden dlq list|redrive` with the way to SQS injected, so tests can use a loopback SQS.
 *
 * @example await createDlqCommand(defaultDlqDeps)(['redrive', '--stage', 'prod'], io)
 */
function createDlqCommand(deps: DlqDeps) {
  return async (argv: readonly string[], io: CliIo): Promise<number> => {
    const args = parseDlqArgs(argv);
    if (args === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const client = deps.sqsClient(args.region);
    try {
      const queues = new SqsDeadLetterQueues(client);
      const chosen = bufferQueues(args.stage).filter(
        (q) => args.queue === undefined || q.name === args.queue
      );
      return args.action === 'list'
        ? await list(queues, chosen, args, deps.clock.now(), io)
        : await redrive(queues, chosen, args, io);
    } finally {
      client.destroy();
    }
  };
}

/** `warden dlq …` against the real AWS. */
const dlqCommand = createDlqCommand(defaultDlqDeps);

async function list(
  queues: SqsDeadLetterQueues,
  chosen: readonly BufferQueue[],
  args: DlqArgs,
  now: number,
  io: CliIo
): Promise<number> {
  const rows: { depth: DeadLetterDepth; task: MoveTask | undefined }[] = [];
  for (const queue of chosen) {
    const depth = await queues.depth(queue, { peek: true });
    rows.push({ depth, task: await queues.lastMoveTask(queue) });
  }
  if (args.json) {
    const json = rows.map(({ depth, task }) => ({
      queue: depth.queue.name,
      deadLetterQueue: depth.queue.deadLetter,
      messages: depth.visible,
      inFlight: depth.inFlight,
      ...(depth.oldestSentAt === undefined
        ? {}
        : { oldestAgeSeconds: Math.floor((now - depth.oldestSentAt) / 1000) }),
      ...(task === undefined ? {} : { lastRedrive: task }),
    }));
    io.stdout.write(`${JSON.stringify({ stage: args.stage, deadLetterQueues: json })}\n`);
    return 0;
  }
  const lines = rows.map(({ depth, task }) => {
    const redriven =
      task === undefined
        ? 'never redriven'
        : `last redrive ${task.status}: ${task.moved}${task.toMove === undefined ? '' : ` of ${task.toMove}`} moved${task.failureReason === undefined ? '' : ` (${task.failureReason})`}`;
    return [
      depth.queue.deadLetter.padEnd(widest(rows.map((r) => r.depth.queue.deadLetter))),
      `${String(depth.visible).padStart(6)} waiting`,
      `${String(depth.inFlight).padStart(4)} in flight`,
      `oldest ${oldest(depth, now).padEnd(10)}`,
      redriven,
    ].join('  ');
  });
  io.stdout.write(`dead-letter queues of stage ${args.stage}\n${lines.join('\n')}\n`);
  return 0;
}

async function redrive(
  queues: SqsDeadLetterQueues,
  chosen: readonly BufferQueue[],
  args: DlqArgs,
  io: CliIo
): Promise<number> {
  let failed = 0;
  for (const queue of chosen.filter((q) => q.source !== undefined)) {
    // Counting only: a redrive leaves the messages alone until SQS moves them.
    const depth = await queues.depth(queue, { peek: false });
    const from = `${queue.deadLetter} → ${queue.source}`;
    if (depth.visible === 0) {
      io.stdout.write(`${from}: empty, nothing to move\n`);
      continue;
    }
    if (args.dryRun) {
      io.stdout.write(`${from}: would move about ${depth.visible} messages (dry run)\n`);
      continue;
    }
    try {
      await queues.redrive(queue);
      io.stdout.write(
        `${from}: moving about ${depth.visible} messages; follow with warden dlq list --stage ${args.stage}\n`
      );
    } catch (error) {
      failed += 1;
      io.stderr.write(
        `${from}: not started: ${error instanceof Error ? error.message : String(error)}\n`
      );
    }
  }
  return failed === 0 ? 0 : 1;
}

function oldest(depth: DeadLetterDepth, now: number): string {
  if (depth.oldestSentAt === undefined) return depth.visible === 0 ? '-' : 'unseen';
  return `${age(now - depth.oldestSentAt)}${depth.visible > depth.sampled ? '+' : ''}`;
}

/** 45s, 12m, 5h 3m, 2d 4h. */
function age(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor((s % 86400) / 3600)}h`;
}

function widest(names: readonly string[]): number {
  return Math.max(0, ...names.map((n) => n.length));
}

function parseDlqArgs(argv: readonly string[]): DlqArgs | 'help' {
  const picked = subcommandOf(argv, USAGE, {
    command: 'dlq',
    subs: ['list', 'redrive'],
    needs: 'list or redrive',
  });
  if (picked === 'help') return 'help';
  const { sub: action, rest } = picked;
  return withUsage(USAGE, () => {
    const { values, positionals } = parseFlags({
      args: rest,
      allowPositionals: true,
      strict: true,
      options: {
        stage: { type: 'string' },
        queue: { type: 'string' },
        region: { type: 'string' },
        'dry-run': { type: 'boolean' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    const { stage, queue, region } = values;
    if (stage === undefined) throw new UsageError('name the stage: --stage S');
    checkStage(stage);
    if (queue !== undefined && !REDRIVABLE.includes(queue) && queue !== 'failed-events') {
      throw new UsageError(`--queue "${queue}" is not one of ${REDRIVABLE.join(', ')}`);
    }
    if (action === 'redrive' && queue === 'failed-events') {
      throw new UsageError(
        'failed-events is not a queue’s dead-letter queue: SQS cannot redrive it; send each message to its TARGET_ARN'
      );
    }
    if (values['dry-run'] && action !== 'redrive')
      throw new UsageError('--dry-run goes with redrive');
    if (values.json && action !== 'list') throw new UsageError('--json goes with list');
    regionOption(region, process.env.AWS_REGION);
    return {
      action,
      stage,
      ...(queue === undefined ? {} : { queue }),
      ...(region === undefined ? {} : { region }),
      dryRun: values['dry-run'] ?? false,
      json: values.json ?? false,
    };
  });
}

export type { DlqDeps };
export { createDlqCommand, defaultDlqDeps, dlqCommand };
