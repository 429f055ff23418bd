import { NotFoundException, SNSClient } from '@aws-sdk/client-sns';
import { type Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { type FauxqsServer, startFauxqs } from 'fauxqs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SnsEmailSender } from '../../../src/adapters/aws/sns-email-sender.js';
import { DeliveryError } from '../../../src/domain/errors.js';
import type { EmailMessage } from '../../../src/domain/notice/render-email.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';

const REF = { jobName: 'resnet-sweep-017', status: 'Completed' };

function emailTo(to: string): EmailMessage {
  return {
    to,
    subject: 'Pool Warden: Completed, warm pool until 12:00 CET - resnet-sweep-017',
    text: [
      'resnet-sweep-017 completed after 1 h 0 min.',
      '',
      'Warm pool:  Available until 12:00 CET (30 min left, $0.61 at risk)',
      '',
      'Open in the SageMaker console: https://console.aws.amazon.com/sagemaker/',
      '',
    ].join('\n'),
  };
}

interface SnsEnvelope {
  readonly Type: string;
  readonly TopicArn: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Record<string, { Type: string; Value: string }>;
}

describe('sns-email-sender', () => {
  let server: FauxqsServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  let topicArn: string;
  const queueUrls: Record<string, string> = {};

  beforeAll(async () => {
    server = await startFauxqs({ port: 0, logger: false });
    sns = new SNSClient(loopbackClientConfig(server.address));
    sqs = new SQSClient(loopbackClientConfig(server.address));
    ({ topicArn } = server.createTopic('pool-warden-notices'));
    for (const name of ['everything', 'alice', 'bob']) {
      queueUrls[name] = server.createQueue(name).queueUrl;
    }
    // An admin's view of the whole topic, as SNS envelopes.
    server.subscribe({ topic: 'pool-warden-notices', queue: 'everything' });
    // One subscription per owner, filtered on the `owner` attribute as the design prescribes.
    for (const owner of ['alice', 'bob']) {
      server.subscribe({
        topic: 'pool-warden-notices',
        queue: owner,
        attributes: {
          RawMessageDelivery: 'true',
          FilterPolicy: JSON.stringify({ owner: [`${owner}@example.com`] }),
        },
      });
    }
  });

  beforeEach(() => {
    server.reset();
  });

  afterAll(async () => {
    sns.destroy();
    sqs.destroy();
    await server.stop();
  });

  async function receive(queue: string): Promise<Message[]> {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrls[queue],
        MaxNumberOfMessages: 10,
        MessageAttributeNames: ['All'],
      })
    );
    return Messages;
  }

  it('publishes the text, subject and owner, status and job attributes when a notice is sent', async () => {
    // Prepare
    const sender = new SnsEmailSender(sns, topicArn);
    const message = emailTo('alice@example.com');

    // Act
    await sender.send(message, REF);

    // Assess
    const received = await receive('everything');
    expect(received).toHaveLength(1);
    const envelope = JSON.parse(received[0]?.Body ?? '') as SnsEnvelope;
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topicArn,
      Subject: message.subject,
      Message: message.text,
    });
    expect(envelope.MessageAttributes).toEqual({
      owner: { Type: 'String', Value: 'alice@example.com' },
      status: { Type: 'String', Value: 'Completed' },
      job: { Type: 'String', Value: 'resnet-sweep-017' },
    });
  });

  it("delivers alice's notice only to alice's filtered subscription when both owners subscribe", async () => {
    // Act
    await new SnsEmailSender(sns, topicArn).send(emailTo('bob@example.com'), REF);
    await new SnsEmailSender(sns, topicArn).send(emailTo('alice@example.com'), REF);

    // Assess
    const alice = await receive('alice');
    const bob = await receive('bob');
    expect(alice.map((m) => m.MessageAttributes?.owner?.StringValue)).toEqual([
      'alice@example.com',
    ]);
    expect(alice[0]?.Body).toBe(emailTo('alice@example.com').text);
    expect(bob.map((m) => m.MessageAttributes?.owner?.StringValue)).toEqual(['bob@example.com']);
  });

  it('throws a permanent DeliveryError naming the topic when the topic does not exist (no retry can cure it)', async () => {
    // Prepare
    const missing = 'arn:aws:sns:us-east-1:000000000000:no-such-topic';
    const sender = new SnsEmailSender(sns, missing);

    // Act
    const error = await sender.send(emailTo('alice@example.com'), REF).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ channel: 'email', code: 'DELIVERY_FAILED', retryable: false });
    expect((error as Error).message).toContain(`SNS Publish to ${missing} failed`);
    expect((error as DeliveryError).cause).toBeInstanceOf(NotFoundException);
    expect(await receive('everything')).toEqual([]);
  });
});
