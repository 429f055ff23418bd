import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/adapters/config/load-config-file.js';
import { ConfigError } from '../../../src/domain/errors.js';
import { TEAM_CONFIG_YAML } from '../../helpers/factories.js';

describe('load-config-file', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pool-warden-config-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function file(name: string, text: string): Promise<string> {
    const path = join(dir, name);
    await writeFile(path, text);
    return path;
  }

  it('returns the checked config when the file is valid', async () => {
    // Prepare
    const path = await file('warden.config.yaml', TEAM_CONFIG_YAML);

    // Act
    const config = await loadConfigFile(path);

    // Assess
    expect(config.owners.fallback).toBe('platform');
    expect(config.directory.alice?.email).toBe('alice@example.com');
  });

  it('throws a ConfigError naming the file when it does not exist', async () => {
    // Prepare
    const path = join(dir, 'missing.yaml');

    // Act
    const error = await loadConfigFile(path).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([`${path}: file not found`]);
    expect((error as ConfigError).code).toBe('CONFIG_INVALID');
  });

  it('throws a ConfigError naming the file when the path is a folder', async () => {
    // Act
    const error = await loadConfigFile(dir).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([
      expect.stringMatching(/is a folder, not a config file$/),
    ]);
    expect((error as ConfigError).issues[0]?.startsWith(`${dir}: `)).toBe(true);
  });

  it('throws a ConfigError with file:line issues when the file is invalid', async () => {
    // Prepare
    const path = await file(
      'invalid.yaml',
      TEAM_CONFIG_YAML.replace('  fallback: platform', '  fallback: nobody\n  colour: blue')
    );

    // Act
    const error = await loadConfigFile(path).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    const { issues } = error as ConfigError;
    expect(issues.length).toBeGreaterThan(0);
    for (const issue of issues) expect(issue).toMatch(new RegExp(`^${path}:\\d+: `));
    expect(issues.join('\n')).toContain('colour');
  });

  it('reports the line of a duplicate key when the YAML is malformed', async () => {
    // Prepare
    const path = await file('duplicate.yaml', 'version: 1\nversion: 2\n');

    // Act
    const error = await loadConfigFile(path).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues).toEqual([expect.stringMatching(`^${path}:2: `)]);
  });
});
