import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Outbox } from '../../../src/adapters/outbox/outbox.js';
import type { EmailMessage } from '../../../src/domain/notice/render-email.js';
import type { SlackMessage } from '../../../src/domain/notice/render-slack.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { T0 } from '../../helpers/factories.js';

const REF = { jobName: 'resnet-sweep-017', status: 'Completed' };
const EMAIL: EmailMessage = {
  to: 'alice@example.com',
  subject: 'Pool Warden: Completed - resnet-sweep-017',
  text: 'resnet-sweep-017 completed after 1 h 0 min.\n\nWarm pool:  Available\n',
};
const SLACK: SlackMessage = {
  text: 'resnet-sweep-017 completed',
  blocks: [{ type: 'header', text: { type: 'plain_text', text: 'resnet-sweep-017 completed' } }],
};

describe('outbox', () => {
  let root: string;
  let dir: string;

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'pool-warden-outbox-'));
    dir = join(root, 'out', 'outbox');
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  function outbox(): Outbox {
    return new Outbox({
      dir,
      from: 'Pool Warden <warden@example.com>',
      clock: new VirtualClock(T0),
    });
  }

  it('writes <job>-<status>.eml with RFC 5322 headers and CRLF line endings when an email is sent', async () => {
    // Prepare
    const box = outbox();

    // Act
    await box.email.send(EMAIL, REF);

    // Assess
    const path = join(dir, 'resnet-sweep-017-Completed.eml');
    expect(box.written).toEqual([path]);
    const eml = await readFile(path, 'utf8');
    const blank = eml.indexOf('\r\n\r\n');
    const head = eml.slice(0, blank);
    const body = eml.slice(blank + 4);
    expect(head.split('\r\n')).toEqual([
      'From: Pool Warden <warden@example.com>',
      'To: alice@example.com',
      'Subject: Pool Warden: Completed - resnet-sweep-017',
      'Date: Thu, 26 Nov 2026 10:00:00 GMT',
      'Message-ID: <resnet-sweep-017-Completed@pool-warden.local>',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: 8bit',
    ]);
    expect(body).toBe(EMAIL.text.replace(/\n/g, '\r\n'));
    expect(eml.replace(/\r\n/g, '')).not.toMatch(/[\r\n]/);
  });

  it('writes <job>-<status>.slack.json with the target and the Block Kit message when Slack is sent', async () => {
    // Prepare
    const box = outbox();
    const target = { kind: 'user', id: 'U0ALICE01' } as const;

    // Act
    await box.slack.send(target, SLACK, REF);

    // Assess
    const path = join(dir, 'resnet-sweep-017-Completed.slack.json');
    expect(box.written).toEqual([path]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ target, ...SLACK });
  });

  it('keeps the file inside the folder with a safe name when the job name holds path characters', async () => {
    // Prepare
    const box = outbox();
    const ref = { jobName: '../../etc/passwd x:y', status: 'Failed' };

    // Act
    await box.email.send(EMAIL, ref);
    await box.slack.send({ kind: 'webhook', name: 'vision' }, SLACK, ref);

    // Assess
    expect((await readdir(dir)).sort()).toEqual([
      '.._.._etc_passwd_x_y-Failed.eml',
      '.._.._etc_passwd_x_y-Failed.slack.json',
    ]);
    expect(box.written.every((p) => p.startsWith(`${dir}/`))).toBe(true);
  });

  it('cuts a very long job name to keep the file name within 200 characters and its status', async () => {
    // Prepare
    const box = outbox();

    // Act
    await box.email.send(EMAIL, { jobName: 'j'.repeat(300), status: 'Stopped' });
    await box.email.send(EMAIL, { jobName: 'j'.repeat(300), status: 'Failed' });

    // Assess
    expect((await readdir(dir)).sort()).toEqual([
      `${'j'.repeat(192)}-Stopped.eml`,
      `${'j'.repeat(193)}-Failed.eml`,
    ]);
  });

  it('writes a second notice of a reused job name beside the first, never over it (issue 7 #14)', async () => {
    // Prepare: a job deleted and created again under its name, each finishing.
    const box = outbox();
    const second = { ...EMAIL, text: 'the second job\n' };

    // Act
    await box.email.send(EMAIL, REF);
    await box.slack.send({ kind: 'webhook', name: 'vision' }, SLACK, REF);
    await box.email.send(second, REF);
    await box.slack.send({ kind: 'webhook', name: 'vision' }, SLACK, REF);

    // Assess
    expect((await readdir(dir)).sort()).toEqual([
      'resnet-sweep-017-Completed-2.eml',
      'resnet-sweep-017-Completed-2.slack.json',
      'resnet-sweep-017-Completed.eml',
      'resnet-sweep-017-Completed.slack.json',
    ]);
    expect(box.written).toHaveLength(4);
    expect(new Set(box.written).size).toBe(4);
    const eml = await readFile(join(dir, 'resnet-sweep-017-Completed-2.eml'), 'utf8');
    expect(eml).toContain('Message-ID: <resnet-sweep-017-Completed-2@pool-warden.local>');
    expect(eml).toContain('the second job');
  });

  it('escapes CR, LF and other controls in the headers so none can add a header (issue 7 #11)', async () => {
    // Prepare: an emailFrom from the config, and a subject and address from outside.
    const box = new Outbox({
      dir,
      from: 'Pool Warden <w@example.com>\r\nBcc: eve@evil.example',
      clock: new VirtualClock(T0),
    });
    const message = {
      ...EMAIL,
      to: 'alice@example.com\nX-Injected: 1',
      subject: 'Done\r\n\r\n<html>\x1b[2J',
    };

    // Act
    await box.email.send(message, REF);

    // Assess
    const eml = await readFile(box.written[0] ?? '', 'utf8');
    const head = eml.slice(0, eml.indexOf('\r\n\r\n')).split('\r\n');
    expect(head.slice(0, 3)).toEqual([
      'From: Pool Warden <w@example.com>\\x0d\\x0aBcc: eve@evil.example',
      'To: alice@example.com\\x0aX-Injected: 1',
      'Subject: Done\\x0d\\x0a\\x0d\\x0a<html>\\x1b[2J',
    ]);
    expect(head.filter((line) => /^(Bcc|X-Injected):/i.test(line))).toEqual([]);
    expect(head).toHaveLength(8);
  });

  it('ends every body line with CRLF, a bare CR included', async () => {
    // Act
    const box = outbox();
    await box.email.send({ ...EMAIL, text: 'a\rb\nc\r\n' }, REF);

    // Assess
    const eml = await readFile(box.written[0] ?? '', 'utf8');
    expect(eml.endsWith('\r\n\r\na\r\nb\r\nc\r\n')).toBe(true);
  });

  it('lists every file in the order written when several notices go out', async () => {
    // Prepare
    const box = outbox();

    // Act
    await box.email.send(EMAIL, REF);
    await box.slack.send({ kind: 'webhook', name: 'vision' }, SLACK, REF);
    await box.email.send(EMAIL, { jobName: 'resnet-sweep-018', status: 'Failed' });

    // Assess
    expect(box.written.map((p) => p.slice(dir.length + 1))).toEqual([
      'resnet-sweep-017-Completed.eml',
      'resnet-sweep-017-Completed.slack.json',
      'resnet-sweep-018-Failed.eml',
    ]);
  });
});
