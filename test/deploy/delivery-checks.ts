import { isRecord } from '../../src/domain/objects.js';
import { matchesPattern, UnsupportedPatternError } from './event-pattern.js';
import {
  asList,
  deadLetterQueues,
  refTarget,
  resourcesOf,
  type Template,
} from './template-checks.js';

/** SQS keeps a message four days unless the queue says otherwise. */
const DEFAULT_RETENTION_SECONDS = 345_600;

/** An event as EventBridge delivers it, named for messages. */
interface SampleEvent {
  readonly name: string;
  readonly event: Record<string, unknown>;
}

/** What a function must be handed, and what it must never see. */
interface Routing {
  readonly receives: readonly SampleEvent[];
  readonly ignores: readonly SampleEvent[];
}

/** The functions an SQS queue feeds, by event source mapping. */
function consumersOf(template: Template, queue: string): string[] {
  return resourcesOf(template, 'AWS::Lambda::EventSourceMapping')
    .filter(([, props]) => refTarget(props.EventSourceArn) === queue && props.Enabled !== false)
    .map(([, props]) => refTarget(props.FunctionName))
    .filter((fn): fn is string => fn !== undefined);
}

/** The functions a rule's target reaches: directly, or through a queue a function reads. */
function functionsBehind(template: Template, target: unknown): string[] {
  const id = refTarget(isRecord(target) ? target.Arn : undefined);
  const type = id === undefined ? undefined : template.Resources[id]?.Type;
  if (id === undefined || type === undefined) return [];
  if (type === 'AWS::Lambda::Function') return [id];
  if (type === 'AWS::SQS::Queue') return consumersOf(template, id);
  return [];
}

/**
 * Every sample event reaches the functions that handle it, through some enabled rule's
 * pattern (to the function or to a queue it reads), and no function gets one it does not
 * handle. Patterns are matched as EventBridge matches them, so a typo in a detail-type or a
 * status list fails here, naming the function and the event.
 */
function checkEventRouting(
  template: Template,
  expected: Readonly<Record<string, Routing>>
): string[] {
  const problems: string[] = [];
  const delivered = new Map<string, Set<string>>();
  const samples = new Map<string, SampleEvent>();
  for (const routing of Object.values(expected)) {
    for (const sample of [...routing.receives, ...routing.ignores])
      samples.set(sample.name, sample);
  }
  for (const [rule, props] of resourcesOf(template, 'AWS::Events::Rule')) {
    if (props.EventPattern === undefined || props.State === 'DISABLED') continue;
    for (const sample of samples.values()) {
      let matched: boolean;
      try {
        matched = matchesPattern(props.EventPattern, sample.event);
      } catch (error) {
        if (!(error instanceof UnsupportedPatternError)) throw error;
        problems.push(`${rule}: uses a ${error.message} this check cannot read`);
        break;
      }
      if (!matched) continue;
      for (const fn of asList(props.Targets).flatMap((t) => functionsBehind(template, t))) {
        const names = delivered.get(fn) ?? new Set<string>();
        delivered.set(fn, names.add(`${sample.name}\u0000${rule}`));
      }
    }
  }
  for (const [fn, routing] of Object.entries(expected)) {
    if (template.Resources[fn]?.Type !== 'AWS::Lambda::Function') {
      problems.push(`${fn}: no such function in the stack`);
      continue;
    }
    const got = [...(delivered.get(fn) ?? [])].map((key) => key.split('\u0000'));
    for (const { name } of routing.receives) {
      if (!got.some(([event]) => event === name)) {
        problems.push(`${fn}: no rule delivers ${name} to it`);
      }
    }
    for (const { name } of routing.ignores) {
      for (const [event, rule] of got) {
        if (event === name)
          problems.push(`${fn}: ${rule} delivers ${name}, which it does not handle`);
      }
    }
  }
  return problems;
}

/** What a function's own failed asynchronous events go to: an on-failure destination or a DLQ. */
function hasFailureTarget(template: Template, fn: string): boolean {
  const props = template.Resources[fn]?.Properties ?? {};
  const dlq = isRecord(props.DeadLetterConfig) ? props.DeadLetterConfig.TargetArn : undefined;
  if (dlq !== undefined) return true;
  return resourcesOf(template, 'AWS::Lambda::EventInvokeConfig').some(([, config]) => {
    if (refTarget(config.FunctionName) !== fn) return false;
    const destinations = isRecord(config.DestinationConfig) ? config.DestinationConfig : {};
    return isRecord(destinations.OnFailure) && destinations.OnFailure.Destination !== undefined;
  });
}

