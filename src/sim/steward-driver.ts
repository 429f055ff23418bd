import type { Logger } from '@aws-lambda-powertools/logger';
import { newPoolsStreamEvent } from '../adapters/aws/pool-stream.js';
import { MemoryEventPublisher } from '../adapters/memory/memory-event-publisher.js';
import { MemoryPoolStore } from '../adapters/memory/memory-pool-store.js';
import type { Policy } from '../domain/policy/policy.js';
import {
  DUE_SLACK_MS,
  type PoolRef,
  type SweepDecision,
} from '../domain/steward/evaluate-due-pools.js';
import {
  type ReconcileOptions,
  type ReconcileOutcome,
  reconcilePools,
} from '../domain/steward/reconcile-pools.js';
import type { HumanUpdateOutcome } from '../domain/steward/record-human-update.js';
import type { StewardDeps } from '../domain/steward/steward-deps.js';
import type { IntakeOutcome } from '../domain/steward/track-pool-event.js';
import { createHandler as createEvaluator } from '../handlers/evaluate-pools.js';
import { createHandler as createIntake } from '../handlers/pool-intake.js';
import { lambdaContext } from './lambda-context.js';
import type { VirtualClock } from './virtual-clock.js';

/** The evaluator runs on EventBridge Scheduler's minute grid. */
const SWEEP_EVERY_MS = 60_000;
/** After the last event, follow pools this long at most (the longest keep-alive is 6 h). */
const DRAIN_LIMIT_MS = 7 * 3_600_000;
/** A reconciliation pages for as long as its Lambda would: 60 s less the handler's reserve. */
const RECONCILE_BUDGET_MS = 30_000;

type StewardWorld = Omit<StewardDeps, 'store' | 'events' | 'policy'> & {
  readonly policy: Policy;
  readonly clock: VirtualClock;
};

/** A decision as the replay and the service-mode simulation report it, with its time. */
type TimedDecision = SweepDecision & { readonly at: number };

/**
 * The warm-pool steward as it runs in Lambda — the real pool-intake and evaluator handlers,
 * middy chains included — on a virtual clock, an in-memory store and event bus, and whatever
 * SageMaker the caller gives it (the simulator). Time moves only when the caller says; the
 * evaluator runs on each minute at which some pool is due, as the every-minute schedule would,
 * without spending a call on the minutes in between, and at once for a pool just tracked, as
 * the table's stream wakes it.
 */
class StewardDriver {
  readonly store: MemoryPoolStore;
  readonly events = new MemoryEventPublisher();
  private readonly deps: StewardDeps;
  private readonly intakeHandler;
  private readonly evaluator;
  private invocation = 0;
  private lastSweepAt = Number.NEGATIVE_INFINITY;
  /** Pools first written since the last wake, as the table's stream carries them. */
  private inserted: PoolRef[] = [];
  /** Decisions the table's stream woke the evaluator for, until the next sweep reports them. */
  private readonly woken: TimedDecision[] = [];

  /** `log` is the handlers' Powertools logger (the service's own by default). */
  constructor(
    private readonly world: StewardWorld,
    log?: Logger
  ) {
    this.store = new MemoryPoolStore(world.clock, (pool) => this.inserted.push(pool));
    const deps: StewardDeps = { ...world, store: this.store, events: this.events };
    this.deps = deps;
    this.intakeHandler = createIntake(
      async () => deps,
      () => false,
      log
    );
    this.evaluator = createEvaluator(async () => deps, log);
  }

  /**
   * Runs one EventBridge event (a state change or a CloudTrail call) through the intake; a pool
   * it tracks wakes the evaluator at once, as the table's stream does.
   */
  async intake(event: unknown): Promise<IntakeOutcome | HumanUpdateOutcome> {
    try {
      return await this.intakeHandler(event, this.context());
    } finally {
      await this.wake();
    }
  }

  /** Runs every evaluator sweep at or before `time`, advancing the clock; returns the decisions. */
  async runUntil(time: number): Promise<TimedDecision[]> {
    return this.sweep(time, time, true);
  }

  /** Runs every evaluator sweep strictly before `time` (events at `time` come first). */
  async runBefore(time: number): Promise<TimedDecision[]> {
    // A sweep before `time` can take pools due up to a minute after it (DUE_SLACK_MS).
    return this.sweep(time, time - 1 + DUE_SLACK_MS, false);
  }

  /** Sweeps on the minute grid while a pool due by `dueBy` has a sweep minute up to `time`. */
  private async sweep(time: number, dueBy: number, inclusive: boolean): Promise<TimedDecision[]> {
    const decisions: TimedDecision[] = this.woken.splice(0);
    for (;;) {
      const [next] = await this.store.poolsDue(dueBy, 1);
      if (next?.nextDecisionAt === undefined) break;
      // One sweep a minute at most, as scheduled: a pool whose evaluation failed stays due and
      // is tried again on the next minute, never in a tight loop. A sweep at minute m takes
      // every pool due before m + 1 min (DUE_SLACK_MS), as deployed.
      const at = Math.max(
        this.lastSweepAt + SWEEP_EVERY_MS,
        ceilTo(Math.max(this.world.clock.now(), next.nextDecisionAt - DUE_SLACK_MS), SWEEP_EVERY_MS)
      );
      if (inclusive ? at > time : at >= time) break;
      this.world.clock.advanceTo(at);
      this.lastSweepAt = at;
      const outcome = await this.evaluator({}, this.context());
      if (outcome.kind === 'paused') break;
      for (const d of outcome.decisions) decisions.push({ ...d, at });
    }
    return decisions;
  }

  /**
   * One reconciliation run (every 30 minutes in the service) at the clock's now, on the
   * driver's deps: adopts Available pools whose events never arrived. Paging sleeps move the clock.
   */
  async reconcile(options: Partial<ReconcileOptions> = {}): Promise<ReconcileOutcome> {
    try {
      return await reconcilePools(this.deps, {
        deadline: this.world.clock.now() + RECONCILE_BUDGET_MS,
        region: 'us-east-1',
        ...options,
      });
    } finally {
      await this.wake();
    }
  }

  /**
   * The table's stream: pools first written since the last look wake the evaluator now. A wake
   * that fails is logged and left, as Lambda drops a stream batch that keeps failing: its pools
   * stay due and the sweep decides them.
   */
  private async wake(): Promise<void> {
    const pools = this.inserted;
    this.inserted = [];
    if (pools.length === 0) return;
    const at = this.world.clock.now();
    try {
      const outcome = await this.evaluator(newPoolsStreamEvent(pools), this.context());
      if (outcome.kind === 'paused') return;
      for (const d of outcome.decisions) this.woken.push({ ...d, at });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.world.log.warn('stream wake failed; the sweep decides its pools', { error: message });
    }
  }

  /** Follows every pool to its end after the last event: the rest of the day's decisions. */
  async drain(): Promise<TimedDecision[]> {
    return this.runUntil(this.world.clock.now() + DRAIN_LIMIT_MS);
  }

  private context() {
    this.invocation += 1;
    return lambdaContext(`steward-${this.invocation}`);
  }
}

function ceilTo(time: number, step: number): number {
  return Math.ceil(time / step) * step;
}

export type { StewardWorld, TimedDecision };
export { StewardDriver };
