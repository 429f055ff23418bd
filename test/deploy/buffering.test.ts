import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkNoticeLease,
  checkQueueAlarms,
  checkQueueFeeds,
  checkRulesFillQueues,
  eventRules,
  OUTAGE_SECONDS,
  queueFeeds,
} from './buffering-checks.js';
import { packageOffline } from './package-offline.js';
import type { Template } from './template-checks.js';

const NOTICE = 'JobStateChangeLambdaFunction';
const LEASE = 'WARDEN_NOTICE_LEASE_SECONDS';

let template: Template;

beforeAll(async () => {
  template = await packageOffline();
}, 180_000);

/** A copy of one resource's properties, to break on purpose. */
function broken(id: string): { copy: Template; props: Record<string, unknown> } {
  const copy = structuredClone(template);
  const props = copy.Resources[id]?.Properties;
  if (props === undefined) throw new Error(`no resource ${id}`);
  return { copy, props };
}

describe('buffering between EventBridge and the functions', () => {
  it('feeds the notice, the caller recorder and the intake from queues, and nothing else', () => {
    expect(queueFeeds(template).map((f) => `${f.fn} ← ${f.queue}`)).toEqual([
      'JobStateChangeLambdaFunction ← NoticeQueue',
      'RecordJobCallerLambdaFunction ← CallerQueue',
      'PoolIntakeLambdaFunction ← IntakeQueue',
    ]);
    expect(eventRules(template)).toEqual([
      'NoticeRule',
      'CallerRule',
      'IntakeStateRule',
      'IntakeUpdateRule',
    ]);
  });

  it('sends each rule to a queue that admits EventBridge for that rule alone', () => {
    expect(checkRulesFillQueues(template)).toEqual([]);
  });

  it('rides out a 6-hour outage: visibility ≥ 6 × timeout, receives × visibility ≥ 6 h', () => {
    expect(checkQueueFeeds(template)).toEqual([]);
    for (const { visibility, timeout } of queueFeeds(template)) {
      expect([visibility, timeout]).toEqual([720, 120]);
    }
  });

  it('keeps the notice lease above the timeout and inside the visibility timeout, one per batch', () => {
    expect(checkNoticeLease(template, NOTICE, LEASE)).toEqual([]);
  });

  it('encrypts every queue, alarms on every dead-letter queue and on every queue’s oldest message', () => {
    expect(checkQueueAlarms(template)).toEqual([]);
  });

  describe('fails, naming the resource, when', () => {
    it('a visibility timeout drops under 6 × the function timeout', () => {
      const { copy, props } = broken('CallerQueue');
      props.VisibilityTimeout = 600;

      expect(checkQueueFeeds(copy)).toEqual([
        "CallerQueue: VisibilityTimeout 600 s is under 6 × RecordJobCallerLambdaFunction's timeout of 120 s",
      ]);
    });

    it('too few receives leave an outage shorter than 6 hours', () => {
      const { copy, props } = broken('IntakeQueue');
      props.RedrivePolicy = { ...(props.RedrivePolicy as object), maxReceiveCount: 29 };

      expect(checkQueueFeeds(copy)).toEqual([
        `IntakeQueue: maxReceiveCount 29 × VisibilityTimeout 720 s = 20880 s, under the ${OUTAGE_SECONDS} s outage it must ride out`,
      ]);
    });

    it('a queue has no dead-letter queue, or a mapping no partial batch responses', () => {
      const { copy, props } = broken('NoticeQueue');
      delete props.RedrivePolicy;
      const mapping = copy.Resources.JobStateChangeEventSourceMappingSQSNoticeQueue?.Properties;
      if (mapping !== undefined) delete mapping.FunctionResponseTypes;

      expect(checkQueueFeeds(copy)).toEqual([
        'JobStateChangeEventSourceMappingSQSNoticeQueue: no ReportBatchItemFailures, so one failure retries its batch',
        'NoticeQueue: no RedrivePolicy to a dead-letter queue',
      ]);
    });

    it('the lease outgrows the visibility timeout, or the notice batch grows', () => {
      const { copy, props } = broken(NOTICE);
      (props.Environment as { Variables: Record<string, string> }).Variables[LEASE] = '700';
      const mapping = copy.Resources.JobStateChangeEventSourceMappingSQSNoticeQueue?.Properties;
      if (mapping !== undefined) mapping.BatchSize = 10;

      expect(checkNoticeLease(copy, NOTICE, LEASE)).toEqual([
        'NoticeQueue: timeout 120 s + lease 700 s exceeds VisibilityTimeout 720 s, so a redelivery can find its own lease busy',
        'JobStateChangeEventSourceMappingSQSNoticeQueue: BatchSize 10, not 1 notice per invocation',
      ]);
    });

    it('the lease no longer outlasts the timeout', () => {
      const { copy, props } = broken(NOTICE);
      (props.Environment as { Variables: Record<string, string> }).Variables[LEASE] = '90';

      expect(checkNoticeLease(copy, NOTICE, LEASE)).toEqual([
        'JobStateChangeLambdaFunction: lease 90 s does not outlast the 120 s timeout',
      ]);
    });

    it('a rule calls a function directly, or a queue admits any rule', () => {
      const { copy, props } = broken('CallerRule');
      props.Targets = [
        { Id: 'direct', Arn: { 'Fn::GetAtt': ['RecordJobCallerLambdaFunction', 'Arn'] } },
      ];
      const policy = copy.Resources.IntakeQueuePolicy?.Properties?.PolicyDocument as {
        Statement: { Condition: unknown }[];
      };
      for (const statement of policy.Statement) statement.Condition = {};

      expect(checkRulesFillQueues(copy)).toEqual([
        'CallerRule: target direct is not a queue of this stack',
        'IntakeQueue: its policy admits EventBridge for [], not exactly the rules IntakeStateRule, IntakeUpdateRule (aws:SourceArn, ArnEquals)',
      ]);
    });

    it('a dead-letter queue loses its alarm, or a queue its encryption', () => {
      const { copy, props } = broken('NoticeQueue');
      delete props.SqsManagedSseEnabled;
      delete copy.Resources.IntakeDeadLetterQueueNotEmptyAlarm;

      expect(checkQueueAlarms(copy)).toEqual([
        'NoticeQueue: not encrypted at rest (SqsManagedSseEnabled or KmsMasterKeyId)',
        'IntakeDeadLetterQueue: a dead-letter queue with no alarm when it is not empty',
      ]);
    });

    it('a queue-fed role may not read its queue', () => {
      const { copy, props } = broken('RecordJobCallerRole');
      const [policy] = props.Policies as { PolicyDocument: { Statement: { Action: unknown }[] } }[];
      for (const statement of policy?.PolicyDocument.Statement ?? []) {
        if (JSON.stringify(statement.Action).includes('sqs:'))
          statement.Action = 'sqs:ReceiveMessage';
      }

      expect(checkQueueFeeds(copy)).toEqual([
        'RecordJobCallerRole: RecordJobCallerLambdaFunction may not sqs:DeleteMessage, sqs:GetQueueAttributes on CallerQueue',
      ]);
    });
  });
});
