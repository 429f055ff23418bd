import { WardenError } from '../../domain/errors.js';
import { MAX_KEEP_ALIVE_SECONDS } from '../../domain/job/training-job.js';
import type { Policy } from '../../domain/policy/policy.js';

/** One training job of a trace, as `warden simulate` replays it. Times are epoch ms. */
interface TraceJob {
  readonly submitTime: number;
  readonly durationMs: number;
  /** The warm-pool match configuration: jobs with equal keys can share a pool. */
  readonly key: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly owner?: string;
  readonly team?: string;
  readonly account?: string;
  readonly tags?: Readonly<Record<string, string>>;
  readonly inputMode?: InputMode;
  /** The keep-alive the user asked for. */
  readonly keepAliveMs?: number;
  /** Source line, for messages. */
  readonly line?: number;
}

const INPUT_MODES = ['fsx', 'ffm', 'file'] as const;

type InputMode = (typeof INPUT_MODES)[number];

function isInputMode(value: unknown): value is InputMode {
  return (INPUT_MODES as readonly unknown[]).includes(value);
}

interface Trace {
  /** Sorted by submitTime (stable). */
  readonly jobs: readonly TraceJob[];
  /** File name or `scenario:<name>`. */
  readonly source: string;
  readonly warnings: readonly string[];
}

/** Epoch seconds before 2000 are almost always a date written as digits or a duration. */
const MIN_EPOCH_SECONDS = 946_684_800;
/** From here on a number is epoch milliseconds (year 5138 in seconds), which we refuse to guess. */
const MILLIS_FROM = 1e11;

/** How SageMaker spells its instance types: `ml.<family>.<size>`, lower case. */
const INSTANCE_TYPE = /^ml\.[a-z0-9-]+\.[a-z0-9-]+$/;

/**
 * A trace file that cannot be replayed as written; `issues` holds one `file:LINE: field: reason`
 * per problem. The CLI exits 1 on it (rejected input), like any other WardenError that is not
 * a usage or configuration error.
 */
class TraceError extends WardenError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[], summary = 'invalid trace') {
    super('TRACE_INVALID', `${summary}:\n  ${issues.join('\n  ')}`);
    this.name = 'TraceError';
    this.issues = issues;
  }
}

/**
 * A trace from jobs in any order: sorted by submit time, ties kept in input order.
 *
 * @example makeTrace(jobs, 'scenario:hpo', []).jobs[0].submitTime
 */
function makeTrace(jobs: TraceJob[], source: string, warnings: readonly string[]): Trace {
  // Array.prototype.sort is stable (ES2019), so equal submit times keep their file order.
  jobs.sort((a, b) => a.submitTime - b.submitTime);
  return { jobs, source, warnings };
}

/** What the trace can tell a policy rule about its jobs, gathered in one pass. */
interface TraceFacts {
  /** Every tag key that at least one job carries. */
  readonly tagKeys: ReadonlySet<string>;
  readonly hasTeam: boolean;
  readonly hasOwner: boolean;
  readonly hasAccount: boolean;
  /** Every instance type some job runs on. */
  readonly instanceTypes: ReadonlySet<string>;
}

/**
 * The tag keys, teams, owners and instance types present anywhere in the trace.
 *
 * @example traceFacts(trace).tagKeys.has('project')
 */
function traceFacts(trace: Trace): TraceFacts {
  const tagKeys = new Set<string>();
  let hasTeam = false;
  let hasOwner = false;
  let hasAccount = false;
  const instanceTypes = new Set<string>();
  for (const job of trace.jobs) {
    instanceTypes.add(job.instanceType);
    if (job.team !== undefined) hasTeam = true;
    if (job.owner !== undefined) hasOwner = true;
    if (job.account !== undefined) hasAccount = true;
    if (job.tags !== undefined) for (const key of Object.keys(job.tags)) tagKeys.add(key);
  }
  return { tagKeys, hasTeam, hasOwner, hasAccount, instanceTypes };
}

/**
 * Every tag key that at least one job of the trace carries, sorted.
 *
 * @example traceTagKeys(trace) // ['city', 'project']
 */
function traceTagKeys(trace: Trace): string[] {
  return [...traceFacts(trace).tagKeys].sort();
}

/**
 * One warning per rule the trace cannot evaluate: it matches on a tag key no job carries, on an
 * account when no job has one, or on team or owner when no job has one. Such a rule would
 * silently match nothing in a backtest, although it may match plenty in production. With
 * `ownerOf` (a config's owner chain, which always ends at its fallback contact) every job has
 * an owner, and a team when the chain gives one.
 *
 * @example unevaluableRules(policy, trace) // ['rule "vision": ... tag "project" ...']
 */
function unevaluableRules(
  policy: Policy,
  trace: Trace,
  ownerOf?: (job: TraceJob) => { readonly team?: string }
): string[] {
  const facts = traceFacts(trace);
  let hasTeam: boolean | undefined;
  const anyTeam = () => {
    hasTeam ??=
      ownerOf === undefined
        ? facts.hasTeam
        : trace.jobs.some((job) => ownerOf(job).team !== undefined);
    return hasTeam;
  };
  const hasOwner = ownerOf !== undefined || facts.hasOwner;
  const warnings: string[] = [];
  for (const rule of policy.rules) {
    const missing: string[] = [];
    if (rule.match.team !== undefined && !anyTeam()) {
      missing.push(
        ownerOf === undefined
          ? 'team (no job has a team)'
          : "team (the config's directory gives no owner of this trace a team)"
      );
    }
    if (rule.match.owner !== undefined && !hasOwner) missing.push('owner (no job has an owner)');
    if (rule.match.account !== undefined && !facts.hasAccount) {
      missing.push('account (no job has an account)');
    }
    for (const key of Object.keys(rule.match.tags ?? {})) {
      if (!facts.tagKeys.has(key)) missing.push(`tag "${key}" (no job carries it)`);
    }
    if (missing.length > 0) {
      warnings.push(
        `rule "${rule.name}" cannot be evaluated on ${trace.source}: it matches on ${missing.join(', ')}, so it matches no job of this trace`
      );
    }
  }
  return warnings;
}

export type { InputMode, Trace, TraceFacts, TraceJob };
export {
  INSTANCE_TYPE,
  isInputMode,
  MAX_KEEP_ALIVE_SECONDS,
  MILLIS_FROM,
  MIN_EPOCH_SECONDS,
  makeTrace,
  TraceError,
  traceFacts,
  traceTagKeys,
  unevaluableRules,
};
