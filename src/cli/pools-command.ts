import { matchKeyId } from '../domain/pool/match-key.js';
import { type DecisionEntry, isGone, type PoolRecord } from '../domain/pool/pool-record.js';
import { alignTable, formatTime, optionalConfig, zoneOf } from './admin-output.js';
import { parseFlags, subcommandOf, withUsage } from './flag-problem.js';
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

const USAGE = `usage: warden pools list [--stage S | --table NAME | --state DIR] [--all] [--json] [--config FILE]

Lists the warm pools the steward tracks: owner, team, instances and match key, expiry, the
next decision, and the last decision with its reason.

  --all          also pools already gone (Reused, Terminated); only a --state holds them,
                 a table lists live pools (the audit keeps what happened to the others)
  --json         one JSON object per pool and line
  --config FILE  times in the config's default time zone (default: UTC)
${TARGET_USAGE} (default: --state ${DEFAULT_STATE_DIR})

Exit status: 0 listed, 1 the table could not be read, 2 bad arguments or an unreadable state.`;

/** Characters of the match key id shown in the table (the JSON has all 16). */
const KEY_ID_SHOWN = 8;

/**
 * `warden pools …` with the way to AWS injected, so tests can use a loopback DynamoDB.
 *
 * @example await createPoolsCommand(defaultTargetDeps)(['list', '--stage', 'prod'], io)
 */
function createPoolsCommand(deps: StoreTargetDeps) {
  return async (argv: readonly string[], io: CliIo): Promise<number> => {
    const picked = subcommandOf(argv, USAGE, {
      command: 'pools',
      subs: ['list'],
      needs: 'a subcommand',
    });
    const args = picked === 'help' ? 'help' : parseListArgs(picked.rest);
    if (args === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const timeZone = zoneOf(await optionalConfig(args.config));
    return withStoreTarget(args.target, deps, async (target) => {
      const live = await target.store.livePools();
      let pools: readonly PoolRecord[] = live;
      if (args.all && target.allPools !== undefined) {
        const gone = target.allPools().filter((p) => isGone(p.state));
        pools = [...live, ...gone.sort((a, b) => a.endTime - b.endTime)];
      } else if (args.all) {
        io.stderr.write(
          `note: --all: ${target.label} lists live pools only; see warden audit for the others\n`
        );
      }
      if (args.json) {
        for (const pool of pools) io.stdout.write(`${JSON.stringify(poolJson(pool))}\n`);
      } else if (pools.length > 0) {
        io.stdout.write(`${alignTable([HEADER, ...pools.map((p) => poolRow(p, timeZone))])}\n`);
      }
      const summary =
        pools.length === 0
          ? `no ${args.all ? '' : 'live '}pools in ${target.label}`
          : `${pools.length} pool${pools.length === 1 ? '' : 's'} (${live.length} live) in ${target.label}; times in ${timeZone}`;
      (args.json ? io.stderr : io.stdout).write(`${summary}\n`);
      return 0;
    });
  };
}

/** `warden pools …` against the real AWS (or a local state). */
const poolsCommand = createPoolsCommand(defaultTargetDeps);

const HEADER = [
  'JOB',
  'OWNER',
  'TEAM',
  'STATE',
  'INSTANCES',
  'KEY',
  'EXPIRES',
  'NEXT',
  'LAST DECISION',
];

function poolRow(pool: PoolRecord, timeZone: string): string[] {
  const last = pool.decisions[pool.decisions.length - 1];
  return [
    pool.jobName,
    pool.owner,
    pool.team ?? '-',
    pool.state,
    `${pool.instanceType}×${pool.instanceCount}`,
    matchKeyId(pool.matchKey).slice(0, KEY_ID_SHOWN),
    formatTime(pool.expiresAt, timeZone),
    formatTime(pool.nextDecisionAt, timeZone),
    last === undefined ? '-' : decisionText(last, timeZone),
  ];
}

function decisionText(d: DecisionEntry, timeZone: string): string {
  const target = d.action === 'keep' ? '' : ` to ${formatTime(d.until, timeZone).slice(11)}`;
  const rule = d.rule === undefined ? '' : `, rule ${d.rule}`;
  return `${d.action}${target} at ${formatTime(d.at, timeZone).slice(11)} (${d.outcome}${rule}): ${d.reason}`;
}

/** The documented `--json` line, keys in a fixed order, times in ISO 8601. */
function poolJson(pool: PoolRecord): Record<string, unknown> {
  const last = pool.decisions[pool.decisions.length - 1];
  return {
    job: pool.jobName,
    jobArn: pool.jobArn,
    creationTime: iso(pool.creationTime),
    owner: pool.owner,
    ...(pool.team === undefined ? {} : { team: pool.team }),
    state: pool.state,
    instanceType: pool.instanceType,
    instanceCount: pool.instanceCount,
    matchKeyId: matchKeyId(pool.matchKey),
    matchKey: pool.matchKey,
    keepAliveSeconds: pool.keepAliveSeconds,
    expiresAt: iso(pool.expiresAt),
    ...(pool.nextDecisionAt === undefined ? {} : { nextDecisionAt: iso(pool.nextDecisionAt) }),
    ...(last === undefined
      ? {}
      : {
          lastDecision: {
            at: iso(last.at),
            action: last.action,
            until: iso(last.until),
            outcome: last.outcome,
            ...(last.rule === undefined ? {} : { rule: last.rule }),
            reason: last.reason,
          },
        }),
  };
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

interface ListArgs {
  readonly all: boolean;
  readonly json: boolean;
  readonly config?: string;
  readonly target: ReturnType<typeof targetSpecOf>;
}

function parseListArgs(argv: readonly string[]): ListArgs | 'help' {
  return withUsage(USAGE, () => {
    const { values, positionals } = parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        all: { type: 'boolean' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    return {
      all: values.all ?? false,
      json: values.json ?? false,
      ...(values.config === undefined ? {} : { config: values.config }),
      target: targetSpecOf(values, DEFAULT_STATE_DIR),
    };
  });
}

export { createPoolsCommand, poolsCommand };
