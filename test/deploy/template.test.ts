import { beforeAll, describe, expect, it } from 'vitest';
import { newPoolsStreamEvent } from '../../src/adapters/aws/pool-stream.js';
import type { MetricName } from '../../src/domain/ports/metrics.js';
import { createTrainingJobCall } from '../helpers/domain-cloudtrail.js';
import {
  AWS_DOCS_SAMPLE,
  fixture,
  SYNTHETIC_FAILED,
  SYNTHETIC_IN_PROGRESS,
  stateChangeEvent,
} from '../helpers/factories.js';
import { checkEnvironmentSecrets, checkTables } from './data-checks.js';
import {
  checkDeadLetterTargets,
  checkEventRouting,
  type Routing,
  type SampleEvent,
} from './delivery-checks.js';
import { matchesPattern } from './event-pattern.js';
import { packageOffline } from './package-offline.js';
import {
  checkAlarmActions,
  checkDashboard,
  checkFunctionActions,
  checkFunctionNeeds,
  checkFunctionRoles,
  checkLogRetention,
  checkNoWildcards,
  checkRequiredAlarms,
  checkSecretArns,
  checkServicePrincipals,
  conditionHolds,
  functionIds,
  grantedActions,
  refTarget,
  resourcesOf,
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
/** Reading the table's stream, as Lambda's poller does for a stream trigger. */
const STREAM = [
  'dynamodb:DescribeStream',
  'dynamodb:GetRecords',
  'dynamodb:GetShardIterator',
  'dynamodb:ListStreams',
];
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
    ...STREAM,
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
  // A click describes and updates one pool, claims its nonce (given back when the update
  // fails), hands Slack work to itself through the bus, and checks the topic's subscriptions.
  ActionsLambdaFunction: [
    ...LOGS,
    'sagemaker:DescribeTrainingJob',
    'sagemaker:UpdateTrainingJob',
    ...TABLE,
    'dynamodb:DeleteItem',
    'secretsmanager:GetSecretValue',
    'events:PutEvents',
    'sqs:SendMessage',
    'sns:ListSubscriptionsByTopic',
    'sns:GetSubscriptionAttributes',
    ...MEMBER,
  ],
};

/**
 * The least each function's role must allow with the config in this folder (email through the
 * SNS topic, no member accounts): a call missing here fails only in production, as AccessDenied.
 */
