import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/admin-cli.js';

const HOSTILE = join(import.meta.dirname, '..', 'fixtures', 'hostile');
const BOMB = join(HOSTILE, 'alias-bomb.yaml');

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-hostile-config-'));
});

describe('a hostile config', () => {
  it('rejects a YAML alias bomb in one line, without a stack trace', async () => {
    // Act
    const { code, stdout, stderr } = await runCli(['policy', 'validate', BOMB]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe(
      `${BOMB}:6: cannot be read as YAML: Excessive alias count indicates a resource exhaustion attack\n`
    );
    expect(stderr).not.toContain('    at ');
  });

  it('refuses an alias bomb given to simulate --config as a bad config (exit 2)', async () => {
    // Act
    const { code, stderr } = await runCli([
      'simulate',
      '--scenario',
      'mixed',
      '--days',
      '1',
      '--config',
      BOMB,
    ]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`${BOMB}:6: cannot be read as YAML`);
    expect(stderr).not.toContain('    at ');
  });

  it('refuses a __proto__ key, which would silently turn a rule into match-all', async () => {
    // Prepare
    const file = join(HOSTILE, 'proto-tag-rule.yaml');

    // Act
    const validate = await runCli(['policy', 'validate', file]);
    const explain = await runCli([
      'policy',
      'explain',
      '--job',
      join(import.meta.dirname, '..', '..', 'examples', 'describe', 'llama-8b-sft-v3.json'),
      '--config',
      file,
    ]);

    // Assess
    expect(validate.code).toBe(1);
    expect(validate.stdout).toBe(
      `${file}:10: the key "__proto__" is not allowed (it would be dropped silently)\n`
    );
    expect(explain.code).toBe(2);
    expect(explain.stdout).not.toContain('MATCH');
  });

  it('names the line of binary data instead of quoting it', async () => {
    // Prepare
    const file = join(dir, 'binary.yaml');
    await writeFile(file, Buffer.from([0x76, 0x3a, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x00, 0xff]));

    // Act
    const { code, stdout } = await runCli(['policy', 'validate', file]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe(`${file}:2: not a UTF-8 text file (binary data); is this the config?\n`);
  });

  it('says an empty file is empty', async () => {
    // Prepare
    const file = join(dir, 'empty.yaml');
    await writeFile(file, '\n  \n');

    // Act
    const { code, stdout } = await runCli(['policy', 'validate', file]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe(
      `${file}: the file is empty; a config needs at least version: 1 and owners:\n`
    );
  });

  it('refuses a config over 1 MiB before parsing it', async () => {
    // Prepare
    const file = join(dir, 'huge.yaml');
    await writeFile(file, `version: 1\n${'#'.repeat((1 << 20) + 1)}\n`);

    // Act
    const { code, stdout } = await runCli(['policy', 'validate', file]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toMatch(/^.*huge\.yaml: \d+ bytes is too large for a config/);
  });

  it('says a folder is a folder (exit 2)', async () => {
    // Act
    const { code, stderr } = await runCli(['policy', 'validate', dir]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`warden policy: ${dir}: is a folder, not a config file\n`);
  });

  it('says a symlink loop is a loop (exit 2)', async () => {
    // Prepare
    const a = join(dir, 'a.yaml');
    const b = join(dir, 'b.yaml');
    await symlink(b, a);
    await symlink(a, b);

    // Act
    const { code, stderr } = await runCli(['policy', 'validate', a]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`warden policy: ${a}: a loop of symbolic links\n`);
  });

  it('names the folder --config points at, for every command that loads one', async () => {
    // Prepare
    const folder = join(dir, 'conf.d');
    await mkdir(folder);

    // Act
    const { code, stderr } = await runCli(['audit', '--config', folder, '--state', dir]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain(`${folder}: is a folder, not a config file`);
  });

  it('refuses replay --config on a folder as a usage error naming the flag (exit 2)', async () => {
    // Prepare
    const event = join(dir, 'e.json');
    await writeFile(event, '{}');

    // Act
    const { code, stderr } = await runCli(['replay', '--config', dir, event]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`warden replay: --config ${dir}: is a folder, not a config file\n`);
  });

  it('lists config errors by line, and blames a misspelt required key on its own line', async () => {
    // Prepare: `ownerz` on line 4 for `owners`, and errors above and below it.
    const file = join(dir, 'ownerz.yaml');
    await writeFile(
      file,
      [
        'version: 1',
        'defaults:',
        '  timeZone: Mars/Olympus',
        'ownerz:',
        '  fallback: platform',
        'rules:',
        '  - name: r',
        '    match: {}',
        '    mode: sometimes',
        '',
      ].join('\n')
    );
    const event = join(dir, 'e.json');
    await writeFile(event, '{}');

    // Act
    const { code, stderr } = await runCli(['replay', '--config', file, event]);

    // Assess
    expect(code).toBe(2);
    expect(stderr.split('\n').slice(1, 4)).toEqual([
      `  ${file}:3: defaults.timeZone: is not an IANA time zone (e.g. Europe/Berlin, America/New_York)`,
      `  ${file}:4: (top level): unknown field "ownerz" (did you mean "owners"? it is required)`,
      `  ${file}:9: rules[0].mode: must be "adaptive" or "fixed" or "off"`,
    ]);
    expect(stderr).not.toContain(':1: owners');
  });

  it('names the line of an alias to an anchor that does not exist', async () => {
    // Prepare
    const file = join(dir, 'undefined-alias.yaml');
    await writeFile(file, 'version: 1\nowners:\n  fallback: *nobody\n');

    // Act
    const { code, stdout } = await runCli(['policy', 'validate', file]);

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe(
      `${file}:3: cannot be read as YAML: Unresolved alias (the anchor must be set before the alias): nobody\n`
    );
  });
});
