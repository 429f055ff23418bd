import { formatDuration } from '../duration.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import { chainOutlook } from '../policy/chain-history.js';
import { decide, ruleMatches } from '../policy/decide.js';
import { confirmsKeep, type Decision } from '../policy/decision.js';
import { emptyHistogram, type GapHistogram } from '../policy/gap-history.js';
import type { Budget } from '../policy/policy.js';
import { localTime } from '../policy/working-window.js';
import { expiryOf, keepAliveForTarget } from '../pool/keep-alive.js';
import {
  type DecisionOutcome,
  isGone,
  type PoolRecord,
  type PoolState,
  withDecision,
} from '../pool/pool-record.js';
import { decisionEvents } from '../pool/warden-events.js';
import type { KeyHistory } from '../ports/pool-store.js';
import { hourlyPrice } from '../pricing/price-table.js';
import { auditEntry } from './audit-entry.js';
import {
  ALL_KEYS,
  isBehindNewerPool,
  isWarmStartNews,
  pendingArrival,
  recordWarmStart,
  shadowCandidate,
} from './key-history.js';
import { notifyPoolChange } from './pool-notices.js';
import { nextDecisionTime } from './pool-schedule.js';
import type { StewardDeps } from './steward-deps.js';
import { countDecision } from './steward-metrics.js';
import { budgetDay, committedSpend, type Spend } from './team-spend.js';
import { updateHistory } from './update-history.js';

/**
 * One evaluation run's shared state: the circuit breaker's count, and what every pool of the
 * run reads alike (the all-keys history, the live pools, each team's recorded spend), read once.
 */
interface EvaluationRun {
  actions: number;
  /** The hourly breaker counts from here when an admin resumed within the hour. */
  countFrom?: number;
  /** The clock minute of the run's first action, which all its actions count in. */
  minuteStart?: number;
  /** Set once the breaker trips: no further action in this run (or later, until resumed). */
  tripped?: string;
  allKeys?: Promise<GapHistogram | undefined>;
  livePools?: Promise<PoolRecord[]>;
  readonly recordedSpend: Map<string, Promise<{ usd: number; instanceHours: number }>>;
}

function newRun(): EvaluationRun {
  return { actions: 0, recordedSpend: new Map() };
}

type PoolEvaluation =
  | { readonly kind: 'gone'; readonly pool: PoolRecord; readonly state: PoolState }
  | {
      readonly kind: 'decided';
      readonly pool: PoolRecord;
      readonly decision: Decision;
      readonly outcome: DecisionOutcome;
      readonly keepAliveSeconds?: number;
      /** It only confirmed the previous decision, so it was neither audited nor published. */
      readonly repeated?: boolean;
    }
  | { readonly kind: 'conflict'; readonly pool: PoolRecord };

/**
 * Looks at one tracked pool now and acts on it under the policy.
 *
 * 1. Describe the job again and check it is the pool's own (ARN and creation time): a pool that
 *    was reused or terminated meanwhile is recorded as such, with its retained cost, not raised.
 * 2. Decide (pure), with the key's gap history and the team's spend today as context.
 * 3. Act unless dry-run, a keep, the circuit breaker or a pause (read again now) says stop:
 *    UpdateTrainingJob with the keep-alive that makes the pool expire at the decided time under
 *    the anchor setting, then describe once more: a pool that update ended trips the breaker.
 * 4. Save the pool with its next decision time, audit the decision, tell the owner of a change
 *    or a planned release, and publish the decision (and action) to EventBridge.
 */
