import type { WardenConfig } from '../../domain/config/warden-config.js';
import { EMAIL, SLACK_MEMBER } from '../../domain/owner/owner-ref.js';

/**
 * Domains no one receives mail at (RFC 2606 and RFC 6761): the example config's addresses,
 * and what people type when they mean "fill in later".
 */
const RESERVED_DOMAIN = /(?:^|\.)(?:example\.(?:com|net|org)|example|invalid|test|localhost)$/i;

/**
 * The config's contacts when every one of them is a placeholder, such as the example config's
 * `ml-platform@example.com`; undefined when at least one could reach a person. A contact is
 * an email address, a Slack member id or a Slack webhook, in the directory or named directly
 * by `owners`. Deployed with only placeholders, every notice would go to nobody.
 */
function onlyPlaceholderContacts(config: WardenConfig): string[] | undefined {
  const emails: string[] = [];
  let reachable = false;
  const consider = (value: string | undefined) => {
    if (value === undefined) return;
    if (EMAIL.test(value)) {
      emails.push(value);
      if (!RESERVED_DOMAIN.test(value.slice(value.lastIndexOf('@') + 1))) reachable = true;
    } else if (SLACK_MEMBER.test(value)) {
      reachable = true;
    }
  };
  consider(config.owners.fallback);
  for (const owner of Object.values(config.owners.roles)) consider(owner);
  for (const entry of Object.values(config.directory)) {
    consider(entry.email);
    consider(entry.slack);
    if (entry.slackWebhook !== undefined) reachable = true;
  }
  return reachable ? undefined : [...new Set(emails)];
}

export { onlyPlaceholderContacts };
