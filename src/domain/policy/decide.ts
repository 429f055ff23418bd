import { formatDuration } from '../duration.js';
import { latestReachable } from '../pool/keep-alive.js';
import { type PoolAction, type PoolRecord, poolAccount } from '../pool/pool-record.js';
import {
  BREAK_EVEN_PRIOR_WEIGHT,
  breakEvenMs,
  chooseKeepAlive,
  type KeepAliveChoice,
  type KeepAliveCosts,
} from './adaptive-keep-alive.js';
import { type ChainOutlook, shareWithin } from './chain-history.js';
import type { Decision, DecisionContext } from './decision.js';
import type { GapHistogram } from './gap-history.js';
import type { OutsideWindow, Policy, PoolRule, StewardSettings } from './policy.js';
import { isWindowOpen, windowClosesAt } from './working-window.js';

/** The tag with which a job owner opts a pool out of Warden's management. */
const OPT_OUT_TAG = 'warden:manage';

/** How soon a pool a starting job may be taking is looked at again. */
const PENDING_REVISIT_MS = 2 * 60_000;

/** Targets this close to the current expiry are left alone: no churn of UpdateTrainingJob calls. */
const NO_CHANGE_MS = 60_000;

/** What the engine needs of a pool: the record minus bookkeeping (the ARN only for its account). */
type PoolView = Partial<Pick<PoolRecord, 'jobArn'>> &
  Pick<
    PoolRecord,
    | 'account'
    | 'state'
    | 'owner'
    | 'team'
    | 'instanceType'
    | 'instanceCount'
    | 'tags'
    | 'endTime'
    | 'expiresAt'
    | 'humanOverride'
    | 'releaseWarnedFor'
  >;

/** What rule matching reads of a pool. */
type MatchView = Pick<PoolView, 'owner' | 'team' | 'instanceType' | 'tags' | 'account' | 'jobArn'>;

/**
 * Decides what to do with one warm pool now: keep, extend, shrink or release, with the target
 * expiry and one sentence of reason. Pure and deterministic: the same inputs give the same
 * decision, in Lambda and in a million-job backtest alike.
 *
 * 1. Pools Warden must not touch: not Available, opted out by tag, set by a person, no rule, `off`.
 * 2. The rule's wish: `fixed` keep-alive, or `adaptive` (cost-aware on the key's gap history).
 * 3. Limits on the wish, in order: the working window, the team's budget, the rule's bounds, the
 *    maximum SageMaker allows, the safety margin.
 * 4. A release the rule wants announced becomes a shrink to now + `warnBeforeRelease`, with a
 *    warning to the owner; the pool then ends by itself unless someone acts.
 *
 * @example
 * const d = decide(pool, { history }, policy, Date.parse('2026-11-26T14:00:00Z'));
 * // { action: 'shrink', until: 1764166320000, reason: 'adaptive: …', rule: 'vision-gpu' }
 */
function decide(pool: PoolView, context: DecisionContext, policy: Policy, now: number): Decision {
  if (pool.state !== 'Available') return keep(pool, `the pool is ${pool.state}, not Available`);
  if (pool.expiresAt <= now) return keep(pool, 'the pool has already expired');
  if (optedOut(pool)) return keep(pool, `the job opted out with the tag ${OPT_OUT_TAG}=false`);
  if (pool.humanOverride !== undefined) {
    return keep(
      pool,
      `${pool.humanOverride.by} set the keep-alive to ${formatDuration(pool.humanOverride.keepAliveSeconds * 1000)} by hand, which wins over the policy`
    );
  }
  const rule = matchingRule(policy.rules, pool);
  if (rule === undefined) return keep(pool, 'no rule matches this pool');
  if (rule.mode === 'off') return keep(pool, `rule ${rule.name} is off`, rule.name);
  if (context.pendingArrivalAt !== undefined) {
    // SageMaker hands the pool to a matching job while that job starts; shrinking or releasing
    // it now could take it from under the job. Look again shortly.
    // Written out rather than spread from keep(): a third of a backtest's decisions come here,
    // and with the spread the million-job adaptive backtest ran 20–35% slower in A/B runs.
    return {
      action: 'keep',
      until: pool.expiresAt,
      reason: 'a matching job has just started and may be taking this pool',
      rule: rule.name,
      revisitAt: now + PENDING_REVISIT_MS,
    };
  }

  const wish = ruleWish(rule, pool, context, policy.settings, now);
  const limited = applyLimits(wish, rule, pool, context, policy.settings, now);
  return finalize(limited, rule, pool, policy.settings, now);
}

