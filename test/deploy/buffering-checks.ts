import { isRecord } from '../../src/domain/objects.js';
import { deadLetterQueues, type Template } from './template-checks.js';

/** How long a failing event must stay buffered before its dead-letter queue keeps it. */
const OUTAGE_SECONDS = 6 * 3600;
/** AWS's advice for a queue an event source mapping reads: 6 × the function's timeout. */
const VISIBILITY_PER_TIMEOUT = 6;
const MIN_RETENTION_SECONDS = 4 * 86400;
const DEAD_LETTER_RETENTION_SECONDS = 14 * 86400;
/** What a queue-fed function's role needs on its own queue for the mapping to poll it. */
const CONSUMER_ACTIONS = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'];

/** A function fed by a queue, with the numbers that must agree with each other. */
interface QueueFeed {
  readonly mapping: string;
  readonly fn: string;
  readonly queue: string;
  readonly batchSize: number;
  readonly timeout: number;
  readonly visibility: number;
}

function propsOf(template: Template, id: string): Record<string, unknown> {
  return template.Resources[id]?.Properties ?? {};
}

function idsOf(template: Template, type: string): string[] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id]) => id);
}

/** The logical id behind `Fn::GetAtt [Id, Arn]` or `Ref: Id`. */
function targetOf(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  return Array.isArray(getAtt) && typeof getAtt[0] === 'string' ? getAtt[0] : undefined;
}

