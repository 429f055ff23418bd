import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import type { KeepAliveAnchor } from '../policy/policy.js';
import { expiryOf } from '../pool/keep-alive.js';
import { matchKeyOf } from '../pool/match-key.js';
import type { PoolRecord } from '../pool/pool-record.js';

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

export { poolFromJob, teamOf };
