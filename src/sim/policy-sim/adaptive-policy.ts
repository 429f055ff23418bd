import { decide, type PoolView } from '../../domain/policy/decide.js';
import type { Policy, PoolRule } from '../../domain/policy/policy.js';
import { keepAliveForTarget } from '../../domain/pool/keep-alive.js';
import type { KeyHistory } from '../../domain/ports/pool-store.js';
import { newKeyHistory, recordArrival, recordEnd } from '../../domain/steward/key-history.js';
import { nextDecisionTime } from '../../domain/steward/pool-schedule.js';
import type { TraceJob } from '../trace/trace.js';
import { coldExtraSeconds } from './cost-model.js';
import type { SimDecision, SimPolicy, SimPool, SimRunSettings } from './sim-policy.js';

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
function createAdaptivePolicy(settings: SimRunSettings): SimPolicy {
  const policy: Policy = {
    settings: {
      dryRun: false,
      maxActionsPerRun: Number.POSITIVE_INFINITY,
      maxActionsPerHour: Number.POSITIVE_INFINITY,
      keepAliveAnchor: settings.keepAliveAnchor,
      maxKeepAliveMs: settings.maxKeepAliveMs,
      leadTimeMs: settings.leadTimeMs,
      safetyMarginMs: settings.safetyMarginMs,
      auditRetentionDays: 90,
      valueOfTimeUsdPerHour: settings.valueOfTimeUsdPerHour,
      coldStartBilledSeconds: settings.coldStartBilledSeconds,
      coldStartWaitSeconds: settings.policy?.settings.coldStartWaitSeconds ?? 120,
    },
    rules: settings.policy?.rules ?? [defaultRule(settings.maxKeepAliveMs)],
  };
  const histories = new Map<string, KeyHistory>();
  const warned = new Map<number, number>();
  // One settings object per input mode: the cold-start wait of the pool's own jobs.
  const byMode = new Map<number, Policy>();
  const policyFor = (job: TraceJob): Policy => {
    const wait = coldExtraSeconds(job);
    let p = byMode.get(wait);
    if (p === undefined) {
      p = { ...policy, settings: { ...policy.settings, coldStartWaitSeconds: wait } };
      byMode.set(wait, p);
    }
    return p;
  };
  const history = (key: string): KeyHistory => {
    let h = histories.get(key);
    if (h === undefined) {
      h = newKeyHistory(key);
      histories.set(key, h);
    }
    return h;
  };

  const decideNow = (pool: SimPool, now: number): SimDecision => {
    const p = policyFor(pool.job);
    const warnedFor = warned.get(pool.id);
    const view: PoolView = {
      state: 'Available',
      owner: pool.job.owner ?? '-',
      ...(pool.job.team === undefined ? {} : { team: pool.job.team }),
      instanceType: pool.instanceType,
      instanceCount: pool.instanceCount,
      tags: pool.job.tags ?? {},
      endTime: pool.endTime,
      expiresAt: pool.expiresAt,
      ...(warnedFor === undefined ? {} : { releaseWarnedFor: warnedFor }),
    };
    const decision = decide(
      view,
      {
        history: history(pool.key).histogram,
        usdPerHour: pool.usdPerHour,
        siblingsAvailable: pool.siblingsAvailable,
      },
      p,
      now
    );
    if (decision.warning === true) warned.set(pool.id, decision.until);
    if (decision.action === 'keep') {
      return {
        until: pool.expiresAt,
        revisitAt: nextDecisionTime(pool.expiresAt, decision, p.settings, now),
      };
    }
    const update = keepAliveForTarget(pool.endTime, decision.until, now, p.settings);
    const expiresAt =
      update.kind === 'set' ? update.expiresAt : update.kind === 'release' ? now : pool.expiresAt;
    return {
      until: decision.until,
      revisitAt: nextDecisionTime(expiresAt, decision, p.settings, now),
    };
  };

  return {
    name: 'adaptive',
    keepAliveAtSubmit: () => settings.maxKeepAliveMs,
    observeArrival(job) {
      histories.set(job.key, recordArrival(history(job.key), job.submitTime, job.owner));
    },
    observeEnd(job, now) {
      histories.set(job.key, recordEnd(history(job.key), now, job.owner));
    },
    onAvailable: decideNow,
    onRevisit: decideNow,
  };
}

export { createAdaptivePolicy };
