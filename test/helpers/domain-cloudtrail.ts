/**
 * "AWS API Call via CloudTrail" events for SageMaker CreateTrainingJob, as EventBridge delivers
 * them, with the three caller identities Pool Warden meets in practice.
 */

const ACCOUNT = '111122223333';

/** A developer with long-term IAM user keys. */
const IAM_USER_IDENTITY = {
  type: 'IAMUser',
  principalId: 'AIDACKCEVSQ6C2EXAMPLE',
  arn: `arn:aws:iam::${ACCOUNT}:user/alice`,
  accountId: ACCOUNT,
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  userName: 'alice',
};

/** An assumed-role session: `session` is the last ARN segment (a Studio profile, an SSO email). */
function assumedRoleIdentity(role: string, session: string): Record<string, unknown> {
  return {
    type: 'AssumedRole',
    principalId: `AROACKCEVSQ6C2EXAMPLE:${session}`,
    arn: `arn:aws:sts::${ACCOUNT}:assumed-role/${role}/${session}`,
    accountId: ACCOUNT,
    accessKeyId: 'ASIAIOSFODNN7EXAMPLE',
    sessionContext: {
      sessionIssuer: {
        type: 'Role',
        principalId: 'AROACKCEVSQ6C2EXAMPLE',
        arn: `arn:aws:iam::${ACCOUNT}:role/${role}`,
        accountId: ACCOUNT,
        userName: role,
      },
      attributes: { creationDate: '2026-11-26T08:55:02Z', mfaAuthenticated: 'false' },
    },
  };
}

interface CallOptions {
  readonly jobName?: string;
  readonly userIdentity?: Record<string, unknown>;
  readonly detail?: Record<string, unknown>;
}

/** A successful CreateTrainingJob call by alice's IAM user; `detail` entries are merged over it. */
function createTrainingJobCall(options: CallOptions = {}): Record<string, unknown> {
  const jobName = options.jobName ?? 'resnet-sweep-017';
  return {
    version: '0',
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': 'AWS API Call via CloudTrail',
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: '2026-11-26T09:00:00Z',
    region: 'us-east-1',
    resources: [],
    detail: {
      eventVersion: '1.09',
      userIdentity: options.userIdentity ?? IAM_USER_IDENTITY,
      eventTime: '2026-11-26T09:00:00Z',
      eventSource: 'sagemaker.amazonaws.com',
      eventName: 'CreateTrainingJob',
      awsRegion: 'us-east-1',
      sourceIPAddress: '203.0.113.10',
      userAgent: 'Boto3/1.40.0 md/Botocore#1.40.0 ua/2.1 os/linux lang/python#3.12.3',
      requestParameters: {
        trainingJobName: jobName,
        roleArn: `arn:aws:iam::${ACCOUNT}:role/VisionTraining`,
        resourceConfig: {
          instanceType: 'ml.g5.2xlarge',
          instanceCount: 1,
          volumeSizeInGB: 100,
          keepAlivePeriodInSeconds: 1800,
        },
      },
      responseElements: {
        trainingJobArn: `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${jobName}`,
      },
      requestID: 'b1f6f7a3-3c1e-4a4c-9a53-0e6f0d3c9b1a',
      eventID: 'e3f9d6a2-9b8c-4f0e-8a57-6f1f2b3c4d5e',
      readOnly: false,
      eventType: 'AwsApiCall',
      managementEvent: true,
      recipientAccountId: ACCOUNT,
      eventCategory: 'Management',
      ...options.detail,
    },
  };
}

export { assumedRoleIdentity, createTrainingJobCall, IAM_USER_IDENTITY };
