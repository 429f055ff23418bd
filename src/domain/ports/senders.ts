import type { EmailMessage } from '../notice/render-email.js';
import type { SlackMessage } from '../notice/render-slack.js';

/** Where a Slack message goes: a member's DM, a member found by email, or a team webhook. */
type SlackTarget =
  | { readonly kind: 'user'; readonly id: string }
  | { readonly kind: 'email'; readonly email: string }
  | { readonly kind: 'webhook'; readonly name: string };

/** Identifies the notice a message belongs to (outbox file names, log keys). */
interface NoticeRef {
  readonly jobName: string;
  readonly status: string;
}

interface EmailSender {
  send(message: EmailMessage, ref: NoticeRef): Promise<void>;
}

interface SlackSender {
  send(target: SlackTarget, message: SlackMessage, ref: NoticeRef): Promise<void>;
}

/**
 * Which email addresses a message can actually reach. With SNS, a Publish that matches no
 * confirmed subscription succeeds and reaches nobody, so the sender must ask first; with SES
 * (a verified sending identity) every address is reachable.
 */
interface EmailReach {
  /** Case-insensitive; `false` means nobody would receive mail sent to `address`. */
  canReach(address: string): Promise<boolean>;
}

/** Every address is reachable: SES, or a replay without a subscription list. */
const reachEveryone: EmailReach = { canReach: async () => true };

export type { EmailReach, EmailSender, NoticeRef, SlackSender, SlackTarget };
export { reachEveryone };