function keep(pool: PoolView, reason: string, rule?: string): Decision {
  return rule === undefined
    ? { action: 'keep', until: pool.expiresAt, reason }
    : { action: 'keep', until: pool.expiresAt, reason, rule };
}

/** The first rule that matches the pool, the one `decide` applies (a loop: a backtest asks millions of times). */
function matchingRule(rules: readonly PoolRule[], pool: MatchView): PoolRule | undefined {
  for (const rule of rules) if (ruleMatches(rule, pool)) return rule;
  return undefined;
}

/** Did the job's owner opt its pool out of Warden with `warden:manage=false`? */
function optedOut(pool: Pick<PoolView, 'tags'>): boolean {
  return pool.tags[OPT_OUT_TAG]?.toLowerCase() === 'false';
}

interface Wish {
  /** Target expiry. */
  readonly until: number;
  readonly reason: string;
  /** The latest expiry the rule's maximum and SageMaker allow, once limits are applied. */
  readonly ceiling?: number;
}

function ruleWish(
  rule: PoolRule,
  pool: PoolView,
  context: DecisionContext,
  settings: StewardSettings,
  now: number
): Wish {
  if (rule.mode === 'fixed') {
    const fixed = rule.keepAlive.fixedMs ?? rule.keepAlive.maxMs;
    return {
      until: pool.endTime + fixed,
      reason: `fixed keep-alive of ${formatDuration(fixed)} after the job ended`,
    };
  }
  if (context.usdPerHour === undefined) {
    const fallback = rule.keepAlive.fixedMs ?? rule.keepAlive.minMs;
    return {
      until: pool.endTime + fallback,
      reason: `no price for ${pool.instanceType}, so adaptive keeps the rule's ${formatDuration(fallback)}`,
    };
  }
  const costs = keepAliveCosts(pool.instanceCount, context.usdPerHour, settings);
  const shadow = context.shadowHistory;
  const own =
    context.ownerHistory !== undefined && context.ownerHistory.count >= context.history.count
      ? context.ownerHistory
      : context.history;
  // A pool behind a newer free one is decided on how long such pools waited. While that history
  // is thin it borrows from the key's whole history, not every key's: other keys' gaps say
  // little about when this key's jobs come in bursts.
  const broader = shadow === undefined ? context.globalHistory : context.history;
  // Short of a release, no decision ends a pool sooner than the margin (finalize).
  const { safetyMarginMs: shortestKeepMs } = settings;
  const maxMs = Math.min(rule.keepAlive.maxMs, settings.maxKeepAliveMs);
  const choice = chooseKeepAlive(
    shadow ?? own,
    now,
    now - pool.endTime,
    maxMs,
    costs,
    broader === undefined
      ? { breakEvenWeight: BREAK_EVEN_PRIOR_WEIGHT, shortestKeepMs }
      : { breakEvenWeight: BREAK_EVEN_PRIOR_WEIGHT, shortestKeepMs, broader }
  );
  // A chain only ever lengthens a keep: nothing to weigh when the key's gaps keep to the maximum.
  if (context.chain !== undefined && shadow === undefined && choice.keepAliveMs < maxMs) {
    const chained = chainWish(
      choice,
      context.chain,
      pool,
      context.history,
      costs,
      maxMs,
      settings,
      now
    );
    if (chained !== undefined) return chained;
  }
  const until = pool.endTime + choice.keepAliveMs;
  const basis = adaptiveBasis(
    choice,
    now - pool.endTime,
    until <= now,
    shadow !== undefined,
    costs,
    shortestKeepMs
  );
  return { until, reason: `adaptive: ${basis}` };
}

