import { compiledPolicy } from '../config/compile-policy.js';
import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import { poolFromJob } from '../steward/pool-from-job.js';
import { matchingRule, optedOut } from './decide.js';

interface FinishedJobPool {
  readonly job: TrainingJobSnapshot;
  readonly region: string;
  readonly owner: ResolvedOwner;
  readonly tags: Tags;
  readonly now: number;
}

/**
 * The rule under which the steward will decide a finished job's warm pool: the pool as the
 * steward records it (`poolFromJob`), matched as `decide` matches it. Undefined when the steward
 * will leave it alone: dry run, no pool it can track, a pool already expiring, the job opted
 * out by tag, no rule matches, or the rule is `off`. The finish notice names the rule, since
 * the steward's first decision on the pool follows within a minute.
 *
 * @example managingRule({ job, region, owner, tags, now }, config) // 'cpu'
 */
function managingRule(finished: FinishedJobPool, config: WardenConfig): string | undefined {
  const policy = compiledPolicy(config);
  if (policy.settings.dryRun) return undefined;
  const { job, region, owner, tags, now } = finished;
  const anchor = policy.settings.keepAliveAnchor;
  const tracked = poolFromJob(job, region, owner, tags, config, anchor, now);
  if (!tracked.ok || tracked.pool.expiresAt <= now || optedOut(tracked.pool)) return undefined;
  const rule = matchingRule(policy.rules, tracked.pool);
  return rule === undefined || rule.mode === 'off' ? undefined : rule.name;
}

export { managingRule };
