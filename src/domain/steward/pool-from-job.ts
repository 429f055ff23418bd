import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import { jobKey } from '../owner/job-caller.js';
import { FALLBACK_VIA, type ResolvedOwner, resolveOwner } from '../owner/resolve-owner.js';
import type { KeepAliveAnchor } from '../policy/policy.js';
import { expiryOf } from '../pool/keep-alive.js';
import { matchKeyOf } from '../pool/match-key.js';
import type { PoolRecord } from '../pool/pool-record.js';
import type { CallerRegistry } from '../ports/caller-registry.js';
import type { SageMakerGateway } from '../ports/sagemaker-gateway.js';

/**
 * Owner resolution exactly as the finish notice does it (tags → role map → CloudTrail caller →
 * fallback), so the pool's owner is the person who got the finish notice.
 */
async function ownerOfJob(
  job: TrainingJobSnapshot,
  knownTags: Tags | undefined,
  deps: { config: WardenConfig; sageMaker: SageMakerGateway; callers: CallerRegistry }
): Promise<{ owner: ResolvedOwner; tags: Tags }> {
  const tags = knownTags ?? (await deps.sageMaker.listTags(job.arn));
  const inputs = { tags, ...(job.roleArn === undefined ? {} : { roleArn: job.roleArn }) };
  let owner = resolveOwner(inputs, deps.config);
  if (owner.via === FALLBACK_VIA) {
    const caller = await deps.callers.find(jobKey(job.arn));
    if (caller !== undefined) owner = resolveOwner({ ...inputs, caller }, deps.config);
  }
  return { owner, tags };
}

/** A directory entry without a team is a team itself (or a person on their own). */
function teamOf(owner: ResolvedOwner, config: WardenConfig): string | undefined {
  if (owner.team !== undefined) return owner.team;
  return Object.hasOwn(config.directory, owner.id) ? owner.id : undefined;
}

/**
 * A new pool record for a job whose warm pool is Available, or the reason there is none. The
 * pool is due for its first decision at once.
 */
function poolFromJob(
  job: TrainingJobSnapshot,
  region: string,
  owner: ResolvedOwner,
  tags: Tags,
  config: WardenConfig,
  anchor: KeepAliveAnchor,
  now: number
): { ok: true; pool: PoolRecord } | { ok: false; reason: string } {
  if (job.warmPool?.status !== 'Available') {
    return { ok: false, reason: `warm pool status is ${job.warmPool?.status ?? 'missing'}` };
  }
  if (job.creationTime === undefined || job.endTime === undefined) {
    return { ok: false, reason: 'the job has no creation or end time' };
  }
  if (job.instanceType === undefined || job.keepAliveSeconds === undefined) {
    return { ok: false, reason: 'the job has no instance type or keep-alive' };
  }
  const team = teamOf(owner, config);
  const base = {
    jobArn: job.arn,
    jobName: job.name,
    creationTime: job.creationTime,
    region,
    owner: owner.id,
    ownerVia: owner.via,
    ...(team === undefined ? {} : { team }),
    matchKey: matchKeyOf(job),
    instanceType: job.instanceType,
    instanceCount: job.instanceCount ?? 1,
    tags,
    endTime: job.endTime,
    keepAliveSeconds: job.keepAliveSeconds,
    state: 'Available' as const,
    nextDecisionAt: now,
    decisions: [],
    version: 1,
  };
  return { ok: true, pool: { ...base, expiresAt: expiryOf(base, anchor) } };
}

export { ownerOfJob, poolFromJob, teamOf };
