type Channel = 'email' | 'slack';

/** The answer to "may I send this notice?". */
type Claim =
  /** Yours to send; `delivered` lists channels an earlier, failed attempt already reached. */
  | { readonly kind: 'claimed'; readonly delivered: readonly Channel[] }
  /** Already sent: a duplicate event. */
  | { readonly kind: 'done' }
  /** Another invocation holds an unexpired lease on it right now. */
  | { readonly kind: 'busy' };

/**
 * The record that makes a notice go out exactly once per job and terminal status, even when
 * events are duplicated or retried. Channels are recorded one by one, so a retry after a
 * partial failure re-sends only what did not arrive.
 */
interface NoticeLedger {
  claim(key: string, now: number): Promise<Claim>;
  recordDelivery(key: string, channel: Channel): Promise<void>;
  complete(key: string, now: number): Promise<void>;
  /** Gives the lease back after a failure, so the retry need not wait for it to expire. */
  release(key: string): Promise<void>;
}

export type { Channel, Claim, NoticeLedger };
