// `npm run bench`: the service's quality bars, measured side by side in one run.
//   1. cold start of every function (scripts/bench-cold-start.ts): bundle size and zip size, and
//      cold module load in fresh Node processes, interleaved, median of BENCH_LOAD_RUNS, against
//      a floor bundle of only the SDK clients it calls and against the handler unbundled;
//   2. throughput of terminal events through the full middy handler with in-memory adapters;
//   3. the simulator's policy and service modes (scripts/bench-sim.ts).
// The machine is shared and noisy, so every timing is a median and every verdict a ratio.
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { MemoryCallerRegistry } from '../src/adapters/memory/memory-caller-registry.js';
import { MemoryNoticeLedger } from '../src/adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../src/adapters/memory/memory-parked-events.js';
import { parseConfig } from '../src/domain/config/parse-config.js';
import type { FinishNoticeDeps } from '../src/domain/finish/notify-on-finish.js';
import { readTrainingJob, type TrainingJobSnapshot } from '../src/domain/job/training-job.js';
import { noActionLinks } from '../src/domain/ports/action-links.js';
import { noMetrics } from '../src/domain/ports/metrics.js';
import { reachEveryone } from '../src/domain/ports/senders.js';
import { createHandler } from '../src/handlers/job-state-change.js';
import { lambdaContext } from '../src/sim/lambda-context.js';
import { VirtualClock } from '../src/sim/virtual-clock.js';
import { benchColdStart, median, printColdStart } from './bench-cold-start.js';
import {
  benchPolicyMode,
  benchServiceMode,
  positiveInteger,
  printPolicyMode,
  printServiceMode,
} from './bench-sim.js';

const OUT = resolve('out/bench');
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
const THROUGHPUT_ROUNDS = 5;
const EVENTS_PER_ROUND = 4000;
const BARS = { eventsPerSecond: 2000 };

const verdict = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');

async function throughput(): Promise<number[]> {
  const configResult = parseConfig(
    'version: 1\nowners:\n  tagKeys: [owner]\n  fallback: ops@example.com\ndirectory:\n  alice: { email: alice@example.com, slack: U0ALICE01, timeZone: Europe/Berlin }\n',
    'bench.yaml'
  );
  if (!configResult.ok) throw new Error(configResult.issues.join('\n'));
  const end = Date.UTC(2026, 10, 26, 10);
  const described = new Map<string, TrainingJobSnapshot>();
  let sent = 0;
  const countSent = () => {
    sent += 1;
  };
  const rates: number[] = [];
  for (let round = 0; round < THROUGHPUT_ROUNDS; round++) {
    const events = Array.from({ length: EVENTS_PER_ROUND }, (_, i) => {
      const name = `bench-${round}-${i}`;
      const detail = {
        TrainingJobName: name,
        TrainingJobArn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`,
        TrainingJobStatus: 'Completed',
        SecondaryStatus: 'Completed',
        RoleArn: 'arn:aws:iam::111122223333:role/Training',
        ResourceConfig: {
          InstanceType: 'ml.g5.2xlarge',
          InstanceCount: 1,
          KeepAlivePeriodInSeconds: 1800,
        },
        WarmPoolStatus: { Status: 'Available' },
        // Jobs end a minute apart, as a team's do: notices format different times, so caches
        // of time formatting get no more help here than in a real day.
        TrainingStartTime: end - 3_600_000 - i * 60_000,
        TrainingEndTime: end - i * 60_000,
        LastModifiedTime: end - i * 60_000,
        BillableTimeInSeconds: 3600,
        Tags: [{ Key: 'owner', Value: 'alice' }],
      };
      const read = readTrainingJob(detail, 'bench');
      if (read.ok) described.set(name, read.job);
      return {
        source: 'aws.sagemaker',
        'detail-type': 'SageMaker Training Job State Change',
        region: 'us-east-1',
        time: '2026-11-26T10:00:00Z',
        detail,
      };
    });
    const deps: FinishNoticeDeps = {
      config: configResult.config,
      clock: new VirtualClock(end),
      sageMaker: {
        describeTrainingJob: async (name) => described.get(name),
        listTags: async () => ({}),
      },
      ledger: new MemoryNoticeLedger(),
      callers: new MemoryCallerRegistry(),
      parked: new MemoryParkedEvents(),
      email: { send: async () => countSent() },
      slack: { send: async () => countSent() },
      log: { info: () => undefined, warn: () => undefined, error: () => undefined },
      metrics: noMetrics,
      emailReach: reachEveryone,
      actionLinks: noActionLinks,
    };
    // Logging is part of the handler's cost, but its output would drown the report.
    const handler = createHandler(async () => deps, new Logger({ logLevel: 'SILENT' }));
    const context = lambdaContext('bench');
    const start = performance.now();
    for (const event of events) await handler(event, context);
    rates.push(EVENTS_PER_ROUND / ((performance.now() - start) / 1000));
  }
  if (sent !== 2 * THROUGHPUT_ROUNDS * EVENTS_PER_ROUND)
    throw new Error(`expected every event to notify, sent ${sent}`);
  return rates;
}

async function main(): Promise<void> {
  await mkdir(OUT, { recursive: true });
  const report: Record<string, unknown> = { date: new Date().toISOString(), node: process.version };
  let failures = 0;

  console.log(
    `Pool Warden bench (node ${process.version}; medians of ${LOAD_RUNS} cold loads, ${THROUGHPUT_ROUNDS} throughput rounds)\n`
  );
  const coldStart = await benchColdStart(OUT, LOAD_RUNS);
  failures += printColdStart(coldStart, LOAD_RUNS);
  report.coldStart = coldStart;

  const rates = await throughput();
  const rate = median(rates);
  const rateOk = rate >= BARS.eventsPerSecond;
  failures += Number(!rateOk);
  console.log(
    '\nThroughput: terminal events through the full job-state-change handler, in-memory adapters, one core'
  );
  console.log(
    `  ${rate.toFixed(0)} events/s median (rounds: ${rates.map((r) => r.toFixed(0)).join(', ')}); ` +
      `${verdict(rateOk)} ≥ ${BARS.eventsPerSecond} events/s (${(rate / BARS.eventsPerSecond).toFixed(1)}× the bar)`
  );
  report.throughput = { eventsPerSecond: rates, median: rate };

  const policyMode = benchPolicyMode(positiveInteger('BENCH_SIM_JOBS', 1_000_000));
  failures += Number(!printPolicyMode(policyMode));
  const serviceMode = await benchServiceMode(positiveInteger('BENCH_SERVICE_DAYS', 2));
  printServiceMode(serviceMode);
  report.simulator = { policyMode, serviceMode };

  await writeFile(resolve(OUT, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `\n${failures === 0 ? 'All bars met.' : `${failures} bar(s) missed.`} Raw numbers: ${resolve(OUT, 'bench.json')}`
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
