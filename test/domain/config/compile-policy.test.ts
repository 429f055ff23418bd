import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import type { WardenConfig } from '../../../src/domain/config/warden-config.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

async function configAt(...path: string[]): Promise<WardenConfig> {
  const file = join(ROOT, ...path);
  const result = parseConfig(await readFile(file, 'utf8'), file);
  if (!result.ok) throw new Error(`expected ${file} to be valid:\n${result.issues.join('\n')}`);
  return result.config;
}

describe('compilePolicy', () => {
  it('turns every setting into the engine form', async () => {
    // Act
    const policy = compilePolicy(await configAt('test', 'fixtures', 'config', 'valid-policy.yaml'));

    // Assess
    expect(policy.settings).toEqual({
      dryRun: false,
      maxActionsPerRun: 20,
      maxActionsPerHour: 60,
      keepAliveAnchor: 'update-time',
      maxKeepAliveMs: 21_600_000,
      leadTimeMs: 900_000,
      revisitEveryMs: 300_000,
      safetyMarginMs: 90_000,
      auditRetentionDays: 30,
      valueOfTimeUsdPerHour: 80,
      coldStartBilledSeconds: 45,
      coldStartWaitSeconds: 150,
    });
  });

  it('compiles a full rule: bounds in ms, window in minutes, budget in the window zone', async () => {
    // Act
    const [rule] = compilePolicy(
      await configAt('test', 'fixtures', 'config', 'valid-policy.yaml')
    ).rules;

    // Assess
    expect(rule).toMatchObject({
      name: 'nlp-working-hours',
      mode: 'adaptive',
      keepAlive: { minMs: 600_000, maxMs: 5_400_000 },
      window: {
        days: [1, 2, 3, 4, 5],
        startMinute: 480,
        endMinute: 1140,
        timeZone: 'Europe/Stockholm',
        holidays: ['2026-12-24'],
      },
      outside: { action: 'shrink', toMs: 300_000 },
      budget: { usdPerDay: 400, onExceeded: { action: 'release' }, timeZone: 'Europe/Stockholm' },
      warnBeforeReleaseMs: 600_000,
    });
    expect(rule?.keepAlive.fixedMs).toBeUndefined();
    expect(rule?.match.text).toBe(
      '{ team: nlp, instanceType: ml.g5.*, tags: { project: bert-* } }'
    );
  });

  it('builds matchers that accept what the globs describe and nothing else', async () => {
    // Act
    const match = compilePolicy(await configAt('test', 'fixtures', 'config', 'valid-policy.yaml'))
      .rules[0]?.match;

    // Assess
    expect([match?.team?.('nlp'), match?.team?.('nlp2')]).toEqual([true, false]);
    expect([
      match?.instanceType?.('ml.g5.48xlarge'),
      match?.instanceType?.('ml.g6.xlarge'),
    ]).toEqual([true, false]);
    expect([match?.tags?.project?.('bert-large'), match?.tags?.project?.('gpt')]).toEqual([
      true,
      false,
    ]);
    expect(match?.owner).toBeUndefined();
  });

  it('fills defaults: day sets merged and sorted, the default zone, release, no warning', async () => {
    // Act
    const rules = compilePolicy(
      await configAt('test', 'fixtures', 'config', 'valid-policy.yaml')
    ).rules;

    // Assess
    expect(rules[1]).toMatchObject({
      name: 'night-shift',
      mode: 'fixed',
      keepAlive: { minMs: 0, maxMs: 21_600_000, fixedMs: 1_800_000 },
      window: {
        days: [0, 1, 3, 5, 6],
        startMinute: 1320,
        endMinute: 360,
        timeZone: 'America/New_York',
        holidays: [],
      },
      outside: { action: 'release' },
      budget: { instanceHoursPerDay: 12, timeZone: 'America/New_York' },
      warnBeforeReleaseMs: 0,
    });
    expect(rules[2]).toMatchObject({ name: 'everything-else', mode: 'off' });
    expect(rules[2]?.match.text).toBe('{}');
    expect(rules[2]?.window).toBeUndefined();
    expect(rules[2]?.budget).toBeUndefined();
  });

  it('compiles a file without a policy to dry run and no rules', () => {
    // Prepare
    const parsed = parseConfig('version: 1\nowners:\n  fallback: a@example.com\n', 'f.yaml');
    if (!parsed.ok) throw new Error(parsed.issues.join('\n'));

    // Act
    const policy = compilePolicy(parsed.config);

    // Assess
    expect(policy.rules).toEqual([]);
    expect(policy.settings).toMatchObject({
      dryRun: true,
      maxKeepAliveMs: 3_600_000,
      leadTimeMs: 300_000,
      revisitEveryMs: 300_000,
      safetyMarginMs: 120_000,
    });
  });

  it('compiles the deployable config as a dry run and the demo config as acting', async () => {
    // Act
    const deployable = compilePolicy(await configAt('warden.config.yaml'));
    const demo = compilePolicy(await configAt('examples', 'warden.config.yaml'));

    // Assess
    expect(deployable.settings.dryRun).toBe(true);
    expect(demo.settings.dryRun).toBe(false);
    expect(demo.rules.map((r) => r.mode)).toEqual(['fixed', 'off', 'adaptive']);
    expect(demo.rules[2]?.window?.timeZone).toBe('Europe/Berlin');
  });
});
