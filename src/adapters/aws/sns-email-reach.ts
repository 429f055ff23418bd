import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  type ListSubscriptionsByTopicCommandOutput,
  type SNSClient,
} from '@aws-sdk/client-sns';
import { DependencyError } from '../../domain/errors.js';
import { isRecord } from '../../domain/objects.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EmailReach } from '../../domain/ports/senders.js';

/** Re-list after this long, so a new subscription counts within minutes. */
const CACHE_MS = 5 * 60_000;

/** Protocols that put the message in somebody's mailbox. */
const EMAIL_PROTOCOLS = new Set(['email', 'email-json']);

/**
 * Message attributes our SNS sender sets besides `owner` (see sns-email-sender.ts). A subscriber
 * who filters on them chose to hear of some notices only, which is theirs to choose, so a
 * condition on them does not make the address unreachable.
 */
const NARROWING_ATTRIBUTES = new Set(['status', 'job']);

interface Listing {
  readonly until: number;
  /** Confirmed email subscriptions by lower-cased endpoint. */
  readonly byAddress: Promise<ReadonlyMap<string, readonly string[]>>;
  /** Whether each subscription's filter policy admits its own address, read on demand. */
  readonly admits: Map<string, Promise<boolean>>;
}

/**
 * Which addresses the notice topic reaches. An address is reachable when a confirmed email
 * subscription has it as its endpoint (compared case-insensitively) and that subscription's
 * filter policy, if any, admits a message whose `owner` attribute is the address: the way
 * SnsEmailSender addresses mail. Pending subscriptions reach nobody; an unfiltered admin
 * subscription does not make other addresses reachable. The list is cached for five minutes.
 */
class SnsEmailReach implements EmailReach {
  private listing: Listing | undefined;

  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string,
    private readonly clock: Clock
  ) {}

  async canReach(address: string): Promise<boolean> {
    const listing = this.current();
    const arns = (await listing.byAddress).get(address.toLowerCase()) ?? [];
    for (const arn of arns) {
      let admits = listing.admits.get(arn);
      if (admits === undefined) {
        admits = this.filterAdmits(arn, address);
        listing.admits.set(arn, admits);
        admits.catch(() => listing.admits.delete(arn));
      }
      if (await admits) return true;
    }
    return false;
  }

  private current(): Listing {
    const now = this.clock.now();
    if (this.listing !== undefined && this.listing.until > now) return this.listing;
    const listing: Listing = { until: now + CACHE_MS, byAddress: this.list(), admits: new Map() };
    // A failed listing is not kept: the next call lists again.
    listing.byAddress.catch(() => {
      if (this.listing === listing) this.listing = undefined;
    });
    this.listing = listing;
    return listing;
  }

  private async list(): Promise<ReadonlyMap<string, readonly string[]>> {
    const byAddress = new Map<string, string[]>();
    let nextToken: string | undefined;
    do {
      let page: ListSubscriptionsByTopicCommandOutput;
      try {
        page = await this.client.send(
          new ListSubscriptionsByTopicCommand({
            TopicArn: this.topicArn,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          })
        );
      } catch (error) {
        throw this.failure('ListSubscriptionsByTopic', error);
      }
      for (const { SubscriptionArn: arn, Protocol, Endpoint } of page.Subscriptions ?? []) {
        if (arn === undefined || !arn.startsWith('arn:')) continue;
        if (Protocol === undefined || !EMAIL_PROTOCOLS.has(Protocol) || Endpoint === undefined) {
          continue;
        }
        const key = Endpoint.toLowerCase();
        byAddress.set(key, [...(byAddress.get(key) ?? []), arn]);
      }
      nextToken = page.NextToken === '' ? undefined : page.NextToken;
    } while (nextToken !== undefined);
    return byAddress;
  }

  private async filterAdmits(subscriptionArn: string, address: string): Promise<boolean> {
    let attributes: Record<string, string>;
    try {
      ({ Attributes: attributes = {} } = await this.client.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: subscriptionArn })
      ));
    } catch (error) {
      // Unsubscribed since it was listed: it reaches nobody.
      if (error instanceof Error && error.name === 'NotFoundException') return false;
      throw this.failure('GetSubscriptionAttributes', error);
    }
    const { FilterPolicy: policy, FilterPolicyScope: scope } = attributes;
    if (policy === undefined || policy.trim() === '') return true;
    // The message body is plain text, so no body-scoped policy can match it.
    if (scope === 'MessageBody') return false;
    let parsed: unknown;
    try {
      parsed = JSON.parse(policy);
    } catch {
      return false;
    }
    return ownerFilterAdmits(parsed, address);
  }

  private failure(operation: string, error: unknown): DependencyError {
    const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return new DependencyError('SNS', `${operation} on ${this.topicArn} failed: ${detail}`, {
      cause: error,
      retryable: true,
    });
  }
}

/**
 * Whether an SNS filter policy (attribute scope) admits a message whose `owner` attribute is
 * `owner`, following SNS's matching rules: exact strings are case-sensitive, every key must
 * match, `$or` takes any branch. An operator this does not know counts as no match, so an
 * address is never reported reachable when it might not be.
 */
function ownerFilterAdmits(policy: unknown, owner: string): boolean {
  if (!isRecord(policy)) return false;
  return Object.entries(policy).every(([key, conditions]) => {
    if (key === '$or') {
      return Array.isArray(conditions) && conditions.some((p) => ownerFilterAdmits(p, owner));
    }
    if (NARROWING_ATTRIBUTES.has(key)) return true;
    const value = key === 'owner' ? owner : undefined;
    const list: unknown[] = Array.isArray(conditions) ? conditions : [conditions];
    return list.some((condition) => conditionMatches(condition, value));
  });
}

/** One condition of a filter policy against a String attribute, `undefined` when absent. */
function conditionMatches(condition: unknown, value: string | undefined): boolean {
  if (typeof condition === 'string') return value === condition;
  if (!isRecord(condition)) return false;
  const entries = Object.entries(condition);
  if (entries.length !== 1) return false;
  const [operator, operand] = entries[0] as [string, unknown];
  if (operator === 'exists') return operand === (value !== undefined);
  if (value === undefined) return false;
  switch (operator) {
    case 'prefix':
      return typeof operand === 'string' && value.startsWith(operand);
    case 'suffix':
      return typeof operand === 'string' && value.endsWith(operand);
    case 'equals-ignore-case':
      return typeof operand === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      return typeof operand === 'string' && wildcard(operand).test(value);
    case 'anything-but':
      return anythingBut(operand, value);
    default:
      return false;
  }
}

function anythingBut(operand: unknown, value: string): boolean {
  if (typeof operand === 'string') return value !== operand;
  if (Array.isArray(operand)) {
    return operand.every((o) => typeof o === 'string') && !operand.includes(value);
  }
  if (isRecord(operand)) {
    const { prefix, suffix } = operand;
    if (typeof prefix === 'string' && Object.keys(operand).length === 1) {
      return !value.startsWith(prefix);
    }
    if (typeof suffix === 'string' && Object.keys(operand).length === 1) {
      return !value.endsWith(suffix);
    }
  }
  return false;
}

function wildcard(pattern: string): RegExp {
  const body = pattern
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${body}$`, 's');
}

export { ownerFilterAdmits, SnsEmailReach };
