import { mkdir, mkdtemp, readdir, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readSubscribed } from '../../src/cli/read-subscribed.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { runCli } from '../helpers/admin-cli.js';
import { stateChangeEvent, T0 } from '../helpers/factories.js';

let dir: string;
let events: string;
let outbox: string;
let config: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-replay-inputs-'));
  events = join(dir, 'events');
  outbox = join(dir, 'outbox');
  config = join(dir, 'fallback-only.yaml');
  await mkdir(events);
  await writeFile(config, 'version: 1\nowners:\n  fallback: unowned@example.com\n');
});

function replay(...argv: string[]) {
  return runCli([
    'replay',
    '--config',
    config,
    '--outbox',
    outbox,
    '--state',
    join(dir, 'state'),
    ...argv,
  ]);
}

const event = (name: string, options: Parameters<typeof stateChangeEvent>[0] = {}) =>
  `${JSON.stringify(stateChangeEvent({ name, ...options }), null, 2)}\n`;

describe('replay inputs (issue 7 #13, #17)', () => {
  it('names the line and column of a syntax error in a pretty-printed file', async () => {
    // Prepare: a missing comma on line 3.
    const file = join(events, 'broken.json');
    await writeFile(file, '{\n  "version": "0"\n  "source": "aws.sagemaker"\n}\n');

    // Act
    const { code, stdout } = await replay('--json', file);

    // Assess
    expect(code).toBe(1);
    expect(JSON.parse(stdout.split('\n')[0] ?? '')).toEqual({
      kind: 'rejected',
      source: `${file}:3:3`,
      reason: "invalid JSON: expected , or } but found '\"'",
    });
  });

  it('says a file holding [] has no events, and replays the others', async () => {
    // Prepare
    await writeFile(join(events, 'a.json'), '[]\n');
    await writeFile(join(events, 'b.json'), event('job-b'));

    // Act
    const { code, stdout, stderr } = await replay(events);

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain(`note: no events in ${join(events, 'a.json')}\n`);
    expect(stdout).toMatch(/^notice {4}job-b Completed/m);
  });

  it('refuses an empty folder as nothing to replay (exit 2)', async () => {
    // Act
    const { code, stdout, stderr } = await replay(events);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`warden replay: no .json, .jsonl or .ndjson file in ${events}\n`);
  });

  it('reads .JSON in any case and lists each other file as skipped', async () => {
    // Prepare
    await writeFile(join(events, 'A.JSON'), event('job-upper'));
    await writeFile(
      join(events, 'b.Jsonl'),
      JSON.stringify(stateChangeEvent({ name: 'job-mixed' }))
    );
    await writeFile(join(events, 'notes.txt'), 'not an event\n');
    await writeFile(join(events, 'README'), 'none\n');

    // Act
    const { code, stdout, stderr } = await replay(events);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^notice {4}job-upper Completed/m);
    expect(stdout).toMatch(/^notice {4}job-mixed Completed/m);
    expect(stderr.split('\n').filter((l) => l.startsWith('skipped'))).toEqual([
      `skipped   ${join(events, 'README')}: not an event file (.json, .jsonl or .ndjson); skipped`,
      `skipped   ${join(events, 'notes.txt')}: not an event file (.json, .jsonl or .ndjson); skipped`,
    ]);
  });

  it('rejects a folder named x.json and a link named y.json to a folder, one line each', async () => {
    // Prepare
    await mkdir(join(events, 'x.json'));
    await mkdir(join(dir, 'elsewhere'));
    await symlink(join(dir, 'elsewhere'), join(events, 'y.json'));
    await writeFile(join(events, 'z.json'), event('job-z'));

    // Act
    const { code, lines } = await replay(events);

    // Assess
    expect(code).toBe(1);
    expect(lines.slice(0, 3)).toEqual([
      `rejected  ${join(events, 'x.json')}: is a folder, not an event file`,
      `rejected  ${join(events, 'y.json')}: cannot read: is a folder, not a file`,
      expect.stringMatching(/^notice {4}job-z Completed/),
    ]);
  });
});

