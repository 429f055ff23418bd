import {
  countingRandom,
  createLocalActionLinks,
  LOCAL_ACTIONS_BASE_URL,
} from '../adapters/actions/local-action-links.js';
import { MemoryCallerRegistry } from '../adapters/memory/memory-caller-registry.js';
import { MemoryNoticeLedger } from '../adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../adapters/memory/memory-parked-events.js';
import { Outbox } from '../adapters/outbox/outbox.js';
import { compilePolicy } from '../domain/config/compile-policy.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import { parseStateChangeEvent } from '../domain/event/state-change-event.js';
import type { FinishOutcome } from '../domain/finish/notify-on-finish.js';
import type { Log } from '../domain/ports/log.js';
import { noMetrics } from '../domain/ports/metrics.js';
import { type EmailReach, reachEveryone } from '../domain/ports/senders.js';
import { createHandler } from '../handlers/job-state-change.js';
import { lambdaContext } from './lambda-context.js';
import { type DescribeFixture, eventClockTime, ReplaySageMaker } from './replay-sagemaker.js';
import { StewardDriver, type TimedDecision } from './steward-driver.js';
import { VirtualClock } from './virtual-clock.js';

/** One input to replay: an event, or a line that could not even be read as JSON. */
type ReplayInput =
  | { readonly source: string; readonly event: unknown }
  | { readonly source: string; readonly error: string };

/** What happened to one input (`source` is its file and line), or a decision of the steward. */
type ReplayResult =
  | (FinishOutcome & { readonly source: string })
  | { readonly kind: 'failed'; readonly source: string; readonly reason: string }
  | (TimedDecision & { readonly kind: 'decision' });

interface ReplayOptions {
  readonly config: WardenConfig;
  readonly outboxDir: string;
  readonly fixtures?: ReadonlyMap<string, DescribeFixture>;
  /** The addresses the email topic would reach (`--subscribed`); every address by default. */
  readonly emailReach?: EmailReach;
  readonly log: Log;
  /**
   * Where the notices' action links point: `warden actions serve` on this URL (default
   * http://127.0.0.1:8787). Links are signed with the public local key, nonces counted from 0,
   * so the outbox of the same replay is the same every time.
   */
  readonly actionsBaseUrl?: string;
}

interface ReplaySession {
  /** The steward's decisions due before `input`'s time, then the input's own outcome. */
  run(input: ReplayInput): Promise<ReplayResult[]>;
  /** The steward's decisions after the last input, until every pool has ended. */
  finish(): Promise<ReplayResult[]>;
  /** Paths of the outbox files written so far. */
  readonly written: readonly string[];
  /** The steward's state: pools, histories and the audit. */
  readonly steward: StewardDriver;
}

/**
 * Runs events through the real handlers, middy chains included: the finish notice
 * (`job-state-change`) and the warm-pool steward (`pool-intake`, then the every-minute
 * evaluator), with a simulated SageMaker fed by the events, virtual time set to each event's
 * time, in-memory stores and an outbox folder instead of SNS and Slack.
 */
function startReplay(options: ReplayOptions): ReplaySession {
  const clock = new VirtualClock();
  const policy = compilePolicy(options.config);
  const sageMaker = new ReplaySageMaker(options.fixtures, clock, {
    keepAliveAnchor: policy.settings.keepAliveAnchor,
    maxKeepAliveSeconds: Math.round(policy.settings.maxKeepAliveMs / 1000),
  });
  const outbox = new Outbox({
    dir: options.outboxDir,
    from: options.config.notices.emailFrom,
    clock,
  });
  const shared = {
    config: options.config,
    clock,
    sageMaker,
    ledger: new MemoryNoticeLedger(),
    callers: new MemoryCallerRegistry(),
    parked: new MemoryParkedEvents(),
    email: outbox.email,
    slack: outbox.slack,
    emailReach: options.emailReach ?? reachEveryone,
    actionLinks: createLocalActionLinks({
      clock,
      baseUrl: options.actionsBaseUrl ?? LOCAL_ACTIONS_BASE_URL,
      random: countingRandom(),
    }),
    // Replay prints every outcome; there is no alarm to feed.
    metrics: noMetrics,
    log: options.log,
  };
  const handler = createHandler(async () => shared);
  const steward = new StewardDriver({ ...shared, policy });
  let invocation = 0;
  const decisionsOf = (decisions: readonly TimedDecision[]): ReplayResult[] =>
    decisions.map((d) => ({ ...d, kind: 'decision' as const }));

  return {
    written: outbox.written,
    steward,
    async run(input) {
      if ('error' in input) {
        return [{ kind: 'rejected', source: input.source, reason: input.error }];
      }
      const parsed = parseStateChangeEvent(input.event);
      const results: ReplayResult[] = [];
      if (parsed.ok) {
        const at = eventClockTime(parsed.event);
        if (at !== undefined) {
          results.push(...decisionsOf(await steward.runUntil(at)));
          clock.advanceTo(at);
        }
        sageMaker.observe(parsed.event);
      }
      invocation += 1;
      try {
        const outcome = await handler(input.event, lambdaContext(`replay-${invocation}`));
        results.push({ ...outcome, source: input.source });
      } catch (error) {
        results.push({ kind: 'failed', source: input.source, reason: messageOf(error) });
      }
      // The intake parks what it cannot read, as the finish notice already reported it.
      if (parsed.ok) {
        try {
          await steward.intake(input.event);
        } catch (error) {
          results.push({
            kind: 'failed',
            source: input.source,
            reason: `pool intake: ${messageOf(error)}`,
          });
        }
      }
      return results;
    },
    async finish() {
      return decisionsOf(await steward.drain());
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export type { ReplayInput, ReplayResult, ReplaySession };
export { startReplay };
