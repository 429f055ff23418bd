import { compilePolicy } from '../domain/config/compile-policy.js';
import { formatDuration, parseDuration } from '../domain/duration.js';
import { FALLBACK_VIA, resolveOwner } from '../domain/owner/resolve-owner.js';
import { decide } from '../domain/policy/decide.js';
import type { Decision } from '../domain/policy/decision.js';
import { explainRules, type RuleMatchResult } from '../domain/policy/explain.js';
import { emptyHistogram, type GapHistogram, observeGap } from '../domain/policy/gap-history.js';
import type { Policy } from '../domain/policy/policy.js';
import { keepAliveForTarget } from '../domain/pool/keep-alive.js';
import { matchKeyId } from '../domain/pool/match-key.js';
import type { PoolRecord } from '../domain/pool/pool-record.js';
import { hourlyPrice } from '../domain/pricing/price-table.js';
import { poolFromJob } from '../domain/steward/pool-from-job.js';
import { alignTable, formatTime, MAX_TIME_FLAG_MS, parseTimeFlag } from './admin-output.js';
import { DEFAULT_CONFIG_FILE, loadConfigOption } from './config-option.js';
import { parseFlags, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { readDescribeFixtures } from './read-describe-fixtures.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden policy explain --job DESCRIBE.json [--config FILE] [--at TIME] [--gaps LIST]

Shows what the policy would do with one job's warm pool, offline: which rule matches (and why
each earlier rule does not), what the steward would decide at TIME and why, the target expiry
and the KeepAlivePeriodInSeconds it would send.

  --job FILE     a DescribeTrainingJob answer (what aws sagemaker describe-training-job
                 prints), optionally with a "Tags" list as ListTags returns it
  --config FILE  the config (default: ./warden.config.yaml)
  --at TIME      ISO 8601 (2026-11-24T16:00Z), or a duration after the job ended (default 1m)
  --gaps LIST    gaps seen on the job's match key, e.g. 5m,7m,3m (each the time from a pool
                 becoming Available to the next matching job); default none, so adaptive
                 rules use the break-even keep-alive

The owner is found as the finish notice finds it, from the tags and the role map (the
CloudTrail caller is not consulted offline); a rule's budget is not checked (today's spend is
in the table).

Exit status: 0 explained, 1 the job has no Available warm pool, 2 bad arguments or config.`;

const DEFAULT_AT_MS = 60_000;
/** Gaps longer than a year say nothing an adaptive rule could use; longer ones are typos. */
const MAX_GAP_MS = 366 * 86_400_000;

/** `warden policy explain`: one job's pool through the policy, rule by rule. */
async function explainCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseExplainArgs(argv);
  if (args === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const config = await loadConfigOption(args.config);
  const policy = compilePolicy(config);
  const fixtures = await readDescribeFixtures([args.job]);
  const [fixture, ...more] = fixtures.values();
  if (fixture === undefined || more.length > 0) {
    throw new UsageError(`--job ${args.job}: needs exactly one DescribeTrainingJob answer`);
  }
  const { job } = fixture;
  const tags = fixture.tags ?? {};
  const owner = resolveOwner(
    { tags, ...(job.roleArn === undefined ? {} : { roleArn: job.roleArn }) },
    config
  );
  const zone = config.defaults.timeZone;
  const at = atOf(args.at, job.endTime);
  const region = job.arn.split(':')[3] ?? 'unknown';
  const out: string[][] = [
    ['job', `${job.name} (${job.status}), ended ${formatTime(job.endTime, zone)} ${zone}`],
    [
      'owner',
      `${owner.id} (${owner.via === FALLBACK_VIA ? 'fallback: no tag or role map names one' : owner.via})`,
    ],
  ];
  const made = poolFromJob(job, region, owner, tags, config, policy.settings.keepAliveAnchor, at);
  if (!made.ok) {
    io.stdout.write(`${alignTable(out)}\n`);
    io.stderr.write(`warden policy explain: no warm pool to decide on: ${made.reason}\n`);
    return 1;
  }
  const pool = made.pool;
  const gaps = args.gaps.length === 0 ? undefined : historyOf(args.gaps, at);
  const price = hourlyPrice(pool.instanceType, config.prices);
  const decision = decide(
    pool,
    {
      history: gaps ?? emptyHistogram(),
      ...(price === undefined ? {} : { usdPerHour: price.usdPerHour }),
    },
    policy,
    at
  );
  const rules = explainRules(policy, pool);
  out.push(
    ['team', pool.team ?? '- (the owner is in no team)'],
    [
      'pool',
      `${pool.instanceType}×${pool.instanceCount}, key ${matchKeyId(pool.matchKey)}, keep-alive ${formatDuration(pool.keepAliveSeconds * 1000)}, expires ${formatTime(pool.expiresAt, zone)}`,
    ],
    [
      'price',
      price === undefined
        ? `none known for ${pool.instanceType} (add it under prices:)`
        : `$${price.usdPerHour.toFixed(2)} per instance-hour (${price.source === 'config' ? 'config' : 'illustrative built-in table'})`,
    ],
    [
      'history',
      args.gaps.length === 0
        ? 'none (--gaps): adaptive rules use the break-even keep-alive'
        : `${args.gaps.length} gap${args.gaps.length === 1 ? '' : 's'}: ${args.gaps.map(formatDuration).join(', ')}`,
    ],
    ['rules', 'first match wins'],
    ...ruleRows(rules),
    ['decision', decisionLine(decision, at, zone)],
    ['reason', decision.reason],
    ['send', sendLine(pool, decision, policy, at, zone)],
    ...budgetNote(rules, policy)
  );
  io.stdout.write(`${alignTable(out)}\n`);
  return 0;
}

function ruleRows(rules: readonly RuleMatchResult[]): string[][] {
  const first = rules.findIndex((r) => r.matched);
  const width = Math.max(0, ...rules.map((r) => r.rule.length));
  return rules.map((r, i) => {
    const verdict = r.matched
      ? i === first
        ? `MATCH     ${r.matchText}`
        : `shadowed  matches too, but rule ${rules[first]?.rule} comes first`
      : `no        ${r.failed?.why}`;
    return [`  ${i + 1}`, `${r.rule.padEnd(width)}  ${verdict}`];
  });
}

function decisionLine(decision: Decision, at: number, zone: string): string {
  const rule = decision.rule === undefined ? '' : ` (rule ${decision.rule})`;
  const target =
    decision.action === 'release' ? ' now' : ` until ${formatTime(decision.until, zone)}`;
  const warn = decision.warning === true ? ', warning the owner of the release' : '';
  return `at ${formatTime(at, zone)} ${zone}: ${decision.action}${target}${rule}${warn}`;
}

function sendLine(
  pool: PoolRecord,
  decision: Decision,
  policy: Policy,
  at: number,
  zone: string
): string {
  if (decision.action === 'keep') return 'nothing (a keep leaves the keep-alive as it is)';
  const update = keepAliveForTarget(pool.endTime, decision.until, at, policy.settings);
  const dry = policy.settings.dryRun ? '; dry run: only audited, not sent' : '';
  switch (update.kind) {
    case 'release':
      return `KeepAlivePeriodInSeconds=0 (SageMaker ends the pool at once)${dry}`;
    case 'unreachable':
      return `nothing: ${update.reason}`;
    case 'set':
      return `KeepAlivePeriodInSeconds=${update.seconds} (counted from ${policy.settings.keepAliveAnchor === 'job-end' ? 'the job end' : 'the update'}: expires ${formatTime(update.expiresAt, zone)}${update.clipped ? ', cut to the maximum' : ''})${dry}`;
  }
}

function budgetNote(rules: readonly RuleMatchResult[], policy: Policy): string[][] {
  const matched = rules.find((r) => r.matched);
  const rule = policy.rules.find((r) => r.name === matched?.rule);
  return rule?.budget === undefined
    ? []
    : [
        [
          'note',
          `rule ${rule.name} has a budget, not checked here (today's spend is in the table)`,
        ],
      ];
}

