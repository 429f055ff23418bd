import type { PoolAction } from '../pool/pool-record.js';
import type { ChainOutlook } from './chain-history.js';
import type { GapHistogram } from './gap-history.js';

/**
 * What the engine decides for one pool at one moment. Decisions speak in absolute times:
 * `until` is the target expiry ("keep until 14:32"); `keep-alive.ts` turns it into seconds.
 */
interface Decision {
  readonly action: PoolAction;
  /** Target expiry, epoch ms; `now` for a release. */
  readonly until: number;
  /** One sentence a person can read in the audit and the notice. */
  readonly reason: string;
  /** The rule that matched, if any. */
  readonly rule?: string;
  /** A release is planned: shrink to `until` and warn the owner it will end then. */
  readonly warning?: boolean;
  /** When the steward should look at the pool again (absent: at expiry − lead time). */
  readonly revisitAt?: number;
}

/** What the engine knows beyond the pool itself; everything bounded, nothing fetched. */
interface DecisionContext {
  /** The match key's gap history (may be empty). */
  readonly history: GapHistogram;
  /** Gap history across every key: the prior while this key's own history is thin. */
  readonly globalHistory?: GapHistogram;
  /**
   * The key's shadow histogram, set when this pool has a newer free pool of its key beside it
   * (SageMaker hands that one out first): the pool is then decided on how long such pools
   * waited, with the key's whole history as the prior.
   */
  readonly shadowHistory?: GapHistogram;
  /** Gap history of the pool's owner on this key, when tracked. */
  readonly ownerHistory?: GapHistogram;
  /** USD per instance-hour for the pool's instance type, if known. */
  readonly usdPerHour?: number;
  /** The team's retained warm-pool spend today (in the rule's budget day). */
  readonly spendToday?: { readonly usd: number; readonly instanceHours: number };
  /**
   * Set when the key's jobs follow each other closer than a cold start and this pool's next
   * taker is foreseeable from that (`chain-history.ts`): it is weighed as such too.
   */
  readonly chain?: ChainOutlook;
  /** A matching job was created after this pool freed up and may be taking it now. */
  readonly pendingArrivalAt?: number;
}

type DecisionFacts = Pick<Decision, 'action' | 'until' | 'reason'>;

/**
 * A look that only confirms the previous keep (same target, same reason): the steward neither
 * audits nor publishes it again, and the backtest does not count it as a decision.
 */
function confirmsKeep(previous: DecisionFacts | undefined, next: DecisionFacts): boolean {
  return (
    next.action === 'keep' &&
    previous?.action === 'keep' &&
    previous.until === next.until &&
    previous.reason === next.reason
  );
}

export type { Decision, DecisionContext };
export { confirmsKeep };
