import { beforeAll, describe, expect, it } from 'vitest';
import type { MetricName } from '../../src/domain/ports/metrics.js';
import { packageOffline } from './package-offline.js';
import {
  checkAlarmActions,
  checkDashboard,
  checkFunctionActions,
  checkFunctionRoles,
  checkLogRetention,
  checkNoWildcards,
  checkRequiredAlarms,
  checkSecretArns,
  checkServicePrincipals,
  functionIds,
  type Template,
} from './template-checks.js';

const LOGS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
const TABLE = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query'];
const DESCRIBE = ['sagemaker:DescribeTrainingJob', 'sagemaker:ListTags'];
/** Parking a failed event, and reading a buffer queue (partial batch responses). */
const QUEUES = [
  'sqs:SendMessage',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:GetQueueAttributes',
  'sqs:ChangeMessageVisibility',
];
/** A member account's role, for SageMaker calls on that account's jobs. */
const MEMBER = ['sts:AssumeRole'];
const NOTICES = [
  'sns:Publish',
  'sns:ListSubscriptionsByTopic',
  'sns:GetSubscriptionAttributes',
  'ses:SendEmail',
  'secretsmanager:GetSecretValue',
];

/**
 * The most each function's role may allow: the calls its code makes (and those the deployment
 * issue adds: buffer queues, member roles). The CloudTrail recorder, say, never reads the Slack
 * secret or publishes to SNS.
 */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  JobStateChangeLambdaFunction: [...LOGS, ...DESCRIBE, ...TABLE, ...NOTICES, ...QUEUES, ...MEMBER],
  RecordJobCallerLambdaFunction: [...LOGS, 'dynamodb:PutItem', ...QUEUES],
  PoolIntakeLambdaFunction: [...LOGS, ...DESCRIBE, ...TABLE, ...QUEUES, ...MEMBER],
  EvaluatePoolsLambdaFunction: [
    ...LOGS,
    ...DESCRIBE,
    'sagemaker:UpdateTrainingJob',
    ...TABLE,
    ...NOTICES,
    'events:PutEvents',
    ...MEMBER,
  ],
  ReconcilePoolsLambdaFunction: [
    ...LOGS,
    ...DESCRIBE,
    'sagemaker:ListTrainingJobs',
    ...TABLE,
    ...MEMBER,
  ],
};

/** Warden's counts an operator must hear about at once (typed: a renamed metric fails here). */
const PAGING_METRICS: readonly MetricName[] = ['ChannelFailedPermanent', 'ActionStoppedByBreaker'];

/** What the dashboard must chart (issue 8, "Operators can see it"). */
const DASHBOARD_METRICS: readonly MetricName[] = [
  'NoticeSent',
  'ChannelFailedPermanent',
  'ChannelFailedRetried',
  'EventRejected',
  'PoolDecision',
  'PoolAction',
  'PoolTracked',
  'IdleUsdReleased',
  'ActionStoppedByBreaker',
  'ActionSkippedDryRun',
  'BreakerTripped',
  'PoolActionFailed',
  'PoolEnded',
  'PoolEvaluationFailed',
];

/** A deep copy to break on purpose. */
function copyOf(template: Template): Template {
  return structuredClone(template);
}

function inlineStatements(template: Template, role: string): Record<string, unknown>[] {
  const policies = template.Resources[role]?.Properties?.Policies as {
    PolicyDocument: { Statement: Record<string, unknown>[] };
  }[];
  const [first] = policies;
  if (first === undefined) throw new Error(`${role} has no inline policy`);
  return first.PolicyDocument.Statement;
}

let template: Template;

beforeAll(async () => {
  template = await packageOffline();
}, 180_000);

