import type { DecisionOutcome, PoolAction, PoolRecord } from '../pool/pool-record.js';
import type { Metrics } from '../ports/metrics.js';
import type { HourlyPrice } from '../pricing/price-table.js';

/** One distinct (audited) decision and what became of its action. */
interface CountedDecision {
  readonly action: PoolAction;
  readonly outcome: DecisionOutcome;
  /** The circuit breaker held the action back. */
  readonly stoppedByBreaker: boolean;
  /** The pool's expiry before the decision. */
  readonly previousExpiry: number;
  /** The pool as the decision left it. */
  readonly pool: Pick<PoolRecord, 'expiresAt' | 'instanceCount'>;
  readonly price?: HourlyPrice;
}

/**
 * Counts one decision for operators: its kind, and whether its action took effect, failed, or
 * was held back by dry run or the circuit breaker; a release or shrink that took effect also
 * counts the idle pool time it saved, in dollars.
 *
 * @example countDecision(deps.metrics, { action: 'release', outcome: 'applied', ... })
 */
function countDecision(metrics: Metrics, decision: CountedDecision): void {
  const dimensions = { action: decision.action };
  metrics.count('PoolDecision', 1, dimensions);
  if (decision.outcome === 'dry-run') metrics.count('ActionSkippedDryRun', 1, dimensions);
  if (decision.stoppedByBreaker) metrics.count('ActionStoppedByBreaker', 1, dimensions);
  if (decision.outcome === 'failed') metrics.count('PoolActionFailed', 1, dimensions);
  if (decision.outcome !== 'applied') return;
  metrics.count('PoolAction', 1, dimensions);
  const usd = idleUsdReleased(decision.previousExpiry, decision.pool, decision.price);
  if (usd > 0) metrics.count('IdleUsdReleased', usd, dimensions);
}

/**
 * What the pool would have billed idle between its new expiry and its previous one: an
 * estimate, since a matching job might have reused it meanwhile. Nothing without a price.
 *
 * @example idleUsdReleased(end + 3_600_000, { ...pool, expiresAt: end }, price) // 1 h of it
 */
function idleUsdReleased(
  previousExpiry: number,
  pool: Pick<PoolRecord, 'expiresAt' | 'instanceCount'>,
  price: HourlyPrice | undefined
): number {
  if (price === undefined) return 0;
  const hours = (Math.max(0, previousExpiry - pool.expiresAt) / 3_600_000) * pool.instanceCount;
  // To the hundredth of a cent: float noise must not show on a dashboard as spend.
  return Math.round(hours * price.usdPerHour * 10_000) / 10_000;
}

export type { CountedDecision };
export { countDecision, idleUsdReleased };