/**
 * The keep a chain outlook asks for, when it is longer than the one the key's gaps ask for
 * (a chain only ever adds a reason to keep): decided as any other on the outlook's gaps, with
 * the key's own gaps as the prior and a miss priced at the cold starts it costs down the chain.
 */
function chainWish(
  choice: KeepAliveChoice,
  chain: ChainOutlook,
  pool: PoolView,
  history: GapHistogram,
  costs: KeepAliveCosts,
  maxMs: number,
  settings: StewardSettings,
  now: number
): Wish | undefined {
  // The outlook's gaps run from the end the job would have had warm, `shift` before its end.
  const shift = chain.endShiftMs;
  const chained = chooseKeepAlive(
    chain.gaps,
    now,
    now - pool.endTime + shift,
    maxMs + shift,
    { ratePerSecond: costs.ratePerSecond, penaltyUsd: costs.penaltyUsd * chain.coldStartsSaved },
    {
      broader: history,
      breakEvenWeight: BREAK_EVEN_PRIOR_WEIGHT,
      shortestKeepMs: settings.safetyMarginMs,
      neverShare: chain.neverShare,
      byHourOfDay: false,
    }
  );
  const keepMs = chained.keepAliveMs - shift;
  if (chained.basis !== 'history' || keepMs <= choice.keepAliveMs) return undefined;
  const caught = Math.round(shareWithin(chain.gaps, chained.keepAliveMs) * 100);
  const linked = Math.round(chain.linkedShare * 100);
  const keeping = `keeping it ${formatDuration(keepMs)} after the job ended is the lowest expected cost`;
  return {
    until: pool.endTime + keepMs,
    reason:
      chain.kind === 'rescue'
        ? `adaptive: this key's jobs run in chains (${linked}% follow the one before closer than a cold start) and its running job started cold, so its next job can start warm only on an older pool; ${keeping}: it would have caught ${caught}% of the jobs that took such pools, each saving ${chain.coldStartsSaved.toFixed(1)} cold starts down the chain`
        : `adaptive: this key's jobs run in chains (${linked}% follow the one before closer than a cold start); ${keeping}: it would have caught ${caught}% of the jobs that followed such a job`,
  };
}

/** The one sentence behind an adaptive choice, for the audit and the owner's notice. */
function adaptiveBasis(
  choice: KeepAliveChoice,
  idleMs: number,
  released: boolean,
  behindNewerPool: boolean,
  costs: KeepAliveCosts,
  shortestKeepMs: number
): string {
  if (choice.basis === 'break-even') {
    // Worked out only here: most decisions rest on history and never name break-even.
    const breakEven = breakEvenMs(costs);
    const rule = Number.isFinite(breakEven)
      ? `break-even, ${formatDuration(breakEven)} of idle pool, costs what one cold start does`
      : 'keeping it costs nothing';
    if (!released) {
      return choice.keepAliveMs < breakEven
        ? `too little history for this key, and ${rule}: kept to the ${formatDuration(choice.keepAliveMs)} maximum`
        : `too little history for this key, so break-even: ${formatDuration(breakEven)} of idle pool costs what one cold start does`;
    }
    return idleMs >= breakEven
      ? `too little history for this key, and after ${formatDuration(idleMs)} idle it is past ${rule}: release`
      : `too little history for this key, and ${rule}; ${idleMs < 1000 ? 'that' : `the ${formatDuration(breakEven - idleMs)} left of it`} is shorter than the ${formatDuration(shortestKeepMs)} a pool is kept at least: release`;
  }
  const caught = Math.round(choice.catchShare * 100);
  if (behindNewerPool) {
    return released
      ? `a newer free pool of this key is handed out first, and after ${formatDuration(idleMs)} idle enough jobs to reach this one are unlikely soon enough to pay for keeping it`
      : `a newer free pool of this key is handed out first; keeping this one ${formatDuration(choice.keepAliveMs)} after its job ended catches ${caught}% of the jobs that reached such pools at the lowest expected cost`;
  }
  return released
    ? `${idleMs < 1000 ? '' : `after ${formatDuration(idleMs)} idle, `}the next matching job is unlikely soon enough to pay for keeping it`
    : `keeping it ${formatDuration(choice.keepAliveMs)} after the job ended catches ${caught}% of the next jobs this key has seen at the lowest expected cost`;
}

