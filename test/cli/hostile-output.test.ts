import { chmod, mkdir, mkdtemp, readdir, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import { StateFileError, saveState } from '../../src/adapters/memory/state-dir.js';
import { main } from '../../src/cli/main.js';
import { ensureOutputDir } from '../../src/cli/output-dir.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { runCli } from '../helpers/admin-cli.js';

const EVENTS = join(import.meta.dirname, '..', '..', 'examples', 'events');
const CONFIG = join(import.meta.dirname, '..', '..', 'examples', 'warden.config.yaml');
const SIMULATE = ['simulate', '--scenario', 'mixed', '--days', '1', '--policies', 'none'];

/** `warden replay` of the examples into these folders. */
function replayInto(outbox: string, state: string) {
  return runCli(['replay', '--config', CONFIG, '--outbox', outbox, '--state', state, EVENTS]);
}

/** `warden simulate --mode service` of a day into these folders. */
function serviceInto(outbox: string, state: string) {
  return runCli([...SIMULATE, '--mode', 'service', '--outbox', outbox, '--state', state]);
}

let dir: string;
/** A plain file where a folder is expected. */
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-hostile-output-'));
  file = join(dir, 'a-file');
  await writeFile(file, 'not a folder\n');
});

describe('output folders that cannot be written', () => {
  it('refuses a --report under a file before simulating, naming the flag', async () => {
    // Act
    const { code, stdout, stderr } = await runCli([...SIMULATE, '--report', join(file, 'r')]);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `warden simulate: --report ${join(file, 'r')}: a part of the path is a file, not a folder\n`
    );
  });

  it('refuses a --report whose report file is a folder before simulating', async () => {
    // Prepare
    const report = join(dir, 'report');
    await mkdir(join(report, 'simulate-report.html'), { recursive: true });

    // Act
    const { code, stdout, stderr } = await runCli([...SIMULATE, '--report', report]);

    // Assess: no table printed for a run that could not be saved
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `warden simulate: --report ${join(report, 'simulate-report.html')}: is a folder, not a file\n`
    );
  });

  it('refuses a service-mode --outbox that is a file (exit 2, nothing run)', async () => {
    // Act
    const { code, stdout, stderr } = await serviceInto(file, join(dir, 'state'));

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`warden simulate: --outbox ${file}: is a file, not a folder\n`);
  });

  it('refuses a --state whose state file is a folder', async () => {
    // Prepare
    const state = join(dir, 'state');
    await mkdir(join(state, 'steward-state.json'), { recursive: true });

    // Act
    const { code, stderr } = await serviceInto(join(dir, 'outbox'), state);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`--state ${state}: ${join(state, 'steward-state.json')} is a folder`);
  });

  it('refuses a replay --outbox that is a file instead of failing every notice', async () => {
    // Act
    const { code, stdout, stderr } = await replayInto(file, join(dir, 'state'));

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`warden replay: --outbox ${file}: is a file, not a folder\n`);
  });

  it('refuses a replay --state that is a file before replaying', async () => {
    // Act
    const { code, stdout, stderr } = await replayInto(join(dir, 'outbox'), file);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(`warden replay: --state ${file}: is a file, not a folder\n`);
  });

  it('refuses trace --out in a folder that does not exist, or that is a folder', async () => {
    // Act
    const missing = await runCli(['trace', 'scenario', 'mixed', '--out', join(dir, 'no', 't.csv')]);
    const folder = join(dir, 'f.csv');
    await mkdir(folder);
    const isFolder = await runCli(['trace', 'scenario', 'mixed', '--out', folder]);

    // Assess
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(
      `warden trace: --out ${join(dir, 'no', 't.csv')}: ${join(dir, 'no')}: no such file or folder\n`
    );
    expect(isFolder.code).toBe(2);
    expect(isFolder.stderr).toBe(`warden trace: --out ${folder}: is a folder, not a file\n`);
  });
});

