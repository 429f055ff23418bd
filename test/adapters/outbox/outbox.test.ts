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

  it('cuts the file name to 200 characters when the job name is very long', async () => {
    // Act
    await outbox().email.send(EMAIL, { jobName: 'j'.repeat(300), status: 'Stopped' });

    // Assess
    expect(await readdir(dir)).toEqual([`${'j'.repeat(200)}.eml`]);
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
