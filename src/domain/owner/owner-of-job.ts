import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import type { CallerRegistry } from '../ports/caller-registry.js';
import type { SageMakerGateway } from '../ports/sagemaker-gateway.js';
import { jobKey } from './job-caller.js';
import { FALLBACK_VIA, type ResolvedOwner, resolveOwner } from './resolve-owner.js';

/**
 * A job's owner by the documented chain (tags → role map → CloudTrail caller → fallback), with
 * the job's tags (ListTags when the event carried none). The CloudTrail caller is only read
 * when tags and the role map named nobody, so the common case costs no store read. The finish
 * notice and the steward both use it, so a pool's owner is the person the notice went to.
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

export { ownerOfJob };
