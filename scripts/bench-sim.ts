// The simulator's policy-mode throughput: jobs per second of each policy on a generated trace
// of BENCH_SIM_JOBS jobs (default 1,000,000; median of BENCH_SIM_RUNS runs, default 3), and the
// peak memory of the process. The bar is ≥ 100,000 jobs/s on one core for every policy, adaptive
// included (DESIGN.md, quality bars). Run it alone with `npx tsx scripts/bench-sim.ts`;
// scripts/bench.ts calls `benchPolicyMode`.
// Service mode (the real handlers on simulated events, the every-minute evaluator, the simulated
// SageMaker; notices rendered, not written) is measured in jobs per second on BENCH_SERVICE_DAYS
// days of the mixed scenario (default 2): scripts/bench.ts calls `benchServiceMode`.
import { pathToFileURL } from 'node:url';
import { logger } from '../src/adapters/logging/logger.js';
import { tracePrices } from '../src/sim/policy-sim/cost-model.js';
import { runPolicy } from '../src/sim/policy-sim/engine.js';
import { runOracle } from '../src/sim/policy-sim/oracle.js';
import { parsePolicyList } from '../src/sim/policy-sim/policies.js';
import type { SimRunSettings } from '../src/sim/policy-sim/sim-policy.js';
import { runServiceMode } from '../src/sim/service-sim/service-mode.js';
import { generateLargeTrace, generateScenario } from '../src/sim/trace/scenarios.js';
import { median } from './bench-cold-start.js';

const BAR_JOBS_PER_SECOND = 100_000;
const RUNS = positiveInteger('BENCH_SIM_RUNS', 3);

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new RangeError(`${name} must be a whole number ≥ 1, got "${text}"`);
  return n;
}
const POLICIES = ['none', 'fixed:10m', 'requested', 'breakeven', 'histogram', 'adaptive', 'oracle'];

