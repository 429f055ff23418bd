import {
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  type ListSubscriptionsByTopicCommandOutput,
  type SNSClient,
} from '@aws-sdk/client-sns';
import {
  type EmailSubscription,
  subscriptionProblem,
} from '../../domain/actions/subscription-check.js';
import { DependencyError } from '../../domain/errors.js';
import type { Log } from '../../domain/ports/log.js';
import type { Metrics } from '../../domain/ports/metrics.js';

/** Protocols that put the message in somebody's mailbox (as SnsEmailReach counts them). */
const EMAIL_PROTOCOLS: ReadonlySet<string> = new Set(['email', 'email-json']);

/** A subscription that could receive someone else's action links. */
interface SubscriptionFinding {
  readonly subscriptionArn: string;
  readonly endpoint: string;
  readonly problem: string;
}

function failure(operation: string, topicArn: string, error: unknown): DependencyError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DependencyError('SNS', `${operation} on ${topicArn} failed: ${detail}`, {
    cause: error,
    retryable: true,
  });
}

/**
 * Lists every confirmed email subscription on the notice topic and reports those whose filter
 * policy does not name exactly their own address. Pending subscriptions receive nothing yet and
 * are checked once confirmed.
 *
 * @example const findings = await checkEmailSubscriptions(sns, topicArn);
 */
async function checkEmailSubscriptions(
  client: SNSClient,
  topicArn: string
): Promise<SubscriptionFinding[]> {
  const subscriptions: { arn: string; endpoint: string }[] = [];
  let nextToken: string | undefined;
  do {
    let page: ListSubscriptionsByTopicCommandOutput;
    try {
      page = await client.send(
        new ListSubscriptionsByTopicCommand({
          TopicArn: topicArn,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        })
      );
    } catch (error) {
      throw failure('ListSubscriptionsByTopic', topicArn, error);
    }
    for (const { SubscriptionArn: arn, Protocol, Endpoint } of page.Subscriptions ?? []) {
      if (arn === undefined || !arn.startsWith('arn:')) continue;
      if (Protocol === undefined || !EMAIL_PROTOCOLS.has(Protocol) || Endpoint === undefined) {
        continue;
      }
      subscriptions.push({ arn, endpoint: Endpoint });
    }
    nextToken = page.NextToken === '' ? undefined : page.NextToken;
  } while (nextToken !== undefined);

  const findings: SubscriptionFinding[] = [];
  for (const { arn, endpoint } of subscriptions) {
    let attributes: Record<string, string>;
    try {
      ({ Attributes: attributes = {} } = await client.send(
        new GetSubscriptionAttributesCommand({ SubscriptionArn: arn })
      ));
    } catch (error) {
      if (error instanceof Error && error.name === 'NotFoundException') continue;
      throw failure('GetSubscriptionAttributes', topicArn, error);
    }
    const subscription: EmailSubscription = {
      arn,
      endpoint,
      ...(attributes.FilterPolicy === undefined ? {} : { filterPolicy: attributes.FilterPolicy }),
      ...(attributes.FilterPolicyScope === undefined
        ? {}
        : { filterPolicyScope: attributes.FilterPolicyScope }),
    };
    const problem = subscriptionProblem(subscription);
    if (problem !== undefined) findings.push({ subscriptionArn: arn, endpoint, problem });
  }
  return findings;
}

/**
 * Tells the operators about each finding: one error line (alarms read them) and one metric.
 *
 * @example reportSubscriptionFindings(findings, logger, metrics)
 */
function reportSubscriptionFindings(
  findings: readonly SubscriptionFinding[],
  log: Log,
  metrics: Metrics
): void {
  for (const finding of findings) {
    log.error('an email subscription could receive other owners\u2019 action links', {
      subscriptionArn: finding.subscriptionArn,
      endpoint: finding.endpoint,
      problem: finding.problem,
      fix: 'set a filter policy {"owner": ["<its own address>"]} on the subscription, or remove it',
    });
  }
  if (findings.length > 0) metrics.count('EmailSubscriptionUnfiltered', findings.length);
}

export type { SubscriptionFinding };
export { checkEmailSubscriptions, reportSubscriptionFindings };