async function evaluatePool(
  tracked: PoolRecord,
  deps: StewardDeps,
  run: EvaluationRun
): Promise<PoolEvaluation> {
  const now = deps.clock.now();
  const settings = deps.policy.settings;
  // The context first and SageMaker last, so the pool is described as close to acting as can be.
  const keyHistory = await deps.store.getHistory(tracked.matchKey);
  const history = keyHistory?.histogram ?? emptyHistogram();
  run.allKeys ??= deps.store.getHistory(ALL_KEYS).then((h) => h?.histogram);
  const allKeys = await run.allKeys;
  const described = await deps.sageMaker.describeTrainingJob(tracked.jobName, tracked.jobArn);
  const refreshed = refresh(tracked, described, settings.keepAliveAnchor, now);
  if (isGone(refreshed.state)) {
    return recordGone(tracked, refreshed, deps, now, { history: keyHistory });
  }

  const price = hourlyPrice(refreshed.instanceType, deps.config.prices);
  // A matching job created after this pool freed up may be taking it right now (SageMaker
  // matches it while the job starts): never release the pool under it.
  const pendingArrivalAt = pendingArrival(keyHistory, refreshed.endTime, now);
  const shadow = await shadowIfBehindNewerPool(keyHistory, refreshed, deps, now);
  const chain = chainOutlook(keyHistory?.chain, refreshed.endTime);
  const budgetRule = deps.policy.rules.find((r) => ruleMatches(r, refreshed));
  const spendToday =
    refreshed.team === undefined || budgetRule?.budget === undefined
      ? undefined
      : await teamSpend(refreshed.team, budgetRule.budget, deps, run, now);
  const decision = decide(
    refreshed,
    {
      history,
      ...(allKeys === undefined ? {} : { globalHistory: allKeys }),
      ...(price === undefined ? {} : { usdPerHour: price.usdPerHour }),
      ...(spendToday === undefined ? {} : { spendToday }),
      ...(pendingArrivalAt === undefined ? {} : { pendingArrivalAt }),
      ...(shadow === undefined ? {} : { shadowHistory: shadow }),
      ...(chain === undefined ? {} : { chain }),
    },
    deps.policy,
    now
  );

  let pool = refreshed;
  let outcome: DecisionOutcome = 'no-op';
  let reason = decision.reason;
  let keepAliveSeconds: number | undefined;
  let stoppedByBreaker = false;
  if (decision.action !== 'keep') {
    const update = keepAliveForTarget(pool.endTime, decision.until, now, settings);
    if (update.kind === 'unreachable') {
      outcome = 'skipped';
      reason += `; not applied: ${update.reason}`;
    } else if (settings.dryRun) {
      outcome = 'dry-run';
      keepAliveSeconds = update.seconds;
    } else {
      const gate = await mayAct(run, deps, now);
      if (gate.kind === 'paused') {
        // An admin paused the steward while this run was going: stop before the next action.
        outcome = 'skipped';
        reason += '; not applied: the steward was paused';
      } else if (gate.kind === 'breaker') {
        outcome = 'skipped';
        stoppedByBreaker = true;
        reason += `; not applied: circuit breaker (${run.tripped})`;
      } else {
        keepAliveSeconds = update.seconds;
        const result = await takeCountedAction(gate.counted, deps, () =>
          deps.sageMaker.updateKeepAlive(pool.jobName, update.seconds, pool.jobArn)
        );
        run.actions += 1;
        tripAtHourLimit(run, deps, gate.counted);
        if (result.kind === 'not-updatable') {
          // Reused or terminated between our describe and the update: learn which, calmly.
          const again = await deps.sageMaker.describeTrainingJob(pool.jobName, pool.jobArn);
          const after = refresh(pool, again, settings.keepAliveAnchor);
          if (isGone(after.state)) {
            return recordGone(tracked, after, deps, now, { history: keyHistory });
          }
          outcome = 'failed';
          reason += `; UpdateTrainingJob refused: ${result.reason}`;
        } else {
          outcome = 'applied';
          pool = {
            ...pool,
            keepAliveSeconds: update.seconds,
            updatedAt: now,
            expiresAt: update.kind === 'release' ? now : update.expiresAt,
            ...(update.kind === 'release' ? { state: 'Terminated' as const } : {}),
          };
          if (update.kind === 'set') {
            // A keep-alive meant to keep the pool must not have ended it: if it did, the anchor
            // setting is wrong for this account, and no further action is safe until an admin looks.
            const after = await deps.sageMaker.describeTrainingJob(pool.jobName, pool.jobArn);
            const state = after?.warmPool?.status;
            if (state === 'Terminated' && after?.arn === pool.jobArn) {
              run.tripped = `UpdateTrainingJob(${update.seconds} s) ended ${pool.jobName} at once: is keepAliveAnchor right for this account?`;
              pool = { ...pool, state: 'Terminated', expiresAt: now };
              reason += `; the pool ended at once (${run.tripped})`;
            }
          }
        }
      }
    }
  }

  // A look that only confirms the previous keep (same target, same reason) is not audited or
  // published again: the audit lists each distinct decision, not every minute a pool waited.
  const previous = refreshed.decisions[refreshed.decisions.length - 1];
  if (confirmsKeep(previous, { ...decision, reason })) {
    const rescheduled = {
      ...refreshed,
      nextDecisionAt: nextDecisionTime(refreshed.expiresAt, decision, settings, now),
      version: tracked.version + 1,
    };
    if ((await deps.store.putPool(rescheduled)) === 'conflict') {
      return { kind: 'conflict', pool: tracked };
    }
    return { kind: 'decided', pool: rescheduled, decision, outcome: 'no-op', repeated: true };
  }

  const warned = decision.warning === true && outcome === 'applied';
  if (decision.action === 'extend' && outcome === 'applied') {
    // A pool wanted again is no longer announced for release: the next release warns anew.
    const { releaseWarnedFor: _cleared, ...rest } = pool;
    pool = rest;
  }
  pool = withDecision(
    {
      ...pool,
      ...(warned ? { releaseWarnedFor: decision.until } : {}),
      version: tracked.version + 1,
    },
    {
      at: now,
      action: decision.action,
      until: decision.until,
      reason,
      ...(decision.rule === undefined ? {} : { rule: decision.rule }),
      outcome,
    }
  );
  pool = isGone(pool.state)
    ? withoutSchedule(pool)
    : { ...pool, nextDecisionAt: nextDecisionTime(pool.expiresAt, decision, settings, now) };
  const saved = pool;
  const auditAndCount = async (auditReason: string): Promise<void> => {
    await deps.store.audit(
      auditEntry(saved, {
        at: now,
        kind: decision.action,
        until: decision.until,
        ...(keepAliveSeconds === undefined ? {} : { keepAliveSeconds }),
        reason: auditReason,
        ...(decision.rule === undefined ? {} : { rule: decision.rule }),
        outcome,
      }),
      settings.auditRetentionDays
    );
    countDecision(deps.metrics, {
      action: decision.action,
      outcome,
      stoppedByBreaker,
      previousExpiry: refreshed.expiresAt,
      ...(price === undefined ? {} : { price }),
      pool: saved,
    });
  };
  if ((await deps.store.putPool(pool)) === 'conflict') {
    // The action happened; another writer got the record first. Keep the trace of it.
    if (outcome === 'applied') {
      await auditAndCount(
        `${reason}; applied, but the pool record changed meanwhile and is re-read next run`
      );
    }
    return { kind: 'conflict', pool: tracked };
  }
  // What the team has committed changed: the next pool of the team in this run sees it.
  if (run.livePools !== undefined) run.livePools = replaceLive(await run.livePools, pool);
  // A pool Warden released is gone now and no later describe records it: count its idle time
  // here, or the team's budget would forget it.
  if (outcome === 'applied' && pool.state === 'Terminated') {
    await addRetainedSpend(pool, now, deps, now);
    if (pool.team !== undefined) run.recordedSpend.delete(pool.team);
  }

  const finalDecision = { ...decision, reason };
  await auditAndCount(reason);
  if (outcome === 'applied') {
    await notifyPoolChange(
      {
        pool,
        previousExpiry: refreshed.expiresAt,
        decision: finalDecision,
        ...(price === undefined ? {} : { price }),
      },
      deps
    );
  }
  await publishQuietly(
    deps,
    decisionEvents({
      pool,
      previousExpiry: refreshed.expiresAt,
      decision: finalDecision,
      outcome,
      dryRun: settings.dryRun,
      at: now,
      ...(keepAliveSeconds === undefined ? {} : { keepAliveSeconds }),
    })
  );
  return {
    kind: 'decided',
    pool,
    decision: finalDecision,
    outcome,
    ...(keepAliveSeconds === undefined ? {} : { keepAliveSeconds }),
  };
}

