import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnResource,
  checkNoWildcards,
  checkServicePrincipals,
  type Template,
} from './template-checks.js';

const ROOT = join(import.meta.dirname, '..', '..');
// biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own placeholder, as written
const PARTITION = '${AWS::Partition}';

/** `serverless package --config serverless.member.yml`, offline, no credentials, in a temp folder. */
async function packageMember(args: readonly string[]): Promise<Template> {
  const service = await mkdtemp(join(tmpdir(), 'warden-member-'));
  try {
    await copyFile(join(ROOT, 'serverless.member.yml'), join(service, 'serverless.member.yml'));
    const {
      AWS_ACCESS_KEY_ID: _id,
      AWS_SECRET_ACCESS_KEY: _secret,
      AWS_SESSION_TOKEN: _token,
      AWS_PROFILE: _profile,
      ...env
    } = process.env;
    const out = join(service, 'package');
    await promisify(execFile)(
      process.execPath,
      [
        join(ROOT, 'node_modules', '.bin', 'serverless'),
        'package',
        '--config',
        'serverless.member.yml',
        '--package',
        out,
        ...args,
      ],
      {
        cwd: service,
        env: {
          ...env,
          AWS_CONFIG_FILE: join(service, 'no-aws-config'),
          AWS_SHARED_CREDENTIALS_FILE: join(service, 'no-aws-credentials'),
        },
        timeout: 60_000,
      }
    );
    const text = await readFile(join(out, 'cloudformation-template-update-stack.json'), 'utf8');
    return JSON.parse(text) as Template;
  } finally {
    await rm(service, { recursive: true, force: true });
  }
}

function resource(template: Template, id: string): CfnResource {
  const found = template.Resources[id];
  if (found === undefined) throw new Error(`the member template has no ${id}`);
  return found;
}

function conditionsOf(t: Template): Record<string, unknown> {
  return (t as Template & { Conditions?: Record<string, unknown> }).Conditions ?? {};
}

let template: Template;

beforeAll(async () => {
  template = await packageMember([
    '--region',
    'eu-west-1',
    '--stage',
    'prod',
    '--param=hubAccount=111122223333',
    '--param=hubRegion=us-east-1',
    '--param=externalId=pool-warden-research-7f3a',
  ]);
}, 90_000);

describe('the member stack (serverless.member.yml)', () => {
  it('forwards SageMaker job state changes and the CreateTrainingJob and UpdateTrainingJob calls to the hub’s default bus', () => {
    // Prepare
    const rules = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Events::Rule');

    // Assess
    expect(rules.map((r) => r.Properties?.EventPattern)).toEqual([
      { source: ['aws.sagemaker'], 'detail-type': ['SageMaker Training Job State Change'] },
      {
        source: ['aws.sagemaker'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['sagemaker.amazonaws.com'],
          eventName: ['CreateTrainingJob', 'UpdateTrainingJob'],
        },
      },
    ]);
    for (const rule of rules) {
      expect(rule.Properties?.Targets).toEqual([
        expect.objectContaining({
          Arn: 'arn:aws:events:us-east-1:111122223333:event-bus/default',
          RoleArn: { 'Fn::GetAtt': ['ForwardRole', 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['UndeliveredQueue', 'Arn'] } },
        }),
      ]);
    }
  });

  it('lets only the hub’s function roles assume the member role, with the external id', () => {
    // Prepare
    const trust = resource(template, 'HubRole').Properties?.AssumeRolePolicyDocument as {
      Statement: Record<string, unknown>[];
    };

    // Assess
    expect(resource(template, 'HubRole').Properties?.RoleName).toBe('pool-warden-member-eu-west-1');
    expect(trust.Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: { 'Fn::Sub': `arn:${PARTITION}:iam::111122223333:root` } },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'sts:ExternalId': 'pool-warden-research-7f3a' },
          ArnLike: {
            'aws:PrincipalArn': {
              'Fn::Sub': `arn:${PARTITION}:iam::111122223333:role/pool-warden-prod-us-east-1-*`,
            },
          },
        },
      },
    ]);
  });

  it('allows the hub only to describe, list, read tags of and update training jobs', () => {
    // Prepare
    const policies = resource(template, 'HubRole').Properties?.Policies as {
      PolicyDocument: { Statement: { Action: string | string[] }[] };
    }[];

    // Act
    const actions = policies.flatMap((p) => p.PolicyDocument.Statement.flatMap((s) => s.Action));

    // Assess
    expect(actions.sort()).toEqual([
      'sagemaker:DescribeTrainingJob',
      'sagemaker:ListTags',
      'sagemaker:ListTrainingJobs',
      'sagemaker:UpdateTrainingJob',
    ]);
  });

  it('has no wildcard beyond ListTrainingJobs, and conditions every service it admits', () => {
    expect([...checkNoWildcards(template), ...checkServicePrincipals(template)]).toEqual([]);
  });

  it('refuses to deploy without a hub account and an external id', async () => {
    // Act
    const bare = await packageMember([]);

    // Assess: the wait condition that fails the stack exists exactly when a parameter is missing
    expect(resource(bare, 'ParametersCheck').Condition).toBe('NoHub');
    expect(conditionsOf(bare).NoHub).toEqual({
      'Fn::Or': [{ 'Fn::Equals': ['000000000000', '000000000000'] }, { 'Fn::Equals': ['', ''] }],
    });
    expect(conditionsOf(template).NoHub).toEqual({
      'Fn::Or': [
        { 'Fn::Equals': ['111122223333', '000000000000'] },
        { 'Fn::Equals': ['pool-warden-research-7f3a', ''] },
      ],
    });
  }, 60_000);
});
