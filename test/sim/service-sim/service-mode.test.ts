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
import { job, SETTINGS } from '../policy-sim/sim-fixtures.js';

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

/** Service mode without a config: the fixtures' settings at $100/h, illustrative prices. */
const PLAIN: SimRunSettings = { ...SETTINGS, valueOfTimeUsdPerHour: 100, prices: {} };

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
    // The finish notice describes each job at least once as it ends; the rest is the steward's.
    const total = Object.values(sageMakerCalls).reduce((a, b) => a + b, 0);
    expect(total - result.apiCalls).toBeGreaterThanOrEqual(trace.jobs.length);
    expect(result.apiCalls).toBeGreaterThan(sageMakerCalls.UpdateTrainingJob);
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

  it('writes a finish notice per job and the pool notices to the outbox, to the owners, linked to the actions server given', async () => {
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
      actionsBaseUrl: 'http://127.0.0.1:9911',
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
    // Every file counted, by channel; a release warning offers its actions on that server
    expect(run.notices).toEqual({
      email: files.filter((f) => f.endsWith('.eml')).length,
      slack: files.filter((f) => f.endsWith('.slack.json')).length,
    });
    const warning = files.find((f) => f.endsWith('-pool-release-warning.eml'));
    expect(await readFile(join(outboxDir, warning ?? ''), 'utf8')).toContain(
      'http://127.0.0.1:9911/'
    );
  });

  it('runs without a config: each finish notice to its owner’s address, to a fallback without one', async () => {
    // Prepare: a day of batch jobs, every other one without an owner
    const batch = generateScenario('batch', { days: 1 });
    const trace = makeTrace(
      batch.jobs.map((j, i) => (i % 2 === 0 ? j : { ...j, owner: undefined })),
      batch.source,
      []
    );
    const outboxDir = join(await mkdtemp(join(tmpdir(), 'warden-service-')), 'outbox');

    // Act
    const run = await runServiceMode(trace, {
      settings: PLAIN,
      prices: tracePrices(trace, {}),
      outboxDir,
    });

    // Assess
    expect(run.result.jobs).toBe(trace.jobs.length);
    expect(run.policy.settings.dryRun).toBe(false);
    expect(run.notices.email).toBeGreaterThanOrEqual(trace.jobs.length);
    expect(run.decisions.every((d) => d.rule === 'adaptive')).toBe(true);
    for (const [i, job] of trace.jobs.entries()) {
      const eml = await readFile(join(outboxDir, `${run.jobs[i]?.name}-Completed.eml`), 'utf8');
      expect(eml).toContain(`To: ${job.owner ?? 'ml-platform@example.com'}\r\n`);
    }
    expect(trace.jobs.filter((j) => j.owner !== undefined).length).toBeGreaterThan(0);
  });
});

describe('service mode, job by job', () => {
  it('lets a job submitted the millisecond another of its key ends take its pool, as policy mode does', async () => {
    // Prepare: fsx starts cold in 136 s, so the first job ends at 236 s, when the second comes
    const trace = makeTrace([job(0, 100), job(236, 100)], 'same-ms', []);
    const prices = tracePrices(trace, {});
    // Act
    const run = await runServiceMode(trace, { settings: PLAIN, prices });
    const policyMode = runPolicy(trace, createAdaptivePolicy(PLAIN, { asService: true }), PLAIN, {
      prices,
    });
    // Assess
    expect(run.jobs.map((j) => j.start)).toEqual(['cold', 'warm']);
    expect(policyMode.warmStarts).toBe(1);
  });

  it('submits a Fast File job in FastFile mode, and decides its pools as policy mode does', async () => {
    // Prepare: Fast File jobs far enough apart that each pool is decided on its own
    const trace = makeTrace(
      [0, 3000, 6000].map((at) => job(at, 100, { inputMode: 'ffm' })),
      'ffm',
      []
    );
    const config = await loadConfigFile(MIXED_CONFIG);
    // Act
    const { serviceDecisions, policyDecisions } = await bothModes(
      trace,
      settingsFor(config),
      config
    );
    // Assess
    expect(serviceDecisions.length).toBeGreaterThan(0);
    expect(serviceDecisions).toEqual(policyDecisions);
  });

  it('reports progress every 256 jobs and at the end', async () => {
    // Prepare
    const trace = makeTrace(
      Array.from({ length: 300 }, (_, i) => job(i * 60, 10)),
      'progress',
      []
    );
    const seen: [number, number][] = [];
    // Act
    await runServiceMode(trace, {
      settings: PLAIN,
      prices: tracePrices(trace, {}),
      onProgress: (done, total) => seen.push([done, total]),
    });
    // Assess
    expect(seen).toEqual([
      [256, 300],
      [300, 300],
    ]);
  });

  it('refuses a job whose instance type has no price, naming the type', async () => {
    // Prepare
    const trace = makeTrace([job(0, 100, { instanceType: 'ml.zz9.mega' })], 'unpriced', []);
    // Act and assess
    await expect(
      runServiceMode(trace, { settings: PLAIN, prices: new Map([['ml.m5.xlarge', 0.23]]) })
    ).rejects.toThrow('no price for ml.zz9.mega');
  });

  it('acts on nothing under a config in dry run, and still decides every pool', async () => {
    // Prepare
    const { trace, config } = await mixedDay();
    const dry = { ...config, settings: { ...config.settings, dryRun: true } };
    const settings = settingsFor(dry);
    // Act
    const run = await runServiceMode(trace, {
      settings,
      prices: tracePrices(trace, settings.prices),
      config: dry,
    });
    // Assess
    expect(run.policy.settings.dryRun).toBe(true);
    expect(run.decisions.length).toBeGreaterThan(100);
    expect(run.sageMakerCalls.UpdateTrainingJob).toBe(0);
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
