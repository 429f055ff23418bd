import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { freshBundle } from '../../bin/cli-bundle.js';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/admin-cli.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'warden.js');
const BUILT_AT = Date.UTC(2026, 10, 26, 12, 0, 0);

let root: string;

/** A checkout with one source and a bundle built from it at BUILT_AT. */
async function checkout(sourceAt: number) {
  await mkdir(join(root, 'src'), { recursive: true });
  await mkdir(join(root, 'dist'), { recursive: true });
  const source = join(root, 'src', 'main.ts');
  await writeFile(source, 'export {};\n');
  await utimes(source, sourceAt / 1000, sourceAt / 1000);
  const bundle = join(root, 'dist', 'warden.mjs');
  await writeFile(bundle, 'export const main = () => 0;\n');
  await utimes(bundle, (BUILT_AT + 1000) / 1000, (BUILT_AT + 1000) / 1000);
  await writeFile(
    join(root, 'dist', 'warden.inputs.json'),
    JSON.stringify({ startedAt: BUILT_AT, inputs: ['src/main.ts'] })
  );
  return { source, bundle };
}

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'warden-bin-'));
});

describe('freshBundle', () => {
  it('runs the bundle when no source changed after the build started', async () => {
    // Prepare
    const { bundle } = await checkout(BUILT_AT - 60_000);

    // Act & Assess
    expect(freshBundle(root)).toBe(bundle);
  });

  it('runs the sources when one was edited after the build started', async () => {
    // Prepare: edited during the build, so the bundle may hold the old text.
    await checkout(BUILT_AT + 500);

    // Act & Assess
    expect(freshBundle(root)).toBeUndefined();
  });

  it('runs the sources when a source the bundle was built from is gone', async () => {
    // Prepare
    const { source } = await checkout(BUILT_AT - 60_000);
    await rm(source);

    // Act & Assess
    expect(freshBundle(root)).toBeUndefined();
  });

  it('runs the sources when there is no build, or its list of sources is unreadable', async () => {
    // Prepare
    const empty = await mkdtemp(join(tmpdir(), 'warden-bin-'));
    await checkout(BUILT_AT - 60_000);
    await writeFile(join(root, 'dist', 'warden.inputs.json'), '{"startedAt":');

    // Act & Assess
    expect(freshBundle(empty)).toBeUndefined();
    expect(freshBundle(root)).toBeUndefined();
  });

  it('runs the sources when the bundle is older than its list (a build that failed half way)', async () => {
    // Prepare
    const { bundle } = await checkout(BUILT_AT - 60_000);
    await utimes(bundle, (BUILT_AT - 1000) / 1000, (BUILT_AT - 1000) / 1000);

    // Act & Assess
    expect(freshBundle(root)).toBeUndefined();
  });
});

describe('warden --version', () => {
  it('prints the version of package.json', async () => {
    // Prepare
    const { version } = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as {
      version: string;
    };

    // Act
    const { code, stdout } = await runCli(['--version']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`warden ${version}\n`);
  });

  it('runs from the sources through the installed bin, built or not', async () => {
    // Act: WARDEN_FROM_SOURCE takes the path a checkout without a fresh build takes.
    const fromSource = await promisify(execFile)(process.execPath, [BIN, '--version'], {
      env: { ...process.env, WARDEN_FROM_SOURCE: '1' },
    });
    const asInstalled = await promisify(execFile)(process.execPath, [BIN, '--version']);

    // Assess
    expect(fromSource.stdout).toMatch(/^warden \d+\.\d+\.\d+\n$/);
    expect(asInstalled.stdout).toBe(fromSource.stdout);
  });
});

describe('misspelt commands and flags', () => {
  it('suggests the nearest command or top-level flag', async () => {
    // Act
    const command = await runCli(['replya']);
    const flag = await runCli(['--verison']);

    // Assess
    expect([command.code, flag.code]).toEqual([2, 2]);
    expect(command.stderr.split('\n')[0]).toBe(
      'warden: unknown command "replya"; did you mean replay?'
    );
    expect(flag.stderr.split('\n')[0]).toBe(
      'warden: unknown command "--verison"; did you mean --version?'
    );
  });

  it.each([
    [
      ['replay', '--outbx', 'x', 'e.json'],
      'warden replay: unknown flag --outbx; did you mean --outbox?',
    ],
    [
      ['replay', '--subscibed', 'a', 'e.json'],
      'warden replay: unknown flag --subscibed; did you mean --subscribed?',
    ],
    [['audit', '--jsn'], 'warden audit: unknown flag --jsn; did you mean --json?'],
    [['replay', '--zzzzzzzz', 'e.json'], 'warden replay: unknown flag --zzzzzzzz'],
    [['replay', '--config'], 'warden replay: --config needs a value'],
    [['replay', '--json=yes', 'e.json'], 'warden replay: --json takes no value'],
  ])("explains %j in one line instead of parseArgs' message", async (argv, first) => {
    // Act
    const { code, stderr } = await runCli(argv);

    // Assess
    expect(code).toBe(2);
    expect(stderr.split('\n')[0]).toBe(first);
    expect(stderr).not.toContain("place it at the end of the command after '--'");
  });

  it('names --version in the overall usage', async () => {
    // Act
    let out = '';
    const code = await main(['--help'], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
    });

    // Assess
    expect(code).toBe(0);
    expect(out).toContain('warden --version');
  });

  it('gives a command’s own usage for `warden help COMMAND`', async () => {
    // Act
    let out = '';
    const code = await main(['help', 'simulate'], {
      stdout: { write: (t: string) => (out += t) },
      stderr: { write: () => true },
    });

    // Assess
    expect(code).toBe(0);
    expect(out).toMatch(/^usage: warden simulate /);
  });
});

describe('output that cannot be written', () => {
  let report: string;
  beforeEach(async () => {
    report = join(await mkdtemp(join(tmpdir(), 'warden-bin-report-')), 'report');
  });
  const simulate = () => [
    'simulate',
    '--scenario',
    'batch',
    '--days',
    '2',
    '--policies',
    'none',
    '--report',
    report,
  ];

  /** Runs the installed bin with stdout on `stdout`; answers its exit status and stderr. */
  function runBin(stdout: 'pipe' | number, onStart: (child: ChildProcess) => void = () => {}) {
    return new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...simulate()], {
        stdio: ['ignore', stdout, 'pipe'],
      });
      let stderr = '';
      child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
      onStart(child);
    });
  }

  it('finishes quietly when the reader goes away (warden simulate | head), writing its report', async () => {
    // Act: the reading end is closed before anything is written.
    const { code, stderr } = await runBin('pipe', (child) => child.stdout?.destroy());

    // Assess
    expect(stderr).not.toMatch(/Unhandled|EPIPE|at /);
    expect(code).toBe(0);
    expect((await readFile(join(report, 'simulate-report.html'), 'utf8')).length).toBeGreaterThan(
      1000
    );
  });

  it('says in one line that the output could not be written, exit 1', async () => {
    // Prepare: writes to /dev/full fail with ENOSPC, as on a full disk.
    const full = openSync('/dev/full', 'w');

    // Act
    const { code, stderr } = await runBin(full).finally(() => closeSync(full));

    // Assess
    expect(code).toBe(1);
    expect(stderr.split('\n')).toEqual([
      'warden: cannot write the output: ENOSPC: no space left on device, write',
      `report: ${join(report, 'simulate-report.html')}`,
      '',
    ]);
  });
});
