import { Logger } from '@aws-lambda-powertools/logger';
import {
  countingRandom,
  createLocalActionLinks,
  LOCAL_ACTIONS_BASE_URL,
} from '../../adapters/actions/local-action-links.js';
import { MemoryCallerRegistry } from '../../adapters/memory/memory-caller-registry.js';
import type { MemoryEventPublisher } from '../../adapters/memory/memory-event-publisher.js';
import { MemoryNoticeLedger } from '../../adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../../adapters/memory/memory-parked-events.js';
import type { MemoryPoolStore } from '../../adapters/memory/memory-pool-store.js';
import { Outbox } from '../../adapters/outbox/outbox.js';
import { parseConfig } from '../../domain/config/parse-config.js';
import type { WardenConfig } from '../../domain/config/warden-config.js';
import type { Policy } from '../../domain/policy/policy.js';
import { noActionLinks } from '../../domain/ports/action-links.js';
import type { Log } from '../../domain/ports/log.js';
import { noMetrics } from '../../domain/ports/metrics.js';
import type { SageMakerGateway } from '../../domain/ports/sagemaker-gateway.js';
import { type EmailSender, reachEveryone, type SlackSender } from '../../domain/ports/senders.js';
import { createHandler as createFinishHandler } from '../../handlers/job-state-change.js';
import { lambdaContext } from '../lambda-context.js';
import { adaptiveStewardPolicy } from '../policy-sim/adaptive-policy.js';
import { startLatencySeconds } from '../policy-sim/cost-model.js';
import { EventHeap } from '../policy-sim/event-heap.js';
import { type PolicyResult, Tally } from '../policy-sim/metrics.js';
import type { SimRunSettings } from '../policy-sim/sim-policy.js';
import { type SimOperation, SimulatedSageMaker } from '../simulated-sagemaker.js';
import { StewardDriver, type TimedDecision } from '../steward-driver.js';
import type { Trace, TraceJob } from '../trace/trace.js';
import { VirtualClock } from '../virtual-clock.js';
import { jobNameOf, matchConfigOf, stateChangeEvent, tagsOf } from './job-events.js';

/**
 * Service mode: the trace as the deployed service would live it. Each job becomes the
 * EventBridge events SageMaker sends (InProgress at submit, Completed at its end), run through
 * the real Lambda handlers, middy chains included: the finish notice (`job-state-change`), the
 * pool intake, and the evaluator on EventBridge Scheduler's every-minute grid. SageMaker is the
 * simulator (pools, reuse, expiry, UpdateTrainingJob), time is virtual, notices go to an outbox.
 *
 * The evaluator runs as scheduled: at each minute, taking the pools due within the coming
 * minute (skipping the minutes with nothing due). `StewardDriver.runUntil` sweeps only at the
 * minute after the earliest due pool, so when a pool is decided would depend on other pools;
 * here it depends only on the pool, which policy mode can then reproduce exactly.
 *
 * Jobs are submitted with the maximum keep-alive, as the adaptive policy in policy mode does,
 * so the steward always has a pool to shrink or release. A job takes a pool at its submit time
 * (the simulator matches it, newest pool first), starts after the input mode's cold or warm
 * latency and ends its duration later; the metrics are policy mode's, so the result is one more
 * row of the same table. At one millisecond, job ends come before submits and both before the
 * sweep of that minute, as in policy mode.
 */

/** After the last job, follow pools this long at most (the longest keep-alive is 6 h). */
const DRAIN_LIMIT_MS = 7 * 3_600_000;
const PROGRESS_EVERY = 256;
const REGION = 'us-east-1';
/** The config service mode runs under without `--config`: every notice to one address. */
const DEFAULT_CONFIG_YAML = `version: 1
owners:
  fallback: ml-platform@example.com
`;

