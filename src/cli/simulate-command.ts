import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { saveState } from '../adapters/memory/state-dir.js';
import { checkPolicy } from '../domain/config/check-policy.js';
import { closestName } from '../domain/config/closest-name.js';
import { compilePolicy } from '../domain/config/compile-policy.js';
import { MAX_VALUE_OF_TIME } from '../domain/config/policy-schema.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import { formatDuration, parseDuration } from '../domain/duration.js';
import type { KeepAliveAnchor } from '../domain/policy/policy.js';
import { printable } from '../domain/printable.js';
import { backtestJson, runBacktest } from '../sim/policy-sim/backtest.js';
import {
  DEFAULT_COLD_START_BILLED_SECONDS,
  DEFAULT_VALUE_OF_TIME,
  tracePrices,
} from '../sim/policy-sim/cost-model.js';
import { defaultPolicyList, parsePolicyList } from '../sim/policy-sim/policies.js';
import { renderReport } from '../sim/policy-sim/report-html.js';
import type { LatencyModel, SimRunSettings } from '../sim/policy-sim/sim-policy.js';
import { renderTable } from '../sim/policy-sim/table.js';
import { poolOwners } from '../sim/service-sim/job-events.js';
import { runServiceBacktest } from '../sim/service-sim/service-backtest.js';
import type { ServiceModeResult } from '../sim/service-sim/service-mode.js';
import { readTrace } from '../sim/trace/read-trace.js';
import { generateScenario, SCENARIOS, type ScenarioName } from '../sim/trace/scenarios.js';
import { INSTANCE_TYPE, type Trace, traceFacts, unevaluableRules } from '../sim/trace/trace.js';
import { loadConfigOption } from './config-option.js';
import { parseFlags, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import {
  checkOutputFile,
  DEFAULT_STATE_DIR,
  earlierNotices,
  ensureOutboxDir,
  ensureOutputDir,
  ensureStateDir,
} from './output-dir.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden simulate (--trace FILE | --scenario NAME) [options]

Backtests warm-pool keep-alive policies on a trace of training jobs (policy mode): cold and
warm starts, idle pool time, their cost, and the ratio to the offline optimum. Service mode
also runs the adaptive policy through the real handlers (EventBridge events, the steward's
every-minute evaluator, a simulated SageMaker), writing its notices to an outbox.

  --trace FILE              a trace, CSV or JSONL (see "Trace files" in the README)
  --scenario NAME           a built-in seeded trace: ${SCENARIOS.join(', ')}
  --days N                  days of the scenario (default 14)
  --seed N                  seed of the scenario (default 1)
  --policies LIST           comma-separated: none, fixed:<duration>, requested, breakeven,
                            histogram, adaptive, oracle (default: all of them, with fixed
                            keep-alives 5m, 10m, 20m, 30m, 1h and the maximum)
  --value-of-time USD       what an hour of waiting for a cold start is worth (default $100)
  --cold-start-billed S     billed seconds of a cold start per instance (default 30)
  --max-keep-alive DUR      the largest keep-alive SageMaker accepts, 1m to 6h (default 1h)
  --anchor ANCHOR           what an updated keep-alive counts from: job-end (default) or
                            update-time
  --quota TYPE=N,...        warm-pool quota: at most N retained instances of TYPE at once
  --latency MODEL           p90 (AWS benchmark constants, default) or seeded:<seed>
  --config FILE             Pool Warden config: prices, settings (flags win) and rules
  --json                    the result as one JSON document on stdout
  --report DIR              also write DIR/simulate-report.html (offline, no scripts)
  --mode MODE               policy (default) or service: adds the row "adaptive (service)"
  --outbox DIR              service mode: where notices are written (default out/outbox)
  --state DIR               service mode: where the steward's pools, audit and histories are
                            saved, for warden pools/audit --state DIR (default out/state)

Exit status: 0 done, 1 the trace was rejected, 2 bad arguments, configuration or price.`;

const OPTIONS = {
  trace: { type: 'string' },
  scenario: { type: 'string' },
  days: { type: 'string' },
  seed: { type: 'string' },
  policies: { type: 'string' },
  'value-of-time': { type: 'string' },
  'cold-start-billed': { type: 'string' },
  'max-keep-alive': { type: 'string' },
  anchor: { type: 'string' },
  quota: { type: 'string' },
  latency: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  report: { type: 'string' },
  mode: { type: 'string' },
  outbox: { type: 'string' },
  state: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const REPORT_FILE = 'simulate-report.html';
const MIN_KEEP_ALIVE_MS = 60_000;
const MAX_KEEP_ALIVE_MS = 6 * 3_600_000;
const PROGRESS_WIDTH = 30;

interface SimulateArgs {
  readonly source: { readonly trace: string } | { readonly scenario: ScenarioName };
  readonly days?: number;
  readonly seed?: number;
  readonly policies?: string;
  readonly valueOfTime?: number;
  readonly coldStartBilled?: number;
  readonly maxKeepAliveMs?: number;
  readonly anchor?: KeepAliveAnchor;
  readonly quota: Readonly<Record<string, number>>;
  readonly latency: LatencyModel;
  readonly config?: string;
  readonly json: boolean;
  readonly report?: string;
  /** Service mode's outbox and state folders; absent in policy mode. */
  readonly service?: { readonly outbox: string; readonly state: string };
}

/** `warden simulate`: backtest keep-alive policies on a trace or a built-in scenario. */
async function simulateCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseSimulateArgs(argv);
  if (args === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = args.config === undefined ? undefined : await loadConfigOption(args.config);
  if (config !== undefined && args.maxKeepAliveMs !== undefined) {
    checkRulesFit(config, args.maxKeepAliveMs, args.config ?? '--config');
  }
  const settings = runSettings(args, config, config?.prices ?? {});
  const parsed = parsePolicyList(
    args.policies ?? defaultPolicyList(settings.maxKeepAliveMs),
    settings.maxKeepAliveMs
  );
  // `--policies ,` has two empty names with one problem: say it once.
  if (!parsed.ok) throw new UsageError([...new Set(parsed.issues)].join('\n'));
  const loaded = await loadTrace(args);
  // Every price is checked before any folder is made: a refused run leaves nothing behind.
  tracePrices(loaded, settings.prices);
  // One list of warnings, on stderr now and in the JSON and the report: the trace's own, rules
  // the trace cannot evaluate, quotas that limit nothing.
  const trace: Trace = {
    ...loaded,
    warnings: [
      ...loaded.warnings,
      ...(settings.policy === undefined || config === undefined
        ? []
        : unevaluableRules(settings.policy, loaded, poolOwners(config))),
      ...unusedQuotas(args.quota, loaded),
    ],
  };
  // Column and field names come from the file: escaped, as its cells are in problems.
  for (const warning of trace.warnings) io.stderr.write(`warning: ${printable(warning)}\n`);
  // Checked before the run: a long simulation that cannot save at the end is wasted.
  if (args.report !== undefined) {
    await ensureOutputDir('--report', args.report);
    await checkOutputFile('--report', join(args.report, REPORT_FILE));
  }
  if (args.service !== undefined) {
    await ensureOutboxDir('--outbox', args.service.outbox);
    await ensureStateDir('--state', args.service.state);
  }
  const tty = io.stderr.isTTY === true;
  let result: ReturnType<typeof runBacktest>;
  let service: ServiceModeResult | undefined;
  if (args.service === undefined) {
    const bar = tty ? progressBar(io, 'simulating') : undefined;
    result = runBacktest(
      trace,
      parsed.specs,
      settings,
      bar === undefined ? {} : { onProgress: bar }
    );
  } else {
    const run = await runServiceBacktest(trace, parsed.specs, settings, {
      ...(config === undefined ? {} : { config }),
      outboxDir: args.service.outbox,
      ...(tty
        ? {
            onPolicyProgress: progressBar(io, 'policy mode '),
            onServiceProgress: progressBar(io, 'service mode'),
          }
        : {}),
      log: {
        info: () => undefined,
        warn: (m, e) => io.stderr.write(`warning: ${m} ${JSON.stringify(e)}\n`),
        error: (m, e) => io.stderr.write(`error: ${m} ${JSON.stringify(e)}\n`),
      },
    });
    result = run.backtest;
    service = run.service;
  }
  if (tty) io.stderr.write('\r\x1b[K');

  io.stdout.write(args.json ? `${JSON.stringify(backtestJson(result))}\n` : renderTable(result));
  if (args.report !== undefined) {
    await mkdir(args.report, { recursive: true });
    const file = join(args.report, REPORT_FILE);
    await writeFile(file, renderReport(result, new Date()));
    io.stderr.write(`report: ${file}\n`);
  }
  if (service !== undefined && args.service !== undefined) {
    const state = await saveState(args.service.state, service.store);
    const earlier = await earlierNotices(args.service.outbox, service.written);
    io.stderr.write(`${serviceSummary(service, args.service.outbox, earlier)}state: ${state}\n`);
  }
  return 0;
}

/** What the service run did, for stderr: the steward's actions and where the notices are. */
function serviceSummary(service: ServiceModeResult, outbox: string, earlier: number): string {
  const counts = new Map<string, number>();
  for (const d of service.decisions) {
    if (d.outcome === 'applied') counts.set(d.action, (counts.get(d.action) ?? 0) + 1);
  }
  const actions = ['extend', 'shrink', 'release']
    .map((action) => `${counts.get(action) ?? 0} ${action}`)
    .join(', ');
  const files = service.written.length;
  const policy = service.policy.settings;
  return (
    `service mode: ${service.decisions.length} decisions (${actions} applied)` +
    `${policy.dryRun ? ' — the config says dryRun: true, so nothing was applied' : ''}\n` +
    `outbox: ${files} file${files === 1 ? '' : 's'} in ${outbox} (${service.notices.email} emails, ${service.notices.slack} Slack messages)` +
    `${earlier === 0 ? '' : `; ${earlier} more from earlier runs, left in place`}\n`
  );
}

function progressBar(io: CliIo, label: string): (done: number, total: number) => void {
  let shown = -1;
  return (done, total) => {
    const fraction = total === 0 ? 1 : done / total;
    const percent = Math.floor(fraction * 100);
    if (percent === shown) return;
    shown = percent;
    const filled = Math.round(fraction * PROGRESS_WIDTH);
    io.stderr.write(
      `\r\x1b[K${label} [${'#'.repeat(filled)}${'.'.repeat(PROGRESS_WIDTH - filled)}] ${percent}%`
    );
  };
}

async function loadTrace(args: SimulateArgs): Promise<Trace> {
  if ('trace' in args.source) return readTrace(args.source.trace);
  return generateScenario(args.source.scenario, {
    ...(args.days === undefined ? {} : { days: args.days }),
    ...(args.seed === undefined ? {} : { seed: args.seed }),
  });
}

/**
 * `--max-keep-alive` replaces the config's `settings.maxKeepAlive`; rules and settings that do
 * not fit the new one (a fixed keep-alive above it) would be cut silently, and the rows would
 * then show another policy than the one deployed. Refused as `policy validate` would refuse
 * that config.
 */
function checkRulesFit(config: WardenConfig, maxKeepAliveMs: number, file: string): void {
  const maxKeepAlive = formatDuration(maxKeepAliveMs);
  const issues = checkPolicy(
    { ...config, settings: { ...config.settings, maxKeepAlive } },
    () => undefined
  );
  if (issues.length === 0) return;
  throw new UsageError(
    [
      `--max-keep-alive ${maxKeepAlive}: ${file} does not fit it (as with settings.maxKeepAlive: ${maxKeepAlive}):`,
      ...issues.map((issue) => `  ${issue.at.join('.')}: ${issue.message}`),
    ].join('\n')
  );
}

/** Flags win over the config's `settings:`, which win over the built-in defaults. */
function runSettings(
  args: SimulateArgs,
  config: WardenConfig | undefined,
  prices: Readonly<Record<string, number>>
): SimRunSettings {
  const policy = config === undefined ? undefined : compilePolicy(config);
  const s = policy?.settings;
  return {
    maxKeepAliveMs: args.maxKeepAliveMs ?? s?.maxKeepAliveMs ?? 3_600_000,
    keepAliveAnchor: args.anchor ?? s?.keepAliveAnchor ?? 'job-end',
    safetyMarginMs: s?.safetyMarginMs ?? 120_000,
    leadTimeMs: s?.leadTimeMs ?? 300_000,
    valueOfTimeUsdPerHour: args.valueOfTime ?? s?.valueOfTimeUsdPerHour ?? DEFAULT_VALUE_OF_TIME,
    coldStartBilledSeconds:
      args.coldStartBilled ?? s?.coldStartBilledSeconds ?? DEFAULT_COLD_START_BILLED_SECONDS,
    prices,
    quota: args.quota,
    latency: args.latency,
    ...(policy === undefined || config === undefined ? {} : { policy, config }),
  };
}

function parseSimulateArgs(argv: readonly string[]): SimulateArgs | 'help' {
  const { values: v, positionals } = withUsage(USAGE, () =>
    parseFlags({ args: [...argv], allowPositionals: true, strict: true, options: OPTIONS })
  );
  if (v.help) return 'help';
  const issues: string[] = [];
  if (positionals.length > 0) {
    issues.push(`unexpected argument "${positionals[0]}" (give the trace as --trace FILE)`);
  }
  let source: SimulateArgs['source'] | undefined;
  if (v.trace !== undefined && v.scenario !== undefined) {
    issues.push('give either --trace or --scenario, not both');
  } else if (v.trace?.trim() === '') {
    issues.push('--trace needs a file name');
  } else if (v.trace !== undefined) {
    source = { trace: v.trace };
  } else if (v.scenario !== undefined) {
    if ((SCENARIOS as readonly string[]).includes(v.scenario)) {
      source = { scenario: v.scenario as ScenarioName };
    } else {
      const hint = closestName(v.scenario, SCENARIOS);
      issues.push(
        `--scenario: unknown scenario "${v.scenario}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; known: ${SCENARIOS.join(', ')}`
      );
    }
  } else {
    issues.push('give a trace: --trace FILE or --scenario NAME');
  }
  if (v.trace !== undefined && (v.days !== undefined || v.seed !== undefined)) {
    issues.push('--days and --seed shape a --scenario; a --trace file is used as it is');
  }
  const days = integer(v.days, '--days', 1, 366, issues);
  const seed = integer(v.seed, '--seed', 0, 4_294_967_295, issues);
  const valueOfTime = decimal(v['value-of-time'], '--value-of-time', issues);
  const coldStartBilled = integer(v['cold-start-billed'], '--cold-start-billed', 0, 3600, issues);
  const maxKeepAliveMs = keepAliveMax(v['max-keep-alive'], issues);
  let anchor: KeepAliveAnchor | undefined;
  if (v.anchor === 'job-end' || v.anchor === 'update-time') anchor = v.anchor;
  else if (v.anchor !== undefined) {
    issues.push(`--anchor: "${v.anchor}" is not job-end or update-time`);
  }
  const quota = parseQuota(v.quota, issues);
  const latency = parseLatency(v.latency, issues);
  if (v.policies !== undefined && v.policies.trim() === '')
    issues.push('--policies: the list is empty');
  const mode = v.mode ?? 'policy';
  if (mode !== 'policy' && mode !== 'service') {
    issues.push(`--mode: "${v.mode}" is not policy or service`);
  } else if (mode === 'policy' && (v.outbox !== undefined || v.state !== undefined)) {
    issues.push('--outbox and --state belong to --mode service');
  }
  if (issues.length > 0 || source === undefined) {
    throw new UsageError(`${[...new Set(issues)].join('\n')}\n\n${USAGE}`);
  }
  return {
    source,
    ...(days === undefined ? {} : { days }),
    ...(seed === undefined ? {} : { seed }),
    ...(v.policies === undefined ? {} : { policies: v.policies }),
    ...(valueOfTime === undefined ? {} : { valueOfTime }),
    ...(coldStartBilled === undefined ? {} : { coldStartBilled }),
    ...(maxKeepAliveMs === undefined ? {} : { maxKeepAliveMs }),
    ...(anchor === undefined ? {} : { anchor }),
    quota,
    latency,
    ...(v.config === undefined ? {} : { config: v.config }),
    json: v.json ?? false,
    ...(v.report === undefined ? {} : { report: v.report }),
    ...(mode === 'service'
      ? { service: { outbox: v.outbox ?? 'out/outbox', state: v.state ?? DEFAULT_STATE_DIR } }
      : {}),
  };
}

