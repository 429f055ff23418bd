import type { Decision } from '../policy/decision.js';
import type { StewardSettings } from '../policy/policy.js';

/** A revisit sooner than this after a decision would only repeat it. */
const MIN_REVISIT_MS = 60_000;
/** How long after its expiry a pool is described once more, to record how it ended. */
const AFTER_EXPIRY_MS = 60_000;

/**
 * When the steward looks at a pool next: at expiry − lead time (so there is time to extend or
 * warn), or where the decision asks; if that is already upon us, just after the expiry, to
 * record that it ended and what it cost. The backtest uses this same schedule.
 */
function nextDecisionTime(
  expiresAt: number,
  decision: Pick<Decision, 'revisitAt'>,
  settings: Pick<StewardSettings, 'leadTimeMs'>,
  now: number
): number {
  if (decision.revisitAt !== undefined && decision.revisitAt > now + MIN_REVISIT_MS) {
    return Math.min(decision.revisitAt, expiresAt + AFTER_EXPIRY_MS);
  }
  const beforeExpiry = expiresAt - settings.leadTimeMs;
  return beforeExpiry > now + MIN_REVISIT_MS ? beforeExpiry : expiresAt + AFTER_EXPIRY_MS;
}

export { AFTER_EXPIRY_MS, MIN_REVISIT_MS, nextDecisionTime };