interface ServiceModeOptions {
  /** Policy mode's settings: anchor, maximum keep-alive, costs, quota, latency, the config's rules. */
  readonly settings: SimRunSettings;
  /** USD per instance-hour by instance type, from `tracePrices`. */
  readonly prices: ReadonlyMap<string, number>;
  /** Directory, owners and notices; without one, every notice goes to a fallback address. */
  readonly config?: WardenConfig;
  /** Where notices are written as files; absent: rendered and counted, not written. */
  readonly outboxDir?: string;
  /** Where the outbox's action links point (`warden actions serve`; default http://127.0.0.1:8787). */
  readonly actionsBaseUrl?: string;
  /** The result row's name (default `adaptive (service)`). */
  readonly name?: string;
  readonly onProgress?: (done: number, total: number) => void;
  /** Warnings of the use cases (the info lines are dropped). */
  readonly log?: Log;
  /** The handlers' Powertools logger (default: silent; one JSON line per invocation otherwise). */
  readonly lambdaLogger?: Logger;
}

/** How one trace job started in service mode. */
interface ServiceJob {
  readonly index: number;
  readonly name: string;
  readonly start: 'warm' | 'cold';
}

/** A decision of the steward, with the trace index of the pool's job. */
type ServiceDecision = TimedDecision & { readonly index: number };

interface ServiceModeResult {
  /** Policy mode's metrics; `apiCalls` are the steward's SageMaker calls. */
  readonly result: PolicyResult;
  /** Every job in trace order. */
  readonly jobs: readonly ServiceJob[];
  /** The steward's decisions in time order. */
  readonly decisions: readonly ServiceDecision[];
  /** Notices rendered: finish notices and pool notices, per channel. */
  readonly notices: { readonly email: number; readonly slack: number };
  /** Paths of the outbox files (empty without `outboxDir`). */
  readonly written: readonly string[];
  /** SageMaker calls by operation: the steward's and the finish notice's together. */
  readonly sageMakerCalls: Readonly<Record<SimOperation, number>>;
  /** The steward's pools, histories and audit, for `saveState`. */
  readonly store: MemoryPoolStore;
  /** What the steward published to EventBridge. */
  readonly events: MemoryEventPublisher;
  /** The policy the steward ran. */
  readonly policy: Policy;
}

/** The built-in config of service mode runs without `--config`. */
function defaultServiceConfig(): WardenConfig {
  const parsed = parseConfig(DEFAULT_CONFIG_YAML, 'service-mode defaults');
  if (!parsed.ok) throw new TypeError(`built-in config rejected: ${parsed.issues.join('; ')}`);
  return parsed.config;
}

/**
 * The steward's policy in service mode: policy mode's adaptive policy (same rules and
 * settings), with the config's dry-run switch and circuit breakers when a config was given.
 */
function servicePolicy(settings: SimRunSettings): Policy {
  const adaptive = adaptiveStewardPolicy(settings);
  const configured = settings.policy?.settings;
  if (configured === undefined) return adaptive;
  return {
    ...adaptive,
    settings: {
      ...adaptive.settings,
      dryRun: configured.dryRun,
      maxActionsPerRun: configured.maxActionsPerRun,
      maxActionsPerHour: configured.maxActionsPerHour,
      auditRetentionDays: configured.auditRetentionDays,
    },
  };
}

/**
 * Runs the trace through the service (see the module comment) and measures it as policy mode
 * measures a policy.
 *
 * @example (await runServiceMode(trace, { settings, prices, outboxDir: 'out/outbox' })).result
 */