function list(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** Seconds as CloudFormation holds them (osls writes numbers; a hand-written '720' is a string). */
function seconds(value: unknown, fallback: number): number {
  return value === undefined ? fallback : Number(value);
}

/** Every SQS event source mapping, with its function's timeout and its queue's visibility. */
function queueFeeds(template: Template): QueueFeed[] {
  return idsOf(template, 'AWS::Lambda::EventSourceMapping').flatMap((mapping) => {
    const props = propsOf(template, mapping);
    const queue = targetOf(props.EventSourceArn);
    const fn = targetOf(props.FunctionName);
    if (queue === undefined || fn === undefined) return [];
    if (template.Resources[queue]?.Type !== 'AWS::SQS::Queue') return [];
    return [
      {
        mapping,
        fn,
        queue,
        // Lambda's defaults: 10 records, 3 s, 30 s.
        batchSize: seconds(props.BatchSize, 10),
        timeout: seconds(propsOf(template, fn).Timeout, 3),
        visibility: seconds(propsOf(template, queue).VisibilityTimeout, 30),
      },
    ];
  });
}

/**
 * Rules that match AWS's events (SageMaker's, CloudTrail's): each must fill a queue, never call
 * a function. Schedules, and Warden's own hand-offs (a `pool-warden.*` source, whose retry the
 * sender decides), are not outside events to buffer.
 */
function eventRules(template: Template): string[] {
  return idsOf(template, 'AWS::Events::Rule').filter((id) => {
    const pattern = propsOf(template, id).EventPattern;
    return isRecord(pattern) && list(pattern.source).some((s) => String(s).startsWith('aws.'));
  });
}

function redriveOf(
  template: Template,
  queue: string
): { deadLetter?: string; maxReceiveCount: number } {
  const redrive = propsOf(template, queue).RedrivePolicy;
  if (!isRecord(redrive)) return { maxReceiveCount: 0 };
  const deadLetter = targetOf(redrive.deadLetterTargetArn);
  return {
    ...(deadLetter === undefined ? {} : { deadLetter }),
    maxReceiveCount: Number(redrive.maxReceiveCount),
  };
}

/**
 * Each rule that matches events sends them only to a queue of this stack, with a retry policy
 * and a dead-letter target for what EventBridge cannot deliver; the queue's policy admits
 * EventBridge only for the rules that target it.
 */
function checkRulesFillQueues(template: Template): string[] {
  const problems: string[] = [];
  const rulesOfQueue = new Map<string, string[]>();
  for (const rule of eventRules(template)) {
    for (const target of list(propsOf(template, rule).Targets).filter(isRecord)) {
      const queue = targetOf(target.Arn);
      if (queue === undefined || template.Resources[queue]?.Type !== 'AWS::SQS::Queue') {
        problems.push(`${rule}: target ${String(target.Id)} is not a queue of this stack`);
        continue;
      }
      rulesOfQueue.set(queue, [...(rulesOfQueue.get(queue) ?? []), rule]);
      if (!isRecord(target.DeadLetterConfig)) {
        problems.push(`${rule}: target ${String(target.Id)} has no DeadLetterConfig`);
      }
      if (!isRecord(target.RetryPolicy)) {
        problems.push(`${rule}: target ${String(target.Id)} has no RetryPolicy`);
      }
    }
  }
  for (const [queue, rules] of rulesOfQueue) {
    const policies = idsOf(template, 'AWS::SQS::QueuePolicy').filter((id) =>
      list(propsOf(template, id).Queues).some((q) => targetOf(q) === queue)
    );
    const statements = policies.flatMap((id) => {
      const document = propsOf(template, id).PolicyDocument;
      return isRecord(document) ? list(document.Statement).filter(isRecord) : [];
    });
    const admitted = statements.flatMap((statement) => {
      const services = isRecord(statement.Principal) ? list(statement.Principal.Service) : [];
      if (statement.Effect !== 'Allow') return [];
      if (services.some((s) => s !== 'events.amazonaws.com')) {
        problems.push(`${queue}: its policy admits ${services.join(', ')}, not only EventBridge`);
      }
      const condition = isRecord(statement.Condition) ? statement.Condition : {};
      const arnEquals = isRecord(condition.ArnEquals) ? condition.ArnEquals : {};
      return list(arnEquals['aws:SourceArn']).map(targetOf);
    });
    const expected = [...rules].sort();
    if (JSON.stringify([...admitted].sort()) !== JSON.stringify(expected)) {
      problems.push(
        `${queue}: its policy admits EventBridge for ${JSON.stringify(admitted)}, not exactly the rules ${expected.join(', ')} (aws:SourceArn, ArnEquals)`
      );
    }
  }
  return problems;
}

/**
 * The buffering numbers, against each other: each queue-fed function reports batch item
 * failures, its queue's visibility timeout is at least 6 × its timeout, failing events stay
 * receivable for 6 hours before a dead-letter queue keeps them, retention is 4 days (14 in a
 * dead-letter queue), and its role may read and delete its queue's messages.
 */
function checkQueueFeeds(template: Template): string[] {
  const problems: string[] = [];
  for (const feed of queueFeeds(template)) {
    const { mapping, fn, queue, timeout, visibility } = feed;
    const responses = list(propsOf(template, mapping).FunctionResponseTypes);
    if (!responses.includes('ReportBatchItemFailures')) {
      problems.push(`${mapping}: no ReportBatchItemFailures, so one failure retries its batch`);
    }
    if (visibility < VISIBILITY_PER_TIMEOUT * timeout) {
      problems.push(
        `${queue}: VisibilityTimeout ${visibility} s is under ${VISIBILITY_PER_TIMEOUT} × ${fn}'s timeout of ${timeout} s`
      );
    }
    const { deadLetter, maxReceiveCount } = redriveOf(template, queue);
    if (deadLetter === undefined) {
      problems.push(`${queue}: no RedrivePolicy to a dead-letter queue`);
    } else if (maxReceiveCount * visibility < OUTAGE_SECONDS) {
      problems.push(
        `${queue}: maxReceiveCount ${maxReceiveCount} × VisibilityTimeout ${visibility} s = ${maxReceiveCount * visibility} s, under the ${OUTAGE_SECONDS} s outage it must ride out`
      );
    }
    const retention = seconds(propsOf(template, queue).MessageRetentionPeriod, 345600);
    if (retention < MIN_RETENTION_SECONDS) {
      problems.push(`${queue}: MessageRetentionPeriod ${retention} s is under 4 days`);
    }
    if (deadLetter !== undefined) {
      const kept = seconds(propsOf(template, deadLetter).MessageRetentionPeriod, 345600);
      if (kept < DEAD_LETTER_RETENTION_SECONDS) {
        problems.push(`${deadLetter}: MessageRetentionPeriod ${kept} s is under 14 days`);
      }
    }
    problems.push(...checkConsumerRole(template, fn, queue));
  }
  return problems;
}

function checkConsumerRole(template: Template, fn: string, queue: string): string[] {
  const role = targetOf(propsOf(template, fn).Role);
  if (role === undefined) return [`${fn}: no role of this stack`];
  const statements = list(propsOf(template, role).Policies)
    .filter(isRecord)
    .flatMap((p) => (isRecord(p.PolicyDocument) ? list(p.PolicyDocument.Statement) : []))
    .filter(isRecord)
    .filter((s) => s.Effect === 'Allow' && list(s.Resource).some((r) => targetOf(r) === queue));
  const granted = new Set(statements.flatMap((s) => list(s.Action)));
  const missing = CONSUMER_ACTIONS.filter((a) => !granted.has(a));
  return missing.length === 0 ? [] : [`${role}: ${fn} may not ${missing.join(', ')} on ${queue}`];
}

/**
 * The notice's exactly-once ledger under redelivery: the lease outlasts the function's timeout
 * (a slow run is not overtaken), and the timeout plus the lease fit in the queue's visibility
 * timeout (a run killed with its lease held has let go before its message comes back, so the
 * redelivery is not "busy"); one notice per batch.
 */
function checkNoticeLease(template: Template, noticeFunction: string, leaseVariable: string) {
  const feed = queueFeeds(template).find((f) => f.fn === noticeFunction);
  if (feed === undefined) return [`${noticeFunction}: no queue feeds it`];
  const environment = propsOf(template, noticeFunction).Environment;
  const variables =
    isRecord(environment) && isRecord(environment.Variables) ? environment.Variables : {};
  const lease = Number(variables[leaseVariable]);
  const problems: string[] = [];
  if (!Number.isInteger(lease) || lease <= 0) {
    return [`${noticeFunction}: ${leaseVariable} is ${JSON.stringify(variables[leaseVariable])}`];
  }
  if (lease <= feed.timeout) {
    problems.push(
      `${noticeFunction}: lease ${lease} s does not outlast the ${feed.timeout} s timeout`
    );
  }
  if (feed.timeout + lease > feed.visibility) {
    problems.push(
      `${feed.queue}: timeout ${feed.timeout} s + lease ${lease} s exceeds VisibilityTimeout ${feed.visibility} s, so a redelivery can find its own lease busy`
    );
  }
  if (feed.batchSize !== 1) {
    problems.push(`${feed.mapping}: BatchSize ${feed.batchSize}, not 1 notice per invocation`);
  }
  return problems;
}

/**
 * Every queue encrypted; every dead-letter queue alarms when not empty, and every queue when its
 * oldest message is old.
 */
function checkQueueAlarms(template: Template): string[] {
  const alarms = idsOf(template, 'AWS::CloudWatch::Alarm').map((id) => propsOf(template, id));
  const watching = (metric: string, queue: string) =>
    alarms.filter(
      (a) =>
        a.Namespace === 'AWS/SQS' &&
        a.MetricName === metric &&
        list(a.Dimensions)
          .filter(isRecord)
          .some((d) => d.Name === 'QueueName' && targetOf(d.Value) === queue)
    );
  const problems: string[] = [];
  const deadLetters = deadLetterQueues(template);
  for (const queue of idsOf(template, 'AWS::SQS::Queue')) {
    const props = propsOf(template, queue);
    if (props.SqsManagedSseEnabled !== true && props.KmsMasterKeyId === undefined) {
      problems.push(`${queue}: not encrypted at rest (SqsManagedSseEnabled or KmsMasterKeyId)`);
    }
    if (watching('ApproximateAgeOfOldestMessage', queue).length === 0) {
      problems.push(`${queue}: no alarm on the age of its oldest message`);
    }
    const notEmpty = watching('ApproximateNumberOfMessagesVisible', queue).some(
      (a) => a.ComparisonOperator === 'GreaterThanThreshold' && a.Threshold === 0
    );
    if (deadLetters.has(queue) && !notEmpty) {
      problems.push(`${queue}: a dead-letter queue with no alarm when it is not empty`);
    }
  }
  return problems;
}

export type { QueueFeed };
export {
  checkNoticeLease,
  checkQueueAlarms,
  checkQueueFeeds,
  checkRulesFillQueues,
  eventRules,
  OUTAGE_SECONDS,
  queueFeeds,
};