/**
 * The key's shadow histogram when a free pool of the key that freed up after this one stands in
 * front of it (SageMaker hands that one out first). The store is asked only when the key's
 * history says such a pool may exist, which is rare outside bursts.
 */
async function shadowIfBehindNewerPool(
  history: KeyHistory | undefined,
  pool: PoolRecord,
  deps: StewardDeps,
  now: number
): Promise<GapHistogram | undefined> {
  const shadow = shadowCandidate(history, pool.endTime, now);
  if (shadow === undefined) return undefined;
  const free = (await deps.store.poolsOfKey(pool.matchKey))
    .filter((p) => p.state === 'Available' && p.expiresAt > now && p.jobArn !== pool.jobArn)
    .map((p) => p.endTime);
  return isBehindNewerPool(pool.endTime, free, now) ? shadow : undefined;
}

/**
 * The pool as SageMaker describes it now. A Describe of another job under the same name (the
 * name was reused after DeleteTrainingJob) or of no job means the pool is gone.
 */
function refresh(
  pool: PoolRecord,
  job: TrainingJobSnapshot | undefined,
  anchor: 'job-end' | 'update-time',
  now?: number
): PoolRecord {
  if (job === undefined || job.arn !== pool.jobArn || job.creationTime !== pool.creationTime) {
    return { ...pool, state: 'Terminated' };
  }
  const status = job.warmPool?.status;
  const state: PoolState =
    status === 'Reused' || status === 'Terminated' || status === 'InUse' || status === 'Available'
      ? status
      : pool.state;
  const keepAliveSeconds = job.keepAliveSeconds ?? pool.keepAliveSeconds;
  // Someone changed the keep-alive outside Warden (its CloudTrail event may come later, or
  // never): their choice wins, from the moment Warden sees it.
  const changedOutside =
    now !== undefined &&
    state === 'Available' &&
    pool.humanOverride === undefined &&
    keepAliveSeconds !== pool.keepAliveSeconds;
  const next = {
    ...pool,
    state,
    keepAliveSeconds,
    ...(job.warmPool?.reusedByJob === undefined ? {} : { reusedByJob: job.warmPool.reusedByJob }),
    ...(changedOutside
      ? {
          updatedAt: now,
          humanOverride: { at: now, by: 'someone outside Warden', keepAliveSeconds },
        }
      : {}),
  };
  return { ...next, expiresAt: expiryOf(next, anchor) };
}

