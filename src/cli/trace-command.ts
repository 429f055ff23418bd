import { access, appendFile, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import {
  SdkTraceExportSource,
  type TraceExportSource,
} from '../adapters/aws/trace-export-source.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { closestName } from '../domain/config/closest-name.js';
import { DependencyError } from '../domain/errors.js';
import { isOptional, isRecord } from '../domain/objects.js';
import type { Clock } from '../domain/ports/clock.js';
import { printable } from '../domain/printable.js';
import { type TraceRowResult, traceRowOf } from '../sim/trace/from-training-job.js';
import { generateScenario, SCENARIOS, type ScenarioName } from '../sim/trace/scenarios.js';
import { isInputMode, makeTrace, type TraceJob } from '../sim/trace/trace.js';
import { traceFormatOf, writeTrace } from '../sim/trace/write-trace.js';
import { parseFlags, subcommandOf, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { checkOutputFile } from './output-dir.js';
import { regionOption } from './region-option.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden trace export --days N [--out FILE] [--region R] [--resume]
       warden trace scenario NAME [--days N] [--seed S] [--out FILE]

export    builds a trace of the account's finished training jobs created in the last N days
          (ListTrainingJobs + DescribeTrainingJob + ListTags), for warden simulate.
          Sequential and paced (≤ 2 ListTrainingJobs/s, ≤ 8 Describe/ListTags per second) on
          top of the SDK's adaptive retries. Progress is saved beside FILE after every page;
          an interrupted export continues with --resume.
scenario  writes a built-in scenario (${SCENARIOS.join(' | ')}) as a trace file.

  --days N     days of history (export: required; scenario: default 14)
  --out FILE   .csv, .jsonl or .ndjson (default: trace.csv)
  --region R   AWS region (default: the SDK's, from AWS_REGION or the profile)
  --resume     continue the export whose checkpoint is beside FILE
  --seed S     scenario seed (default 1)

Exit status: 0 written, 1 an AWS call failed (any progress is kept for --resume), 2 bad
arguments (also: no region).`;

const DEFAULT_OUT = 'trace.csv';
const DAY_MS = 86_400_000;
const MAX_DAYS = 3650;
/** Without a terminal, a progress line this often (in jobs). */
const PROGRESS_LINE_EVERY = 500;
/** Unreadable jobs named at the end, with why; the rest are counted. */
const UNREADABLE_SHOWN = 20;

interface TraceCommandDeps {
  readonly clock: Clock;
  /** The account history to read, in `region` (or the SDK's default region). */
  openSource(region: string | undefined): { source: TraceExportSource; close(): void };
  /** AWS_REGION, which the SDK reads when there is no --region. */
  envRegion?(): string | undefined;
}

const defaultDeps: TraceCommandDeps = {
  clock: systemClock,
  envRegion: () => process.env.AWS_REGION,
  openSource(region) {
    const client = new SageMakerClient({
      ...AWS_CLIENT_OPTIONS,
      ...(region === undefined ? {} : { region }),
    });
    return {
      source: new SdkTraceExportSource(client, systemClock),
      close: () => client.destroy(),
    };
  },
};

/**
 * `warden trace …` with its collaborators injected, so tests can use a loopback SageMaker and
 * virtual time.
 *
 * @example const run = createTraceCommand({ clock, openSource }); await run(['export', '--days', '7'], io)
 */
function createTraceCommand(deps: TraceCommandDeps) {
  return async (argv: readonly string[], io: CliIo): Promise<number> => {
    const command = subcommandOf(argv, USAGE, {
      command: 'trace',
      subs: ['export', 'scenario'],
      needs: 'export or scenario',
    });
    if (command === 'help' || command.rest.some((arg) => arg === '--help' || arg === '-h')) {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (command.sub === 'scenario') return writeScenario(command.rest, io);
    const args = parseExportArgs(command.rest);
    // The trace, and the progress files beside it that every page writes: one that cannot be
    // written would stop the export only after it had made its calls.
    const files = progressFiles(args.out);
    for (const file of [args.out, files.partial, `${files.checkpoint}.tmp`]) {
      await checkOutputFile('--out', file);
    }
    return exportTrace(args, io, deps);
  };
}

/** `warden trace …` against the real account. */
const traceCommand = createTraceCommand(defaultDeps);

interface ExportArgs {
  readonly days: number;
  readonly out: string;
  readonly region?: string;
  readonly resume: boolean;
}

function parseExportArgs(argv: readonly string[]): ExportArgs {
  const values = withUsage(USAGE, () =>
    parseFlags({
      args: [...argv],
      strict: true,
      options: {
        days: { type: 'string' },
        out: { type: 'string' },
        region: { type: 'string' },
        resume: { type: 'boolean' },
      },
    })
  ).values;
  if (values.days === undefined) throw new UsageError(`trace export needs --days N\n\n${USAGE}`);
  const out = values.out ?? DEFAULT_OUT;
  checkFormat(out);
  return {
    days: wholeNumber('--days', values.days, 1, MAX_DAYS),
    out,
    ...(values.region === undefined ? {} : { region: regionOption(values.region, undefined) }),
    resume: values.resume ?? false,
  };
}

/**
 * The region the export reads, as far as the command can tell: --region, else AWS_REGION (what
 * the SDK reads first). A resume in another region would mix two accounts' listings.
 */
function regionUsed(args: ExportArgs, deps: TraceCommandDeps): string | null {
  return regionOption(args.region, deps.envRegion?.()) ?? null;
}

/** What a checkpoint records: the fixed window, the next page to read, and jobs listed so far. */
interface Checkpoint {
  readonly version: 1;
  readonly days: number;
  readonly region: string | null;
  readonly createdAfter: number;
  readonly createdBefore: number;
  /** Token of the page being worked on; null for the first page. */
  readonly pageToken: string | null;
  /** Jobs listed on the pages before it. */
  readonly listed: number;
}

/** One processed job in the partial file: a row, or why there is none. */
type Progress =
  | { readonly name: string; readonly row: TraceJob }
  | { readonly name: string; readonly skip: SkipReason; readonly why?: string };

type SkipReason = 'running' | 'not-started' | 'invalid' | 'gone';

/** Where an export of `out` keeps its progress until the trace is written. */
function progressFiles(out: string) {
  return { checkpoint: `${out}.checkpoint.json`, partial: `${out}.partial.jsonl` };
}

async function exportTrace(args: ExportArgs, io: CliIo, deps: TraceCommandDeps): Promise<number> {
  const files = progressFiles(args.out);
  let checkpoint = args.resume
    ? await readCheckpoint(files.checkpoint, args, regionUsed(args, deps))
    : await startCheckpoint(files, args, regionUsed(args, deps), deps.clock.now());
  const { done, rows, skipped, unreadable } = await readProgress(files.partial);
  const { source, close } = deps.openSource(args.region);
  const progress = io.stderr.isTTY === true;
  let lastLine = 0;
  const show = (listed: number) => {
    if (progress) io.stderr.write(`\r\x1b[Kexporting: ${done.size} done / ${listed} listed`);
    // Without a terminal, a line every PROGRESS_LINE_EVERY jobs: a long export is not silent.
    else if (done.size >= lastLine + PROGRESS_LINE_EVERY) {
      lastLine = done.size;
      io.stderr.write(`exporting: ${done.size} done / ${listed} listed\n`);
    }
  };
  // Tokens seen in this run: a SageMaker that hands one back again would be read forever.
  const tokens = new Set<string>(checkpoint.pageToken === null ? [] : [checkpoint.pageToken]);
  try {
    if (progress) io.stderr.write('exporting: listing jobs');
    for (;;) {
      const page = await source.listPage(
        checkpoint.createdAfter,
        checkpoint.createdBefore,
        checkpoint.pageToken ?? undefined
      );
      const listed = checkpoint.listed + page.jobs.length;
      for (const listedJob of page.jobs) {
        if (done.has(listedJob.name)) continue;
        const entry = await exportOne(source, listedJob, checkpoint);
        await appendFile(files.partial, `${JSON.stringify(entry)}\n`);
        done.add(entry.name);
        if ('row' in entry) rows.push(entry.row);
        else countSkip(skipped, unreadable, entry);
        show(listed);
      }
      show(listed);
      if (page.nextToken === undefined) break;
      if (tokens.has(page.nextToken)) {
        throw new DependencyError(
          'SageMaker',
          `ListTrainingJobs answered a page token it had already given (after ${listed} job${listed === 1 ? '' : 's'} listed): stopping rather than reading the same pages forever`
        );
      }
      tokens.add(page.nextToken);
      checkpoint = { ...checkpoint, pageToken: page.nextToken, listed };
      await saveCheckpoint(files.checkpoint, checkpoint);
    }
  } catch (error) {
    if (progress) io.stderr.write('\r\x1b[K');
    // A first call that fails (no region, no access, no network) leaves nothing worth resuming:
    // a checkpoint would only make the corrected command refuse to start.
    const nothingDone = !args.resume && done.size === 0 && checkpoint.pageToken === null;
    if (nothingDone) {
      await rm(files.checkpoint, { force: true });
      await rm(files.partial, { force: true });
    }
    if (/Region is missing/.test(String(error))) {
      throw new UsageError(
        'no AWS region: pass --region (e.g. --region eu-west-1) or set AWS_REGION'
      );
    }
    if (error instanceof DependencyError) {
      io.stderr.write(
        nothingDone
          ? 'warden trace: nothing exported; once the problem below is fixed, run the same command again\n'
          : `warden trace: stopped after ${done.size} job${done.size === 1 ? '' : 's'}; run again with --resume to continue\n`
      );
    }
    throw error;
  } finally {
    close();
  }
  if (progress) io.stderr.write('\r\x1b[K');
  await writeTrace(makeTrace(rows, args.out, []), args.out);
  await rm(files.checkpoint, { force: true });
  await rm(files.partial, { force: true });
  io.stdout.write(`${summary(args, rows.length, done.size, skipped)}\n`);
  for (const why of unreadable.slice(0, UNREADABLE_SHOWN)) {
    io.stderr.write(`unreadable: ${printable(why)}\n`);
  }
  if (unreadable.length > UNREADABLE_SHOWN) {
    io.stderr.write(`unreadable: … and ${unreadable.length - UNREADABLE_SHOWN} more\n`);
  }
  return 0;
}

/** Counts a skipped job; an unreadable one keeps its reason, which the end of the run shows. */
function countSkip(
  skipped: Record<SkipReason, number>,
  unreadable: string[],
  entry: { readonly skip: SkipReason; readonly why?: string }
): void {
  skipped[entry.skip] += 1;
  if (entry.skip === 'invalid' && entry.why !== undefined) unreadable.push(entry.why);
}

async function exportOne(
  source: TraceExportSource,
  job: { readonly name: string; readonly arn: string },
  window: Pick<Checkpoint, 'createdAfter' | 'createdBefore'>
): Promise<Progress> {
  const describe = await source.describe(job.name);
  if (describe === undefined) return { name: job.name, skip: 'gone' };
  const untagged = traceRowOf(describe, {});
  // Tags cost a call; a job that will not become a row does not need them.
  if (untagged.kind === 'skip') return skipOf(job.name, untagged);
  // The listing is asked for the window, but the file promises it: a job whose answer dates it
  // elsewhere (a listing that ignored the filter, an answer that disagrees with it) stays out.
  const created = untagged.job.submitTime;
  if (created < window.createdAfter || created > window.createdBefore) {
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      name: job.name,
      skip: 'invalid',
      why: `${job.name}: CreationTime ${iso(created)} is outside the window exported (${iso(window.createdAfter)} to ${iso(window.createdBefore)})`,
    };
  }
  const tagged = traceRowOf(describe, await source.listTags(job.arn));
  return tagged.kind === 'job' ? { name: job.name, row: tagged.job } : skipOf(job.name, tagged);
}

function skipOf(name: string, result: Extract<TraceRowResult, { kind: 'skip' }>): Progress {
  return result.reason === 'invalid'
    ? { name, skip: result.reason, why: result.detail }
    : { name, skip: result.reason };
}

function summary(
  args: ExportArgs,
  rows: number,
  listed: number,
  skipped: Readonly<Record<SkipReason, number>>
): string {
  const parts = [
    `${skipped.running} still running`,
    `${skipped['not-started']} never started`,
    `${skipped.gone} deleted meanwhile`,
    `${skipped.invalid} unreadable`,
  ];
  const note = rows === 0 ? '; no finished job in the window, so the trace is empty' : '';
  return `exported ${rows} job${rows === 1 ? '' : 's'} created in the last ${args.days} day${args.days === 1 ? '' : 's'} to ${args.out} (${listed} listed; skipped ${parts.join(', ')})${note}`;
}

async function startCheckpoint(
  files: { readonly checkpoint: string; readonly partial: string },
  args: ExportArgs,
  region: string | null,
  now: number
): Promise<Checkpoint> {
  if (await exists(files.checkpoint)) {
    throw new UsageError(
      `an interrupted export left ${files.checkpoint}: pass --resume to continue it, or delete it to start over`
    );
  }
  const checkpoint: Checkpoint = {
    version: 1,
    days: args.days,
    region,
    // The window is fixed at the start, so a resumed export pages through the same listing.
    createdAfter: now - args.days * DAY_MS,
    createdBefore: now,
    pageToken: null,
    listed: 0,
  };
  try {
    await writeFile(files.partial, '');
    await saveCheckpoint(files.checkpoint, checkpoint);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new UsageError(`--out ${args.out}: cannot write its checkpoint beside it (${code})`);
  }
  return checkpoint;
}

async function readCheckpoint(
  file: string,
  args: ExportArgs,
  region: string | null
): Promise<Checkpoint> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) throw new UsageError(`--resume: no checkpoint ${file} to continue`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  if (
    !isRecord(value) ||
    value.version !== 1 ||
    typeof value.days !== 'number' ||
    typeof value.createdAfter !== 'number' ||
    typeof value.createdBefore !== 'number' ||
    typeof value.listed !== 'number' ||
    !(typeof value.pageToken === 'string' || value.pageToken === null) ||
    !(typeof value.region === 'string' || value.region === null)
  ) {
    throw new UsageError(
      `--resume: ${file} is not a trace export checkpoint; delete it to start over`
    );
  }
  const checkpoint = value as unknown as Checkpoint;
  // A checkpoint of no region (none given, or one from before AWS_REGION was recorded) is
  // continued without --region: the SDK finds the same default as before.
  const sameRegion =
    checkpoint.region === region || (checkpoint.region === null && args.region === undefined);
  if (checkpoint.days !== args.days || !sameRegion) {
    throw new UsageError(
      `--resume: ${file} is an export of ${checkpoint.days} days in ${checkpoint.region ?? 'the default region'}, not of ${args.days} days in ${region ?? 'the default region'}; pass the same --days and --region (or AWS_REGION)`
    );
  }
  return checkpoint;
}

/** Written beside and renamed over, so a crash never leaves half a checkpoint. */
async function saveCheckpoint(file: string, checkpoint: Checkpoint): Promise<void> {
  await writeFile(`${file}.tmp`, `${JSON.stringify(checkpoint)}\n`);
  await rename(`${file}.tmp`, file);
}

/** The jobs an interrupted export already handled; a torn last line is simply redone. */
async function readProgress(file: string) {
  const done = new Set<string>();
  const rows: TraceJob[] = [];
  const skipped: Record<SkipReason, number> = { running: 0, 'not-started': 0, invalid: 0, gone: 0 };
  const unreadable: string[] = [];
  const text = await readFile(file, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      continue;
    }
    if (!isRecord(entry) || typeof entry.name !== 'string' || done.has(entry.name)) continue;
    if (isProgressRow(entry.row)) {
      rows.push(entry.row);
    } else if (typeof entry.skip === 'string' && entry.skip in skipped) {
      countSkip(skipped, unreadable, {
        skip: entry.skip as SkipReason,
        ...(typeof entry.why === 'string' ? { why: entry.why } : {}),
      });
    } else {
      continue;
    }
    done.add(entry.name);
  }
  return { done, rows, skipped, unreadable };
}

/**
 * A row as exportOne wrote it. Anything else (a hand-edited or damaged line) is not taken into
 * the trace: its job is described again, as for a torn line.
 */
function isProgressRow(value: unknown): value is TraceJob {
  if (!isRecord(value)) return false;
  const number = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const text = (v: unknown) => typeof v === 'string' && v !== '';
  return (
    number(value.submitTime) &&
    number(value.durationMs) &&
    text(value.key) &&
    text(value.instanceType) &&
    number(value.instanceCount) &&
    isOptional(value.owner, text) &&
    isOptional(value.team, text) &&
    isOptional(value.account, text) &&
    isOptional(
      value.tags,
      (v) => isRecord(v) && Object.values(v).every((t) => typeof t === 'string')
    ) &&
    isOptional(value.inputMode, isInputMode) &&
    isOptional(value.keepAliveMs, number)
  );
}

async function writeScenario(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = withUsage(USAGE, () =>
    parseFlags({
      args: [...argv],
      strict: true,
      allowPositionals: true,
      options: {
        days: { type: 'string' },
        seed: { type: 'string' },
        out: { type: 'string' },
      },
    })
  );
  const [name] = positionals;
  if (positionals.length !== 1 || !SCENARIOS.includes(name as ScenarioName)) {
    const hint = closestName(name ?? '', SCENARIOS);
    const said =
      positionals.length === 0
        ? ''
        : positionals.length > 1
          ? ` (one scenario, not ${positionals.length})`
          : ` ("${printable(name ?? '')}" is none${hint === undefined ? '' : `; did you mean ${hint}?`})`;
    throw new UsageError(`trace scenario needs one of ${SCENARIOS.join(', ')}${said}\n\n${USAGE}`);
  }
  const out = values.out ?? DEFAULT_OUT;
  checkFormat(out);
  await checkOutputFile('--out', out);
  const trace = generateScenario(name as ScenarioName, {
    days: values.days === undefined ? 14 : wholeNumber('--days', values.days, 1, MAX_DAYS),
    seed: values.seed === undefined ? 1 : wholeNumber('--seed', values.seed, 0, 2 ** 32 - 1),
  });
  await writeTrace(trace, out);
  io.stdout.write(`wrote ${trace.jobs.length} jobs of ${trace.source} to ${out}\n`);
  return 0;
}

function checkFormat(out: string): void {
  try {
    traceFormatOf(out);
  } catch {
    throw new UsageError(`--out ${out}: use a .csv, .jsonl or .ndjson file name`);
  }
}

function wholeNumber(option: string, text: string, min: number, max: number): number {
  const n = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UsageError(`${option} must be a whole number from ${min} to ${max}, got "${text}"`);
  }
  return n;
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false
  );
}

export type { TraceCommandDeps };
export { createTraceCommand, traceCommand };
