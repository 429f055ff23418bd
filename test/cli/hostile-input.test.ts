import { mkdir, mkdtemp, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { STATE_FILE } from '../../src/adapters/memory/state-dir.js';
import { alignTable } from '../../src/cli/admin-output.js';
import { printable } from '../../src/domain/printable.js';
import { runCli } from '../helpers/admin-cli.js';
import { EXAMPLE_CONFIG, replayExamples } from '../helpers/replayed-state.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
const JOB = join(EXAMPLES, 'describe', 'llama-8b-sft-v3.json');
const EVENTS = join(EXAMPLES, 'events');
/** Terminal controls (ESC and BEL start and end colour, title and clear-screen sequences). */
function controls(text: string, newlines = false): string[] {
  return [...text].filter((c) => {
    const n = c.charCodeAt(0);
    return (n < 0x20 && (newlines || n !== 0x0a)) || (n >= 0x7f && n <= 0x9f);
  });
}

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-hostile-input-'));
});

describe('printable', () => {
  it('leaves no control character in any text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        expect(controls(printable(text), true)).toEqual([]);
      })
    );
  });

  it('escapes ESC and BEL visibly and keeps newlines only when asked', () => {
    expect(printable('\x1b[2Ja\nb\x07')).toBe('\\x1b[2Ja\\x0ab\\x07');
    expect(printable('a\nb', true)).toBe('a\nb');
  });

  it('keeps a table row on one line when a cell holds a newline', () => {
    expect(alignTable([['a\nb', 'c']])).toBe('a\\x0ab  c');
  });
});

describe('hostile names in output', () => {
  it('escapes a job name with terminal escapes in warden pools list', async () => {
    // Prepare: a state file edited by hand (or by an attacker) to carry escapes.
    await replayExamples(dir, { inputs: 6 });
    const file = join(dir, 'state', STATE_FILE);
    const state = JSON.parse(await readFile(file, 'utf8')) as {
      pools: { jobName: string; owner: string }[];
    };
    const [pool] = state.pools;
    if (pool === undefined) throw new Error('the replay left no pool');
    pool.jobName = '\x1b]0;pwned\x07evil';
    pool.owner = 'eve\nforged row';
    await writeFile(file, JSON.stringify(state));

    // Act
    const { code, stdout } = await runCli(['pools', 'list', '--state', join(dir, 'state')]);

    // Assess
    expect(code).toBe(0);
    expect(controls(stdout)).toEqual([]);
    expect(stdout).toContain('\\x1b]0;pwned\\x07evil');
    expect(stdout).toContain('eve\\x0aforged row');
  });

  it('refuses a steward --by name with control characters, and escapes one already stored', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    const state = join(dir, 'state');
    const file = join(state, STATE_FILE);
    const saved = JSON.parse(await readFile(file, 'utf8')) as { control: object };
    saved.control = { paused: true, pausedBy: '\x1b[31mmallory', pausedAt: 0 };
    await writeFile(file, JSON.stringify(saved));

    // Act
    const refused = await runCli(['steward', 'resume', '--state', state, '--by', '\x1b[2Jeve']);
    const status = await runCli(['steward', 'status', '--state', state]);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n')[0]).toBe(
      'warden steward: --by "\\x1b[2Jeve" holds control characters; give a plain name'
    );
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('paused by \\x1b[31mmallory at');
    expect(controls(status.stdout)).toEqual([]);
  });

  it('escapes an unknown command name', async () => {
    // Act
    const { code, stderr } = await runCli(['\x1b[2J']);

    // Assess
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe('warden: unknown command "\\x1b[2J"');
  });

  it('quotes a binary describe fixture without its control bytes', async () => {
    // Prepare
    const fixture = join(dir, 'job.json');
    await writeFile(fixture, Buffer.from([0x44, 0x0f, 0x1b, 0x5b, 0x32, 0x4a, 0x0d, 0xff]));

    // Act
    const { code, stderr } = await runCli([
      'policy',
      'explain',
      '--job',
      fixture,
      '--config',
      EXAMPLE_CONFIG,
    ]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`describe fixture ${fixture}:1:1: invalid JSON: `);
    expect(controls(stderr)).toEqual([]);
  });
});

describe('time flags out of range', () => {
  it('refuses an --at so far after the job that no date can show it (was a RangeError)', async () => {
    // Act
    const { code, stderr } = await runCli([
      'policy',
      'explain',
      '--job',
      JOB,
      '--config',
      EXAMPLE_CONFIG,
      '--at',
      '99999999999999h',
    ]);

    // Assess
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'warden policy: --at "99999999999999h" is longer than 3650 days after the job ended'
    );
  });

  it('refuses a --gaps entry longer than a year instead of printing 1e20 hours', async () => {
    // Act
    const { code, stderr } = await runCli([
      'policy',
      'explain',
      '--job',
      JOB,
      '--config',
      EXAMPLE_CONFIG,
      '--gaps',
      '5m,99999999999999999999h',
    ]);

    // Assess
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'warden policy: --gaps: "99999999999999999999h" is longer than 366 days'
    );
  });

  it('refuses an audit --since further back than 3650 days', async () => {
    // Act
    const { code, stderr } = await runCli(['audit', '--since', '99999999h', '--state', dir]);

    // Assess
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(
      'warden audit: --since "99999999h" is longer than 3650 days'
    );
  });

  it('refuses a --value-of-time of 1e41 dollars an hour', async () => {
    // Act
    const { code, stderr } = await runCli([
      'simulate',
      '--scenario',
      'mixed',
      '--value-of-time',
      '99999999999999999999999999999999999999999',
    ]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('is not a number of USD per hour from 0 to 1000000');
  });
});

describe('replay inputs that cannot be read', () => {
  it('rejects a symlink loop among the events and still runs its siblings', async () => {
    // Prepare
    const events = join(dir, 'events');
    await mkdir(events);
    await symlink(join(EVENTS, '2026-11-24.vision-team.jsonl'), join(events, 'a.jsonl'));
    await symlink(join(events, 'z.json'), join(events, 'z.json'));

    // Act
    const { code, stdout } = await runCli([
      'replay',
      '--config',
      EXAMPLE_CONFIG,
      '--outbox',
      join(dir, 'outbox'),
      '--state',
      join(dir, 'state'),
      events,
    ]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toContain(
      `rejected  ${join(events, 'z.json')}: cannot read: a loop of symbolic links`
    );
    expect(stdout).toMatch(/^notice {4}resnet-sweep-001 Completed/m);
  });

  it('says a PATH that is a symlink loop is one, not that it is missing', async () => {
    // Prepare
    const loop = join(dir, 'loop.json');
    await symlink(loop, loop);

    // Act
    const { code, stderr } = await runCli(['replay', '--config', EXAMPLE_CONFIG, loop]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`warden replay: ${loop}: a loop of symbolic links\n`);
  });
});
