import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import { DeliveryError } from '../../domain/errors.js';
import type { EmailMessage } from '../../domain/notice/render-email.js';
import type { EmailSender, NoticeRef } from '../../domain/ports/senders.js';

/**
 * Email through one SNS topic. Each message carries the owner's address as the `owner`
 * message attribute; an admin subscribes each address with the filter policy
 * `{"owner": ["alice@example.com"]}`, so everyone receives only their own notices.
 */
class SnsEmailSender implements EmailSender {
  constructor(
    private readonly client: SNSClient,
    private readonly topicArn: string
  ) {}

  async send(message: EmailMessage, ref: NoticeRef): Promise<void> {
    try {
      await this.client.send(
        new PublishCommand({
          TopicArn: this.topicArn,
          Subject: message.subject,
          Message: message.text,
          MessageAttributes: {
            owner: { DataType: 'String', StringValue: message.to },
            status: { DataType: 'String', StringValue: ref.status },
            job: { DataType: 'String', StringValue: ref.jobName },
          },
        })
      );
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DeliveryError('email', `SNS Publish to ${this.topicArn} failed: ${detail}`, {
        cause: error,
        retryable: isTransient(error),
      });
    }
  }
}

/** SNS errors a retry can cure; the SDK has already retried these a few times. */
const TRANSIENT_NAMES = new Set([
  'Throttled',
  'ThrottledException',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'KMSThrottlingException',
]);

/**
 * A refusal (the topic was deleted, the role may not publish, a KMS key is disabled) comes back
 * as a 4xx and fails the same way every time: permanent, so the notice falls back at once
 * instead of waiting for Lambda's retries. Network errors and 5xx are transient.
 */
function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return true;
  if (TRANSIENT_NAMES.has(error.name)) return true;
  const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
  return status === undefined || status >= 500 || status === 429;
}

export { SnsEmailSender };
