import { eventAccountRefusal } from '../config/accounts.js';
import { WardenError } from '../errors.js';
import { isRecord } from '../objects.js';
import { expiryOf } from '../pool/keep-alive.js';
import type { PoolRecord } from '../pool/pool-record.js';
import { auditEntry } from './audit-entry.js';
import { addRetainedSpend } from './evaluate-pool.js';
import type { IntakeDeps } from './steward-deps.js';

/** An UpdateTrainingJob call as CloudTrail recorded it. */
interface KeepAliveCall {
  readonly jobName: string;
  readonly keepAliveSeconds: number;
  readonly at: number;
  /** The caller's ARN (an IAM user or an assumed-role session). */
  readonly callerArn: string;
  /**
   * The job's ARN as far as CloudTrail says (account and region of the call; the name as
   * SageMaker spells it in ARNs), so the job is described in its own account.
   */
  readonly jobArn?: string;
}

type CallParse = { ok: true; call: KeepAliveCall } | { ok: false; reason: string };

/** Reads "AWS API Call via CloudTrail" for a successful SageMaker UpdateTrainingJob with a keep-alive. */
function parseKeepAliveCall(input: unknown): CallParse {
  if (!isRecord(input) || !isRecord(input.detail))
    return { ok: false, reason: 'event has no detail object' };
  const { detail } = input;
  if (
    detail.eventSource !== 'sagemaker.amazonaws.com' ||
    detail.eventName !== 'UpdateTrainingJob'
  ) {
    return { ok: false, reason: 'not a sagemaker.amazonaws.com UpdateTrainingJob call' };
  }
  if (typeof detail.errorCode === 'string') {
    return { ok: false, reason: `the call failed (${detail.errorCode}); nothing changed` };
  }
  const request = isRecord(detail.requestParameters) ? detail.requestParameters : {};
  const resources = isRecord(request.resourceConfig) ? request.resourceConfig : {};
  const keepAlive = resources.keepAlivePeriodInSeconds;
  const jobName = request.trainingJobName;
  if (typeof jobName !== 'string' || jobName === '') {
    return { ok: false, reason: 'detail.requestParameters.trainingJobName is missing' };
  }
  if (
    typeof keepAlive !== 'number' ||
    !Number.isInteger(keepAlive) ||
    keepAlive < 0 ||
    keepAlive > 21_600
  ) {
    return { ok: false, reason: 'the call did not change the keep-alive' };
  }
  const identity = isRecord(detail.userIdentity) ? detail.userIdentity : {};
  const callerArn = typeof identity.arn === 'string' ? identity.arn : undefined;
  const at = typeof detail.eventTime === 'string' ? Date.parse(detail.eventTime) : Number.NaN;
  if (callerArn === undefined) return { ok: false, reason: 'detail.userIdentity.arn is missing' };
  if (!Number.isFinite(at)) return { ok: false, reason: 'detail.eventTime is not a time' };
  const jobArn = callArn(input, detail, callerArn, jobName);
  return {
    ok: true,
    call: { jobName, keepAliveSeconds: keepAlive, at, callerArn, ...(jobArn ? { jobArn } : {}) },
  };
}

/** The job's ARN from the account and region CloudTrail recorded the call in. */
function callArn(
  event: Record<string, unknown>,
  detail: Record<string, unknown>,
  callerArn: string,
  jobName: string
): string | undefined {
  const account =
    typeof detail.recipientAccountId === 'string' ? detail.recipientAccountId : event.account;
  const region = typeof detail.awsRegion === 'string' ? detail.awsRegion : event.region;
  if (typeof account !== 'string' || typeof region !== 'string') return undefined;
  const partition = /^arn:([a-z-]+):/.exec(callerArn)?.[1] ?? 'aws';
  // SageMaker writes job names in lower case in ARNs.
  return `arn:${partition}:sagemaker:${region}:${account}:training-job/${jobName.toLowerCase()}`;
}

type HumanUpdateOutcome =
  | { readonly kind: 'ignored'; readonly reason: string }
  | {
      readonly kind: 'override';
      readonly job: string;
      readonly by: string;
      readonly keepAliveSeconds: number;
    };