describe('the packaged CloudFormation template', () => {
  describe('least privilege', () => {
    it('gives every function a role of its own, for Lambda only, logging to its own group', () => {
      expect(functionIds(template).length).toBeGreaterThanOrEqual(5);
      expect(checkFunctionRoles(template)).toEqual([]);
    });

    it('has no wildcard action, and "*" resources only for calls that take no resource', () => {
      expect(checkNoWildcards(template)).toEqual([]);
    });

    it('allows each function only the calls its code makes', () => {
      expect(checkFunctionActions(template, ALLOWED)).toEqual([]);
    });

    it('names secrets by ARNs ending in -??????', () => {
      expect(checkSecretArns(template)).toEqual([]);
    });

    it('conditions every AWS service a queue, topic or function admits on its source', () => {
      expect(checkServicePrincipals(template)).toEqual([]);
    });
  });

  describe('operations', () => {
    it('sends every alarm to the ops topic', () => {
      expect(checkAlarmActions(template, 'OpsTopic')).toEqual([]);
    });

    it('alarms on function errors, failed events, old messages and what must page someone', () => {
      expect(checkRequiredAlarms(template, 'PoolWarden', PAGING_METRICS)).toEqual([]);
    });

    it('keeps each function’s logs for a set number of days', () => {
      expect(checkLogRetention(template)).toEqual([]);
    });

    it('has a dashboard of notices, failures, decisions, actions, pools, dollars and functions', () => {
      expect(checkDashboard(template, DASHBOARD_METRICS)).toEqual([]);
    });
  });

  describe('fails, naming the resource, when', () => {
    it('a role gains a wildcard action', () => {
      // Prepare
      const broken = copyOf(template);
      inlineStatements(broken, 'RecordJobCallerRole').push({
        Effect: 'Allow',
        Action: 'sagemaker:*',
        Resource: '*',
      });

      // Act
      const problems = checkNoWildcards(broken);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(/^RecordJobCallerRole .*wildcard action "sagemaker:\*"/),
        expect.stringMatching(/^RecordJobCallerRole .*Resource "\*" for sagemaker:\*/),
      ]);
    });

    it('a function is allowed a call it never makes', () => {
      // Prepare
      const broken = copyOf(template);
      inlineStatements(broken, 'RecordJobCallerRole').push({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource:
          'arn:aws:secretsmanager:us-east-1:111122223333:secret:pool-warden/dev/slack-??????',
      });

      // Act
      const problems = checkFunctionActions(broken, ALLOWED);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(/^RecordJobCallerRole .*secretsmanager:GetSecretValue/),
      ]);
    });

    it('a secret ARN ends in -*', () => {
      // Prepare
      const broken = copyOf(template);
      inlineStatements(broken, 'EvaluatePoolsRole').push({
        Effect: 'Allow',
        Action: 'secretsmanager:GetSecretValue',
        Resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:pool-warden/dev/slack-*',
      });

      // Act
      const problems = checkSecretArns(broken);

      // Assess
      expect(problems).toEqual([expect.stringMatching(/^EvaluatePoolsRole .*slack-\*/)]);
    });

    it('a queue policy admits a service without a source condition', () => {
      // Prepare
      const broken = copyOf(template);
      const policy = broken.Resources.FailedEventsQueuePolicy?.Properties?.PolicyDocument as {
        Statement: Record<string, unknown>[];
      };
      for (const statement of policy.Statement) delete statement.Condition;

      // Act
      const problems = checkServicePrincipals(broken);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(/^FailedEventsQueuePolicy .*events\.amazonaws\.com/),
      ]);
    });

    it('an alarm goes nowhere, or a function has no errors alarm', () => {
      // Prepare
      const broken = copyOf(template);
      const breaker = broken.Resources.ActionStoppedByBreakerAlarm?.Properties ?? {};
      breaker.AlarmActions = [];
      delete broken.Resources.PoolIntakeErrorsAlarm;

      // Act
      const actions = checkAlarmActions(broken, 'OpsTopic');
      const required = checkRequiredAlarms(broken, 'PoolWarden', PAGING_METRICS);

      // Assess
      expect(actions).toEqual([expect.stringMatching(/^ActionStoppedByBreakerAlarm: /)]);
      expect(required).toEqual([expect.stringMatching(/^PoolIntakeLambdaFunction: no alarm/)]);
    });

    it('a dead-letter queue has no alarm when it is not empty', () => {
      // Prepare
      const broken = copyOf(template);
      delete broken.Resources.FailedEventsQueueNotEmptyAlarm;

      // Act
      const problems = checkRequiredAlarms(broken, 'PoolWarden', PAGING_METRICS);

      // Assess
      expect(problems).toEqual([expect.stringMatching(/^FailedEventsQueue: a dead-letter queue/)]);
    });
  });
});
