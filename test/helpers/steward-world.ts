import { MemoryCallerRegistry } from '../../src/adapters/memory/memory-caller-registry.js';
import { MemoryEventPublisher } from '../../src/adapters/memory/memory-event-publisher.js';
import { MemoryNoticeLedger } from '../../src/adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../../src/adapters/memory/memory-parked-events.js';
import { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import { compilePolicy } from '../../src/domain/config/compile-policy.js';
import type { TerminalStatus } from '../../src/domain/job/job-status.js';
import { noActionLinks } from '../../src/domain/ports/action-links.js';
import type { AuditEntry } from '../../src/domain/ports/pool-store.js';
import type { PoolGateway } from '../../src/domain/ports/sagemaker-gateway.js';
import type { StewardDeps } from '../../src/domain/steward/steward-deps.js';
import { trackPoolEvent } from '../../src/domain/steward/track-pool-event.js';
import {
  type SimJobSpec,
  type SimJobView,
  SimulatedSageMaker,
  type SimulatedSageMakerOptions,
} from '../../src/sim/simulated-sagemaker.js';
import { StewardDriver } from '../../src/sim/steward-driver.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  configFrom,
  recordingLog,
  recordingMetrics,
  recordingSenders,
  stateChangeEvent,
  T0,
  TEAM_CONFIG_YAML,
} from './factories.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const ROLE = 'arn:aws:iam::111122223333:role/VisionTraining';
const INSTANCE_TYPE = 'ml.g5.2xlarge';

/** Settings that act (no dry run), with a 10-minute lead time and a 2-minute margin. */
const DEFAULT_SETTINGS = `settings:
  dryRun: false
  maxActionsPerRun: 50
  maxActionsPerHour: 1000
  keepAliveAnchor: job-end
  maxKeepAlive: 1h
  leadTime: 10m
  revisitEvery: 0s
  safetyMargin: 2m
`;

/** One rule for every pool: a fixed 30-minute keep-alive after the job's end. */
/** One fixed rule for every pool, as the `rules:` section of a config. */
function fixedRules(fixed: string): string {
  return `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: ${fixed} }
`;
}

const DEFAULT_RULES = fixedRules('30m');

interface WorldOptions {
  /** The config's `settings:` section, as YAML. */
  readonly settings?: string;
  /** The config's `rules:` section, as YAML. */
  readonly rules?: string;
  readonly start?: number;
  readonly sim?: Partial<Omit<SimulatedSageMakerOptions, 'clock'>>;
}

interface JobOptions extends Partial<Omit<SimJobSpec, 'name'>> {
  /** Minutes between submit and start. */
  readonly queuedMinutes?: number;
  /** Minutes the job trains. */
  readonly minutes?: number;
  readonly status?: TerminalStatus;
}

/** The decision kinds of the audit, as opposed to what was only observed. */
const DECISION_KINDS: ReadonlySet<AuditEntry['kind']> = new Set([
  'keep',
  'extend',
  'shrink',
  'release',
]);

/**
 * A small steward world for one test: a virtual clock, the simulated SageMaker, the config and
 * policy from YAML (the team of `TEAM_CONFIG_YAML`), in-memory store, ledger and event bus,
 * recording senders, log and metrics, and the deps the use cases take (SageMaker is the simulator,
 * watched: `updates` lists every UpdateTrainingJob). Jobs run on the simulator and
 * yield the EventBridge events SageMaker would have sent.
 */
function stewardWorld(options: WorldOptions = {}) {
  const clock = new VirtualClock(options.start ?? T0);
  const config = configFrom(
    `${TEAM_CONFIG_YAML}${options.settings ?? DEFAULT_SETTINGS}${options.rules ?? DEFAULT_RULES}`
  );
  const policy = compilePolicy(config);
  const sim = new SimulatedSageMaker({
    keepAliveAnchor: policy.settings.keepAliveAnchor,
    maxKeepAliveSeconds: Math.floor(policy.settings.maxKeepAliveMs / 1000),
    ...options.sim,
    clock,
  });
  const store = new MemoryPoolStore(clock);
  const events = new MemoryEventPublisher();
  const senders = recordingSenders();
  const log = recordingLog();
  const metrics = recordingMetrics();
  const parked = new MemoryParkedEvents();
  let beforeUpdate: (name: string, seconds: number) => void = () => undefined;
  const gateway = watchedGateway(sim, clock, (name, seconds) => beforeUpdate(name, seconds));
  const shared = {
    config,
    clock,
    sageMaker: gateway,
    callers: new MemoryCallerRegistry(),
    parked,
    ledger: new MemoryNoticeLedger(),
    email: senders.email,
    slack: senders.slack,
    log,
    metrics,
    actionLinks: noActionLinks,
  };
  const deps: StewardDeps = { ...shared, policy, store, events };

  /** Submits a job now, as alice on the vision team's role, with a 30-minute keep-alive. */
  function submit(name: string, spec: Partial<Omit<SimJobSpec, 'name'>> = {}): SimJobView {
    return sim.submit({
      name,
      roleArn: ROLE,
      instanceType: INSTANCE_TYPE,
      volumeSizeGb: 100,
      keepAliveSeconds: 1800,
      tags: { owner: 'alice' },
      ...spec,
    });
  }

  /**
   * Runs a job from now: submit, start after `queuedMinutes` (1), end after `minutes` (60);
   * the clock follows. Returns the InProgress and terminal events SageMaker sent for it.
   */
  function runJob(name: string, job: JobOptions = {}) {
    const { queuedMinutes = 1, minutes = 60, status = 'Completed', ...spec } = job;
    submit(name, spec);
    clock.advanceTo(clock.now() + queuedMinutes * MINUTE);
    const start = sim.start(name);
    const inProgress = jobEvent(name);
    clock.advanceTo(clock.now() + minutes * MINUTE);
    sim.end(name, status);
    return { start, inProgress, terminal: jobEvent(name), end: clock.now() };
  }

  /**
   * Runs jobs side by side for an hour from now, so none can take another's pool: each ends
   * now, Completed, and its pool is tracked as the intake would.
   */
  async function runTogether(
    names: readonly string[],
    spec: Partial<Omit<SimJobSpec, 'name'>> = {}
  ): Promise<void> {
    for (const name of names) submit(name, spec);
    for (const name of names) sim.start(name);
    clock.advanceTo(clock.now() + 60 * MINUTE);
    for (const name of names) sim.end(name, 'Completed');
    for (const name of names) await trackPoolEvent(jobEvent(name), deps);
  }

  /** The state-change event SageMaker sends for the job as it is now (built like `stateChangeEvent`). */
  function jobEvent(name: string): Record<string, unknown> {
    const view = sim.job(name);
    const raw = sim.describeRaw(name);
    if (view === undefined || raw === undefined) throw new Error(`no simulated job ${name}`);
    return jobEventOf(view, raw);
  }

  /** Runs `hook` just before each UpdateTrainingJob reaches the simulator. */
  function onUpdate(hook: (name: string, seconds: number) => void): void {
    beforeUpdate = hook;
  }

  /** The audit entries of one job. */
  async function auditOf(name: string): Promise<AuditEntry[]> {
    return store.auditLog({ jobName: name, since: 0, limit: 1000 });
  }

  /** A StewardDriver over this world's SageMaker, clock, senders and policy (its own store). */
  function driver(): StewardDriver {
    return new StewardDriver({ ...shared, policy });
  }

  return {
    clock,
    config,
    policy,
    sim,
    /** Every UpdateTrainingJob the steward sent, with the pool's state around it. */
    updates: gateway.updates,
    onUpdate,
    store,
    events,
    senders,
    log,
    /** Every count the steward made, by name and dimensions. */
    metrics,
    parked,
    deps,
    submit,
    runJob,
    runTogether,
    jobEvent,
    auditOf,
    driver,
  };
}

