import { spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/** `serverless package` (osls) into a temporary folder, with the given config file. */
async function packageWith(configFile: string) {
  const out = await mkdtemp(join(tmpdir(), 'warden-package-'));
  return spawnSync(
    process.execPath,
    [join(ROOT, 'node_modules', '.bin', 'serverless'), 'package', '--package', out],
    {
      cwd: ROOT,
      env: { ...process.env, WARDEN_CONFIG_FILE: configFile },
      encoding: 'utf8',
      // A packaging that hangs on a bad config is the bug this guards against.
      timeout: 90_000,
    }
  );
}

describe('serverless package', () => {
  it('fails at once, with file and reason, when the config file is missing', async () => {
    // Act
    const result = await packageWith('no-such-config.yaml');

    // Assess
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toContain(
      'Pool Warden config no-such-config.yaml not found'
    );
  });

  it('fails at once on a YAML alias bomb, as a config error with the file', async () => {
    // Act
    const result = await packageWith('test/fixtures/hostile/alias-bomb.yaml');

    // Assess
    expect(result.signal).toBeNull();
    expect(result.status).toBe(1);
    expect(result.stderr + result.stdout).toContain(
      'test/fixtures/hostile/alias-bomb.yaml:6: cannot be read as YAML'
    );
  });
});