describe('output files that cannot be written', () => {
  /** Root writes read-only files anyway: permission tests run as other users only. */
  const asRoot = process.getuid?.() === 0;

  it('refuses a --report whose report file links into a missing folder, before simulating', async () => {
    // Prepare: a dangling link, which even root cannot write through
    const report = join(dir, 'report');
    await mkdir(report);
    await symlink(join(dir, 'gone', 'r.html'), join(report, 'simulate-report.html'));

    // Act
    const { code, stdout, stderr } = await runCli([...SIMULATE, '--report', report]);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `warden simulate: --report ${join(report, 'simulate-report.html')}: links to ${join(dir, 'gone', 'r.html')}: ${join(dir, 'gone')}: no such file or folder\n`
    );
  });

  it('refuses trace --out that links into a missing folder', async () => {
    // Prepare
    const out = join(dir, 't.csv');
    await symlink(join(dir, 'gone', 't.csv'), out);

    // Act
    const { code, stderr } = await runCli(['trace', 'scenario', 'mixed', '--out', out]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(
      `warden trace: --out ${out}: links to ${join(dir, 'gone', 't.csv')}: ${join(dir, 'gone')}: no such file or folder\n`
    );
  });

  it.skipIf(asRoot)('refuses a read-only report file and a read-only trace --out', async () => {
    // Prepare
    const report = join(dir, 'report');
    await mkdir(report);
    await writeFile(join(report, 'simulate-report.html'), '');
    await chmod(join(report, 'simulate-report.html'), 0o444);
    const out = join(dir, 't.csv');
    await writeFile(out, '');
    await chmod(out, 0o444);

    // Act
    const simulated = await runCli([...SIMULATE, '--report', report]);
    const traced = await runCli(['trace', 'scenario', 'mixed', '--out', out]);

    // Assess
    expect(simulated.code).toBe(2);
    expect(simulated.stdout).toBe('');
    expect(simulated.stderr).toBe(
      `warden simulate: --report ${join(report, 'simulate-report.html')}: cannot be written: permission denied\n`
    );
    expect(traced.code).toBe(2);
    expect(traced.stderr).toBe(
      `warden trace: --out ${out}: cannot be written: permission denied\n`
    );
  });

  it('refuses a replay outbox holding a notice file it cannot replace, instead of failing that notice', async () => {
    // Prepare: a folder where the examples' first notice would be written again
    const outbox = join(dir, 'outbox');
    const leftover = join(outbox, 'bert-finetune-qa-Failed.slack.json');
    await mkdir(leftover, { recursive: true });

    // Act
    const { code, stdout, stderr } = await replayInto(outbox, join(dir, 'state'));

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `warden replay: --outbox ${outbox}: ${leftover}: is a folder, not a file (a notice of this run may replace it: remove it or choose another --outbox)\n`
    );
  });

  it('refuses a service-mode outbox holding a notice file it cannot replace, before simulating', async () => {
    // Prepare: a dangling link where this scenario writes a notice
    const outbox = join(dir, 'outbox');
    await mkdir(outbox);
    const leftover = join(outbox, 'data-000051-Completed.eml');
    await symlink(join(dir, 'gone', 'x.eml'), leftover);

    // Act
    const { code, stdout, stderr } = await serviceInto(outbox, join(dir, 'state'));

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(`warden simulate: --outbox ${outbox}: ${leftover}: links to `);
  });

  it('refuses a --state whose partial state file, left by a crash, cannot be replaced', async () => {
    // Prepare
    const state = join(dir, 'state');
    await mkdir(join(state, 'steward-state.json.partial'), { recursive: true });

    // Act
    const { code, stdout, stderr } = await replayInto(join(dir, 'outbox'), state);

    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      `warden replay: --state ${join(state, 'steward-state.json.partial')}: is a folder, not a file\n`
    );
  });
});

describe('ensureOutputDir', () => {
  it('makes every missing folder of a nested path', async () => {
    // Prepare
    const deep = join(dir, 'a', 'b', 'c');

    // Act
    await ensureOutputDir('--report', deep);

    // Assess
    expect((await stat(deep)).isDirectory()).toBe(true);
    expect(await readdir(join(dir, 'a'))).toEqual(['b']);
  });

  it.runIf(process.platform === 'linux')(
    'fails instead of looping forever where the file system refuses a folder (/proc)',
    async () => {
      // Act
      const error = await ensureOutputDir('--report', '/proc/warden-report').catch(
        (e: unknown) => e
      );

      // Assess
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toMatch(
        /^--report \/proc\/warden-report: cannot create \/proc\/warden-report: /
      );
    }
  );
});

describe('failures nobody planned for', () => {
  it('saveState names the state file it cannot write instead of throwing EISDIR', async () => {
    // Prepare
    await mkdir(join(dir, 'state', 'steward-state.json'), { recursive: true });
    const store = new MemoryPoolStore({ now: () => 0, sleep: async () => undefined });

    // Act
    const error = await saveState(join(dir, 'state'), store).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(StateFileError);
    expect((error as StateFileError).message).toMatch(
      /steward-state\.json: cannot be written: .*\(EISDIR\)$/
    );
  });

  it('prints an unexpected error as one line without a stack trace', async () => {
    // Prepare: stdout that breaks, as a closed pipe would.
    let stderr = '';
    const io = {
      stdout: {
        write: () => {
          throw new Error('write EPIPE\nsecond line');
        },
      },
      stderr: { write: (t: string) => (stderr += t) },
    };

    // Act
    const code = await main(['policy', 'validate', CONFIG], io);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'warden policy: unexpected error: write EPIPE second line (set WARDEN_DEBUG=1 for the stack trace)\n'
    );
  });
});