/**
 * A person changed a pool's keep-alive themselves (console "Release cluster", the SDK): their
 * choice wins over the policy for that pool, and the audit says so. Warden's own calls, seen
 * here too, are recognised by the caller (`isWarden`) and ignored.
 */
async function recordHumanUpdate(
  input: unknown,
  deps: IntakeDeps,
  isWarden: (callerArn: string) => boolean
): Promise<HumanUpdateOutcome> {
  const parsed = parseKeepAliveCall(input);
  if (!parsed.ok) return { kind: 'ignored', reason: parsed.reason };
  const { call } = parsed;
  if (isWarden(call.callerArn)) return { kind: 'ignored', reason: "Warden's own update" };
  const refused =
    call.jobArn === undefined
      ? undefined
      : eventAccountRefusal(deps.config, { job: { arn: call.jobArn } });
  if (refused !== undefined) return { kind: 'ignored', reason: refused };
  const job = await deps.sageMaker.describeTrainingJob(call.jobName, call.jobArn);
  if (job?.creationTime === undefined) return { kind: 'ignored', reason: 'the job is gone' };
  const tracked = await deps.store.getPool(job.arn, job.creationTime);
  if (tracked === undefined)
    return { kind: 'ignored', reason: 'Warden does not track a pool for this job' };
  if (tracked.state === 'Reused' || tracked.state === 'Terminated') {
    return { kind: 'ignored', reason: `the pool is already ${tracked.state}` };
  }
  // CloudTrail can be late: a call older than the pool's latest known update changes nothing,
  // unless Warden already saw this change in a Describe and only the name is news.
  const seenUnnamed = tracked.humanOverride?.by === 'someone outside Warden';
  if (!seenUnnamed && tracked.updatedAt !== undefined && call.at < tracked.updatedAt) {
    return { kind: 'ignored', reason: 'older than the pool’s latest update' };
  }
  const by = call.callerArn.split('/').slice(1).join('/') || call.callerArn;
  const released = call.keepAliveSeconds === 0;
  // A released pool is gone: like every gone record, it has no next decision time.
  const { nextDecisionAt: _unscheduled, ...unscheduled } = tracked;
  const updated = {
    ...(released ? unscheduled : tracked),
    keepAliveSeconds: call.keepAliveSeconds,
    updatedAt: call.at,
  };
  const pool: PoolRecord = {
    ...updated,
    expiresAt: released ? call.at : expiryOf(updated, deps.policy.settings.keepAliveAnchor),
    ...(released ? { state: 'Terminated' as const } : {}),
    humanOverride: { at: call.at, by, keepAliveSeconds: call.keepAliveSeconds },
    version: tracked.version + 1,
  };
  if ((await deps.store.putPool(pool)) === 'conflict') {
    // The evaluator wrote meanwhile; the event is redelivered or the next describe corrects it.
    throw new WardenError(
      'POOL_CONFLICT',
      `pool ${tracked.jobName} changed while recording a manual update`,
      {
        retryable: true,
      }
    );
  }
  // The pool is gone: its idle time goes to the team's budget, as for any pool that ended.
  if (released) {
    await addRetainedSpend(pool, call.at, deps, deps.clock.now());
    deps.metrics.count('PoolEnded', 1, { state: 'Terminated' });
  }
  await deps.store.audit(
    auditEntry(pool, {
      at: deps.clock.now(),
      kind: 'human-override',
      until: pool.expiresAt,
      keepAliveSeconds: call.keepAliveSeconds,
      reason: `${by} set the keep-alive to ${call.keepAliveSeconds} s by hand; the policy leaves this pool alone`,
      outcome: 'observed',
    }),
    deps.policy.settings.auditRetentionDays
  );
  return { kind: 'override', job: pool.jobName, by, keepAliveSeconds: call.keepAliveSeconds };
}

export type { HumanUpdateOutcome, KeepAliveCall };
export { parseKeepAliveCall, recordHumanUpdate };
