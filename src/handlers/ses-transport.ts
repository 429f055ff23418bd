import { SESv2Client } from '@aws-sdk/client-sesv2';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { SesEmailSender } from '../adapters/aws/ses-email-sender.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import { type EmailReach, type EmailSender, reachEveryone } from '../domain/ports/senders.js';

/**
 * Email through SES from a verified identity: every address is reachable. A module of its own
 * because bundling replaces it with a stub when the config chose SNS (the SES client is about
 * 60 KB of a bundle that must stay under 400 KB; `scripts/esbuild-plugins.mjs`).
 */
function sesTransport(config: WardenConfig): { email: EmailSender; emailReach: EmailReach } {
  const settings = config.notices.email;
  // SES is called in the identity's region, which need not be the function's.
  const region = settings?.identityArn?.split(':')[3];
  const client = new SESv2Client({
    ...AWS_CLIENT_OPTIONS,
    ...(region === undefined ? {} : { region }),
  });
  return {
    email: new SesEmailSender(client, {
      from: config.notices.emailFrom,
      ...(settings?.identityArn === undefined ? {} : { identityArn: settings.identityArn }),
      ...(settings?.configurationSet === undefined
        ? {}
        : { configurationSet: settings.configurationSet }),
    }),
    emailReach: reachEveryone,
  };
}

export { sesTransport };
