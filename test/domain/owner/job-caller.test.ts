import { describe, expect, it } from 'vitest';
import { jobKey, parseCreateTrainingJobCall } from '../../../src/domain/owner/job-caller.js';
import {
  assumedRoleIdentity,
  createTrainingJobCall,
  IAM_USER_IDENTITY,
} from '../../helpers/domain-cloudtrail.js';

const JOB_ARN = 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017';

describe('parseCreateTrainingJobCall', () => {
  it('names the IAM user who created the job', () => {
    // Act
    const result = parseCreateTrainingJobCall(createTrainingJobCall());

    // Assess
    expect(result).toEqual({
      ok: true,
      call: {
        jobArn: JOB_ARN,
        caller: { principal: 'alice', arn: 'arn:aws:iam::111122223333:user/alice' },
      },
    });
  });

  it('prefers the source identity, which SageMaker Studio sets to the user profile', () => {
    // Prepare
    const base = assumedRoleIdentity('AmazonSageMaker-ExecutionRole-Studio', 'SageMaker');
    const identity = {
      ...base,
      sessionContext: { ...(base.sessionContext as object), sourceIdentity: 'carol.studio' },
    };

    // Act
    const result = parseCreateTrainingJobCall(createTrainingJobCall({ userIdentity: identity }));

    // Assess
    expect(result).toMatchObject({ ok: true, call: { caller: { principal: 'carol.studio' } } });
  });

  it('names the session of an assumed role when it carries no source identity', () => {
    // Prepare
    const identity = assumedRoleIdentity(
      'AmazonSageMaker-ExecutionRole-20261120T101010',
      'alice-ng'
    );

    // Act
    const result = parseCreateTrainingJobCall(createTrainingJobCall({ userIdentity: identity }));

    // Assess
    expect(result).toEqual({
      ok: true,
      call: {
        jobArn: JOB_ARN,
        caller: {
          principal: 'alice-ng',
          arn: 'arn:aws:sts::111122223333:assumed-role/AmazonSageMaker-ExecutionRole-20261120T101010/alice-ng',
        },
      },
    });
  });

  it('names the email an IAM Identity Center session carries', () => {
    // Prepare
    const identity = assumedRoleIdentity(
      'AWSReservedSSO_MLEngineer_0123456789abcdef',
      'alice@example.com'
    );

    // Act
    const result = parseCreateTrainingJobCall(createTrainingJobCall({ userIdentity: identity }));

    // Assess
    expect(result.ok && result.call.caller.principal).toBe('alice@example.com');
  });

  it('rejects a call that failed, quoting the error code', () => {
    // Prepare
    const input = createTrainingJobCall({
      detail: {
        errorCode: 'ResourceLimitExceeded',
        errorMessage: 'The account-level service limit for ml.p4d.24xlarge is 0 Instances',
        responseElements: null,
      },
    });

    // Act
    const result = parseCreateTrainingJobCall(input);

    // Assess
    expect(result).toEqual({
      ok: false,
      reason: 'the call failed (ResourceLimitExceeded); no job was created',
    });
  });

  it.each([
    ['another SageMaker call', { eventName: 'UpdateTrainingJob' }],
    ['another service', { eventSource: 'ec2.amazonaws.com', eventName: 'RunInstances' }],
    ['a call with no event name', { eventName: undefined }],
  ])('rejects %s', (_label, detail) => {
    expect(parseCreateTrainingJobCall(createTrainingJobCall({ detail }))).toEqual({
      ok: false,
      reason: 'not a sagemaker.amazonaws.com CreateTrainingJob call',
    });
  });

  it.each([
    ['null response elements', { responseElements: null }],
    ['no trainingJobArn', { responseElements: {} }],
    [
      'an ARN of another resource',
      {
        responseElements: { trainingJobArn: 'arn:aws:sagemaker:us-east-1:111122223333:endpoint/x' },
      },
    ],
    ['a non-string ARN', { responseElements: { trainingJobArn: 7 } }],
  ])('rejects a call with %s, naming the field', (_label, detail) => {
    expect(parseCreateTrainingJobCall(createTrainingJobCall({ detail }))).toEqual({
      ok: false,
      reason: 'detail.responseElements.trainingJobArn is missing',
    });
  });

  it.each([
    [
      'a root identity',
      { type: 'Root', arn: 'arn:aws:iam::111122223333:root', accountId: '111122223333' },
    ],
    ['an AWS service', { type: 'AWSService', invokedBy: 'sagemaker.amazonaws.com' }],
    ['an IAM user without a user name', { ...IAM_USER_IDENTITY, userName: undefined }],
    ['an IAM user without an ARN', { ...IAM_USER_IDENTITY, arn: undefined }],
    [
      'an assumed role without a session',
      { type: 'AssumedRole', arn: 'arn:aws:sts::111122223333:assumed-role/Role' },
    ],
    ['no identity', undefined],
  ])('rejects a call made by %s', (_label, userIdentity) => {
    expect(parseCreateTrainingJobCall(createTrainingJobCall({ detail: { userIdentity } }))).toEqual(
      { ok: false, reason: 'detail.userIdentity names no IAM user or role session' }
    );
  });

  it.each([
    ['null', null],
    ['an event without detail', { 'detail-type': 'AWS API Call via CloudTrail' }],
    ['an event whose detail is a string', { detail: 'CreateTrainingJob' }],
  ])('rejects %s', (_label, input) => {
    expect(parseCreateTrainingJobCall(input)).toEqual({
      ok: false,
      reason: 'event has no detail object',
    });
  });
});

describe('jobKey', () => {
  it('lower-cases the job ARN so CloudTrail and events agree whatever their case', () => {
    expect(jobKey('arn:aws:sagemaker:us-east-1:111122223333:training-job/ResNet-Sweep-017')).toBe(
      'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017'
    );
  });
});
