import type { ResolvedOwner } from '../owner/resolve-owner.js';

/** A channel that did not deliver, in the words a notice and a log line can use. */
interface ChannelFailure {
  readonly channel: 'email' | 'slack';
  /** No retry can cure it: the notice must go another way. */
  readonly permanent: boolean;
  /**
   * `no-subscription`: the address reaches nobody; `rejected`: the channel refused for good
   * (a revoked token, an HTML page); `transient`: worth a retry. A metric dimension.
   */
  readonly kind: 'no-subscription' | 'rejected' | 'transient';
  /** Plain words, capped; the adapter keeps secrets out of them. */
  readonly reason: string;
  /** The address that has no subscription, for `no-subscription`. */
  readonly address?: string;
  readonly error: Error;
}

const CHANNEL_NAME = { email: 'Email', slack: 'Slack' } as const;
const OTHER = { email: 'Slack', slack: 'email' } as const;

/**
 * What the owner's other channel says when one failed for good, e.g. "Slack could not be
 * reached (invalid_auth), so this came by email only."
 */
function otherChannelNote(failure: ChannelFailure): string {
  const other = OTHER[failure.channel];
  if (failure.kind === 'no-subscription') {
    return `Email to ${failure.address} reaches nobody yet (the address has no confirmed subscription), so this came by ${other} only.`;
  }
  return `${CHANNEL_NAME[failure.channel]} could not be reached (${failure.reason}), so this came by ${other} only.`;
}

/**
 * What the fallback contact reads when the owner could not be reached at all: for whom the
 * notice is, why it came to them, and which address needs subscribing.
 */
function unreachedOwnerNote(owner: ResolvedOwner, failures: readonly ChannelFailure[]): string {
  const why =
    failures.length === 0
      ? 'no email or Slack is configured for them'
      : failures.map((f) => `${f.channel}: ${f.reason}`).join('; ');
  const unsubscribed = failures.find((f) => f.kind === 'no-subscription')?.address;
  const ask = unsubscribed === undefined ? '' : `; please subscribe ${unsubscribed}`;
  return `This notice is for ${owner.displayName}, whom Pool Warden could not reach (${why}), so it came to you as the fallback contact${ask}.`;
}

/**
 * What the fallback contact reads when the owner got the notice on Slack only because their
 * address has no subscription: someone who can subscribe it has to hear of it.
 */
function subscribeNote(owner: ResolvedOwner, address: string): string {
  return `${owner.displayName} got this notice by Slack only because ${address} has no confirmed subscription; please subscribe that address so their email arrives too.`;
}

export type { ChannelFailure };
export { otherChannelNote, subscribeNote, unreachedOwnerNote };
