import { DeliveryError, WardenError } from '../errors.js';
import { type DeliveryTargets, deliveryTargets } from '../notice/delivery-targets.js';
import type { Notice } from '../notice/notice.js';
import { renderEmail } from '../notice/render-email.js';
import { renderSlack } from '../notice/render-slack.js';
import { resolveOwner } from '../owner/resolve-owner.js';
import type { Channel } from '../ports/notice-ledger.js';
import type { NoticeRef } from '../ports/senders.js';
import {
  type ChannelFailure,
  otherChannelNote,
  subscribeNote,
  unreachedOwnerNote,
} from './delivery-notes.js';
import type { FinishNoticeDeps } from './finish-deps.js';
import { deterministic } from './poison-event.js';

type DeliveryDeps = Pick<
  FinishNoticeDeps,
  'config' | 'email' | 'slack' | 'emailReach' | 'ledger' | 'metrics' | 'log'
>;

type Medium = 'email' | 'slack';

/** How the ledger names one recipient's channels. */
type ChannelNames = Readonly<Record<Medium, Channel>>;

const OWNER_CHANNELS: ChannelNames = { email: 'email', slack: 'slack' };
const FALLBACK_CHANNELS: ChannelNames = { email: 'fallback-email', slack: 'fallback-slack' };
const CHANNEL_ORDER: readonly Channel[] = ['email', 'slack', 'fallback-email', 'fallback-slack'];
/** Adapter reasons are short; a long one is noise in a notice and a log line. */
const MAX_REASON = 200;

interface Attempt {
  readonly notice: Notice;
  readonly key: string;
  /** Channels an earlier attempt already reached. */
  readonly delivered: readonly Channel[];
  /** Channels an earlier attempt began to send on and never recorded (outcome unknown). */
  readonly attempted?: readonly Channel[];
}

interface Round {
  readonly reached: readonly Channel[];
  readonly failures: readonly ChannelFailure[];
}

/**
 * Gets the notice to a person. The owner's channels first (Slack before email, so an email
 * can say that Slack failed); a channel that fails for good (a revoked token, an address with
 * no subscription) is loud (ERROR, `ChannelFailedPermanent`) and the notice goes on the
 * owner's other channel, or else to the fallback contact, with a `deliveryNote` saying why.
 * The fallback contact also hears when the owner's address needs subscribing.
 *
 * Every delivery is recorded in the ledger before the next send, so a retry re-sends only what
 * did not arrive. A transient failure fails the attempt after the other channels were tried;
 * when nobody at all can be reached it fails for good (`retryable: false`).
 *
 * @example const channels = await deliverWithFallback({ notice, key, delivered: [] }, deps);
 */
async function deliverWithFallback(attempt: Attempt, deps: DeliveryDeps): Promise<Channel[]> {
  const { notice } = attempt;
  const owner = notice.owner;
  const targets = deliveryTargets(owner, deps.config.notices.slackDmByEmail);
  // Rendered once up front: a rendering fault is a poison event, found before anything is sent.
  deterministic('rendering the notice', () => renderBoth(notice, targets));

  const mine = await sendRound(attempt, notice, targets, OWNER_CHANNELS, deps);
  report(mine.failures, 'owner', attempt.key, deps);
  throwIfTransient(mine.failures);
  const delivered = [...attempt.delivered, ...mine.reached];
  const ownerReached = delivered.some((c) => c === 'email' || c === 'slack');
  const unsubscribed = mine.failures.find((f) => f.kind === 'no-subscription');
  if (ownerReached && mine.failures.length > 0) {
    deps.metrics.count('NoticeFallback', 1, { to: 'other-channel' });
  }
  if (ownerReached && unsubscribed?.address === undefined) return ordered(delivered);

  const contact = resolveOwner({ tags: {} }, deps.config);
  if (contact.id === owner.id) {
    if (ownerReached) return ordered(delivered);
    throw unreachable(mine.failures);
  }
  const deliveryNote =
    ownerReached && unsubscribed?.address !== undefined
      ? subscribeNote(owner, unsubscribed.address)
      : unreachedOwnerNote(owner, mine.failures);
  const theirs = await sendRound(
    attempt,
    { ...notice, deliveryNote },
    deliveryTargets(contact, deps.config.notices.slackDmByEmail),
    FALLBACK_CHANNELS,
    deps
  );
  report(theirs.failures, 'fallback contact', attempt.key, deps);
  throwIfTransient(theirs.failures);
  if (theirs.reached.length > 0) {
    deps.metrics.count('NoticeFallback', 1, { to: 'fallback-contact' });
  }
  // Without the owner's channels, `all` holds only what reached the fallback contact.
  const all = [...delivered, ...theirs.reached];
  if (all.length > 0) return ordered(all);
  throw unreachable([...mine.failures, ...theirs.failures]);
}

/**
 * One recipient's channels not yet reached: the address is checked first, then Slack, then
 * email; a channel that fails for good makes the other one say so.
 */
