// `npm run bench`: the service's quality bars, measured side by side in one run.
//   1. bundle size of each Lambda handler, against a bundle holding only the SDK clients and
//      commands that handler calls (built the same way, from serverless.yml's settings);
//   2. cold module load of both, in fresh Node processes, interleaved, median of N;
//   3. throughput of terminal events through the full middy handler with in-memory adapters.
// The machine is shared and noisy, so every timing is a median and every verdict a ratio.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { Logger } from '@aws-lambda-powertools/logger';
import { build } from 'esbuild';
import { MemoryCallerRegistry } from '../src/adapters/memory/memory-caller-registry.js';
import { MemoryNoticeLedger } from '../src/adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../src/adapters/memory/memory-parked-events.js';
import { parseConfig } from '../src/domain/config/parse-config.js';
import type { FinishNoticeDeps } from '../src/domain/finish/notify-on-finish.js';
import { readTrainingJob, type TrainingJobSnapshot } from '../src/domain/job/training-job.js';
import { noMetrics } from '../src/domain/ports/metrics.js';
import { reachEveryone } from '../src/domain/ports/senders.js';
import { createHandler } from '../src/handlers/job-state-change.js';
import { lambdaContext } from '../src/sim/lambda-context.js';
import { VirtualClock } from '../src/sim/virtual-clock.js';
import {
  benchPolicyMode,
  benchServiceMode,
  printPolicyMode,
  printServiceMode,
} from './bench-sim.js';
import { buildLambdaBundle, handlerEntries } from './lambda-bundles.js';

const OUT = resolve('out/bench');
const LOAD_RUNS = Number(process.env.BENCH_LOAD_RUNS ?? 15);
const THROUGHPUT_ROUNDS = 5;
const EVENTS_PER_ROUND = 4000;
const BARS = { bundleBytes: 400 * 1024, loadRatio: 1.5, eventsPerSecond: 2000 };

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
};
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const verdict = (ok: boolean) => (ok ? 'ok  ' : 'FAIL');

interface SdkPackage {
  readonly client: string;
  readonly commands: Set<string>;
}

/** The SDK clients and commands that survive tree-shaking in a bundle, from esbuild's metafile. */
async function sdkUsage(entry: string): Promise<Map<string, SdkPackage>> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    mainFields: ['module', 'main'],
    metafile: true,
    write: false,
    outfile: 'sdk-usage.mjs',
    logLevel: 'silent',
    // Only the import graph matters here; the config module is not executed.
    plugins: [
      {
        name: 'skip',
        setup: (b) => b.onLoad({ filter: /bundled-config\.ts$/ }, () => ({ contents: '' })),
      },
    ],
  });
  const output = Object.values(result.metafile.outputs)[0];
  const kept = Object.entries(output?.inputs ?? {}).filter(([, info]) => info.bytesInOutput > 0);
  const usage = new Map<string, SdkPackage>();
  for (const [input] of kept) {
    const match =
      /@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/(?:commands\/(\w+Command)|(\w+Client))\.js$/.exec(
        input
      );
    if (!match?.[1]) continue;
    const entry = usage.get(match[1]) ?? { client: '', commands: new Set<string>() };
    if (match[2]) entry.commands.add(match[2]);
    usage.set(match[1], match[3] ? { ...entry, client: match[3] } : entry);
  }
  return usage;
}

/** Source of a handler that only constructs the same clients and sends the same commands. */
function baselineSource(usage: Map<string, SdkPackage>): string {
  const imports: string[] = [];
  const calls: string[] = [];
  for (const [pkg, { client, commands }] of usage) {
    imports.push(`import { ${[client, ...commands].join(', ')} } from '@aws-sdk/${pkg}';`);
    calls.push(`const ${client.toLowerCase()} = new ${client}({});`);
    for (const command of commands)
      calls.push(`await ${client.toLowerCase()}.send(new ${command}(input as never));`);
  }
  return `${imports.join('\n')}\nexport const handler = async (input: unknown) => {\n  ${calls.join('\n  ')}\n};\n`;
}

async function coldLoadMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      env: { ...process.env, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' },
    }
  );
  return Number(stdout);
}

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
        TrainingStartTime: end - 3_600_000,
        TrainingEndTime: end,
        LastModifiedTime: end,
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
  console.log('Bundles (minified, as `serverless package` builds them)');
  console.log(
    '  function          handler     SDK-only    size ratio  load handler  load SDK-only  load ratio'
  );
  for (const [name, entry] of Object.entries(await handlerEntries())) {
    const handlerFile = resolve(OUT, `${name}.mjs`);
    const baselineFile = resolve(OUT, `${name}.sdk-only.mjs`);
    const handlerBytes = await buildLambdaBundle(entry, handlerFile);
    const usage = await sdkUsage(entry);
    const baselineBytes = await buildLambdaBundle(
      { contents: baselineSource(usage), name: `${name}.sdk-only.ts` },
      baselineFile
    );
    const handlerLoads: number[] = [];
    const baselineLoads: number[] = [];
    // Interleaved, so a burst of load on the shared machine hits both sides alike.
    for (let i = 0; i < LOAD_RUNS; i++) {
      handlerLoads.push(await coldLoadMs(handlerFile));
      baselineLoads.push(await coldLoadMs(baselineFile));
    }
    const loadRatio = median(handlerLoads) / median(baselineLoads);
    const sizeOk = handlerBytes <= BARS.bundleBytes;
    const loadOk = loadRatio <= BARS.loadRatio;
    failures += Number(!sizeOk) + Number(!loadOk);
    console.log(
      `  ${name.padEnd(16)}  ${kb(handlerBytes).padStart(9)}  ${kb(baselineBytes).padStart(9)}   ${(handlerBytes / baselineBytes).toFixed(2)}×       ` +
        `${median(handlerLoads).toFixed(1).padStart(6)} ms     ${median(baselineLoads).toFixed(1).padStart(6)} ms     ${loadRatio.toFixed(2)}×`
    );
    console.log(
      `  ${''.padEnd(16)}  ${verdict(sizeOk)} ≤ ${kb(BARS.bundleBytes)}; ${verdict(loadOk)} load ≤ ${BARS.loadRatio}× SDK-only; SDK: ${[
        ...usage,
      ]
        .map(
          ([pkg, { commands }]) =>
            `${pkg.replace('client-', '')}(${[...commands].map((c) => c.replace('Command', '')).join(',')})`
        )
        .join(' ')}`
    );
    report[name] = {
      handlerBytes,
      baselineBytes,
      handlerLoadMs: handlerLoads,
      baselineLoadMs: baselineLoads,
      loadRatio,
    };
  }

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

  const policyMode = benchPolicyMode(Number(process.env.BENCH_SIM_JOBS ?? 1_000_000));
  failures += Number(!printPolicyMode(policyMode));
  const serviceMode = await benchServiceMode(Number(process.env.BENCH_SERVICE_DAYS ?? 2));
  printServiceMode(serviceMode);
  report.simulator = { policyMode, serviceMode };

  await writeFile(resolve(OUT, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
  console.log(
    `\n${failures === 0 ? 'All bars met.' : `${failures} bar(s) missed.`} Raw numbers: ${resolve(OUT, 'bench.json')}`
  );
  process.exitCode = failures === 0 ? 0 : 1;
}

await main();
