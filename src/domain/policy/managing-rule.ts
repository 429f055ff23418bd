import { compilePolicy } from '../config/compile-policy.js';
import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import { teamOf } from '../steward/pool-from-job.js';
import { OPT_OUT_TAG, ruleMatches } from './decide.js';
import type { Policy } from './policy.js';

// A config is compiled once, however many notices it serves (a Lambda keeps one config).
const compiled = new WeakMap<WardenConfig, Policy>();

function policyOf(config: WardenConfig): Policy {
  let policy = compiled.get(config);
  if (policy === undefined) {
    policy = compilePolicy(config);
    compiled.set(config, policy);
  }
  return policy;
}

/**
 * The rule under which the steward will decide a finished job's warm pool, as `decide` picks
 * it from what the finish notice knows; undefined when it will leave the pool alone: dry run,
 * the job opted out by tag, no rule matches, or the rule is `off`. The finish notice says so,
 * because the steward's first decision on the pool comes within a minute of it.
 *
 * @example managingRule(config, job, owner, tags) // 'cpu'
 */
function managingRule(
  config: WardenConfig,
  job: TrainingJobSnapshot,
  owner: ResolvedOwner,
  tags: Tags
): string | undefined {
  const policy = policyOf(config);
  if (policy.settings.dryRun) return undefined;
  if (tags[OPT_OUT_TAG]?.toLowerCase() === 'false') return undefined;
  const team = teamOf(owner, config);
  const view = {
    owner: owner.id,
    instanceType: job.instanceType ?? '',
    tags,
    jobArn: job.arn,
    ...(team === undefined ? {} : { team }),
  };
  const rule = policy.rules.find((r) => ruleMatches(r, view));
  return rule === undefined || rule.mode === 'off' ? undefined : rule.name;
}

export { managingRule };
