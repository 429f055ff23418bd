import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';

const ROOT = join(import.meta.dirname, '..', '..');
const BROKEN = join(ROOT, 'test', 'fixtures', 'config', 'broken-policy.yaml');

async function run(argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  });
  return { code, stdout, stderr };
}

describe('warden policy validate', () => {
  it('prints a one-line summary and exits 0 for a valid file', async () => {
    const { code, stdout } = await run([
      'policy',
      'validate',
      join(ROOT, 'examples', 'warden.config.yaml'),
    ]);

    expect(code).toBe(0);
    expect(stdout).toBe(
      `${join(ROOT, 'examples', 'warden.config.yaml')}: valid — 3 rules, dry run OFF\n`
    );
  });

  it('says a file without rules leaves every pool alone', async () => {
    // Prepare
    const file = join(await mkdtemp(join(tmpdir(), 'warden-policy-')), 'minimal.yaml');
    await writeFile(file, 'version: 1\nowners:\n  fallback: a@example.com\n');

    // Act
    const { code, stdout } = await run(['policy', 'validate', file]);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toBe(`${file}: valid — no rules (every pool is left alone), dry run ON\n`);
  });

  it('reads ./warden.config.yaml when no file is given', async () => {
    // Prepare
    const cwd = process.cwd();
    process.chdir(ROOT);

    // Act
    const result = await run(['policy', 'validate']).finally(() => process.chdir(cwd));

    // Assess
    expect(result).toMatchObject({
      code: 0,
      stdout: 'warden.config.yaml: valid — 1 rule, dry run ON\n',
    });
  });

  it('prints every problem, sorted by line, and exits 1', async () => {
    // Act
    const { code, stdout, stderr } = await run(['policy', 'validate', BROKEN]);

    // Assess
    expect(code).toBe(1);
    expect(stdout.split('\n').filter(Boolean)).toEqual([
      `${BROKEN}:13: settings.safetyMargin: 5m must be shorter than settings.leadTime (5m), so a pool decided at the lead time can still be shrunk`,
      `${BROKEN}:18: rules[0].keepAlive.min: 2h is above keepAlive.max (1h)`,
      `${BROKEN}:19: rules[0].warnBeforeRelease: 10m is longer than settings.leadTime (5m): pools are decided 5m before they expire, so no warning can come earlier`,
      `${BROKEN}:21: rules[1].match: never matches: rule "catch-vision" (line 15) matches every pool this one does`,
      `${BROKEN}:22: rules[1].mode: fixed needs keepAlive.fixed, the keep-alive to hold matching pools at`,
      `${BROKEN}:23: rules[2].name: "catch-vision" is also the name of rules[0] (line 15); names must be unique`,
      `${BROKEN}:24: rules[2].match.team: team "visoin" is not in the directory, so this rule can never match`,
      `${BROKEN}:26: rules[2].keepAlive.fixed: 1h30m is outside keepAlive.min … settings.maxKeepAlive (0s … 1h)`,
    ]);
    expect(stderr).toBe(`${BROKEN}: invalid — 8 problems\n`);
  });

  it('sorts schema problems by line too', async () => {
    // Prepare
    const file = join(await mkdtemp(join(tmpdir(), 'warden-policy-')), 'schema.yaml');
    await writeFile(
      file,
      'version: 1\nowners:\n  fallback: a@example.com\nsettings:\n  dryRun: "no"\n  keepAliveAnchor: x\n  maxActionsPerRun: 0\n'
    );

    // Act
    const { code, stdout } = await run(['policy', 'validate', file]);

    // Assess
    expect(code).toBe(1);
    expect(
      stdout
        .split('\n')
        .filter(Boolean)
        .map((l) => l.slice(file.length))
    ).toEqual([
      ':5: settings.dryRun: expected boolean',
      ':6: settings.keepAliveAnchor: must be "job-end" or "update-time"',
      ':7: settings.maxActionsPerRun: must be at least 1',
    ]);
  });

  it('reads the file WARDEN_CONFIG_FILE names, as packaging does, or the one --config names', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'warden-policy-'));
    const deployed = join(dir, 'prod.yaml');
    await writeFile(deployed, 'version: 1\nowners:\n  fallback: a@example.com\n');
    vi.stubEnv('WARDEN_CONFIG_FILE', deployed);

    // Act
    const fromEnv = await run(['policy', 'validate']).finally(() => vi.unstubAllEnvs());
    const fromFlag = await run(['policy', 'validate', '--config', BROKEN]);

    // Assess
    expect(fromEnv).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^.*prod\.yaml: valid/),
    });
    expect(fromFlag.code).toBe(1);
    expect(fromFlag.stderr).toContain('broken-policy.yaml: invalid');
  });

  it.each([
    [['policy'], 'policy needs a subcommand'],
    [['policy', 'validate', 'a.yaml', '--config', 'b.yaml'], 'policy validate takes one FILE'],
    [['policy', 'lint'], 'unknown policy subcommand "lint"'],
    [['policy', 'validat'], 'unknown policy subcommand "validat"; did you mean validate?'],
    [['policy', 'validate', 'a.yaml', 'b.yaml'], 'policy validate takes one FILE'],
    [['policy', 'validate', ''], 'policy validate: FILE is empty'],
    [['policy', 'validate', '--strict'], 'unknown flag --strict'],
    [['policy', 'validate', '/nonexistent/warden.config.yaml'], 'file not found'],
  ])('exits 2 for %j', async (argv, message) => {
    const { code, stderr } = await run(argv);

    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  it('prints its usage for --help and exits 0', async () => {
    const { code, stdout } = await run(['policy', 'validate', '--help']);

    expect(code).toBe(0);
    expect(stdout).toContain('usage: warden policy validate [FILE | --config FILE]');
  });
});