/**
 * How `recordGone` learns that a Reused pool's taker started warm: `read` reads the key's
 * history; `skip` when the caller knows the taker was judged warm; or the history as the
 * caller read it (written only if the taker's warm start is news to it: `isWarmStartNews`).
 */
type TakerCheck = 'read' | 'skip' | { readonly history: KeyHistory | undefined };

async function recordGone(
  tracked: PoolRecord,
  gone: PoolRecord,
  deps: Pick<StewardDeps, 'store' | 'config' | 'policy' | 'metrics' | 'log'>,
  now: number,
  takerCheck: TakerCheck = 'read'
): Promise<PoolEvaluation> {
  const pool = withoutSchedule({ ...gone, version: tracked.version + 1 });
  if ((await deps.store.putPool(pool)) === 'conflict') return { kind: 'conflict', pool: tracked };
  const retainedEnd = Math.min(now, pool.expiresAt);
  await addRetainedSpend(pool, retainedEnd, deps, now);
  await deps.store.audit(
    auditEntry(pool, {
      at: now,
      kind: pool.state === 'Reused' ? 'reused' : 'terminated',
      reason:
        pool.state === 'Reused'
          ? `reused by ${pool.reusedByJob ?? 'a matching job'} after ${formatDuration(now - pool.endTime)} or less`
          : `the pool ended (expired, released or gone) after about ${formatDuration(retainedEnd - pool.endTime)} idle`,
      outcome: 'observed',
    }),
    deps.policy.settings.auditRetentionDays
  );
  deps.metrics.count('PoolEnded', 1, { state: pool.state });
  await learnWarmStart(pool, deps, takerCheck);
  return { kind: 'gone', pool, state: pool.state };
}