/** One UpdateTrainingJob call as the watched gateway saw it. */
interface WatchedUpdate {
  readonly name: string;
  readonly seconds: number;
  readonly at: number;
  /** The simulator's pool status just before the call. */
  readonly statusBefore?: string;
  /** The simulator's pool expiry just before and after the call (when Available). */
  readonly expiryBefore?: number;
  readonly expiryAfter?: number;
  readonly endTime?: number;
}

/**
 * The simulator as a PoolGateway that records every UpdateTrainingJob with the pool's state
 * around it; `beforeUpdate` runs first, so a test can change the world between the steward's
 * describe and its update.
 */
function watchedGateway(
  sim: SimulatedSageMaker,
  clock: VirtualClock,
  beforeUpdate: (name: string, seconds: number) => void = () => undefined
): PoolGateway & { readonly updates: WatchedUpdate[] } {
  const updates: WatchedUpdate[] = [];
  return {
    updates,
    describeTrainingJob: (name) => sim.describeTrainingJob(name),
    listTags: (arn) => sim.listTags(arn),
    listTrainingJobs: (query) => sim.listTrainingJobs(query),
    async updateKeepAlive(name, seconds) {
      beforeUpdate(name, seconds);
      const before = sim.job(name);
      const result = await sim.updateKeepAlive(name, seconds);
      const after = sim.job(name);
      updates.push({
        name,
        seconds,
        at: clock.now(),
        ...(before?.warmPool?.status === undefined ? {} : { statusBefore: before.warmPool.status }),
        ...(before?.warmPool?.expiresAt === undefined
          ? {}
          : { expiryBefore: before.warmPool.expiresAt }),
        ...(after?.warmPool?.expiresAt === undefined
          ? {}
          : { expiryAfter: after.warmPool.expiresAt }),
        ...(before?.endTime === undefined ? {} : { endTime: before.endTime }),
      });
      return result;
    },
  };
}

/** The state-change event for a simulated job (a `SimJobView` and its describe answer). */
function jobEventOf(view: SimJobView, raw: Record<string, unknown>): Record<string, unknown> {
  const resources = raw.ResourceConfig as Record<string, unknown>;
  const base = stateChangeEvent({
    name: view.name,
    status: view.status,
    secondaryStatus: String(raw.SecondaryStatus ?? view.status),
    endTime: view.endTime ?? view.startTime ?? view.creationTime,
    tags: { owner: 'alice' },
    id: `evt-${view.name}-${view.status}`,
  });
  const detail: Record<string, unknown> = {
    ...(base.detail as Record<string, unknown>),
    RoleArn: raw.RoleArn,
    ResourceConfig: resources,
    CreationTime: view.creationTime,
    TrainingStartTime: view.startTime,
    TrainingEndTime: view.endTime,
    LastModifiedTime: view.endTime ?? view.startTime ?? view.creationTime,
  };
  for (const key of Object.keys(detail)) if (detail[key] === undefined) delete detail[key];
  return { ...base, detail };
}

/** A handler's metrics sink that counts how often the handler wrote its metrics out. */
class FlushCounter {
  flushes = 0;

  flush(): void {
    this.flushes += 1;
  }
}

type StewardWorldHarness = ReturnType<typeof stewardWorld>;

export type { JobOptions, StewardWorldHarness, WatchedUpdate, WorldOptions };
export {
  DECISION_KINDS,
  DEFAULT_RULES,
  DEFAULT_SETTINGS,
  FlushCounter,
  fixedRules,
  HOUR,
  INSTANCE_TYPE,
  jobEventOf,
  MINUTE,
  ROLE,
  stewardWorld,
  watchedGateway,
};
