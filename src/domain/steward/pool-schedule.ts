import type { Decision } from '../policy/decision.js';
import type { StewardSettings } from '../policy/policy.js';

/** A revisit sooner than this after a decision would only repeat it. */
const MIN_REVISIT_MS = 60_000;
/** How long after its expiry a pool is described once more, to record how it ended. */
const AFTER_EXPIRY_MS = 60_000;
/**
 * A pool SageMaker still calls Available after Warden's (conservative) expiry is looked at
 * again this much later, not every minute: the anchor may really be the update time.
 */
const OVERDUE_RECHECK_MS = 15 * 60_000;

/**
 * When the steward looks at a pool next: at expiry − lead time (so there is time to extend or
 * warn), or where the decision asks; if that is already upon us, just after the expiry, to
 * record that it ended and what it cost. The backtest uses this same schedule.
 */
function nextDecisionTime(
  expiresAt: number,
  decision: Pick<Decision, 'revisitAt'>,
  settings: Pick<StewardSettings, 'leadTimeMs'> & Partial<Pick<StewardSettings, 'revisitEveryMs'>>,
  now: number
): number {
  if (decision.revisitAt !== undefined && decision.revisitAt > now + MIN_REVISIT_MS) {
    return Math.min(decision.revisitAt, expiresAt + AFTER_EXPIRY_MS);
  }
  const beforeExpiry = expiresAt - settings.leadTimeMs;
  // Look again every `revisitEvery` while the pool waits: its key learns from other pools'
  // gaps, the hour moves on, spend adds up; a look that changes nothing costs one Describe.
  const every = settings.revisitEveryMs ?? 0;
  if (every >= MIN_REVISIT_MS && beforeExpiry > now + every) return now + every;
  if (beforeExpiry > now + MIN_REVISIT_MS) return beforeExpiry;
  const afterExpiry = expiresAt + AFTER_EXPIRY_MS;
  return afterExpiry > now ? afterExpiry : now + OVERDUE_RECHECK_MS;
}

export { AFTER_EXPIRY_MS, MIN_REVISIT_MS, nextDecisionTime, OVERDUE_RECHECK_MS };
