import { isRecord } from '../objects.js';

/**
 * An email link is a bearer credential for the one address it was sent to. Through SNS, every
 * email subscription on the notice topic receives every message its filter policy admits, so a
 * subscription must filter on `owner` naming exactly its own address; otherwise it receives
 * other people's links.
 */

/** One email subscription on the notice topic, as SNS lists it. */
interface EmailSubscription {
  readonly arn: string;
  readonly endpoint: string;
  readonly filterPolicy?: string;
  /** `MessageAttributes` (the default) or `MessageBody`. */
  readonly filterPolicyScope?: string;
}

/** Attributes besides `owner` that only narrow what a subscriber receives (see SnsEmailSender). */
const NARROWING_ATTRIBUTES: ReadonlySet<string> = new Set(['status', 'job']);

/** The one address an `owner` condition names exactly, or `undefined`. */
function namedAddress(conditions: unknown): string | undefined {
  const list: unknown[] = Array.isArray(conditions) ? conditions : [conditions];
  if (list.length !== 1) return undefined;
  const [only] = list;
  if (typeof only === 'string') return only;
  if (isRecord(only) && Object.keys(only).length === 1) {
    const exact = only['equals-ignore-case'];
    if (typeof exact === 'string') return exact;
  }
  return undefined;
}

/**
 * Why `subscription` could receive links meant for someone else, or `undefined` when its filter
 * policy names exactly one address, its own.
 *
 * @example subscriptionProblem({ arn, endpoint: 'ops@example.com' }) // 'has no filter policy: …'
 */
function subscriptionProblem(subscription: EmailSubscription): string | undefined {
  const { filterPolicy, filterPolicyScope } = subscription;
  if (filterPolicy === undefined || filterPolicy.trim() === '') {
    return "has no filter policy: it receives every owner's notices and action links";
  }
  // A body-scoped policy never matches Warden's plain-text messages: it receives nothing.
  if (filterPolicyScope === 'MessageBody') return undefined;
  let policy: unknown;
  try {
    policy = JSON.parse(filterPolicy);
  } catch {
    return 'has a filter policy that is not JSON';
  }
  if (!isRecord(policy)) return 'has a filter policy that is not a JSON object';
  const others = Object.keys(policy).filter((k) => k !== 'owner' && !NARROWING_ATTRIBUTES.has(k));
  if (others.length > 0) {
    return `has a filter policy on ${others.join(', ')}: it must name one owner address, nothing else`;
  }
  const address = namedAddress(policy.owner);
  if (address === undefined) {
    return 'has a filter policy that does not name exactly one owner address';
  }
  if (address.toLowerCase() !== subscription.endpoint.toLowerCase()) {
    return `names the owner ${address} but delivers to another address, which would receive their links`;
  }
  return undefined;
}

export type { EmailSubscription };
export { subscriptionProblem };