async function runServiceMode(
  trace: Trace,
  options: ServiceModeOptions
): Promise<ServiceModeResult> {
  const { settings } = options;
  const jobs = trace.jobs;
  const clock = new VirtualClock(jobs[0]?.submitTime ?? 0);
  const base = options.config ?? defaultServiceConfig();
  // Policy mode prices from the run's settings; the steward reads the config's.
  const config: WardenConfig = { ...base, prices: { ...base.prices, ...settings.prices } };
  const policy = servicePolicy(settings);
  const sageMaker = new SimulatedSageMaker({
    clock,
    region: REGION,
    keepAliveAnchor: settings.keepAliveAnchor,
    maxKeepAliveSeconds: Math.floor(settings.maxKeepAliveMs / 1000),
    warmPoolQuota: settings.quota,
  });
  const submitSeconds = Math.floor(settings.maxKeepAliveMs / 1000);
  const notices = { email: 0, slack: 0 };
  const senders = options.outboxDir === undefined ? undefined : outboxOf(options, config, clock);
  const email: EmailSender = {
    send: async (message, ref) => {
      notices.email += 1;
      await senders?.email.send(message, ref);
    },
  };
  const slack: SlackSender = {
    send: async (target, message, ref) => {
      notices.slack += 1;
      await senders?.slack.send(target, message, ref);
    },
  };
  // The finish notice's own SageMaker calls, so the steward's can be told apart.
  let noticeCalls = 0;
  const noticeGateway: SageMakerGateway = {
    describeTrainingJob: (name) => {
      noticeCalls += 1;
      return sageMaker.describeTrainingJob(name);
    },
    listTags: (arn) => {
      noticeCalls += 1;
      return sageMaker.listTags(arn);
    },
  };
  const log = options.log ?? {
    info: () => undefined,
    warn: () => undefined,
    error: () => undefined,
  };
  // Links only where someone can read them: a backtest without an outbox signs nothing.
  const actionLinks =
    senders === undefined
      ? noActionLinks
      : createLocalActionLinks({
          clock,
          baseUrl: options.actionsBaseUrl ?? LOCAL_ACTIONS_BASE_URL,
          random: countingRandom(),
        });
  const shared = {
    config,
    clock,
    actionLinks,
    ledger: new MemoryNoticeLedger(),
    callers: new MemoryCallerRegistry(),
    parked: new MemoryParkedEvents(),
    email,
    slack,
    log,
  };
  const lambdaLog = options.lambdaLogger ?? new Logger({ logLevel: 'SILENT' });
  const finish = createFinishHandler(
    async () => ({
      ...shared,
      sageMaker: noticeGateway,
      metrics: noMetrics,
      emailReach: reachEveryone,
    }),
    lambdaLog
  );
  // The steward's real intake and every-minute evaluator, as replay runs them.
  const steward = new StewardDriver(
    { ...shared, sageMaker, policy, metrics: noMetrics },
    lambdaLog
  );
  const { store, events } = steward;

  const names = jobs.map((job, index) => jobNameOf(job, index));
  const indexOf = new Map(names.map((name, index) => [name, index]));
  const starts: ('warm' | 'cold')[] = new Array(jobs.length);
  const decisions: ServiceDecision[] = [];
  let invocation = 0;
  const context = (kind: string) => {
    invocation += 1;
    return lambdaContext(`${kind}-${invocation}`);
  };

  /** The every-minute evaluator, for each minute before `time` at which it has work. */
  const sweepBefore = async (time: number): Promise<void> => {
    for (const d of await steward.runBefore(time)) {
      decisions.push({ ...d, index: indexOf.get(d.job) ?? -1 });
    }
  };

  const deliver = async (event: Record<string, unknown>): Promise<void> => {
    await finish(event, context('finish'));
    await steward.intake(event);
  };

  const submit = async (job: TraceJob, index: number): Promise<number> => {
    const name = names[index] as string;
    const tags = tagsOf(job, config);
    sageMaker.submit({
      name,
      creationTime: job.submitTime,
      ...matchConfigOf(job),
      keepAliveSeconds: submitSeconds,
      inputMode: inputModeName(job),
      tags,
    });
    const created = sageMaker.describeRaw(name) ?? {};
    // Training starts (TrainingStartTime) once the start-up, warm or cold, is over.
    const startupMs = (start: 'warm' | 'cold') =>
      Math.round(startLatencySeconds(settings.latency, job, index, start === 'cold') * 1000);
    const start = sageMaker.start(name, job.submitTime, startupMs);
    starts[index] = start;
    await deliver(stateChangeEvent(created, tags, job.submitTime, REGION));
    return job.submitTime + startupMs(start) + job.durationMs;
  };

  const end = async (job: TraceJob, index: number, at: number): Promise<void> => {
    const name = names[index] as string;
    sageMaker.end(name, 'Completed', at);
    await deliver(
      stateChangeEvent(sageMaker.describeRaw(name) ?? {}, tagsOf(job, config), at, REGION)
    );
  };

  // Job ends, each carrying its job's index in the trace.
  const heap = new EventHeap<number>();
  let next = 0;
  let seq = 0;
  for (;;) {
    const endingAt = heap.peekTime();
    const arriving = jobs[next];
    const isArrival = arriving !== undefined && arriving.submitTime < endingAt;
    if (!isArrival && heap.size === 0) break;
    const time = isArrival ? (arriving as TraceJob).submitTime : endingAt;
    await sweepBefore(time);
    clock.advanceTo(time);
    if (isArrival) {
      const endAt = await submit(arriving as TraceJob, next);
      heap.push(endAt, 0, seq++, next);
      next += 1;
      if (options.onProgress !== undefined && next % PROGRESS_EVERY === 0) {
        options.onProgress(next, jobs.length);
      }
    } else {
      const index = heap.pop() as number;
      await end(jobs[index] as TraceJob, index, time);
    }
  }
  await sweepBefore(clock.now() + DRAIN_LIMIT_MS);
  // Every pool ends by its keep-alive at the latest; settle them all for the idle time.
  clock.advanceTo(clock.now() + DRAIN_LIMIT_MS);
  options.onProgress?.(jobs.length, jobs.length);

  const stats = sageMaker.stats();
  const calls = Object.values(stats.calls).reduce((a, b) => a + b, 0);
  const result = measure(trace, sageMaker, names, starts, options);
  return {
    result: { ...result, apiCalls: calls - noticeCalls },
    jobs: names.map((name, index) => ({ index, name, start: starts[index] ?? 'cold' })),
    decisions,
    notices,
    written: senders?.written ?? [],
    sageMakerCalls: stats.calls,
    store,
    events,
    policy,
  };
}

