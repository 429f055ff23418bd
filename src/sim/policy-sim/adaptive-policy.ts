import { chainOutlook } from '../../domain/policy/chain-history.js';
import { decide, type PoolView } from '../../domain/policy/decide.js';
import { confirmsKeep, type Decision, type DecisionContext } from '../../domain/policy/decision.js';
import { addGap } from '../../domain/policy/gap-history.js';
import type { Policy, PoolRule } from '../../domain/policy/policy.js';
import { keepAliveForTarget } from '../../domain/pool/keep-alive.js';
import {
  ALL_KEYS,
  arriveInPlace,
  endInPlace,
  isBehindNewerPool,
  type LiveKeyHistory,
  newLiveKeyHistory,
  pendingArrival,
  shadowCandidate,
} from '../../domain/steward/key-history.js';
import { nextDecisionTime } from '../../domain/steward/pool-schedule.js';
import { type PoolOwner, poolOwners } from '../service-sim/job-events.js';
import type { TraceJob } from '../trace/trace.js';
import { coldExtraSeconds } from './cost-model.js';
import type { SimDecision, SimPolicy, SimPool, SimRunSettings } from './sim-policy.js';

/** The `revisitEvery` default of the config: a kept pool is looked at again every 5 minutes. */
const DEFAULT_REVISIT_EVERY_MS = 5 * 60_000;

/** The whole fleet under one adaptive rule, when no `--config` says otherwise. */
function defaultRule(maxKeepAliveMs: number): PoolRule {
  return {
    name: 'adaptive',
    match: { text: '{}' },
    mode: 'adaptive',
    keepAlive: { minMs: 0, maxMs: maxKeepAliveMs },
    outside: { action: 'release' },
    warnBeforeReleaseMs: 0,
  };
}

