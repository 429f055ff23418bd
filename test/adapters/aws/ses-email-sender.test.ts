import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../../src/adapters/aws/ses-email-sender.js';
import { DeliveryError } from '../../../src/domain/errors.js';
import type { EmailMessage } from '../../../src/domain/notice/render-email.js';
import { closedPortUrl, loopbackClientConfig } from '../../helpers/loopback-http.js';
import {
  LoopbackSesV2,
  sesError,
  sesInternalError,
  sesThrottled,
} from '../../helpers/loopback-sesv2.js';

const REF = { jobName: 'resnet-sweep-017', status: 'Completed' };
const FROM = 'Pool Warden <pool-warden@example.com>';
const MESSAGE: EmailMessage = {
  to: 'alice@example.org',
  subject: 'Pool Warden: Completed - resnet-sweep-017',
  text: 'resnet-sweep-017 completed after 1h 00m.\n\nReason:  <b>not bold</b>\n',
};

describe('ses-email-sender', () => {
  let ses: LoopbackSesV2;
  let client: SESv2Client;

  beforeAll(async () => {
    ses = await LoopbackSesV2.start();
    ses.verify('example.com');
    client = new SESv2Client({ ...loopbackClientConfig(ses.endpoint), maxAttempts: 1 });
  });

  beforeEach(() => {
    ses.reset();
  });

  afterAll(async () => {
    client.destroy();
    await ses.stop();
  });

  async function failureOf(sender: SesEmailSender): Promise<DeliveryError> {
    const error = await sender.send(MESSAGE, REF).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    return error as DeliveryError;
  }

  it('sends text and an escaped HTML part from the configured address to the owner only', async () => {
    // Prepare
    const sender = new SesEmailSender(client, {
      from: FROM,
      identityArn: 'arn:aws:ses:us-east-1:111122223333:identity/example.com',
      configurationSet: 'pool-warden',
    });

    // Act
    await sender.send(MESSAGE, REF);

    // Assess
    expect(ses.calls).toHaveLength(1);
    const input = ses.calls[0]?.input;
    expect(input).toMatchObject({
      FromEmailAddress: FROM,
      FromEmailAddressIdentityArn: 'arn:aws:ses:us-east-1:111122223333:identity/example.com',
      ConfigurationSetName: 'pool-warden',
      Destination: { ToAddresses: ['alice@example.org'] },
      Content: {
        Simple: {
          Subject: { Data: MESSAGE.subject, Charset: 'UTF-8' },
          Body: { Text: { Data: MESSAGE.text, Charset: 'UTF-8' } },
        },
      },
    });
    const content = input?.Content as { Simple: { Body: { Html: { Data: string } } } };
    const html = content.Simple.Body.Html.Data;
    expect(html).toContain('&lt;b&gt;not bold&lt;/b&gt;');
    expect(html).not.toContain('<b>');
  });

  it('leaves out the identity ARN and configuration set when none is configured', async () => {
    // Act
    await new SesEmailSender(client, { from: FROM }).send(MESSAGE, REF);

    // Assess
    expect(Object.keys(ses.calls[0]?.input ?? {}).sort()).toEqual([
      'Content',
      'Destination',
      'FromEmailAddress',
    ]);
  });

  it('throws a permanent DeliveryError with the reason when the From identity is not verified', async () => {
    // Act
    const error = await failureOf(
      new SesEmailSender(client, { from: 'warden@unverified.example' })
    );

    // Assess
    expect(error.message).toContain(
      'email delivery failed: SES SendEmail failed: MessageRejected (SES refused the message; in the SES sandbox every recipient must be verified too): Email address is not verified'
    );
    expect(error).toMatchObject({ channel: 'email', retryable: false });
  });

  it.each([
    ['MailFromDomainNotVerifiedException', 'custom MAIL FROM domain is not verified'],
    ['AccountSuspendedException', 'may no longer send'],
    ['SendingPausedException', 'sending is paused'],
    ['NotFoundException', 'does not exist'],
  ])('throws a permanent DeliveryError explaining %s', async (type, why) => {
    // Prepare
    ses.fail(sesError(400, type, 'refused'));

    // Act
    const error = await failureOf(new SesEmailSender(client, { from: FROM }));

    // Assess
    expect(error.message).toContain(`SES SendEmail failed: ${type} (`);
    expect(error.message).toContain(why);
    expect(error.retryable).toBe(false);
  });

  it.each([
    ['throttled', sesThrottled()],
    ['over its quota', sesError(400, 'LimitExceededException', 'Daily message quota exceeded.')],
    ['failing inside', sesInternalError()],
    ['answering 503', sesError(503, 'ServiceUnavailable', 'Service unavailable.')],
  ])('throws a retryable DeliveryError keeping the cause when SES is %s', async (_, reply) => {
    // Prepare
    ses.fail(reply);

    // Act
    const error = await failureOf(new SesEmailSender(client, { from: FROM }));

    // Assess
    expect(error.retryable).toBe(true);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('throws a retryable DeliveryError when SES cannot be reached', async () => {
    // Prepare
    const unreachable = new SESv2Client({
      ...loopbackClientConfig(await closedPortUrl()),
      maxAttempts: 1,
    });

    // Act
    const error = await failureOf(new SesEmailSender(unreachable, { from: FROM }));

    // Assess
    expect(error.retryable).toBe(true);
    unreachable.destroy();
  });
});
