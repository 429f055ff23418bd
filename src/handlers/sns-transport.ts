import { SNSClient } from '@aws-sdk/client-sns';
import {
  checkEmailSubscriptions,
  type SubscriptionFinding,
} from '../adapters/actions/sns-subscription-check.js';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { SnsEmailReach } from '../adapters/aws/sns-email-reach.js';
import { SnsEmailSender } from '../adapters/aws/sns-email-sender.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import type { EmailReach, EmailSender } from '../domain/ports/senders.js';

/**
 * Email through the stack's SNS topic: only confirmed subscriptions reach anyone, so reach is
 * checked. A module of its own because bundling replaces it with a stub when the config chose
 * SES: the SNS client and the query protocol it alone brings are about 30 KB of a bundle that
 * must stay under 400 KB (`scripts/esbuild-plugins.mjs`).
 */
function snsTransport(topicArn: string): { email: EmailSender; emailReach: EmailReach } {
  const sns = new SNSClient(AWS_CLIENT_OPTIONS);
  return {
    email: new SnsEmailSender(sns, topicArn),
    emailReach: new SnsEmailReach(sns, topicArn, systemClock),
  };
}

/**
 * Only the sender, for the steward's pool notices: they go to owners the finish notice already
 * reached, and the reach check would cost the evaluator's bundle the subscription reader.
 */
function snsEmailSender(topicArn: string): EmailSender {
  return new SnsEmailSender(new SNSClient(AWS_CLIENT_OPTIONS), topicArn);
}

/** The hourly subscription check, on one SNS client made at the first check, not at each. */
function snsSubscriptionCheck(topicArn: string): () => Promise<readonly SubscriptionFinding[]> {
  let sns: SNSClient | undefined;
  return () => {
    sns ??= new SNSClient(AWS_CLIENT_OPTIONS);
    return checkEmailSubscriptions(sns, topicArn);
  };
}

export { snsEmailSender, snsSubscriptionCheck, snsTransport };