/** `--at`: ISO 8601, or a duration after the job's end. */
function atOf(text: string | undefined, endTime: number | undefined): number {
  if (text === undefined || parseDuration(text) !== undefined) {
    if (endTime === undefined) {
      throw new UsageError('the job has no TrainingEndTime: give --at as an ISO 8601 time');
    }
    return endTime + (text === undefined ? DEFAULT_AT_MS : (parseDuration(text) ?? 0));
  }
  const at = parseTimeFlag('--at', text, 0);
  // A warm pool exists only once its job has ended: an earlier --at asks about nothing.
  if (endTime !== undefined && at < endTime) {
    throw new UsageError(
      `--at "${text}" is before the job ended (${new Date(endTime).toISOString()}): a warm pool exists only after its job`
    );
  }
  return at;
}

function historyOf(gaps: readonly number[], at: number): GapHistogram {
  return gaps.reduce((history, gapMs) => observeGap(history, gapMs, at), emptyHistogram());
}

interface ExplainArgs {
  readonly job: string;
  readonly config: string;
  readonly at?: string;
  readonly gaps: readonly number[];
}

function parseExplainArgs(argv: readonly string[]): ExplainArgs | 'help' {
  return withUsage(USAGE, () => {
    const { values, positionals } = parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        job: { type: 'string' },
        config: { type: 'string' },
        at: { type: 'string' },
        gaps: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.job === undefined || values.job === '') {
      throw new UsageError('policy explain needs --job DESCRIBE.json');
    }
    if (values.at !== undefined) {
      const after = parseDuration(values.at);
      if (after === undefined) parseTimeFlag('--at', values.at, 0);
      else if (after > MAX_TIME_FLAG_MS) {
        throw new UsageError(`--at "${values.at}" is longer than 3650 days after the job ended`);
      }
    }
    return {
      job: values.job,
      config: values.config ?? DEFAULT_CONFIG_FILE,
      ...(values.at === undefined ? {} : { at: values.at }),
      gaps: values.gaps === undefined ? [] : gapsOf(values.gaps),
    };
  });
}

function gapsOf(list: string): number[] {
  return list.split(',').map((text) => {
    const ms = parseDuration(text);
    if (ms === undefined || text.trim() === '') {
      throw new UsageError(`--gaps: "${text}" is not a duration (write e.g. 5m,7m,90s)`);
    }
    if (ms > MAX_GAP_MS) throw new UsageError(`--gaps: "${text}" is longer than 366 days`);
    return ms;
  });
}

export { explainCommand };
