import type { Context } from 'aws-lambda';
import { MemoryCallerRegistry } from '../adapters/memory/memory-caller-registry.js';
import { MemoryNoticeLedger } from '../adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../adapters/memory/memory-parked-events.js';
import { Outbox } from '../adapters/outbox/outbox.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import { parseStateChangeEvent } from '../domain/event/state-change-event.js';
import type { FinishOutcome } from '../domain/finish/notify-on-finish.js';
import type { Log } from '../domain/ports/log.js';
import { createHandler } from '../handlers/job-state-change.js';
import { type DescribeFixture, ReplaySageMaker } from './replay-sagemaker.js';
import { VirtualClock } from './virtual-clock.js';

/** One input to replay: an event, or a line that could not even be read as JSON. */
type ReplayInput =
  | { readonly source: string; readonly event: unknown }
  | { readonly source: string; readonly error: string };

/** What happened to one input; `source` is the file (and line) it came from. */
type ReplayResult =
  | (FinishOutcome & { readonly source: string })
  | { readonly kind: 'failed'; readonly source: string; readonly reason: string };

interface ReplayOptions {
  readonly config: WardenConfig;
  readonly outboxDir: string;
  readonly fixtures?: ReadonlyMap<string, DescribeFixture>;
  readonly log: Log;
}

interface ReplaySession {
  run(input: ReplayInput): Promise<ReplayResult>;
  /** Paths of the outbox files written so far. */
  readonly written: readonly string[];
}

/**
 * Runs events through the real `job-state-change` handler, middy chain included, with
 * simulated SageMaker, virtual time set to each event's time, an in-memory store and an
 * outbox folder instead of SNS and Slack.
 */
function startReplay(options: ReplayOptions): ReplaySession {
  const clock = new VirtualClock();
  const sageMaker = new ReplaySageMaker(options.fixtures, clock);
  const outbox = new Outbox({
    dir: options.outboxDir,
    from: options.config.notices.emailFrom,
    clock,
  });
  const deps = {
    config: options.config,
    clock,
    sageMaker,
    ledger: new MemoryNoticeLedger(),
    callers: new MemoryCallerRegistry(),
    parked: new MemoryParkedEvents(),
    email: outbox.email,
    slack: outbox.slack,
    log: options.log,
  };
  const handler = createHandler(async () => deps);
  let invocation = 0;

  return {
    written: outbox.written,
    async run(input) {
      if ('error' in input) return { kind: 'rejected', source: input.source, reason: input.error };
      const parsed = parseStateChangeEvent(input.event);
      if (parsed.ok) {
        const { time, job } = parsed.event;
        const at = time ?? job.lastModifiedTime ?? job.endTime;
        if (at !== undefined) clock.advanceTo(at);
        sageMaker.observe(parsed.event);
      }
      invocation += 1;
      try {
        const outcome = await handler(input.event, lambdaContext(`replay-${invocation}`));
        return { ...outcome, source: input.source };
      } catch (error) {
        return {
          kind: 'failed',
          source: input.source,
          reason: error instanceof Error ? error.message : String(error),
        };
      }
    },
  };
}

function lambdaContext(requestId: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'pool-warden-replay',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:pool-warden-replay',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: 'local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 60_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export type { ReplayInput, ReplayResult, ReplaySession };
export { lambdaContext, startReplay };
