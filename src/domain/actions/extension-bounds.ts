import { formatDuration } from '../duration.js';
import type { PoolRule, StewardSettings } from '../policy/policy.js';
import { latestReachable } from '../pool/keep-alive.js';
import type { PoolRecord } from '../pool/pool-record.js';

/**
 * The target time of an extension grant. A grant's `keepAliveSeconds` counts from the job's end
 * (TrainingEndTime), so the time a person read in the notice is the time they ask for, whichever
 * anchor SageMaker turns out to use; `keepAliveForTarget` then works out the seconds to send.
 *
 * @example extensionTarget(pool.endTime, 5400) // pool.endTime + 90 minutes
 */
function extensionTarget(endTime: number, keepAliveSeconds: number): number {
  return endTime + keepAliveSeconds * 1000;
}

/**
 * The grant's `keepAliveSeconds` for a target time (whole seconds, rounded up).
 *
 * @example grantSecondsFor(pool.endTime, Date.parse('2026-11-26T14:32:00Z'))
 */
function grantSecondsFor(endTime: number, target: number): number {
  return Math.max(0, Math.ceil((target - endTime) / 1000));
}

/** What limits an extension, in the words a reply uses. */
type ExtensionLimit = 'rule' | 'budget' | 'sagemaker';

interface ExtensionBound {
  /** The latest expiry the pool may get; never earlier than its current expiry. */
  readonly until: number;
  /** Set when `until` is earlier than the requested target, naming what cut it. */
  readonly limit?: ExtensionLimit;
  /** Plain words for the limit: "the latest SageMaker allows". */
  readonly limitText?: string;
}

interface BoundContext {
  /** The first rule matching the pool, if any: its maximum keep-alive bounds the extension. */
  readonly rule?: PoolRule;
  /** The team's spend today, committed pools included (as the steward counts it). */
  readonly spendToday?: { readonly usd: number; readonly instanceHours: number };
  readonly usdPerHour?: number;
}

/**
 * Clips a requested expiry to the rule's maximum keep-alive, what is left of the team's daily
 * budget, and what SageMaker allows (the anchor + the maximum keep-alive), and names the
 * tightest. An extension never shortens a pool: the answer is at least its current expiry.
 *
 * @example
 * boundExtension(pool, target, { rule }, policy.settings, now)
 * // { until: …, limit: 'sagemaker', limitText: 'the latest SageMaker allows' }
 */
function boundExtension(
  pool: Pick<PoolRecord, 'endTime' | 'expiresAt' | 'instanceCount' | 'team' | 'owner'>,
  requested: number,
  context: BoundContext,
  settings: Pick<StewardSettings, 'keepAliveAnchor' | 'maxKeepAliveMs' | 'safetyMarginMs'>,
  now: number
): ExtensionBound {
  const caps: { at: number; limit: ExtensionLimit; text: string }[] = [];
  const { rule } = context;
  if (rule !== undefined) {
    caps.push({
      at: pool.endTime + rule.keepAlive.maxMs,
      limit: 'rule',
      text: `the most rule ${rule.name} allows (${formatDuration(rule.keepAlive.maxMs)} after the job ended)`,
    });
  }
  const budget = rule?.budget;
  if (budget !== undefined && context.spendToday !== undefined) {
    const spent = context.spendToday;
    const rateUsd =
      context.usdPerHour === undefined ? undefined : pool.instanceCount * context.usdPerHour;
    const leftHours = [
      budget.usdPerDay !== undefined && rateUsd !== undefined && rateUsd > 0
        ? (budget.usdPerDay - spent.usd) / rateUsd
        : undefined,
      budget.instanceHoursPerDay !== undefined
        ? (budget.instanceHoursPerDay - spent.instanceHours) / pool.instanceCount
        : undefined,
    ].filter((h): h is number => h !== undefined && Number.isFinite(h));
    if (leftHours.length > 0) {
      // The spend already counts this pool until its current expiry: what is left adds to that.
      const left = Math.max(0, Math.min(...leftHours));
      caps.push({
        at: Math.max(now, pool.expiresAt) + Math.floor(left * 3_600_000),
        limit: 'budget',
        text: `what is left of team ${pool.team ?? pool.owner}'s daily warm-pool budget`,
      });
    }
  }
  caps.push({
    at: latestReachable(pool.endTime, now, settings),
    limit: 'sagemaker',
    text: 'the latest SageMaker allows',
  });
  let until = requested;
  let cut: (typeof caps)[number] | undefined;
  for (const cap of caps) {
    if (cap.at < until) {
      until = cap.at;
      cut = cap;
    }
  }
  if (until < pool.expiresAt) until = pool.expiresAt;
  return cut === undefined ? { until } : { until, limit: cut.limit, limitText: cut.text };
}

export type { BoundContext, ExtensionBound, ExtensionLimit };
export { boundExtension, extensionTarget, grantSecondsFor };