/** Policy mode's metrics, read off the simulator: starts, retained pool time, quota denials. */
function measure(
  trace: Trace,
  sageMaker: SimulatedSageMaker,
  names: readonly string[],
  starts: readonly ('warm' | 'cold')[],
  options: ServiceModeOptions
): PolicyResult {
  const { settings, prices } = options;
  const tally = new Tally();
  trace.jobs.forEach((job, index) => {
    const price = prices.get(job.instanceType);
    if (price === undefined) throw new TypeError(`no price for ${job.instanceType}`);
    if (starts[index] === 'warm') {
      tally.warm(job);
    } else {
      tally.cold(job, index, price, settings);
    }
    const pool = sageMaker.job(names[index] as string)?.warmPool;
    if (pool?.freedAt === undefined) {
      // Submitted with a keep-alive and ended healthy: no pool means the quota said no.
      tally.quotaDenied += 1;
      return;
    }
    tally.pools += 1;
    tally.pool(job, Math.max(0, (pool.closedAt ?? pool.freedAt) - pool.freedAt), price);
  });
  return tally.result(options.name ?? 'adaptive (service)');
}

function outboxOf(options: ServiceModeOptions, config: WardenConfig, clock: VirtualClock): Outbox {
  return new Outbox({
    dir: options.outboxDir as string,
    from: config.notices.emailFrom,
    clock,
  });
}

/** SageMaker's TrainingInputMode: FSx for Lustre is mounted in File mode. */
function inputModeName(job: TraceJob): string {
  return job.inputMode === 'ffm' ? 'FastFile' : 'File';
}

export type { ServiceDecision, ServiceJob, ServiceModeOptions, ServiceModeResult };
export { defaultServiceConfig, runServiceMode, servicePolicy };
