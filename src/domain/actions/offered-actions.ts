import type { WardenConfig } from '../config/warden-config.js';
import { parseDuration } from '../duration.js';
import { formatShortTime } from '../notice/format.js';
import { matchingRule, optedOut, type PoolView } from '../policy/decide.js';
import type { Policy } from '../policy/policy.js';
import type { PoolRecord } from '../pool/pool-record.js';
import type { ActionGrant, ActionKind } from './action-grant.js';
import { grantSecondsFor } from './extension-bounds.js';

/** How far past the current expiry the offered extensions reach, nearest first. */
const EXTEND_STEPS_MS = [30 * 60_000, 60 * 60_000] as const;

/** An extension of a minute or less is not worth a click (the steward's NO_CHANGE rule). */
const MIN_GAIN_MS = 60_000;

/** How long a link stays valid at most unless configured (`actions.maxLinkLifetime`). */
const DEFAULT_ACTION_VALIDITY_MS = 24 * 3_600_000;

const MINUTE_MS = 60_000;

/**
 * `actions.maxLinkLifetime` in milliseconds: no link or button works longer. The default when
 * the config has no `actions` section (or, were validation bypassed, an unreadable duration).
 *
 * @example maxLinkLifetimeMs(config) // 86_400_000
 */
function maxLinkLifetimeMs(config: WardenConfig): number {
  const lifetime = config.actions?.maxLinkLifetime;
  return (
    (lifetime === undefined ? undefined : parseDuration(lifetime)) ?? DEFAULT_ACTION_VALIDITY_MS
  );
}

/** What deciding the offer needs of a pool: what the policy engine reads, plus its identity. */
type ActionablePool = PoolView & Pick<PoolRecord, 'jobArn' | 'creationTime'>;

interface OfferInputs {
  readonly pool: ActionablePool;
  readonly policy: Policy;
  readonly now: number;
  /** The owner's zone, for the labels. */
  readonly timeZone: string;
  /** A link is never valid for longer than this, however long the pool lives. */
  readonly maxValidityMs?: number;
}

/** One action a notice offers, not yet signed into a link. */
interface OfferedAction {
  readonly grant: ActionGrant;
  /** "Keep warm until 14:32 CET", "Release now". */
  readonly label: string;
  readonly confirm: boolean;
}

/**
 * The actions a notice about an Available warm pool offers its owner: "Keep warm until …" for
 * up to two whole-minute targets 30 minutes and an hour past the current expiry, clipped to
 * the matching rule's maximum and to what SageMaker allows (job end + the maximum keep-alive,
 * the job-end reading, which holds under either anchor), and "Release now", which asks for a
 * confirmation. No extension is offered once the pool is at its limit; nothing at all for a
 * pool that is gone, expired, or opted out with `warden:manage=false`.
 *
 * Each grant names the notice's owner and expires with the pool (or after `maxValidityMs`,
 * whichever is sooner). An extension carries its keep-alive in seconds from the job's end.
 *
 * @example
 * offeredActions({ pool, policy, now, timeZone: 'Europe/Berlin' }).map((a) => a.label)
 * // ['Keep warm until 11:30 CET', 'Keep warm until 12:00 CET', 'Release now']
 */
function offeredActions(inputs: OfferInputs): OfferedAction[] {
  const { pool, policy, now } = inputs;
  if (pool.state !== 'Available' || pool.expiresAt <= now) return [];
  if (optedOut(pool)) return [];
  const validity = inputs.maxValidityMs ?? DEFAULT_ACTION_VALIDITY_MS;
  const grant = (action: ActionKind): ActionGrant => ({
    jobArn: pool.jobArn,
    creationTime: pool.creationTime,
    action,
    owner: pool.owner,
    expiresAt: Math.min(pool.expiresAt, now + validity),
  });
  const extensions = extensionTargets(pool, policy).map((target) => ({
    grant: grant({
      kind: 'extend',
      // Rounded up, so the pool never ends before the time the label names.
      keepAliveSeconds: grantSecondsFor(pool.endTime, target),
    }),
    label: `Keep warm until ${formatShortTime(target, now, inputs.timeZone)}`,
    confirm: false,
  }));
  return [
    ...extensions,
    { grant: grant({ kind: 'release' }), label: 'Release now', confirm: true },
  ];
}

/** Whole-minute targets past the current expiry, within the rule's and SageMaker's maximum. */
function extensionTargets(pool: ActionablePool, policy: Policy): number[] {
  const { settings } = policy;
  const rule = matchingRule(policy.rules, pool);
  const maxMs = Math.min(rule?.keepAlive.maxMs ?? settings.maxKeepAliveMs, settings.maxKeepAliveMs);
  // SageMaker takes whole seconds, and a label names whole minutes: the ceiling is both.
  const ceiling = floorTo(pool.endTime + Math.floor(maxMs / 1000) * 1000, MINUTE_MS);
  const targets: number[] = [];
  for (const step of EXTEND_STEPS_MS) {
    const target = Math.min(ceilTo(pool.expiresAt + step, MINUTE_MS), ceiling);
    if (target <= pool.expiresAt + MIN_GAIN_MS || targets.includes(target)) continue;
    targets.push(target);
  }
  return targets;
}

function ceilTo(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

function floorTo(value: number, step: number): number {
  return Math.floor(value / step) * step;
}

export type { ActionablePool, OfferedAction, OfferInputs };
export { DEFAULT_ACTION_VALIDITY_MS, maxLinkLifetimeMs, offeredActions };
