import { describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../src/adapters/aws/ses-email-sender.js';
import { SnsEmailReach } from '../../src/adapters/aws/sns-email-reach.js';
import { SnsEmailSender } from '../../src/adapters/aws/sns-email-sender.js';
import { wardenConfig } from '../../src/domain/config/warden-config.js';
import { reachEveryone } from '../../src/domain/ports/senders.js';
import { emailTransport } from '../../src/handlers/lambda-deps.js';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:pool-warden-notices';

function configWith(notices: object) {
  return wardenConfig.parse({ version: 1, owners: { fallback: 'ops@example.com' }, notices });
}

describe('lambda-deps emailTransport', () => {
  it('sends through SNS and checks subscriptions when the config names no transport', () => {
    // Act
    const { email, emailReach } = emailTransport(configWith({}), TOPIC);

    // Assess
    expect(email).toBeInstanceOf(SnsEmailSender);
    expect(emailReach).toBeInstanceOf(SnsEmailReach);
  });

  it('sends through SES and treats every address as reachable when the transport is ses', () => {
    // Prepare
    const config = configWith({
      emailFrom: 'Pool Warden <warden@example.com>',
      email: {
        transport: 'ses',
        identityArn: 'arn:aws:ses:eu-west-1:111122223333:identity/example.com',
      },
    });

    // Act
    const { email, emailReach } = emailTransport(config, TOPIC);

    // Assess
    expect(email).toBeInstanceOf(SesEmailSender);
    expect(emailReach).toBe(reachEveryone);
  });
});