/** What the policy keeps per match key. */
interface KeyState {
  /** The key's gap history. */
  readonly history: LiveKeyHistory;
  /** The end times of the key's Available pools by pool id, as the steward reads its store. */
  readonly free: Map<number, number>;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const NO_TAGS: Readonly<Record<string, string>> = Object.freeze({});

/** The evaluator runs on EventBridge Scheduler's minute grid. */
const MINUTE_MS = 60_000;
/** The evaluator takes every pool due within the coming minute (evaluate-due-pools). */
const DUE_SLACK_MS = 60_000;

interface AdaptiveOptions {
  /**
   * Decide when and as the deployed steward does, for parity with service mode: a new pool at
   * its job's end (the table's stream wakes the evaluator), a revisit due at R at the first
   * sweep that takes it (max(now + 1 min, ceil-to-minute(R − 1 min)), as the evaluator takes
   * pools due within the coming minute), and with the policy's one `coldStartWaitSeconds`
   * rather than the wait of each pool's input mode (as policy mode also does under a config).
   */
  readonly asService?: boolean;
  /** Sees every decision taken, e.g. to compare with the service. */
  readonly onDecision?: (pool: SimPool, decision: Decision, now: number) => void;
}

/**
 * The policy the adaptive decides under: the `--config` rules (or one adaptive rule for the
 * whole fleet) with the run's settings; acting, no circuit breaker. Service mode runs the
 * steward under the same policy.
 */
function adaptiveStewardPolicy(settings: SimRunSettings): Policy {
  return {
    settings: {
      dryRun: false,
      maxActionsPerRun: Number.POSITIVE_INFINITY,
      maxActionsPerHour: Number.POSITIVE_INFINITY,
      keepAliveAnchor: settings.keepAliveAnchor,
      maxKeepAliveMs: settings.maxKeepAliveMs,
      leadTimeMs: settings.leadTimeMs,
      revisitEveryMs: settings.policy?.settings.revisitEveryMs ?? DEFAULT_REVISIT_EVERY_MS,
      safetyMarginMs: settings.safetyMarginMs,
      auditRetentionDays: 90,
      valueOfTimeUsdPerHour: settings.valueOfTimeUsdPerHour,
      coldStartBilledSeconds: settings.coldStartBilledSeconds,
      coldStartWaitSeconds: settings.policy?.settings.coldStartWaitSeconds ?? 120,
    },
    rules: settings.policy?.rules ?? [defaultRule(settings.maxKeepAliveMs)],
  };
}

/**
 * Pool Warden's adaptive policy in the backtest: the very `decide()` the evaluator runs in
 * Lambda, fed the way the service feeds it: each key's gap history learns from arrivals and
 * ends (`domain/steward/key-history`), a pool is decided when it becomes Available and again
 * at the steward's schedule (`nextDecisionTime`).
 *
 * Jobs are taken as submitted with the maximum keep-alive, as the README recommends with Warden
 * deployed: a pool then always exists for Warden to shrink or release, which it does the
 * moment the job ends. Budgets are not simulated (no spend is tracked); windows and bounds are.
 *
 * @example createAdaptivePolicy(settings).onAvailable?.(pool, pool.endTime)
 */
function createAdaptivePolicy(settings: SimRunSettings, options: AdaptiveOptions = {}): SimPolicy {
  const policy = adaptiveStewardPolicy(settings);
  const asService = options.asService === true;
  const onDecision = options.onDecision;
  // Histories learn in place: the backtest is their only reader, and a copy per job of a
  // million is most of a backtest's garbage.
  const keys = new Map<string, KeyState>();
  const allKeys = newLiveKeyHistory(ALL_KEYS);
  const warned = new Map<number, number>();
  const lastDecision = new Map<number, Decision>();
  // Each pool's owner, team and tags as the steward records them, when a config names them.
  const config = settings.config;
  const ownerOf = config === undefined ? undefined : poolOwners(config);
  const owners = new Map<number, PoolOwner>();
  // Without a config, one settings object per input mode: the cold-start wait of the pool's
  // own jobs. A config's coldStartWaitSeconds is what its steward decides with, so with one the
  // backtest does too.
  const byMode = new Map<number, Policy>();
  const policyFor = (job: TraceJob): Policy => {
    if (asService || config !== undefined) return policy;
    const wait = coldExtraSeconds(job);
    let p = byMode.get(wait);
    if (p === undefined) {
      p = { ...policy, settings: { ...policy.settings, coldStartWaitSeconds: wait } };
      byMode.set(wait, p);
    }
    return p;
  };
  const stateOf = (key: string): KeyState => {
    let state = keys.get(key);
    if (state === undefined) {
      state = { history: newLiveKeyHistory(key), free: new Map() };
      keys.set(key, state);
    }
    return state;
  };

  const decideNow = (pool: SimPool, now: number, key = stateOf(pool.key)): SimDecision => {
    const p = policyFor(pool.job);
    // Most policies never warn: skip the lookup then (a backtest decides millions of times).
    const warnedFor = warned.size === 0 ? undefined : warned.get(pool.id);
    const job = pool.job;
    const view: Mutable<PoolView> = {
      state: 'Available',
      owner: job.owner ?? '-',
      instanceType: pool.instanceType,
      instanceCount: pool.instanceCount,
      tags: job.tags ?? NO_TAGS,
      endTime: pool.endTime,
      expiresAt: pool.expiresAt,
    };
    const named = owners.get(pool.id);
    if (named !== undefined) {
      view.owner = named.owner;
      view.tags = named.tags;
      if (named.team !== undefined) view.team = named.team;
    } else if (job.team !== undefined) {
      view.team = job.team;
    }
    if (job.account !== undefined) view.account = job.account;
    if (warnedFor !== undefined) view.releaseWarnedFor = warnedFor;
    const keyHistory = key.history;
    const context: Mutable<DecisionContext> = {
      history: keyHistory.histogram,
      globalHistory: allKeys.histogram,
      usdPerHour: pool.usdPerHour,
    };
    const pendingArrivalAt = pendingArrival(keyHistory, pool.endTime, now);
    if (pendingArrivalAt !== undefined) {
      // decide() keeps such a pool before it reads a chain or a shadow: a third of a backtest's
      // decisions are these, so neither is worked out for them.
      context.pendingArrivalAt = pendingArrivalAt;
    } else {
      const chain = chainOutlook(keyHistory.chain, pool.endTime);
      if (chain !== undefined) context.chain = chain;
      const shadow = shadowCandidate(keyHistory, pool.endTime, now);
      if (shadow !== undefined && isBehindNewerPool(pool.endTime, key.free.values(), now)) {
        context.shadowHistory = shadow;
      }
    }
    const decision = decide(view, context, p, now);
    if (decision.warning === true) warned.set(pool.id, decision.until);
    // As the steward does: a pool extended again is no longer announced for release.
    if (decision.action === 'extend' && warned.size > 0) warned.delete(pool.id);
    if (onDecision !== undefined) {
      // As the steward does: a look that only confirms the previous keep is not a new decision.
      const repeated = confirmsKeep(lastDecision.get(pool.id), decision);
      lastDecision.set(pool.id, decision);
      if (!repeated) onDecision(pool, decision, now);
    }
    const update =
      decision.action === 'keep'
        ? undefined
        : keepAliveForTarget(pool.endTime, decision.until, now, p.settings);
    const expiresAt =
      update?.kind === 'set' ? update.expiresAt : update?.kind === 'release' ? now : pool.expiresAt;
    const due = nextDecisionTime(expiresAt, decision, p.settings, now);
    return {
      until: decision.action === 'keep' ? pool.expiresAt : decision.until,
      revisitAt: asService ? sweepTakes(due, now) : due,
    };
  };

  return {
    name: 'adaptive',
    keepAliveAtSubmit: () => settings.maxKeepAliveMs,
    observeArrival(job) {
      // As the steward sees it: a job no free pool of its key awaits starts cold.
      const key = stateOf(job.key);
      const gap = arriveInPlace(key.history, job.submitTime, job.owner, 1, {
        cold: key.free.size === 0,
      });
      // As withGap: every key's gaps together are only a prior, read without their hours.
      if (gap !== undefined) addGap(allKeys.histogram, gap.gapMs, gap.at, false);
    },
    observeEnd(job, now) {
      endInPlace(
        stateOf(job.key).history,
        now,
        job.owner,
        {
          createdAt: job.submitTime,
          startupMs: now - job.submitTime - job.durationMs,
          coldStartWaitMs: policyFor(job).settings.coldStartWaitSeconds * 1000,
        },
        1
      );
    },
    onAvailable(pool, now) {
      if (ownerOf !== undefined) owners.set(pool.id, ownerOf(pool.job));
      const key = stateOf(pool.key);
      key.free.set(pool.id, pool.endTime);
      return decideNow(pool, now, key);
    },
    onRevisit: decideNow,
    // Per-pool memory lives only as long as the pool: state grows with keys, not with jobs.
    onPoolEnd(pool) {
      keys.get(pool.key)?.free.delete(pool.id);
      if (owners.size > 0) owners.delete(pool.id);
      if (warned.size > 0) warned.delete(pool.id);
      if (lastDecision.size > 0) lastDecision.delete(pool.id);
    },
  };
}

/** The minute sweep (after the one at `now`) that takes a pool due at `due`. */
function sweepTakes(due: number, now: number): number {
  return Math.max(now + MINUTE_MS, ceilTo(due - DUE_SLACK_MS, MINUTE_MS));
}

function ceilTo(time: number, step: number): number {
  return Math.ceil(time / step) * step;
}

export type { AdaptiveOptions };
export { adaptiveStewardPolicy, createAdaptivePolicy };