const NEEDED: Readonly<Record<string, readonly { action: string; on?: string }[]>> = {
  JobStateChangeLambdaFunction: [
    { action: 'sagemaker:DescribeTrainingJob', on: ':training-job/' },
    { action: 'sagemaker:ListTags', on: ':training-job/' },
    { action: 'dynamodb:GetItem', on: 'WardenTable' },
    { action: 'dynamodb:PutItem', on: 'WardenTable' },
    { action: 'dynamodb:UpdateItem', on: 'WardenTable' },
    { action: 'sns:Publish', on: 'NoticeEmailTopic' },
    { action: 'sns:ListSubscriptionsByTopic', on: 'NoticeEmailTopic' },
    { action: 'sns:GetSubscriptionAttributes' },
    { action: 'secretsmanager:GetSecretValue', on: ':secret:pool-warden/' },
    { action: 'sqs:ReceiveMessage', on: 'NoticeQueue' },
  ],
  RecordJobCallerLambdaFunction: [{ action: 'dynamodb:PutItem', on: 'WardenTable' }],
  PoolIntakeLambdaFunction: [
    { action: 'sagemaker:DescribeTrainingJob', on: ':training-job/' },
    { action: 'dynamodb:Query', on: '/index/' },
    { action: 'sqs:ReceiveMessage', on: 'IntakeQueue' },
  ],
  EvaluatePoolsLambdaFunction: [
    { action: 'sagemaker:DescribeTrainingJob', on: ':training-job/' },
    { action: 'sagemaker:UpdateTrainingJob', on: ':training-job/' },
    { action: 'dynamodb:Query', on: '/index/' },
    { action: 'dynamodb:GetRecords', on: 'WardenTable' },
    { action: 'sns:Publish', on: 'NoticeEmailTopic' },
    { action: 'secretsmanager:GetSecretValue', on: ':secret:pool-warden/' },
    { action: 'events:PutEvents', on: 'event-bus/default' },
  ],
  ReconcilePoolsLambdaFunction: [
    { action: 'sagemaker:ListTrainingJobs' },
    { action: 'dynamodb:Query', on: '/index/' },
  ],
  ActionsLambdaFunction: [
    { action: 'sagemaker:UpdateTrainingJob', on: ':training-job/' },
    { action: 'dynamodb:DeleteItem', on: 'WardenTable' },
    { action: 'events:PutEvents', on: 'event-bus/default' },
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

/** Events as EventBridge delivers them: what SageMaker and CloudTrail send, and look-alikes. */
const EVENTS = {
  completed: { name: 'a Completed state change', event: fixture(AWS_DOCS_SAMPLE) },
  failed: { name: 'a Failed state change', event: fixture(SYNTHETIC_FAILED) },
  stopped: { name: 'a Stopped state change', event: stateChangeEvent({ status: 'Stopped' }) },
  inProgress: { name: 'an InProgress state change', event: fixture(SYNTHETIC_IN_PROGRESS) },
  created: { name: 'a CreateTrainingJob call', event: createTrainingJobCall() },
  updated: {
    name: 'an UpdateTrainingJob call',
    event: createTrainingJobCall({ detail: { eventName: 'UpdateTrainingJob' } }),
  },
  otherCall: {
    name: 'a CreateEndpoint call',
    event: createTrainingJobCall({ detail: { eventName: 'CreateEndpoint' } }),
  },
  lookAlike: {
    name: 'a custom event shaped like a state change',
    event: { ...stateChangeEvent(), source: 'custom.sagemaker' },
  },
} satisfies Record<string, SampleEvent>;

const NO_EVENTS: Routing = { receives: [], ignores: Object.values(EVENTS) };

/**
 * Which function each event must reach (directly or through a queue) and which must never see
 * it. The intake's list of ignored events leaves CreateTrainingJob open: submit times may feed
 * the gap history.
 */
const ROUTING: Readonly<Record<string, Routing>> = {
  JobStateChangeLambdaFunction: {
    receives: [EVENTS.completed, EVENTS.failed, EVENTS.stopped],
    ignores: [
      EVENTS.inProgress,
      EVENTS.created,
      EVENTS.updated,
      EVENTS.otherCall,
      EVENTS.lookAlike,
    ],
  },
  RecordJobCallerLambdaFunction: {
    receives: [EVENTS.created],
    ignores: [
      EVENTS.completed,
      EVENTS.inProgress,
      EVENTS.updated,
      EVENTS.otherCall,
      EVENTS.lookAlike,
    ],
  },
  PoolIntakeLambdaFunction: {
    receives: [EVENTS.completed, EVENTS.failed, EVENTS.stopped, EVENTS.inProgress, EVENTS.updated],
    ignores: [EVENTS.otherCall, EVENTS.lookAlike],
  },
  EvaluatePoolsLambdaFunction: NO_EVENTS,
  ReconcilePoolsLambdaFunction: NO_EVENTS,
  ActionsLambdaFunction: NO_EVENTS,
};

/** The attribute the DynamoDB adapters write expiry times to. */
const TTL_ATTRIBUTE = 'ttl';

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

/** The rules whose pattern matches `event`, with their properties (to break in a copy). */
function rulesMatching(template: Template, event: SampleEvent): Record<string, unknown>[] {
  return resourcesOf(template, 'AWS::Events::Rule')
    .filter(([, props]) => props.EventPattern !== undefined)
    .filter(([, props]) => matchesPattern(props.EventPattern, event.event))
    .map(([, props]) => props);
}

let template: Template;

/**
 * What `check` finds in `broken` beyond what it finds in the packaged template, so a break
 * shows its own message even while the stack itself has a finding (reported above).
 */
function added(check: (t: Template) => string[], broken: Template): string[] {
  const before = new Set(check(template));
  return check(broken).filter((problem) => !before.has(problem));
}

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

    it('allows each function at least the calls its code makes with this config', () => {
      expect(checkFunctionNeeds(template, NEEDED)).toEqual([]);
    });

    it('grants no SES sending, no member role and no subscription check the config does not need', () => {
      const granted = grantedActions(template);
      const hourly = resourcesOf(template, 'AWS::Events::Rule').filter(
        ([, p]) => p.ScheduleExpression === 'rate(1 hour)'
      );
      expect(granted.get('ses:SendEmail')).toBeUndefined();
      expect(granted.get('sts:AssumeRole')).toBeUndefined();
      // No action links, so no topic subscription can receive someone else's
      expect(
        checkFunctionNeeds(template, {
          ActionsLambdaFunction: [{ action: 'sns:ListSubscriptionsByTopic' }],
        })
      ).toEqual(['ActionsLambdaFunction: may not call sns:ListSubscriptionsByTopic']);
      expect(hourly.map(([, p]) => p.State)).toEqual(['DISABLED']);
      expect(template.Resources.MemberEventsPolicy?.Condition).toBe('HasMemberAccounts');
      expect(conditionHolds(template, 'HasMemberAccounts')).toBe(false);
    });

    it('names secrets by ARNs ending in -??????', () => {
      expect(checkSecretArns(template)).toEqual([]);
    });

    it('conditions every AWS service a queue, topic or function admits on its source', () => {
      expect(checkServicePrincipals(template)).toEqual([]);
    });
  });

  describe('delivery', () => {
    it('routes each SageMaker event to the functions that handle it, and to no other', () => {
      expect(checkEventRouting(template, ROUTING)).toEqual([]);
    });

    it('gives every asynchronously invoked function and every queue a dead-letter target', () => {
      expect(checkDeadLetterTargets(template)).toEqual([]);
    });
  });

  describe('data', () => {
    it('expires items by TTL, keeps point-in-time recovery on, and retains the table', () => {
      expect(checkTables(template, TTL_ATTRIBUTE)).toEqual([]);
    });

    it('keeps every secret out of every function’s environment', () => {
      expect(checkEnvironmentSecrets(template)).toEqual([]);
    });

    it('wakes the evaluator, and only it, for new pool items on the table’s stream', () => {
      // Prepare: what the stream carries when the intake tracks a pool, updates it, or learns a gap
      const table = template.Resources.WardenTable?.Properties ?? {};
      const mappings = resourcesOf(template, 'AWS::Lambda::EventSourceMapping').filter(
        ([, p]) =>
          JSON.stringify(p.EventSourceArn) ===
          JSON.stringify({ 'Fn::GetAtt': ['WardenTable', 'StreamArn'] })
      );
      const [record] = (
        newPoolsStreamEvent([
          { jobArn: 'arn:aws:sagemaker:us-east-1:1:training-job/a', creationTime: 1 },
        ]) as {
          Records: Record<string, unknown>[];
        }
      ).Records;
      const modified = { ...record, eventName: 'MODIFY' };
      const history = {
        ...record,
        dynamodb: { Keys: { pk: { S: 'KEY#k' }, sk: { S: 'HISTORY' } } },
      };

      // Act
      const filters = mappings.flatMap(([, p]) =>
        ((p.FilterCriteria as { Filters?: { Pattern: string }[] } | undefined)?.Filters ?? []).map(
          (f) => JSON.parse(f.Pattern) as Record<string, unknown>
        )
      );

      // Assess
      expect(table.StreamSpecification).toEqual({ StreamViewType: 'KEYS_ONLY' });
      expect(mappings.map(([, p]) => p.FunctionName)).toEqual([
        { 'Fn::GetAtt': ['EvaluatePoolsLambdaFunction', 'Arn'] },
      ]);
      expect(filters).toHaveLength(1);
      expect(filters.map((f) => matchesPattern(f, record))).toEqual([true]);
      expect(filters.map((f) => matchesPattern(f, modified))).toEqual([false]);
      expect(filters.map((f) => matchesPattern(f, history))).toEqual([false]);
    });
  });

  describe('operations', () => {
    it('sends every alarm to the ops topic', () => {
      expect(checkAlarmActions(template, 'OpsTopic')).toEqual([]);
    });

    it('alarms on function errors, failed events, old messages and what must page someone', () => {
      expect(checkRequiredAlarms(template, 'PoolWarden', PAGING_METRICS)).toEqual([]);
    });

    it('throttles the public endpoint, and caps the concurrency its function may take', () => {
      // Act
      const [[, stage] = ['', {}]] = resourcesOf(template, 'AWS::ApiGatewayV2::Stage');
      const actions = template.Resources.ActionsLambdaFunction?.Properties ?? {};

      // Assess
      expect(stage.DefaultRouteSettings).toMatchObject({
        ThrottlingRateLimit: expect.any(Number),
        ThrottlingBurstLimit: expect.any(Number),
      });
      expect(actions.ReservedConcurrentExecutions).toBeGreaterThan(0);
    });

    it('drops an evaluator sweep throttled for a minute rather than queue it for hours', () => {
      // Act
      const configs = resourcesOf(template, 'AWS::Lambda::EventInvokeConfig').filter(
        ([, p]) => refTarget(p.FunctionName) === 'EvaluatePoolsLambdaFunction'
      );

      // Assess
      expect(configs.map(([, p]) => p.MaximumEventAgeInSeconds)).toEqual([60]);
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

    it('any role gains Action "*", or a queue policy a service wildcard', () => {
      // Prepare
      const broken = copyOf(template);
      const roles = resourcesOf(broken, 'AWS::IAM::Role').map(([id]) => id);
      for (const role of roles) {
        inlineStatements(broken, role).push({
          Effect: 'Allow',
          Action: '*',
          Resource: { 'Fn::GetAtt': ['WardenTable', 'Arn'] },
        });
      }
      const queuePolicy = resourcesOf(broken, 'AWS::SQS::QueuePolicy')[0]?.[1].PolicyDocument as {
        Statement: Record<string, unknown>[];
      };
      queuePolicy.Statement[0] = { ...queuePolicy.Statement[0], Action: 'sqs:*' };

      // Act
      const problems = added(checkNoWildcards, broken);

      // Assess
      expect(roles.length).toBeGreaterThanOrEqual(5);
      expect(problems).toEqual([
        ...roles.map((role) =>
          expect.stringMatching(new RegExp(`^${role} .*wildcard action "\\*"`))
        ),
        expect.stringMatching(/QueuePolicy \(PolicyDocument\): wildcard action "sqs:\*"/),
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

    it('a function lacks a call its code makes, as when the SNS policies are not created', () => {
      // Prepare: the conditions as a config choosing SES would leave them, with SNS's code
      const broken = copyOf(template) as Template & { Conditions: Record<string, unknown> };
      broken.Conditions.EmailBySns = { 'Fn::Equals': ['ses', 'sns'] };

      // Act
      const problems = checkFunctionNeeds(broken, NEEDED);

      // Assess
      expect(problems).toEqual([
        'JobStateChangeLambdaFunction: may not call sns:Publish on NoticeEmailTopic',
        'JobStateChangeLambdaFunction: may not call sns:ListSubscriptionsByTopic on NoticeEmailTopic',
        'JobStateChangeLambdaFunction: may not call sns:GetSubscriptionAttributes',
        'EvaluatePoolsLambdaFunction: may not call sns:Publish on NoticeEmailTopic',
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
      const actions = added((t: Template) => checkAlarmActions(t, 'OpsTopic'), broken);
      const required = added(
        (t: Template) => checkRequiredAlarms(t, 'PoolWarden', PAGING_METRICS),
        broken
      );

      // Assess
      expect(actions).toEqual([expect.stringMatching(/^ActionStoppedByBreakerAlarm: /)]);
      expect(required).toEqual([expect.stringMatching(/^PoolIntakeLambdaFunction: no alarm/)]);
    });

    it('a function reads a stream with no alarm on how far behind it reads', () => {
      // Prepare
      const broken = copyOf(template);
      delete broken.Resources.EvaluatePoolsStreamAgeAlarm;

      // Act
      const problems = added(
        (t: Template) => checkRequiredAlarms(t, 'PoolWarden', PAGING_METRICS),
        broken
      );

      // Assess
      expect(problems).toEqual([
        'EvaluatePoolsLambdaFunction: reads a stream with no alarm on its IteratorAge',
      ]);
    });

    it('a dead-letter queue has no alarm when it is not empty', () => {
      // Prepare
      const broken = copyOf(template);
      delete broken.Resources.FailedEventsQueueNotEmptyAlarm;

      // Act
      const problems = added(
        (t: Template) => checkRequiredAlarms(t, 'PoolWarden', PAGING_METRICS),
        broken
      );

      // Assess
      expect(problems).toEqual([expect.stringMatching(/^FailedEventsQueue: a dead-letter queue/)]);
    });

    it('a rule matches a misspelt CloudTrail event name', () => {
      // Prepare
      const broken = copyOf(template);
      const rules = rulesMatching(broken, EVENTS.created);
      for (const rule of rules) {
        const pattern = rule.EventPattern as { detail: { eventName: string[] } };
        pattern.detail.eventName = pattern.detail.eventName.map((name) =>
          name === 'CreateTrainingJob' ? 'CreateTrainingJobs' : name
        );
      }

      // Act
      const problems = added((t: Template) => checkEventRouting(t, ROUTING), broken);

      // Assess
      expect(rules.length).toBeGreaterThan(0);
      expect(problems).toEqual([
        'RecordJobCallerLambdaFunction: no rule delivers a CreateTrainingJob call to it',
      ]);
    });

    it('the finish-notice rule loses its status filter', () => {
      // Prepare
      const broken = copyOf(template);
      const rules = rulesMatching(broken, EVENTS.completed).filter(
        (rule) => !matchesPattern(rule.EventPattern, EVENTS.inProgress.event)
      );
      for (const rule of rules) delete (rule.EventPattern as { detail?: unknown }).detail;

      // Act
      const problems = added((t: Template) => checkEventRouting(t, ROUTING), broken);

      // Assess
      expect(rules.length).toBeGreaterThan(0);
      expect(problems).toEqual([
        expect.stringMatching(
          /^JobStateChangeLambdaFunction: \S+ delivers an InProgress state change, which it does not handle$/
        ),
      ]);
    });

    it('a rule invokes a function directly with nowhere for its failed events', () => {
      // Prepare
      const broken = copyOf(template);
      const [rule] = rulesMatching(broken, EVENTS.completed);
      const fn = 'JobStateChangeLambdaFunction';
      (rule?.Targets as Record<string, unknown>[])[0] = {
        Id: 'direct',
        Arn: { 'Fn::GetAtt': [fn, 'Arn'] },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] } },
      };
      for (const [id, props] of resourcesOf(broken, 'AWS::Lambda::EventInvokeConfig')) {
        if (refTarget(props.FunctionName) === fn) delete broken.Resources[id];
      }
      delete broken.Resources[fn]?.Properties?.DeadLetterConfig;
      const fixed = copyOf(broken);
      fixed.Resources.DirectInvokeConfig = {
        Type: 'AWS::Lambda::EventInvokeConfig',
        Properties: {
          FunctionName: { Ref: fn },
          Qualifier: '$LATEST',
          DestinationConfig: {
            OnFailure: { Destination: { 'Fn::GetAtt': ['FailedEventsQueue', 'Arn'] } },
          },
        },
      };

      // Act
      const problems = added(checkDeadLetterTargets, broken);
      const withDestination = added(checkDeadLetterTargets, fixed);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(
          /^JobStateChangeLambdaFunction: invoked asynchronously by \S+ with no on-failure destination/
        ),
      ]);
      expect(withDestination).toEqual([]);
    });

    it('a rule’s target has nowhere for the events it cannot deliver', () => {
      // Prepare: the Slack hand-off, whose target is the actions function
      const broken = copyOf(template);
      const [[id, rule] = ['', {}]] = resourcesOf(broken, 'AWS::Events::Rule').filter(([, p]) =>
        String(JSON.stringify(p.EventPattern)).includes('pool-warden.actions')
      );
      delete (rule.Targets as Record<string, unknown>[])[0]?.DeadLetterConfig;

      // Act
      const problems = added(checkDeadLetterTargets, broken);

      // Assess
      expect(problems).toEqual([
        `${id}: target ${(rule.Targets as { Id: string }[])[0]?.Id} has no dead-letter queue for events it cannot deliver`,
      ]);
    });

    it('a queue has no redrive policy, or its dead-letter queue forgets sooner', () => {
      // Prepare
      const broken = copyOf(template);
      const redriven = resourcesOf(broken, 'AWS::SQS::Queue').filter(
        ([, props]) => props.RedrivePolicy !== undefined
      );
      const [first, second] = redriven;
      if (first === undefined || second === undefined) throw new Error('two redriven queues');
      delete first[1].RedrivePolicy;
      const deadLetter = refTarget(
        (second[1].RedrivePolicy as { deadLetterTargetArn: unknown }).deadLetterTargetArn
      );
      const deadLetterProps = broken.Resources[deadLetter ?? '']?.Properties ?? {};
      deadLetterProps.MessageRetentionPeriod = 60;

      // Act
      const problems = added(checkDeadLetterTargets, broken);

      // Assess
      expect(problems).toEqual([
        `${first[0]}: no RedrivePolicy to a dead-letter queue of this stack`,
        `${deadLetter}: keeps messages for less time than ${second[0]}, whose dead letters it holds`,
      ]);
    });

    it('the table loses TTL or point-in-time recovery', () => {
      // Prepare
      const broken = copyOf(template);
      const table = broken.Resources.WardenTable?.Properties ?? {};
      delete table.PointInTimeRecoverySpecification;
      table.TimeToLiveSpecification = { AttributeName: 'expiresAt', Enabled: true };

      // Act
      const problems = added((t: Template) => checkTables(t, TTL_ATTRIBUTE), broken);

      // Assess
      expect(problems).toEqual([
        expect.stringMatching(/^WardenTable: TimeToLiveSpecification .* not enabled on "ttl"/),
        'WardenTable: point-in-time recovery is off',
      ]);
    });

    it('a function’s environment holds a token, a webhook or a literal password', () => {
      // Prepare
      const broken = copyOf(template);
      const environment = broken.Resources.RecordJobCallerLambdaFunction?.Properties
        ?.Environment as { Variables: Record<string, unknown> };
      Object.assign(environment.Variables, {
        SLACK_BOT: 'xoxb-1111-2222-abcdefghijkl',
        ALERTS: 'https://hooks.slack.com/services/T000/B000/XXXXXXXX',
        SIGNING_SECRET: 'hunter2',
        ACTION_TOKEN_SECRET_ARN: { Ref: 'ActionSecret' },
      });

      // Act
      const problems = added(checkEnvironmentSecrets, broken);

      // Assess
      expect(problems).toEqual([
        'RecordJobCallerLambdaFunction: environment variable SLACK_BOT holds a Slack token',
        'RecordJobCallerLambdaFunction: environment variable ALERTS holds a webhook URL',
        'RecordJobCallerLambdaFunction: environment variable SIGNING_SECRET is named as a credential and holds a literal value, not a reference to a secret',
      ]);
    });
  });
});