/**
 * The job that took the pool started warm, whatever its arrival saw (chains learn from it).
 * Learning is best-effort: the pool is already recorded as gone, so a store that fails here is
 * logged, not retried.
 */
async function learnWarmStart(
  pool: PoolRecord,
  deps: Pick<StewardDeps, 'store' | 'log'>,
  check: TakerCheck
): Promise<void> {
  const taker = pool.state === 'Reused' ? pool.reusedByJob : undefined;
  if (taker === undefined || check === 'skip') return;
  if (check !== 'read' && !isWarmStartNews(check.history, taker, pool.endTime)) return;
  try {
    const known = check === 'read' ? undefined : check.history;
    await updateHistory(pool.matchKey, (h) => recordWarmStart(h, taker, pool.endTime), deps, known);
  } catch (error) {
    deps.log.warn('warm start not learnt', {
      key: pool.matchKey,
      job: taker,
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

/**
 * Adds a pool's idle time (its end to `retainedEnd`) to its team's spend today, once the pool
 * is gone: the budget then counts it although the pool is no longer live.
 */
async function addRetainedSpend(
  pool: PoolRecord,
  retainedEnd: number,
  deps: Pick<StewardDeps, 'store' | 'config' | 'policy'>,
  now: number
): Promise<void> {
  const retainedHours = (Math.max(0, retainedEnd - pool.endTime) / 3_600_000) * pool.instanceCount;
  if (pool.team === undefined || retainedHours <= 0) return;
  const price = hourlyPrice(pool.instanceType, deps.config.prices);
  const zone = deps.policy.rules.find((r) => ruleMatches(r, pool))?.budget?.timeZone;
  await deps.store.addSpend(
    pool.team,
    localTime(now, zone ?? deps.config.defaults.timeZone).date,
    price === undefined ? 0 : retainedHours * price.usdPerHour,
    retainedHours
  );
}

/**
 * The decision is already applied, saved and audited; an event bus that keeps failing after the
 * publisher's retries must not undo that or repeat the action, so it is logged instead.
 */
async function publishQuietly(
  deps: StewardDeps,
  events: Parameters<StewardDeps['events']['publish']>[0]
): Promise<void> {
  try {
    await deps.events.publish(events);
  } catch (error) {
    deps.log.warn('decision events not published', {
      error: error instanceof Error ? error.message : String(error),
    });
  }
}

function withoutSchedule(pool: PoolRecord): PoolRecord {
  const { nextDecisionAt: _dropped, ...rest } = pool;
  return rest;
}

/** The team's retained spend today: pools already ended today plus what live pools commit. */
async function teamSpend(
  team: string,
  budget: Budget,
  deps: StewardDeps,
  run: EvaluationRun,
  now: number
): Promise<Spend> {
  const day = budgetDay(budget, now);
  let recorded = run.recordedSpend.get(team);
  if (recorded === undefined) {
    recorded = deps.store.spend(team, day.date);
    run.recordedSpend.set(team, recorded);
  }
  run.livePools ??= deps.store.livePools();
  return committedSpend(await recorded, await run.livePools, team, day.start, deps.config.prices);
}

/** The run's live pools with `pool` as just written (dropped once gone). */
function replaceLive(live: readonly PoolRecord[], pool: PoolRecord): Promise<PoolRecord[]> {
  const others = live.filter(
    (p) => p.jobArn !== pool.jobArn || p.creationTime !== pool.creationTime
  );
  return Promise.resolve(isGone(pool.state) ? others : [...others, pool]);
}

function breakerOpen(run: EvaluationRun, deps: StewardDeps): boolean {
  if (run.tripped !== undefined) return true;
  if (run.actions >= deps.policy.settings.maxActionsPerRun) {
    run.tripped = `${run.actions} actions in one run reached maxActionsPerRun`;
    return true;
  }
  return false;
}

type Gate =
  | { readonly kind: 'paused' }
  | { readonly kind: 'breaker' }
  | { readonly kind: 'go'; readonly counted: CountedAction };

/** Whether the run may take an action now: not once the breaker is open or an admin paused. */
async function mayAct(run: EvaluationRun, deps: StewardDeps, now: number): Promise<Gate> {
  if (breakerOpen(run, deps)) return { kind: 'breaker' };
  if ((await deps.store.getControl()).paused) return { kind: 'paused' };
  const counted = await countForBreaker(run, deps, now);
  return counted === undefined ? { kind: 'breaker' } : { kind: 'go', counted };
}

/** An action counted for the circuit breakers before it is taken: where, and the hour's count. */
interface CountedAction {
  readonly hourStart: number;
  readonly minuteStart: number;
  readonly hour: number;
}

/**
 * Counts the action about to be taken, before it is taken, so that runs acting at once cannot
 * together pass a limit; one over a limit trips the breaker and is not taken (undefined). A run's actions
 * all count in the minute of its first: runs go one at a time, and a sweep that runs into the
 * next minute must not use up the budget of the runs that start in it.
 */
async function countForBreaker(
  run: EvaluationRun,
  deps: StewardDeps,
  now: number
): Promise<CountedAction | undefined> {
  // Counted per clock hour, or from an admin's resume within it (a fresh count after resume).
  const hourStart = Math.max(now - (now % 3_600_000), run.countFrom ?? 0);
  run.minuteStart ??= now - (now % 60_000);
  const minuteStart = run.minuteStart;
  const counts = await deps.store.countAction(hourStart, minuteStart);
  const { maxActionsPerHour, maxActionsPerRun } = deps.policy.settings;
  if (counts.hour > maxActionsPerHour) {
    run.tripped = `${maxActionsPerHour} actions this hour reached maxActionsPerHour`;
    return undefined;
  }
  if (counts.minute > maxActionsPerRun) {
    // A minute's sweep and the wakes for new pools are together one run's worth.
    run.tripped = `${maxActionsPerRun} actions by the runs of one minute, sweep and wakes together, reached maxActionsPerRun`;
    return undefined;
  }
  return { hourStart, minuteStart, hour: counts.hour };
}

/** Takes a counted action; an attempt that fails is not counted, so an outage trips nothing. */
async function takeCountedAction<T>(
  counted: CountedAction,
  deps: StewardDeps,
  act: () => Promise<T>
): Promise<T> {
  try {
    return await act();
  } catch (error) {
    await deps.store.countAction(counted.hourStart, counted.minuteStart, -1).catch((e: unknown) =>
      deps.log.warn('a failed action stays counted for the circuit breaker', {
        error: e instanceof Error ? e.message : String(e),
      })
    );
    throw error;
  }
}

/** The action that reaches the hour's limit is taken, and trips the breaker for every later one. */
function tripAtHourLimit(run: EvaluationRun, deps: StewardDeps, counted: CountedAction): void {
  const limit = deps.policy.settings.maxActionsPerHour;
  if (counted.hour >= limit) {
    run.tripped = `${counted.hour} actions this hour reached maxActionsPerHour`;
  }
}

export type { EvaluationRun, PoolEvaluation };
export { addRetainedSpend, evaluatePool, newRun, recordGone, refresh };
