import { isRecord } from '../objects.js';

/** Who called CreateTrainingJob, as CloudTrail recorded it. */
interface JobCaller {
  /** The owner candidate: IAM user name, or the session name of an assumed role. */
  readonly principal: string;
  /** The full caller ARN, kept for the audit trail. */
  readonly arn: string;
}

interface CreateTrainingJobCall {
  readonly jobArn: string;
  readonly caller: JobCaller;
}

type CallParseResult =
  | { readonly ok: true; readonly call: CreateTrainingJobCall }
  | { readonly ok: false; readonly reason: string };

/**
 * Reads an EventBridge "AWS API Call via CloudTrail" event for SageMaker `CreateTrainingJob`.
 * For an assumed role the person is the source identity when there is one (SageMaker Studio
 * sets it to the user profile name when the domain's ExecutionRoleIdentityConfig is
 * USER_PROFILE_NAME), otherwise the session name (IAM Identity Center puts the user's name or
 * email there; plain Studio sessions are named "SageMaker" and so lead to the fallback).
 */
function parseCreateTrainingJobCall(input: unknown): CallParseResult {
  if (!isRecord(input) || !isRecord(input.detail)) {
    return { ok: false, reason: 'event has no detail object' };
  }
  const { detail } = input;
  if (
    detail.eventSource !== 'sagemaker.amazonaws.com' ||
    detail.eventName !== 'CreateTrainingJob'
  ) {
    return { ok: false, reason: 'not a sagemaker.amazonaws.com CreateTrainingJob call' };
  }
  if (typeof detail.errorCode === 'string') {
    return { ok: false, reason: `the call failed (${detail.errorCode}); no job was created` };
  }
  const response = isRecord(detail.responseElements) ? detail.responseElements : {};
  const jobArn = response.trainingJobArn;
  if (typeof jobArn !== 'string' || !jobArn.includes(':training-job/')) {
    return { ok: false, reason: 'detail.responseElements.trainingJobArn is missing' };
  }
  const identity = isRecord(detail.userIdentity) ? detail.userIdentity : {};
  const callerArn = typeof identity.arn === 'string' ? identity.arn : undefined;
  const principal = principalOf(identity, callerArn);
  if (callerArn === undefined || principal === undefined) {
    return { ok: false, reason: 'detail.userIdentity names no IAM user or role session' };
  }
  return { ok: true, call: { jobArn, caller: { principal, arn: callerArn } } };
}

function principalOf(
  identity: Record<string, unknown>,
  arn: string | undefined
): string | undefined {
  const { type, userName, sessionContext } = identity;
  if (type === 'IAMUser' && typeof userName === 'string' && userName !== '') return userName;
  const sourceIdentity = isRecord(sessionContext) ? sessionContext.sourceIdentity : undefined;
  if (type === 'AssumedRole' && typeof sourceIdentity === 'string' && sourceIdentity !== '') {
    return sourceIdentity;
  }
  if (type === 'AssumedRole' && arn !== undefined) {
    // arn:aws:sts::123456789012:assumed-role/<role>/<session>
    const session = arn.split('/').slice(2).join('/');
    return session === '' ? undefined : session;
  }
  return undefined;
}

/**
 * SageMaker lower-cases job names inside ARNs, while CloudTrail and events may not agree on
 * case, so caller records are keyed by the lower-cased ARN.
 */
function jobKey(jobArn: string): string {
  return jobArn.toLowerCase();
}

export type { CreateTrainingJobCall, JobCaller };
export { jobKey, parseCreateTrainingJobCall };
