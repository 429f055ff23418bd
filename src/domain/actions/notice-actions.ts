import { compiledPolicy } from '../config/compile-policy.js';
import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import type { Policy } from '../policy/policy.js';
import type { ActionLinks } from '../ports/action-links.js';
import type { Log } from '../ports/log.js';
import { poolFromJob } from '../steward/pool-from-job.js';
import type { NoticeAction } from './action-grant.js';
import { linkActions } from './link-actions.js';
import {
  type ActionablePool,
  maxLinkLifetimeMs,
  type OfferedAction,
  offeredActions,
} from './offered-actions.js';

interface FinishActionInputs {
  readonly job: TrainingJobSnapshot;
  readonly region: string;
  readonly owner: ResolvedOwner;
  readonly tags: Tags;
  readonly now: number;
}

interface NoticeActionDeps {
  readonly config: WardenConfig;
  /** Absent: actions are not configured, and notices carry none. */
  readonly actionLinks?: ActionLinks;
  readonly log: Log;
}

/**
 * What a finished job's notice offers: the actions on its warm pool, as the steward would
 * track it (the same owner, team and tags the policy's rules match on). None when the job kept
 * no Available pool or SageMaker left out what an action needs.
 *
 * @example offersForFinishedJob({ job, region, owner, tags, now }, config)
 */
function offersForFinishedJob(inputs: FinishActionInputs, config: WardenConfig): OfferedAction[] {
  const policy = compiledPolicy(config);
  const tracked = poolFromJob(
    inputs.job,
    inputs.region,
    inputs.owner,
    inputs.tags,
    config,
    policy.settings.keepAliveAnchor,
    inputs.now
  );
  if (!tracked.ok) return [];
  return offersFor(tracked.pool, policy, inputs.owner.timeZone, config, inputs.now);
}

/**
 * The finish notice's action links, signed through `deps.actionLinks`.
 *
 * @example const actions = await finishNoticeActions({ job, region, owner, tags, now }, deps)
 */
async function finishNoticeActions(
  inputs: FinishActionInputs,
  deps: NoticeActionDeps
): Promise<NoticeAction[]> {
  if (deps.actionLinks === undefined) return [];
  return signed(offersForFinishedJob(inputs, deps.config), inputs.job.name, deps);
}

/**
 * A tracked pool's action links, for the steward's release warning, under the policy it runs.
 *
 * @example const actions = await poolNoticeActions(pool, policy, owner.timeZone, now, deps)
 */
async function poolNoticeActions(
  pool: ActionablePool & { readonly jobName: string },
  policy: Policy,
  timeZone: string,
  now: number,
  deps: NoticeActionDeps
): Promise<NoticeAction[]> {
  if (deps.actionLinks === undefined) return [];
  return signed(offersFor(pool, policy, timeZone, deps.config, now), pool.jobName, deps);
}

function offersFor(
  pool: ActionablePool,
  policy: Policy,
  timeZone: string,
  config: WardenConfig,
  now: number
): OfferedAction[] {
  return offeredActions({ pool, policy, now, timeZone, maxValidityMs: maxLinkLifetimeMs(config) });
}

/**
 * Signing needs the service's key: when it cannot be had, the notice goes out without links
 * (the news matters more than the shortcut) and the failure is logged as an error for the
 * operators.
 */
async function signed(
  offers: readonly OfferedAction[],
  jobName: string,
  deps: NoticeActionDeps
): Promise<NoticeAction[]> {
  if (offers.length === 0 || deps.actionLinks === undefined) return [];
  try {
    return await linkActions(offers, deps.actionLinks);
  } catch (error) {
    deps.log.error('action links could not be signed; the notice goes without them', {
      job: jobName,
      error: error instanceof Error ? error.message : String(error),
    });
    return [];
  }
}

export type { FinishActionInputs, NoticeActionDeps };
export { finishNoticeActions, offersForFinishedJob, poolNoticeActions };