/**
 * The functions invoked asynchronously with an event worth keeping, by what invokes them: a
 * rule's event pattern, an SNS subscription. A schedule's tick carries nothing the next tick
 * does not repeat, so scheduled sweeps are left to their error alarms.
 */
function asyncInvocations(template: Template): Map<string, string> {
  const invokers = new Map<string, string>();
  for (const [rule, props] of resourcesOf(template, 'AWS::Events::Rule')) {
    if (props.EventPattern === undefined) continue;
    for (const target of asList(props.Targets).filter(isRecord)) {
      const fn = refTarget(target.Arn);
      if (fn !== undefined && template.Resources[fn]?.Type === 'AWS::Lambda::Function') {
        invokers.set(fn, rule);
      }
    }
  }
  for (const [subscription, props] of resourcesOf(template, 'AWS::SNS::Subscription')) {
    const fn = refTarget(props.Endpoint);
    if (props.Protocol === 'lambda' && fn !== undefined) invokers.set(fn, subscription);
  }
  return invokers;
}

function retentionOf(props: Record<string, unknown>): number {
  const seconds = Number(props.MessageRetentionPeriod ?? DEFAULT_RETENTION_SECONDS);
  return Number.isFinite(seconds) ? seconds : DEFAULT_RETENTION_SECONDS;
}

/**
 * Nothing fails into the void: a function an event rule (or SNS) invokes directly has an
 * on-failure destination or a dead-letter queue, and every queue that is not itself a
 * dead-letter target redrives to a queue of this stack after a bounded number of receives,
 * one that keeps messages at least as long (SQS keeps a message's first enqueue time when it
 * moves it, so a shorter-lived dead-letter queue deletes what it was given).
 */
function checkDeadLetterTargets(template: Template): string[] {
  const problems: string[] = [];
  for (const [fn, invoker] of asyncInvocations(template)) {
    if (!hasFailureTarget(template, fn)) {
      problems.push(
        `${fn}: invoked asynchronously by ${invoker} with no on-failure destination or dead-letter queue`
      );
    }
  }
  // An event a rule could not deliver is gone unless its target keeps it; schedules are not
  // checked, as the next tick brings the same work.
  for (const [rule, props] of resourcesOf(template, 'AWS::Events::Rule')) {
    if (props.EventPattern === undefined) continue;
    for (const target of asList(props.Targets).filter(isRecord)) {
      if (target.DeadLetterConfig === undefined) {
        problems.push(
          `${rule}: target ${String(target.Id)} has no dead-letter queue for events it cannot deliver`
        );
      }
    }
  }
  const deadLetters = deadLetterQueues(template);
  for (const [queue, props] of resourcesOf(template, 'AWS::SQS::Queue')) {
    // A queue that says which sources may use it as their dead-letter queue is one.
    if (deadLetters.has(queue) || props.RedriveAllowPolicy !== undefined) continue;
    const redrive = isRecord(props.RedrivePolicy) ? props.RedrivePolicy : undefined;
    const target = refTarget(redrive?.deadLetterTargetArn);
    const targetProps = target === undefined ? undefined : template.Resources[target];
    if (redrive === undefined || targetProps?.Type !== 'AWS::SQS::Queue') {
      problems.push(`${queue}: no RedrivePolicy to a dead-letter queue of this stack`);
      continue;
    }
    const receives = Number(redrive.maxReceiveCount);
    if (!Number.isInteger(receives) || receives < 1) {
      problems.push(`${queue}: RedrivePolicy has no maxReceiveCount`);
    }
    if (retentionOf(targetProps.Properties ?? {}) < retentionOf(props)) {
      problems.push(
        `${target}: keeps messages for less time than ${queue}, whose dead letters it holds`
      );
    }
  }
  return problems;
}

export type { Routing, SampleEvent };
export { checkDeadLetterTargets, checkEventRouting };
