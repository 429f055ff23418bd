import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EmailMessage } from '../../domain/notice/render-email.js';
import type { SlackMessage } from '../../domain/notice/render-slack.js';
import type { Clock } from '../../domain/ports/clock.js';
import type {
  EmailSender,
  NoticeRef,
  SlackSender,
  SlackTarget,
} from '../../domain/ports/senders.js';

interface OutboxOptions {
  readonly dir: string;
  readonly from: string;
  readonly clock: Clock;
}

/**
 * Local delivery: each notice becomes files in a folder instead of a message, email as
 * `<job>-<status>.eml` (opens in any mail client) and Slack as `<job>-<status>.slack.json`
 * (paste into Block Kit Builder).
 */
class Outbox {
  /** Files written so far, in order, so callers can report them. */
  readonly written: string[] = [];
  private ready: Promise<unknown> | undefined;

  readonly email: EmailSender = {
    send: (message: EmailMessage, ref: NoticeRef) =>
      this.write(`${fileStem(ref)}.eml`, toEml(message, ref, this.options)),
  };

  readonly slack: SlackSender = {
    send: (target: SlackTarget, message: SlackMessage, ref: NoticeRef) =>
      this.write(
        `${fileStem(ref)}.slack.json`,
        `${JSON.stringify({ target, ...message }, null, 2)}\n`
      ),
  };

  constructor(private readonly options: OutboxOptions) {}

  private async write(name: string, content: string): Promise<void> {
    this.ready ??= mkdir(this.options.dir, { recursive: true });
    await this.ready;
    const path = join(this.options.dir, name);
    await writeFile(path, content);
    this.written.push(path);
  }
}

/** Job names come from events, so anything outside a safe file-name alphabet is replaced. */
function fileStem(ref: NoticeRef): string {
  return `${ref.jobName}-${ref.status}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 200);
}

function toEml(message: EmailMessage, ref: NoticeRef, options: OutboxOptions): string {
  const headers = [
    `From: ${options.from}`,
    `To: ${message.to}`,
    `Subject: ${message.subject}`,
    `Date: ${new Date(options.clock.now()).toUTCString()}`,
    `Message-ID: <${fileStem(ref)}@pool-warden.local>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  // RFC 5322 wants CRLF line endings.
  return `${[...headers, '', message.text].join('\n').replace(/\r?\n/g, '\r\n')}`;
}

export { Outbox };
