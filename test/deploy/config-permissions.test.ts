import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_ACCOUNTS_YAML } from '../helpers/factories.js';
import { packageOffline } from './package-offline.js';
import {
  checkFunctionActions,
  checkFunctionNeeds,
  checkNoWildcards,
  grantedActions,
  resourcesOf,
  type Template,
} from './template-checks.js';

/** SES from a subdomain, through a configuration set, and two members, one with its own role. */
const SES_AND_MEMBERS_YAML = `
notices:
  emailFrom: Pool Warden <pool-warden@ml.example.com>
  email:
    transport: ses
    configurationSet: pool-warden
${MEMBER_ACCOUNTS_YAML}    - id: '777788889999'
      name: vision
      roleName: vision-warden
      externalId: pool-warden-vision-2c9d
      regions: [us-east-1]
`;

const SES_HERE = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}`;
const IAM = `arn:\${AWS::Partition}:iam:`;
const FUNCTIONS_ON_JOBS = [
  'JobStateChangeLambdaFunction',
  'PoolIntakeLambdaFunction',
  'EvaluatePoolsLambdaFunction',
  'ActionsLambdaFunction',
  'ReconcilePoolsLambdaFunction',
];
/** Every call of the functions that send no email: no SES among them. */
const NO_SES_ELSEWHERE = Object.fromEntries(
  [
    'PoolIntakeLambdaFunction',
    'ActionsLambdaFunction',
    'ReconcilePoolsLambdaFunction',
    'RecordJobCallerLambdaFunction',
  ].map((fn) => [
    fn,
    [
      'sts:AssumeRole',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'sagemaker:DescribeTrainingJob',
      'sagemaker:ListTags',
      'sagemaker:UpdateTrainingJob',
      'sagemaker:ListTrainingJobs',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:Query',
      'sqs:ReceiveMessage',
      'sqs:DeleteMessage',
      'sqs:GetQueueAttributes',
      'sqs:SendMessage',
      'secretsmanager:GetSecretValue',
      'events:PutEvents',
    ],
  ])
);

let template: Template;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-config-permissions-'));
  const config = join(dir, 'warden.config.yaml');
  await writeFile(config, `${await readFile('warden.config.yaml', 'utf8')}${SES_AND_MEMBERS_YAML}`);
  template = await packageOffline([], { configFile: config });
}, 180_000);

/**
 * The stack grants what the packaged config makes the functions do, read from the same file as
 * the bundles' config: email by SES rather than the topic, and the member roles listed.
 */
describe('a stack packaged with SES and member accounts', () => {
  it('lets the finish notice and the evaluator send as emailFrom’s identities, and nothing else', () => {
    // Act
    const needs = checkFunctionNeeds(template, {
      JobStateChangeLambdaFunction: [{ action: 'ses:SendEmail', on: 'identity/ml.example.com' }],
      EvaluatePoolsLambdaFunction: [{ action: 'ses:SendEmail', on: 'identity/ml.example.com' }],
    });
    const granted = grantedActions(template);

    // Assess
    expect(needs).toEqual([]);
    expect(granted.get('ses:SendEmail')?.sort()).toEqual([
      `${SES_HERE}:configuration-set/*`,
      `${SES_HERE}:identity/example.com`,
      `${SES_HERE}:identity/ml.example.com`,
      `${SES_HERE}:identity/pool-warden@ml.example.com`,
    ]);
    expect(checkFunctionActions(template, NO_SES_ELSEWHERE)).toEqual([]);
    expect(checkNoWildcards(template)).toEqual([]);
  });

  it('grants no SNS call, and turns off the hourly subscription check', () => {
    // Act
    const sns = [...grantedActions(template).keys()].filter((a) => a.startsWith('sns:'));
    const hourly = resourcesOf(template, 'AWS::Events::Rule').filter(
      ([, p]) => p.ScheduleExpression === 'rate(1 hour)'
    );

    // Assess
    expect(sns).toEqual([]);
    expect(hourly.map(([, p]) => p.State)).toEqual(['DISABLED']);
  });

  it('lets each function on jobs assume the member roles the config lists, and nothing else', () => {
    // Act
    const needs = checkFunctionNeeds(
      template,
      Object.fromEntries(
        FUNCTIONS_ON_JOBS.map((fn) => [fn, [{ action: 'sts:AssumeRole', on: 'vision-warden-*' }]])
      )
    );

    // Assess
    expect(needs).toEqual([]);
    expect(grantedActions(template).get('sts:AssumeRole')).toEqual([
      `${IAM}:444455556666:role/pool-warden-member-*`,
      `${IAM}:777788889999:role/vision-warden-*`,
    ]);
  });

  it('admits the member accounts’ SageMaker events to the default bus, and no other account’s', () => {
    // Act
    const statement = template.Resources.MemberEventsPolicy?.Properties?.Statement as {
      Principal: { AWS: unknown };
      Condition: unknown;
    };

    // Assess
    expect(statement.Principal.AWS).toEqual({
      'Fn::Split': [',', '444455556666,777788889999'],
    });
    expect(statement.Condition).toEqual({ StringEquals: { 'events:source': 'aws.sagemaker' } });
  });
});

describe('packaging the hub', () => {
  it('refuses a stage whose role names IAM would refuse mid-deploy, saying how long it may be', async () => {
    // Act
    const stage = 'a'.repeat(33);
    const failure = await packageOffline(['--stage', stage, '--region', 'us-east-1']).then(
      () => 'packaged',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`
    );

    // Assess
    expect(failure).toContain(
      `stage "${stage}" is too long: the role pool-warden-${stage}-us-east-1-reconcile would be 65 characters, and IAM takes 64; in us-east-1 a stage may have at most 32`
    );
  }, 60_000);

  it('refuses the retired --param memberAccounts, naming where the accounts now come from', async () => {
    // Act
    const failure = await packageOffline(['--param=memberAccounts=444455556666']).then(
      () => 'packaged',
      (error: { stdout?: string; stderr?: string }) => `${error.stdout}${error.stderr}`
    );

    // Assess
    expect(failure).toMatch(
      /--param memberAccounts is no longer read: the member accounts and their role name come from accounts: in the config/
    );
  }, 60_000);
});