function integer(
  text: string | undefined,
  flag: string,
  min: number,
  max: number,
  issues: string[]
): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    issues.push(`${flag}: "${text}" is not a whole number from ${min} to ${max}`);
    return undefined;
  }
  return n;
}

function decimal(text: string | undefined, flag: string, issues: string[]): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+(?:\.\d+)?$/.test(text.trim()) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || n > MAX_VALUE_OF_TIME) {
    issues.push(
      `${flag}: "${text}" is not a number of USD per hour from 0 to ${MAX_VALUE_OF_TIME} (e.g. 100 or 62.5)`
    );
    return undefined;
  }
  return n;
}

function keepAliveMax(text: string | undefined, issues: string[]): number | undefined {
  if (text === undefined) return undefined;
  const ms = parseDuration(text);
  if (ms === undefined) {
    issues.push(`--max-keep-alive: "${text}" is not a duration (write e.g. 1h, 90m or 6h)`);
    return undefined;
  }
  if (ms < MIN_KEEP_ALIVE_MS || ms > MAX_KEEP_ALIVE_MS || ms % 1000 !== 0) {
    issues.push(
      `--max-keep-alive: ${text} must be whole seconds from ${formatDuration(MIN_KEEP_ALIVE_MS)} to ${formatDuration(MAX_KEEP_ALIVE_MS)}`
    );
    return undefined;
  }
  return ms;
}

