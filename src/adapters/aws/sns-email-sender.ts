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
        retryable: true,
      });
    }
  }
}

export { SnsEmailSender };