const SETTINGS: SimRunSettings = {
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

interface PolicyThroughput {
  readonly name: string;
  /** Median of the runs. */
  readonly jobsPerSecond: number;
  readonly seconds: number;
  readonly slowest: number;
  readonly fastest: number;
}

interface PolicyModeBench {
  readonly jobs: number;
  readonly runs: number;
  readonly generateSeconds: number;
  readonly policies: readonly PolicyThroughput[];
  readonly peakRssBytes: number;
  readonly peakHeapUsedBytes: number;
  readonly traceHeapBytes: number;
}

/** Peak memory, sampled as the simulation reports progress (and at each step here). */
class MemoryPeak {
  rss = 0;
  heapUsed = 0;

  sample(): void {
    const m = process.memoryUsage();
    if (m.rss > this.rss) this.rss = m.rss;
    if (m.heapUsed > this.heapUsed) this.heapUsed = m.heapUsed;
  }
}

/**
 * Runs every policy BENCH_SIM_RUNS times over the same generated trace, in interleaved rounds
 * (so a noisy spell on the shared machine hits every policy alike), and keeps the median.
 */
function benchPolicyMode(jobs: number, runs = RUNS): PolicyModeBench {
  const peak = new MemoryPeak();
  const heapBefore = process.memoryUsage().heapUsed;
  const started = performance.now();
  const trace = generateLargeTrace(jobs, 1);
  const generateSeconds = (performance.now() - started) / 1000;
  peak.sample();
  const traceHeapBytes = process.memoryUsage().heapUsed - heapBefore;
  const prices = tracePrices(trace, SETTINGS.prices);
  const options = { prices, onProgress: () => peak.sample() };
  const specs = POLICIES.map((name) => {
    const parsed = parsePolicyList(name, SETTINGS.maxKeepAliveMs);
    const spec = parsed.ok ? parsed.specs[0] : undefined;
    if (spec === undefined) throw new TypeError(`cannot parse policy ${name}`);
    return { name, spec, seconds: [] as number[] };
  });
  for (let round = 0; round < runs; round++) {
    for (const { spec, seconds } of specs) {
      const t0 = performance.now();
      if (spec.kind === 'oracle') runOracle(trace, SETTINGS, options);
      else runPolicy(trace, spec.create(SETTINGS, prices), SETTINGS, options);
      seconds.push((performance.now() - t0) / 1000);
      peak.sample();
    }
  }
  const policies = specs.map(({ name, seconds }): PolicyThroughput => {
    const rates = seconds.map((s) => trace.jobs.length / s).sort((a, b) => a - b);
    return {
      name,
      seconds: median(seconds),
      jobsPerSecond: median(rates),
      slowest: rates[0] ?? 0,
      fastest: rates[rates.length - 1] ?? 0,
    };
  });
  return {
    jobs: trace.jobs.length,
    runs,
    generateSeconds,
    policies,
    peakRssBytes: Math.max(peak.rss, process.resourceUsage().maxRSS * 1024),
    peakHeapUsedBytes: peak.heapUsed,
    traceHeapBytes,
  };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

function printPolicyMode(result: PolicyModeBench): boolean {
  console.log(
    `simulator policy mode: ${result.jobs.toLocaleString('en-US')} generated jobs (made in ${result.generateSeconds.toFixed(1)} s), median of ${result.runs} runs (slowest–fastest)`
  );
  let ok = true;
  for (const p of result.policies) {
    const pass = p.jobsPerSecond >= BAR_JOBS_PER_SECOND;
    if (!pass) ok = false;
    const verdict = pass ? 'ok  ' : 'FAIL';
    const rate = (n: number) => Math.round(n).toLocaleString('en-US');
    console.log(
      `  ${verdict} ${p.name.padEnd(10)} ${rate(p.jobsPerSecond).padStart(10)} jobs/s  (${rate(p.slowest)}–${rate(p.fastest)}; bar ${rate(BAR_JOBS_PER_SECOND)})`
    );
  }
  console.log(
    `  peak memory: rss ${mb(result.peakRssBytes)}, heap used ${mb(result.peakHeapUsedBytes)} (the trace itself ≈ ${mb(result.traceHeapBytes)})`
  );
  return ok;
}

interface ServiceModeBench {
  readonly days: number;
  readonly jobs: number;
  readonly seconds: number;
  readonly jobsPerSecond: number;
  readonly decisions: number;
  readonly sageMakerCalls: number;
}

/** The mixed team's scenario through service mode, timed end to end (informational, no bar). */
async function benchServiceMode(days: number): Promise<ServiceModeBench> {
  const trace = generateScenario('mixed', { days });
  const prices = tracePrices(trace, SETTINGS.prices);
  // The handlers' Powertools logger would print a JSON line per invocation.
  const level = logger.getLevelName();
  logger.setLogLevel('SILENT');
  try {
    const t0 = performance.now();
    const run = await runServiceMode(trace, { settings: SETTINGS, prices });
    const seconds = (performance.now() - t0) / 1000;
    return {
      days,
      jobs: trace.jobs.length,
      seconds,
      jobsPerSecond: trace.jobs.length / seconds,
      decisions: run.decisions.length,
      sageMakerCalls: Object.values(run.sageMakerCalls).reduce((a, b) => a + b, 0),
    };
  } finally {
    logger.setLogLevel(level);
  }
}

function printServiceMode(result: ServiceModeBench): void {
  console.log(
    `simulator service mode: mixed scenario, ${result.days} days, ${result.jobs.toLocaleString('en-US')} jobs`
  );
  console.log(
    `  info ${Math.round(result.jobsPerSecond).toLocaleString('en-US').padStart(10)} jobs/s  (${result.seconds.toFixed(2)} s; ${result.decisions.toLocaleString('en-US')} steward decisions, ${result.sageMakerCalls.toLocaleString('en-US')} SageMaker calls)`
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const jobs = positiveInteger('BENCH_SIM_JOBS', 1_000_000);
  const ok = printPolicyMode(benchPolicyMode(jobs));
  printServiceMode(await benchServiceMode(positiveInteger('BENCH_SERVICE_DAYS', 2)));
  process.exitCode = ok ? 0 : 1;
}

export type { PolicyModeBench, PolicyThroughput, ServiceModeBench };
export { benchPolicyMode, benchServiceMode, positiveInteger, printPolicyMode, printServiceMode };
