import { stat } from 'node:fs/promises';
import { saveState } from '../adapters/memory/state-dir.js';
import type { Log } from '../domain/ports/log.js';
import { printable } from '../domain/printable.js';
import { type ReplayInput, type ReplayResult, startReplay } from '../sim/replay.js';
import { configOrDefaults } from './config-option.js';
import { parseFlags, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { DEFAULT_STATE_DIR, ensureOutboxDir, ensureStateDir } from './output-dir.js';
import { readDescribeFixtures } from './read-describe-fixtures.js';
import { expandPaths, readInputs } from './read-inputs.js';
import { readSubscribed } from './read-subscribed.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden replay [--json] [--config FILE] [--outbox DIR] [--state DIR] [--describe PATH]...
                     [--subscribed FILE] [--stop-at-last-event] PATH...

Runs events through the real job-state-change handler against a simulated SageMaker, an
in-memory store and an outbox folder (email as .eml, Slack as .slack.json).

  PATH               an event JSON file (one event or an array), a JSONL file, or a folder of
                     them (.json, .jsonl, .ndjson in any case; other files are listed as skipped)
  --json             one JSON line per outcome on stdout
  --config FILE      Pool Warden config (default: ./warden.config.yaml, else built-in defaults)
  --outbox DIR       where notices are written (default: ./out/outbox)
  --state DIR        where the steward's pools, audit and switches are saved at the end, for
                     warden pools, audit and steward --state DIR (default: ./out/state)
  --describe PATH    DescribeTrainingJob answers (JSON files or a folder) to use instead of
                     the event's own fields; may be repeated (a job answered differently
                     in two files is refused)
  --subscribed FILE  the email addresses with a confirmed subscription to the notice topic, one
                     per line (# comments); mail to any other address counts as unreachable
                     (default: every address is reachable)
  --stop-at-last-event
                     stop the clock at the last event instead of following every pool to its
                     end: pools still warm then are live in the saved state, so the outbox's
                     links can be clicked with warden actions serve --state DIR

Exit status: 0 all inputs processed or deliberately ignored, 1 some rejected or failed,
2 bad arguments (no event file among the PATHs too) or an invalid config.`;

/** Progress is shown on a terminal once a replay is long enough to wait for. */
const PROGRESS_FROM = 20;

async function replayCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseReplayArgs(argv);
  if (args === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const expanded = await expandPaths(args.paths);
  const fixtures = await readDescribeFixtures(args.describe);
  const emailReach =
    args.subscribed === undefined
      ? undefined
      : await readSubscribed('--subscribed', args.subscribed);
  const config = await configOrDefaults(args.config, io);
  await ensureOutboxDir('--outbox', args.outbox);
  await ensureStateDir('--state', args.state);
  for (const { path, reason } of expanded.skipped) {
    io.stderr.write(`${printable(`skipped   ${path}: ${reason}`)}\n`);
  }
  for (const folder of expanded.emptyFolders) {
    io.stderr.write(`${printable(`note: no .json, .jsonl or .ndjson file in ${folder}`)}\n`);
  }
  const inputs: ReplayInput[] = [];
  for (const entry of expanded.entries) {
    if (!('file' in entry)) {
      inputs.push(entry);
      continue;
    }
    const read = await readInputs(entry.file);
    if (read.length === 0) io.stderr.write(`${printable(`note: no events in ${entry.file}`)}\n`);
    inputs.push(...read);
  }

  const session = startReplay({
    config,
    outboxDir: args.outbox,
    fixtures,
    ...(emailReach === undefined ? {} : { emailReach }),
    log: stderrLog(io),
  });
  const counts = { notice: 0, ignored: 0, rejected: 0, failed: 0, decision: 0 };
  const progress = io.stderr.isTTY === true && inputs.length >= PROGRESS_FROM;
  const print = (results: readonly ReplayResult[]) => {
    for (const result of results) {
      counts[result.kind] += 1;
      io.stdout.write(
        `${args.json ? jsonLine(result) : printable(humanLine(result, config.defaults.timeZone))}\n`
      );
    }
  };
  for (const [i, input] of inputs.entries()) {
    const results = await session.run(input);
    if (progress) io.stderr.write(`\r\x1b[Kreplaying ${i + 1}/${inputs.length}`);
    print(results);
  }
  if (!args.stopAtLastEvent) print(await session.finish());
  await saveState(args.state, session.steward.store);
  if (progress) io.stderr.write('\r\x1b[K');
  const files = await filesOnDisk(session.written);
  const summary =
    `${inputs.length} input${inputs.length === 1 ? '' : 's'}: ${counts.notice} notice${counts.notice === 1 ? '' : 's'}, ` +
    `${counts.ignored} ignored, ${counts.rejected} rejected, ${counts.failed} failed; ` +
    `${counts.decision} pool decision${counts.decision === 1 ? '' : 's'}; ` +
    `${files} file${files === 1 ? '' : 's'} in ${args.outbox}; state in ${args.state}\n`;
  (args.json ? io.stderr : io.stdout).write(printable(summary, true));
  return counts.rejected + counts.failed > 0 ? 1 : 0;
}

/** How many of the files the outbox wrote are there now: the count a user can check. */
async function filesOnDisk(written: readonly string[]): Promise<number> {
  const found = await Promise.all(
    [...new Set(written)].map((path) =>
      stat(path).then(
        (s) => s.isFile(),
        () => false
      )
    )
  );
  return found.filter(Boolean).length;
}

interface ReplayArgs {
  readonly json: boolean;
  readonly config?: string;
  readonly outbox: string;
  readonly state: string;
  readonly describe: string[];
  readonly subscribed?: string;
  readonly stopAtLastEvent: boolean;
  readonly paths: string[];
}

function parseReplayArgs(argv: readonly string[]): ReplayArgs | 'help' {
  const { values, positionals } = withUsage(USAGE, () =>
    parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean' },
        config: { type: 'string' },
        outbox: { type: 'string' },
        state: { type: 'string' },
        describe: { type: 'string', multiple: true },
        subscribed: { type: 'string' },
        'stop-at-last-event': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    })
  );
  if (values.help) return 'help';
  if (positionals.length === 0) throw new UsageError(`replay needs at least one PATH\n\n${USAGE}`);
  return {
    json: values.json ?? false,
    ...(values.config === undefined ? {} : { config: values.config }),
    outbox: values.outbox ?? 'out/outbox',
    state: values.state ?? DEFAULT_STATE_DIR,
    describe: values.describe ?? [],
    ...(values.subscribed === undefined ? {} : { subscribed: values.subscribed }),
    stopAtLastEvent: values['stop-at-last-event'] ?? false,
    paths: positionals,
  };
}

/** The documented `--json` line shapes, with their keys in a fixed order. */
function jsonLine(result: ReplayResult): string {
  switch (result.kind) {
    case 'notice':
      return JSON.stringify({
        kind: 'notice',
        job: result.job,
        status: result.status,
        owner: result.owner,
        channels: result.channels,
      });
    case 'ignored':
      return JSON.stringify({ kind: 'ignored', job: result.job, reason: result.reason });
    case 'rejected':
    case 'failed':
      return JSON.stringify({ kind: result.kind, source: result.source, reason: result.reason });
    case 'decision':
      return JSON.stringify({
        kind: 'decision',
        at: new Date(result.at).toISOString(),
        job: result.job,
        owner: result.owner,
        action: result.action,
        until: new Date(result.until).toISOString(),
        ...(result.keepAliveSeconds === undefined
          ? {}
          : { keepAliveSeconds: result.keepAliveSeconds }),
        outcome: result.outcome,
        ...(result.rule === undefined ? {} : { rule: result.rule }),
        reason: result.reason,
      });
  }
}

function humanLine(result: ReplayResult, timeZone: string): string {
  switch (result.kind) {
    case 'notice':
      return `notice    ${result.job} ${result.status} -> ${result.owner} (${result.channels.join(', ') || 'no channel'})`;
    case 'ignored':
      return `ignored   ${result.job}: ${result.reason}`;
    case 'rejected':
    case 'failed':
      return `${result.kind.padEnd(9)} ${result.source}: ${result.reason}`;
    case 'decision':
      return `decision  ${clock(result.at, timeZone)} ${result.job}: ${result.action}${result.action === 'keep' ? '' : ` until ${clock(result.until, timeZone)}`} (${result.outcome}${result.rule === undefined ? '' : `, rule ${result.rule}`}): ${result.reason}`;
  }
}

/** HH:MM in the config's default zone: replay lines are read against the events' day. */
function clock(at: number, timeZone: string): string {
  let format = clockFormats.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit' });
    clockFormats.set(timeZone, format);
  }
  return format.format(at);
}

// One formatter per zone: a replay prints a line per decision, and building one costs more
// than using it.
const clockFormats = new Map<string, Intl.DateTimeFormat>();

function stderrLog(io: CliIo): Log {
  const write = (level: string) => (message: string, extra: Record<string, unknown>) => {
    io.stderr.write(`${level}: ${message} ${JSON.stringify(extra)}\n`);
  };
  return { info: () => undefined, warn: write('warning'), error: write('error') };
}

export { replayCommand };
