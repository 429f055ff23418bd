import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../../src/adapters/config/load-config-file.js';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import type { WardenConfig } from '../../../src/domain/config/warden-config.js';
import { createAdaptivePolicy } from '../../../src/sim/policy-sim/adaptive-policy.js';
import { tracePrices } from '../../../src/sim/policy-sim/cost-model.js';
import { runPolicy } from '../../../src/sim/policy-sim/engine.js';
import type { SimRunSettings } from '../../../src/sim/policy-sim/sim-policy.js';
import { runServiceMode } from '../../../src/sim/service-sim/service-mode.js';
import { generateScenario } from '../../../src/sim/trace/scenarios.js';
import { makeTrace, type Trace } from '../../../src/sim/trace/trace.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const MIXED_CONFIG = join(ROOT, 'examples', 'mixed-team.config.yaml');

function settingsFor(config: WardenConfig): SimRunSettings {
  const policy = compilePolicy(config);
  return {
    maxKeepAliveMs: policy.settings.maxKeepAliveMs,
    keepAliveAnchor: policy.settings.keepAliveAnchor,
    safetyMarginMs: policy.settings.safetyMarginMs,
    leadTimeMs: policy.settings.leadTimeMs,
    valueOfTimeUsdPerHour: policy.settings.valueOfTimeUsdPerHour,
    coldStartBilledSeconds: policy.settings.coldStartBilledSeconds,
    prices: config.prices,
    quota: {},
    latency: { kind: 'p90' },
    policy,
  };
}

/** One day of the mixed team: 348 jobs on 8 keys, every rule kind of the demo config. */
async function mixedDay(): Promise<{ trace: Trace; config: WardenConfig }> {
  return {
    trace: generateScenario('mixed', { days: 1 }),
    config: await loadConfigFile(MIXED_CONFIG),
  };
}

/**
 * The trace through service mode and through policy mode deciding as the service does, with
 * each mode's decisions as `index at action until reason` lines, sorted.
 */
async function bothModes(trace: Trace, settings: SimRunSettings, config: WardenConfig) {
  const prices = tracePrices(trace, settings.prices);
  const index = new Map(trace.jobs.map((job, i) => [job, i]));
  const policyDecisions: string[] = [];
  const service = await runServiceMode(trace, { settings, prices, config });
  const policyMode = runPolicy(
    trace,
    createAdaptivePolicy(settings, {
      asService: true,
      onDecision: (pool, d, now) =>
        policyDecisions.push(`${index.get(pool.job)} ${now} ${d.action} ${d.until} ${d.reason}`),
    }),
    settings,
    { prices }
  );
  const serviceDecisions = service.decisions.map(
    (d) => `${d.index} ${d.at} ${d.action} ${d.until} ${d.reason}`
  );
  return {
    service,
    policyMode,
    serviceDecisions: serviceDecisions.sort(),
    policyDecisions: policyDecisions.sort(),
  };
}

