/**
 * Where a notice went: the owner's email or Slack, or (when the owner could not be reached, or
 * their address needs subscribing) the fallback contact's.
 */
type Channel = 'email' | 'slack' | 'fallback-email' | 'fallback-slack';

/** The answer to "may I send this notice?". */
type Claim =
  /**
   * Yours to send; `delivered` lists channels an earlier, failed attempt already reached, and
   * `status` what those deliveries said, so the retry says the same.
   */
  | {
      readonly kind: 'claimed';
      readonly delivered: readonly Channel[];
      readonly status?: string;
      /**
       * Channels an earlier attempt began to send on but never recorded as delivered: it may
       * have crashed after the send, so sending again may be a duplicate (counted, not avoidable).
       */
      readonly attempted?: readonly Channel[];
    }
  /** Already sent: a duplicate event, or a later one contradicting the `status` it said. */
  | { readonly kind: 'done'; readonly status?: string }
  /** Another invocation holds an unexpired lease on it right now. */
  | { readonly kind: 'busy' };

/**
 * The record that makes a notice go out exactly once per key (one finish notice per job), even
 * when events are duplicated or retried. Channels are recorded one by one, so a retry after a
 * partial failure re-sends only what did not arrive. The first status recorded for a key is
 * kept; later ones never replace it.
 */
interface NoticeLedger {
  claim(key: string, now: number): Promise<Claim>;
  /** Written just before a send, so a retry knows the send's outcome is unknown. */
  recordAttempt(key: string, channel: Channel): Promise<void>;
  recordDelivery(key: string, channel: Channel, status?: string): Promise<void>;
  complete(key: string, now: number, status?: string): Promise<void>;
  /** Gives the lease back after a failure, so the retry need not wait for it to expire. */
  release(key: string): Promise<void>;
}

export type { Channel, Claim, NoticeLedger };
