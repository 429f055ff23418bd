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

/** The endings of the files an outbox writes (before them, `-2`… when a name is taken). */
const OUTBOX_ENDINGS = ['.eml', '.slack.json'] as const;

/** File names stay well under the 255 bytes most file systems allow. */
const MAX_STEM = 200;

/**
 * Local delivery: each message becomes a file in a folder instead of being sent, email as
 * `<job>-<status>.eml` (opens in any mail client) and Slack as `<job>-<status>.slack.json`
 * (paste into Block Kit Builder).
 *
 * Every message sent gets its own file: a second message with a name already used in this run
 * (a job name used again after DeleteTrainingJob, a notice to the fallback contact as well as
 * the owner, a resend) is written as `<job>-<status>-2.eml`, and so on, never over the first.
 */
class Outbox {
  /** Files written so far, in order and each once, so callers can report them. */
  readonly written: string[] = [];
  private readonly taken = new Set<string>();
  private ready: Promise<unknown> | undefined;

  readonly email: EmailSender = {
    send: (message: EmailMessage, ref: NoticeRef) => {
      const stem = this.claim(fileStem(ref), '.eml');
      return this.write(`${stem}.eml`, toEml(message, stem, this.options));
    },
  };

  readonly slack: SlackSender = {
    send: (target: SlackTarget, message: SlackMessage, ref: NoticeRef) => {
      const stem = this.claim(fileStem(ref), '.slack.json');
      return this.write(
        `${stem}.slack.json`,
        `${JSON.stringify({ target, ...message }, null, 2)}\n`
      );
    },
  };

  constructor(private readonly options: OutboxOptions) {}

  /** The first free `stem`, `stem-2`, `stem-3`… for `ext`, taken at once (before any await). */
  private claim(stem: string, ext: string): string {
    let candidate = stem;
    for (let n = 2; this.taken.has(`${candidate}${ext}`); n++) candidate = `${stem}-${n}`;
    this.taken.add(`${candidate}${ext}`);
    return candidate;
  }

  private async write(name: string, content: string): Promise<void> {
    this.ready ??= mkdir(this.options.dir, { recursive: true });
    await this.ready;
    const path = join(this.options.dir, name);
    await writeFile(path, content);
    this.written.push(path);
  }
}

/**
 * Job names come from events, so anything outside a safe file-name alphabet is replaced; a long
 * name is cut before the status, so two statuses of one job never share a name.
 */
function fileStem(ref: NoticeRef): string {
  const safe = (text: string) => text.replace(/[^A-Za-z0-9._-]/g, '_');
  const status = safe(ref.status).slice(0, 40);
  return `${safe(ref.jobName).slice(0, MAX_STEM - status.length - 1)}-${status}`;
}

function toEml(message: EmailMessage, stem: string, options: OutboxOptions): string {
  const headers = [
    `From: ${headerValue(options.from)}`,
    `To: ${headerValue(message.to)}`,
    `Subject: ${headerValue(message.subject)}`,
    `Date: ${new Date(options.clock.now()).toUTCString()}`,
    `Message-ID: <${stem}@pool-warden.local>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
  ];
  // RFC 5322 wants CRLF line endings; a bare CR counts as a line end too.
  return `${[...headers, '', message.text].join('\n').replace(/\r\n|\r|\n/g, '\r\n')}`;
}

/**
 * A header value on one line: a CR or LF (from `emailFrom` in the config, or a subject) would
 * end the header and start another one (`Bcc:`), so every control character is written as a
 * visible `\x0d`-style escape instead.
 */
function headerValue(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
    out += control ? `\\x${code.toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

export { OUTBOX_ENDINGS, Outbox };