describe('service mode', () => {
  it('takes the decisions policy mode takes, pool by pool, and starts every job alike', async () => {
    // Prepare
    const { trace, config } = await mixedDay();

    // Act
    const { service, policyMode, serviceDecisions, policyDecisions } = await bothModes(
      trace,
      settingsFor(config),
      config
    );

    // Assess
    expect(serviceDecisions.length).toBeGreaterThan(100);
    expect(new Set(serviceDecisions.map((d) => d.split(' ')[2]))).toContain('shrink');
    // Pools behind a newer free pool of their key are among them, decided alike
    expect(serviceDecisions.some((d) => d.includes('a newer free pool of this key'))).toBe(true);
    expect(serviceDecisions).toEqual(policyDecisions);
    expect(service.result.coldStarts).toBe(policyMode.coldStarts);
    expect(service.result.warmStarts).toBe(policyMode.warmStarts);
    expect(service.result.idleInstanceSeconds).toBeCloseTo(policyMode.idleInstanceSeconds, 3);
    expect(service.result.totalCostUsd).toBeCloseTo(policyMode.totalCostUsd, 6);
  });

  it.each([
    ['mixed', 3, 1],
    ['hpo', 1, 2],
    ['interactive', 2, 2],
    ['batch', 1, 2],
  ] as const)(
    'takes the decisions policy mode takes on %s, seed %d, %d days',
    async (scenario, seed, days) => {
      // Prepare: other kinds of work and seeds, where pools wait on jobs that take newer ones
      const trace = generateScenario(scenario, { seed, days });
      const config = await loadConfigFile(MIXED_CONFIG);

      // Act
      const { serviceDecisions, policyDecisions } = await bothModes(
        trace,
        settingsFor(config),
        config
      );

      // Assess
      expect(serviceDecisions.length).toBeGreaterThan(20);
      expect(serviceDecisions).toEqual(policyDecisions);
    }
  );

  it.each([
    ['P90 start-ups', { kind: 'p90' as const }],
    ['seeded start-ups', { kind: 'seeded' as const, seed: 7 }],
  ])(
    'takes the decisions policy mode takes on chains of jobs closer than a cold start, %s',
    async (_, latency) => {
      // Prepare: three days of a 20-step pipeline on 2 × ml.p4d.24xlarge, each step submitted
      // 30 s after the last would have ended warm; the steward learns start-ups from
      // TrainingStartTime − CreationTime and cold starts from the pools it tracks
      const jobs = [];
      for (let day = 0; day < 3; day++) {
        for (let i = 0; i < 20; i++) {
          jobs.push({
            submitTime: Date.UTC(2026, 2, 2, 9) + (day * 86_400 + i * 649) * 1000,
            durationMs: 600_000,
            key: 'pipeline',
            instanceType: 'ml.p4d.24xlarge',
            instanceCount: 2,
            inputMode: 'fsx' as const,
          });
        }
      }
      const trace = makeTrace(jobs, 'chain', []);
      const config = await loadConfigFile(MIXED_CONFIG);

      // Act
      const { service, policyMode, serviceDecisions, policyDecisions } = await bothModes(
        trace,
        { ...settingsFor(config), latency },
        config
      );

      // Assess: rescues among the decisions, and the same decisions and starts in both modes
      expect(serviceDecisions.some((d) => d.includes('its running job started cold'))).toBe(true);
      expect(serviceDecisions).toEqual(policyDecisions);
      expect(service.result.coldStarts).toBe(policyMode.coldStarts);
      expect(policyMode.coldStarts).toBeLessThan(30);
    }
  );

  it('measures like policy mode: every job once, costs that add up, the steward’s calls', async () => {
    // Prepare
    const { trace, config } = await mixedDay();
    const settings = settingsFor(config);

    // Act
    const { result, jobs, sageMakerCalls } = await runServiceMode(trace, {
      settings,
      prices: tracePrices(trace, settings.prices),
      config,
    });

    // Assess
    expect(result.name).toBe('adaptive (service)');
    expect(result.jobs).toBe(trace.jobs.length);
    expect(result.coldStarts + result.warmStarts).toBe(trace.jobs.length);
    expect(jobs.filter((j) => j.start === 'cold')).toHaveLength(result.coldStarts);
    expect(result.pools).toBe(trace.jobs.length);
    expect(result.quotaDenied).toBe(0);
    expect(result.totalCostUsd).toBeCloseTo(
      result.idleCostUsd + result.coldStartBilledUsd + result.waitCostUsd,
      9
    );
    expect(result.teams.map((t) => t.team)).toEqual(['data', 'forecasting', 'nlp', 'vision']);
    expect(sageMakerCalls.UpdateTrainingJob).toBeGreaterThan(0);
    expect(result.apiCalls).toBeLessThan(Object.values(sageMakerCalls).reduce((a, b) => a + b, 0));
  });

  it('keeps no pool the warm-pool quota has no room for', async () => {
    // Prepare
    const { trace, config } = await mixedDay();
    const settings = { ...settingsFor(config), quota: { 'ml.m5.xlarge': 0 } };

    // Act
    const { result } = await runServiceMode(trace, {
      settings,
      prices: tracePrices(trace, settings.prices),
      config,
    });

    // Assess
    const m5 = trace.jobs.filter((j) => j.instanceType === 'ml.m5.xlarge').length;
    expect(m5).toBeGreaterThan(0);
    expect(result.quotaDenied).toBe(m5);
    expect(result.pools).toBe(trace.jobs.length - m5);
  });

  it('writes a finish notice per job and the pool notices to the outbox, to the owners', async () => {
    // Prepare
    const { trace, config } = await mixedDay();
    const settings = settingsFor(config);
    const outboxDir = join(await mkdtemp(join(tmpdir(), 'warden-service-')), 'outbox');

    // Act
    const run = await runServiceMode(trace, {
      settings,
      prices: tracePrices(trace, settings.prices),
      config,
      outboxDir,
    });

    // Assess
    const files = await readdir(outboxDir);
    expect(files.filter((f) => f.endsWith('-Completed.eml'))).toHaveLength(trace.jobs.length);
    const shrunk = files.filter((f) => f.endsWith('-pool-shrunk.eml'));
    expect(shrunk.length).toBeGreaterThan(0);
    expect(files.some((f) => f.endsWith('-pool-release-warning.slack.json'))).toBe(true);
    expect(run.written).toHaveLength(files.length);
    const annaJob = trace.jobs.findIndex((j) => j.owner === 'anna@example.com');
    const eml = await readFile(join(outboxDir, `${run.jobs[annaJob]?.name}-Completed.eml`), 'utf8');
    expect(eml).toContain('To: anna@example.com');
    expect(eml).toContain('Anna Schmidt (via tag warden:owner)');
  });

  it('runs without a config, every notice to the fallback address', async () => {
    // Prepare
    const trace = generateScenario('batch', { days: 1 });
    const settings: SimRunSettings = {
      maxKeepAliveMs: 3_600_000,
      keepAliveAnchor: 'job-end',
      safetyMarginMs: 120_000,
      leadTimeMs: 300_000,
      valueOfTimeUsdPerHour: 100,
      coldStartBilledSeconds: 30,
      prices: {},
      quota: {},
      latency: { kind: 'p90' },
    };

    // Act
    const run = await runServiceMode(trace, { settings, prices: tracePrices(trace, {}) });

    // Assess
    expect(run.result.jobs).toBe(trace.jobs.length);
    expect(run.policy.settings.dryRun).toBe(false);
    expect(run.notices.email).toBeGreaterThanOrEqual(trace.jobs.length);
    expect(run.decisions.every((d) => d.rule === 'adaptive')).toBe(true);
  });
});

describe('the mixed team config', () => {
  it('names every owner of the mixed scenario in its directory, with the scenario’s team', async () => {
    // Prepare
    const config = await loadConfigFile(MIXED_CONFIG);
    const trace = generateScenario('mixed', { days: 14 });

    // Act
    const byEmail = new Map(
      Object.entries(config.directory).flatMap(([id, e]) => (e.email ? [[e.email, { id, e }]] : []))
    );

    // Assess
    expect(config.settings.dryRun).toBe(false);
    for (const job of trace.jobs) {
      const entry = byEmail.get(job.owner ?? '');
      if (job.owner === 'forecast-pipeline@example.com') continue;
      expect(entry, job.owner).toBeDefined();
      // Lukas works for two teams; the directory gives him one.
      if (job.owner !== 'lukas@example.com') expect(entry?.e.team).toBe(job.team);
    }
  });
});
