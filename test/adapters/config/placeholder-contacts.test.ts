import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { onlyPlaceholderContacts } from '../../../src/adapters/config/placeholder-contacts.js';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import type { WardenConfig } from '../../../src/domain/config/warden-config.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

interface PackagingPlugins {
  wardenConfigPlugin(options: { file: string; stage: string }): Plugin;
  stageOf(argv: readonly string[]): string;
}

async function packagingPlugins(): Promise<PackagingPlugins> {
  return (await import(
    pathToFileURL(join(ROOT, 'scripts', 'esbuild-plugins.mjs')).href
  )) as PackagingPlugins;
}

function config(yaml: string): WardenConfig {
  const result = parseConfig(yaml, 'test.yaml');
  if (!result.ok) throw new Error(result.issues.join('\n'));
  return result.config;
}

/** Builds the bundled-config module as packaging does, for `stage`, from `file`. */
async function packageConfig(file: string, stage: string) {
  const { wardenConfigPlugin } = await packagingPlugins();
  return build({
    absWorkingDir: ROOT,
    entryPoints: ['src/handlers/bundled-config.ts'],
    plugins: [wardenConfigPlugin({ file, stage })],
    write: false,
    logLevel: 'silent',
  }).then(
    (result) => ({ ok: true as const, text: result.outputFiles[0]?.text ?? '' }),
    (error: unknown) => ({
      ok: false as const,
      errors: (error as { errors: { text: string }[] }).errors.map((e) => e.text),
    })
  );
}

describe('onlyPlaceholderContacts', () => {
  it('finds that the example config reaches nobody', () => {
    // Act & Assess
    expect(
      onlyPlaceholderContacts(
        config(
          'version: 1\nowners:\n  fallback: platform\ndirectory:\n  platform:\n    email: ml-platform@example.com\n'
        )
      )
    ).toEqual(['ml-platform@example.com']);
  });

  it.each([
    ['a real fallback address', 'version: 1\nowners:\n  fallback: ops@acme.io\n'],
    [
      'one real address in the directory',
      'version: 1\nowners:\n  fallback: a\ndirectory:\n  a:\n    email: a@example.com\n  b:\n    email: b@acme.io\n',
    ],
    [
      'a Slack member id',
      'version: 1\nowners:\n  fallback: a\ndirectory:\n  a:\n    email: a@example.org\n    slack: U0ALICE01\n',
    ],
    [
      'a Slack webhook',
      'version: 1\nowners:\n  fallback: a\ndirectory:\n  a:\n    slackWebhook: vision\n',
    ],
  ])('accepts a config with %s', (_, yaml) => {
    // Act & Assess
    expect(onlyPlaceholderContacts(config(yaml))).toBeUndefined();
  });

  it.each(['a@example.net', 'a@team.example', 'a@x.invalid', 'a@host.test', 'a@EXAMPLE.COM'])(
    'counts %s as a placeholder',
    (address) => {
      // Act & Assess
      expect(
        onlyPlaceholderContacts(config(`version: 1\nowners:\n  fallback: ${address}\n`))
      ).toEqual([address]);
    }
  );
});

describe('packaging the config (scripts/esbuild-plugins.mjs)', () => {
  it('refuses the example config for a stage other than dev, naming the file and the fix', async () => {
    // Act
    const result = await packageConfig('warden.config.yaml', 'prod');

    // Assess
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toEqual([
      'warden.config.yaml: every contact is a placeholder (ml-platform@example.com), so notices for stage "prod" would reach nobody. Put real addresses (or Slack member ids) under directory: and owners.fallback, or point WARDEN_CONFIG_FILE at your own config.',
    ]);
  });

  it('packages the example config for dev, and a config with real contacts for prod', async () => {
    // Act
    const dev = await packageConfig('warden.config.yaml', 'dev');
    const prod = await packageConfig('examples/mixed-team.config.yaml', 'prod');

    // Assess
    expect(dev).toMatchObject({
      ok: true,
      text: expect.stringContaining('ml-platform@example.com'),
    });
    expect(prod.ok).toBe(true);
  });

  it('reads the stage as the serverless CLI takes it', async () => {
    // Prepare
    const { stageOf } = await packagingPlugins();

    // Act & Assess
    expect(stageOf(['node', 'serverless', 'package'])).toBe('dev');
    expect(stageOf(['node', 'serverless', 'deploy', '--stage', 'prod'])).toBe('prod');
    expect(stageOf(['node', 'sls', 'deploy', '-s', 'staging'])).toBe('staging');
    expect(stageOf(['node', 'sls', 'deploy', '--stage=qa'])).toBe('qa');
  });
});