/** A quota for an instance type no job uses is most likely a typo: it limits nothing. */
function unusedQuotas(quota: Readonly<Record<string, number>>, trace: Trace): string[] {
  const types = Object.keys(quota);
  if (types.length === 0) return [];
  const { instanceTypes } = traceFacts(trace);
  return types
    .filter((type) => !instanceTypes.has(type))
    .map((type) => `--quota ${type}: no job in the trace runs on ${type}, so it limits nothing`);
}

function parseQuota(text: string | undefined, issues: string[]): Record<string, number> {
  const quota: Record<string, number> = {};
  if (text === undefined) return quota;
  for (const item of text.split(',')) {
    const [type, count, extra] = item.trim().split('=');
    if (type === undefined || count === undefined || extra !== undefined) {
      issues.push(`--quota: "${item}" is not TYPE=N (e.g. ml.g5.xlarge=4)`);
      continue;
    }
    if (!INSTANCE_TYPE.test(type)) {
      issues.push(`--quota: "${type}" is not an instance type (e.g. ml.g5.xlarge)`);
      continue;
    }
    if (Object.hasOwn(quota, type)) {
      issues.push(`--quota: ${type} is given twice`);
      continue;
    }
    const n = integer(count, `--quota ${type}`, 0, 100_000, issues);
    if (n !== undefined) quota[type] = n;
  }
  return quota;
}

function parseLatency(text: string | undefined, issues: string[]): LatencyModel {
  if (text === undefined || text === 'p90') return { kind: 'p90' };
  const seed = /^seeded:(\d+)$/.exec(text)?.[1];
  const n = seed === undefined ? Number.NaN : Number(seed);
  if (!Number.isSafeInteger(n) || n > 4_294_967_295) {
    issues.push(`--latency: "${text}" is not p90 or seeded:<seed> (a whole number, e.g. seeded:7)`);
    return { kind: 'p90' };
  }
  return { kind: 'seeded', seed: n };
}

export { simulateCommand };