/** Cost of keeping vs. letting go, per the cost model in the README. */
function keepAliveCosts(
  instanceCount: number,
  usdPerHour: number,
  settings: StewardSettings
): KeepAliveCosts {
  const ratePerSecond = (instanceCount * usdPerHour) / 3600;
  return {
    ratePerSecond,
    penaltyUsd:
      (settings.valueOfTimeUsdPerHour * settings.coldStartWaitSeconds) / 3600 +
      ratePerSecond * settings.coldStartBilledSeconds,
  };
}

function applyLimits(
  wish: Wish,
  rule: PoolRule,
  pool: PoolView,
  context: DecisionContext,
  settings: StewardSettings,
  now: number
): Wish {
  let { until, reason } = wish;
  // The latest expiry every limit below allows: the margin may lift an extension only so far.
  let ceiling = Number.POSITIVE_INFINITY;

  if (rule.window !== undefined) {
    if (!isWindowOpen(rule.window, now)) {
      return outside(rule.outside, pool, now, `outside the working hours of rule ${rule.name}`);
    }
    const closes = windowClosesAt(rule.window, now);
    const cap =
      closes === undefined
        ? undefined
        : closes + (rule.outside.action === 'shrink' ? rule.outside.toMs : 0);
    if (cap !== undefined) ceiling = cap;
    if (cap !== undefined && until > cap) {
      until = cap;
      reason += `; cut to ${rule.outside.action === 'shrink' ? 'shortly after ' : ''}the end of working hours`;
    }
  }

  if (rule.budget !== undefined && context.spendToday !== undefined) {
    const { usdPerDay, instanceHoursPerDay } = rule.budget;
    const spent = context.spendToday;
    const rateUsd =
      context.usdPerHour === undefined ? undefined : pool.instanceCount * context.usdPerHour;
    const leftHours = [
      usdPerDay !== undefined && rateUsd !== undefined
        ? (usdPerDay - spent.usd) / rateUsd
        : undefined,
      instanceHoursPerDay !== undefined
        ? (instanceHoursPerDay - spent.instanceHours) / pool.instanceCount
        : undefined,
    ].filter((h): h is number => h !== undefined);
    const left = leftHours.length === 0 ? undefined : Math.min(...leftHours);
    if (left !== undefined && left <= 0) {
      const used =
        usdPerDay !== undefined
          ? `$${spent.usd.toFixed(2)} of its $${usdPerDay} daily warm-pool budget`
          : `${spent.instanceHours.toFixed(1)} of its ${instanceHoursPerDay} instance-hours a day`;
      return outside(
        rule.budget.onExceeded,
        pool,
        now,
        `team ${pool.team ?? pool.owner} has used ${used}`
      );
    }
    const budgetCap = left === undefined ? undefined : now + Math.floor(left * 3_600_000);
    if (budgetCap !== undefined) ceiling = Math.min(ceiling, budgetCap);
    if (left !== undefined && budgetCap !== undefined && until > now + left * 3_600_000) {
      until = budgetCap;
      reason += '; cut to what is left of the daily budget';
    }
  }

  const min = pool.endTime + rule.keepAlive.minMs;
  const max = pool.endTime + rule.keepAlive.maxMs;
  if (until < min) {
    until = min;
    reason += `; raised to the rule's minimum of ${formatDuration(rule.keepAlive.minMs)}`;
  }
  if (until > max) {
    until = max;
    reason += `; capped at the rule's maximum of ${formatDuration(rule.keepAlive.maxMs)}`;
  }
  const reachable = latestReachable(pool.endTime, now, settings);
  if (until > reachable) {
    until = reachable;
    reason += `; capped at the ${formatDuration(settings.maxKeepAliveMs)} SageMaker allows`;
  }
  return { until, reason, ceiling: Math.min(ceiling, max, reachable) };
}