async function sendRound(
  attempt: Attempt,
  notice: Notice,
  targets: DeliveryTargets,
  names: ChannelNames,
  deps: DeliveryDeps
): Promise<Round> {
  const reached: Channel[] = [];
  const failures: ChannelFailure[] = [];
  const pending = (medium: Medium) => !attempt.delivered.includes(names[medium]);
  const noted = (failure: ChannelFailure | undefined): Notice =>
    failure?.permanent === true && notice.deliveryNote === undefined
      ? { ...notice, deliveryNote: otherChannelNote(failure) }
      : notice;
  // The attempt is written ahead of the send: if the process dies between a send and its
  // record, the retry cannot avoid sending again, but it knows, and says so.
  const send = async (medium: Medium, deliver: () => Promise<void>) => {
    const channel = names[medium];
    if (attempt.attempted?.includes(channel) === true) {
      deps.metrics.count('DuplicateSend', 1, { channel: medium });
      deps.log.warn(
        'sending again after an attempt whose outcome is unknown: a possible duplicate',
        {
          key: attempt.key,
          channel,
        }
      );
    }
    await deps.ledger.recordAttempt(attempt.key, channel);
    await deliver();
    await deps.ledger.recordDelivery(attempt.key, channel, notice.status);
    deps.metrics.count('NoticeSent', 1, { channel: medium });
    reached.push(channel);
  };

  const address = targets.email !== undefined && pending('email') ? targets.email : undefined;
  let emailFailure: ChannelFailure | undefined;
  if (address !== undefined) {
    emailFailure = await deps.emailReach.canReach(address).then(
      (reachable) => (reachable ? undefined : noSubscription(address)),
      (error: unknown) => failureOf('email', error)
    );
  }
  if (targets.slack !== undefined && pending('slack')) {
    const target = targets.slack;
    const message = deterministic('rendering the Slack message', () =>
      renderSlack(noted(emailFailure))
    );
    try {
      await send('slack', () => deps.slack.send(target, message, refOf(notice)));
    } catch (error) {
      failures.push(failureOf('slack', error));
    }
  }
  if (emailFailure !== undefined) failures.push(emailFailure);
  if (address !== undefined && emailFailure === undefined) {
    const slackFailure = failures.find((f) => f.channel === 'slack');
    const message = deterministic('rendering the email', () =>
      renderEmail(noted(slackFailure), address)
    );
    try {
      await send('email', () => deps.email.send(message, refOf(notice)));
    } catch (error) {
      failures.push(failureOf('email', error));
    }
  }
  return { reached, failures };
}

function renderBoth(notice: Notice, targets: DeliveryTargets): void {
  if (targets.email !== undefined) renderEmail(notice, targets.email);
  if (targets.slack !== undefined) renderSlack(notice);
}

function refOf(notice: Notice): NoticeRef {
  return { jobName: notice.jobName, status: notice.status };
}

function noSubscription(address: string): ChannelFailure {
  const reason = `no confirmed subscription for ${address}`;
  return {
    channel: 'email',
    permanent: true,
    kind: 'no-subscription',
    reason,
    address,
    error: new DeliveryError('email', reason),
  };
}

/** A send's error as a failure: permanent only when the adapter says no retry can cure it. */
function failureOf(channel: Medium, thrown: unknown): ChannelFailure {
  const error = thrown instanceof Error ? thrown : new DeliveryError(channel, String(thrown));
  const permanent = error instanceof WardenError && !error.retryable;
  const prefix = `${channel} delivery failed: `;
  const reason = error.message.startsWith(prefix)
    ? error.message.slice(prefix.length)
    : error.message;
  return {
    channel,
    permanent,
    kind: permanent ? 'rejected' : 'transient',
    reason: reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON - 1)}…` : reason,
    error,
  };
}

/** Permanent failures are what an operator must fix, so they are errors with a metric. */
function report(
  failures: readonly ChannelFailure[],
  recipient: string,
  key: string,
  deps: DeliveryDeps
): void {
  for (const failure of failures) {
    const dimensions = { channel: failure.channel, kind: failure.kind };
    if (!failure.permanent) {
      deps.metrics.count('ChannelFailedRetried', 1, { channel: failure.channel });
      continue;
    }
    deps.metrics.count('ChannelFailedPermanent', 1, dimensions);
    deps.log.error('notice channel failed permanently; it needs fixing', {
      key,
      recipient,
      ...dimensions,
      reason: failure.reason,
    });
  }
}

/** A transient failure is retried by failing the attempt; the ledger keeps what got through. */
function throwIfTransient(failures: readonly ChannelFailure[]): void {
  if (failures.every((f) => f.permanent)) return;
  const [only, ...rest] = failures;
  if (only !== undefined && rest.length === 0) throw only.error;
  throw new DeliveryError('all channels', messagesOf(failures), {
    cause: new AggregateError(failures.map((f) => f.error)),
    retryable: true,
  });
}

/** Nobody can be reached: the error fails the attempt for good, so the event is kept. */
function unreachable(failures: readonly ChannelFailure[]): Error {
  const [only, ...rest] = failures;
  if (only !== undefined && rest.length === 0) return only.error;
  const detail =
    failures.length === 0
      ? 'no email or Slack reaches the owner or the fallback contact'
      : messagesOf(failures);
  return new DeliveryError('all channels', detail, {
    ...(failures.length === 0 ? {} : { cause: new AggregateError(failures.map((f) => f.error)) }),
    retryable: false,
  });
}

/** Email before Slack, whatever order they were tried in, so messages read the same. */
function messagesOf(failures: readonly ChannelFailure[]): string {
  return [...failures]
    .sort((a, b) => a.channel.localeCompare(b.channel))
    .map((f) => f.error.message)
    .join('; ');
}

function ordered(channels: readonly Channel[]): Channel[] {
  return CHANNEL_ORDER.filter((c) => channels.includes(c));
}

export type { DeliveryDeps };
export { deliverWithFallback };
