import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeliveryError } from '../../domain/errors.js';
import type { EmailMessage } from '../../domain/notice/render-email.js';
import { renderEmailHtml } from '../../domain/notice/render-email-html.js';
import type { EmailSender, NoticeRef } from '../../domain/ports/senders.js';

interface SesEmailSenderOptions {
  /** The From header, e.g. `Pool Warden <pool-warden@example.com>`, of a verified identity. */
  readonly from: string;
  /** The identity's ARN, when it is another account's or the role may only use that one. */
  readonly identityArn?: string;
  /** A configuration set for bounce and complaint events. */
  readonly configurationSet?: string;
}

/**
 * Refusals no retry cures, with what an operator should read. Anything else SES refuses
 * with a 4xx is permanent too; throttling, quota, 5xx and network errors are retried.
 */
const PERMANENT: Readonly<Record<string, string>> = {
  MessageRejected:
    'SES refused the message; in the SES sandbox every recipient must be verified too',
  MailFromDomainNotVerifiedException:
    "the sending identity's custom MAIL FROM domain is not verified",
  AccountSuspendedException: 'the account may no longer send with SES',
  SendingPausedException: 'sending is paused for the account or the configuration set',
  NotFoundException: 'the sending identity or the configuration set does not exist',
  AccessDeniedException: "the function's role may not send from this identity (ses:SendEmail)",
  BadRequestException: 'SES found the request invalid',
};

const TRANSIENT = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
  'Throttling',
  'InternalFailure',
  'ServiceUnavailable',
  'TimeoutError',
]);

/**
 * Email through Amazon SES (`SendEmail`) from a verified identity: nobody has to confirm a
 * subscription, the From address is a real one, and the message has an HTML part beside the
 * text. Each message goes to its owner's address only.
 */
class SesEmailSender implements EmailSender {
  constructor(
    private readonly client: SESv2Client,
    private readonly options: SesEmailSenderOptions
  ) {}

  async send(message: EmailMessage, _ref: NoticeRef): Promise<void> {
    const { from, identityArn, configurationSet } = this.options;
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: from,
          ...(identityArn === undefined ? {} : { FromEmailAddressIdentityArn: identityArn }),
          Destination: { ToAddresses: [message.to] },
          Content: {
            Simple: {
              Subject: { Data: message.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: message.text, Charset: 'UTF-8' },
                Html: { Data: renderEmailHtml(message), Charset: 'UTF-8' },
              },
            },
          },
          ...(configurationSet === undefined ? {} : { ConfigurationSetName: configurationSet }),
        })
      );
    } catch (error) {
      throw this.failure(error);
    }
  }

  private failure(error: unknown): DeliveryError {
    const name = error instanceof Error ? error.name : 'Error';
    const detail = error instanceof Error ? error.message.slice(0, 300) : String(error);
    const status = httpStatus(error);
    const why = PERMANENT[name];
    const retryable =
      why === undefined && (TRANSIENT.has(name) || status === undefined || status >= 500);
    const reason = why === undefined ? name : `${name} (${why})`;
    return new DeliveryError('email', `SES SendEmail failed: ${reason}: ${detail}`, {
      cause: error,
      retryable,
    });
  }
}

/** The HTTP status of an SDK service error; `undefined` when no answer came (network). */
function httpStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null || !('$metadata' in error)) return undefined;
  const metadata = error.$metadata;
  if (typeof metadata !== 'object' || metadata === null || !('httpStatusCode' in metadata)) {
    return undefined;
  }
  return typeof metadata.httpStatusCode === 'number' ? metadata.httpStatusCode : undefined;
}

export type { SesEmailSenderOptions };
export { SesEmailSender };