/** What a rule does outside its window or over budget: release, or shrink to a short tail. */
function outside(action: OutsideWindow, pool: PoolView, now: number, why: string): Wish {
  if (action.action === 'release') return { until: now, reason: `${why}: release` };
  const until = Math.min(pool.expiresAt, now + action.toMs);
  return { until, reason: `${why}: keep at most ${formatDuration(action.toMs)} more` };
}

function finalize(
  wish: Wish,
  rule: PoolRule,
  pool: PoolView,
  settings: StewardSettings,
  now: number
): Decision {
  const ruleName = rule.name;
  const release = wish.until <= now;
  // A shrink never ends a pool sooner than the margin: the update needs time to land, and a
  // person may be about to start a job. An extension is lifted to the margin only as far as the
  // rule's maximum and SageMaker allow: the margin alone must never extend a pool past them.
  const floor = now + settings.safetyMarginMs;
  const until = release
    ? now
    : Math.max(
        wish.until,
        Math.min(
          floor,
          wish.until >= pool.expiresAt ? (wish.ceiling ?? wish.until) : pool.expiresAt
        )
      );
  const reason =
    !release && until === floor && until > wish.until
      ? `${wish.reason}; held to the ${formatDuration(settings.safetyMarginMs)} safety margin`
      : wish.reason;

  if (release || until < pool.expiresAt - NO_CHANGE_MS) {
    const warnMs = rule.warnBeforeReleaseMs;
    const warnedFor = pool.releaseWarnedFor;
    if (release && warnMs > 0 && (warnedFor === undefined || warnedFor > now + NO_CHANGE_MS)) {
      // The announced end is where the pool really ends: no shrink goes below the margin. A
      // pool that ends within a minute of it anyway is not worth an update.
      const warnUntil = Math.max(now + warnMs, floor);
      if (pool.expiresAt <= warnUntil + NO_CHANGE_MS) {
        return {
          rule: ruleName,
          action: 'keep',
          until: pool.expiresAt,
          reason: `${reason}; it expires within the warning time anyway`,
        };
      }
      return {
        rule: ruleName,
        action: 'shrink',
        until: warnUntil,
        warning: true,
        reason: `${reason}, announced to the owner ${formatDuration(warnUntil - now)} ahead`,
      };
    }
    const action: PoolAction = release ? 'release' : 'shrink';
    return { rule: ruleName, action, until, reason };
  }
  if (until > pool.expiresAt + NO_CHANGE_MS) {
    return { rule: ruleName, action: 'extend', until, reason };
  }
  return {
    rule: ruleName,
    action: 'keep',
    until: pool.expiresAt,
    reason: `${reason}; the current expiry already fits`,
  };
}

/** Whether `rule` matches the pool, on what rules may match: owner, team, type, account, tags. */
function ruleMatches(rule: PoolRule, pool: MatchView): boolean {
  const { match } = rule;
  if (match.team !== undefined && (pool.team === undefined || !match.team(pool.team))) return false;
  if (match.owner !== undefined && !match.owner(pool.owner)) return false;
  if (match.instanceType !== undefined && !match.instanceType(pool.instanceType)) return false;
  if (match.account !== undefined) {
    const account = poolAccount(pool);
    if (account === undefined || !match.account(account)) return false;
  }
  if (match.tags !== undefined) {
    for (const [key, matcher] of Object.entries(match.tags)) {
      const value = Object.hasOwn(pool.tags, key) ? pool.tags[key] : undefined;
      if (value === undefined || !matcher(value)) return false;
    }
  }
  return true;
}

export type { MatchView, PoolView };
export { decide, keepAliveCosts, matchingRule, OPT_OUT_TAG, optedOut, ruleMatches };
