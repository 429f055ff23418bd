import { AUDIT_MAX_LIMIT } from '../adapters/pool-store-rules.js';
import type { AuditEntry } from '../domain/ports/pool-store.js';
import { alignTable, formatTime, optionalConfig, parseTimeFlag, zoneOf } from './admin-output.js';
import { parseFlags, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { DEFAULT_STATE_DIR } from './output-dir.js';
import {
  defaultTargetDeps,
  type StoreTargetDeps,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetSpecOf,
  withStoreTarget,
} from './store-target.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden audit [--job NAME] [--since TIME] [--limit N] [--stage S | --table NAME | --state DIR] [--json] [--config FILE]

Prints the steward's audit, oldest first: every decision (keep, extend, shrink, release) with
its outcome, rule and reason, and what it observed (adopted, reused, terminated, human-override).

  --job NAME     only this training job
  --since TIME   from TIME: ISO 8601 (2026-11-24T09:00Z) or a duration ago (24h, 7d);
                 default 7d. For a --state, "ago" counts from the end of the replay
  --limit N      the newest N entries, 1 to ${AUDIT_MAX_LIMIT} (default 100)
  --json         one JSON object per entry and line
  --config FILE  times in the config's default time zone (default: UTC)
${TARGET_USAGE} (default: --state ${DEFAULT_STATE_DIR})

Exit status: 0 printed, 1 the table could not be read, 2 bad arguments or an unreadable state.`;

/**
 * `warden audit` with the way to AWS injected, so tests can use a loopback DynamoDB.
 *
 * @example await createAuditCommand(defaultTargetDeps)(['--stage', 'prod', '--since', '24h'], io)
 */
function createAuditCommand(deps: StoreTargetDeps) {
  return async (argv: readonly string[], io: CliIo): Promise<number> => {
    const args = parseAuditArgs(argv);
    if (args === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const timeZone = zoneOf(await optionalConfig(args.config));
    return withStoreTarget(args.target, deps, async (target) => {
      const since =
        args.since === undefined ? undefined : parseTimeFlag('--since', args.since, target.now);
      const entries = await target.store.auditLog({
        ...(args.job === undefined ? {} : { jobName: args.job }),
        ...(since === undefined ? {} : { since }),
        ...(args.limit === undefined ? {} : { limit: args.limit }),
      });
      if (args.json) {
        for (const entry of entries) io.stdout.write(`${JSON.stringify(entryJson(entry))}\n`);
      } else if (entries.length > 0) {
        io.stdout.write(`${alignTable([HEADER, ...entries.map((e) => entryRow(e, timeZone))])}\n`);
      }
      const n = entries.length;
      const summary =
        n === 0
          ? `no audit entries in ${target.label}${args.job === undefined ? '' : ` for ${args.job}`}`
          : `${n} entr${n === 1 ? 'y' : 'ies'} in ${target.label}; times in ${timeZone}`;
      (args.json ? io.stderr : io.stdout).write(`${summary}\n`);
      return 0;
    });
  };
}

/** `warden audit` against the real AWS (or a local state). */
const auditCommand = createAuditCommand(defaultTargetDeps);

const HEADER = ['TIME', 'JOB', 'OWNER', 'KIND', 'UNTIL', 'OUTCOME', 'RULE', 'REASON'];

function entryRow(entry: AuditEntry, timeZone: string): string[] {
  return [
    formatTime(entry.at, timeZone),
    entry.jobName,
    entry.owner,
    entry.kind,
    formatTime(entry.until, timeZone),
    entry.outcome,
    entry.rule ?? '-',
    entry.reason,
  ];
}

/** The documented `--json` line, keys in a fixed order, times in ISO 8601. */
function entryJson(entry: AuditEntry): Record<string, unknown> {
  return {
    at: new Date(entry.at).toISOString(),
    job: entry.jobName,
    jobArn: entry.jobArn,
    owner: entry.owner,
    ...(entry.team === undefined ? {} : { team: entry.team }),
    kind: entry.kind,
    ...(entry.until === undefined ? {} : { until: new Date(entry.until).toISOString() }),
    ...(entry.keepAliveSeconds === undefined ? {} : { keepAliveSeconds: entry.keepAliveSeconds }),
    outcome: entry.outcome,
    ...(entry.rule === undefined ? {} : { rule: entry.rule }),
    reason: entry.reason,
  };
}

interface AuditArgs {
  readonly job?: string;
  readonly since?: string;
  readonly limit?: number;
  readonly json: boolean;
  readonly config?: string;
  readonly target: ReturnType<typeof targetSpecOf>;
}

function parseAuditArgs(argv: readonly string[]): AuditArgs | 'help' {
  return withUsage(USAGE, () => {
    const { values, positionals } = parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        job: { type: 'string' },
        since: { type: 'string' },
        limit: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.job === '') throw new UsageError('--job needs a training job name');
    // Checked before the store is opened; the time itself counts from the store's "now".
    if (values.since !== undefined) parseTimeFlag('--since', values.since, 0);
    return {
      ...(values.job === undefined ? {} : { job: values.job }),
      ...(values.since === undefined ? {} : { since: values.since }),
      ...(values.limit === undefined ? {} : { limit: limitOf(values.limit) }),
      json: values.json ?? false,
      ...(values.config === undefined ? {} : { config: values.config }),
      target: targetSpecOf(values, DEFAULT_STATE_DIR),
    };
  });
}

function limitOf(text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > AUDIT_MAX_LIMIT) {
    throw new UsageError(
      `--limit must be a whole number from 1 to ${AUDIT_MAX_LIMIT}, got "${text}"`
    );
  }
  return n;
}

export { auditCommand, createAuditCommand };