describe('replay outcomes and the summary (issue 7 #14)', () => {
  it('writes both notices of a reused job name and counts the files on disk', async () => {
    // Prepare: the job deleted and created again a day later under the same name.
    const first = stateChangeEvent({ name: 'reused', endTime: T0 });
    const second = stateChangeEvent({ name: 'reused', endTime: T0 + 86_400_000 });
    const file = join(events, 'both.json');
    await writeFile(file, JSON.stringify([first, second]));

    // Act
    const { code, stdout } = await replay(file);

    // Assess
    expect(code).toBe(0);
    expect(stdout.match(/^notice {4}reused Completed/gm)).toHaveLength(2);
    const files = await readdir(outbox);
    expect(files.sort()).toEqual(['reused-Completed-2.eml', 'reused-Completed.eml']);
    expect(stdout).toContain(`; 2 files in ${outbox};`);
  });

  it.runIf(process.platform === 'linux')(
    'exits 1 when an input failed, as well as when one was rejected',
    async () => {
      // Prepare: the notice's file is a full disk (Linux's /dev/full), so the delivery fails:
      // a file that is there and writable passes the checks before the run.
      await mkdir(outbox);
      await symlink('/dev/full', join(outbox, 'job-f-Completed.eml'));
      const file = join(events, 'f.json');
      await writeFile(file, event('job-f'));

      // Act
      const { code, stdout } = await replay('--json', file);

      // Assess
      const kinds = stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as { kind: string }).kind);
      expect(kinds).toContain('failed');
      expect(kinds).not.toContain('rejected');
      expect(code).toBe(1);
    }
  );
});

describe('replay --subscribed', () => {
  it('refuses a list with a line that is not an address, naming the line (exit 2)', async () => {
    // Prepare
    const list = join(dir, 'subscribed.txt');
    await writeFile(list, '# confirmed\nalice@example.com\nnot-an-address\n');
    await writeFile(join(events, 'a.json'), event('job-a'));

    // Act
    const { code, stderr } = await replay('--subscribed', list, events);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(
      `warden replay: --subscribed ${list}:3: "not-an-address" is not an email address\n`
    );
  });

  it('refuses a binary file as the list in one line, not one per line of it (exit 2)', async () => {
    // Prepare
    const list = join(dir, 'subscribed.bin');
    await writeFile(list, Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0xff, 0xfe, 0x0a, 0x00, 0x41]));
    await writeFile(join(events, 'a.json'), event('job-a'));

    // Act
    const { code, stderr } = await replay('--subscribed', list, events);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(
      `warden replay: --subscribed ${list}: not a UTF-8 text file of one address per line\n`
    );
  });

  it('refuses a folder as the list (exit 2)', async () => {
    // Prepare
    await writeFile(join(events, 'a.json'), event('job-a'));

    // Act
    const { code, stderr } = await replay('--subscribed', events, events);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`warden replay: --subscribed ${events}: is a folder, not a file\n`);
  });
});

describe('readSubscribed', () => {
  it('reaches exactly the listed addresses, in any case, skipping comments and blank lines', async () => {
    // Prepare
    const list = join(dir, 'subscribed.txt');
    await writeFile(
      list,
      '# the topic\r\n\r\nAlice@Example.com   # confirmed 2026-11-02\r\n  bob@example.com\r\n'
    );

    // Act
    const reach = await readSubscribed('--subscribed', list);

    // Assess
    expect(await reach.canReach('alice@example.com')).toBe(true);
    expect(await reach.canReach('BOB@example.com')).toBe(true);
    expect(await reach.canReach('carol@example.com')).toBe(false);
    expect(await reach.canReach('# the topic')).toBe(false);
  });

  it('reaches nobody when the list has no address', async () => {
    // Prepare
    const list = join(dir, 'none.txt');
    await writeFile(list, '# nobody has confirmed yet\n');

    // Act
    const reach = await readSubscribed('--subscribed', list);

    // Assess
    expect(await reach.canReach('alice@example.com')).toBe(false);
  });

  it('names every bad line at once', async () => {
    // Prepare
    const list = join(dir, 'bad.txt');
    await writeFile(list, 'a@\nok@example.com\nb c@example.com\n');

    // Act
    const error = await readSubscribed('--subscribed', list).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message.split('\n')).toEqual([
      `--subscribed ${list}:1: "a@" is not an email address`,
      `--subscribed ${list}:3: "b c@example.com" is not an email address`,
    ]);
  });
});
