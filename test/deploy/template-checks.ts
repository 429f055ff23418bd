import { isRecord } from '../../src/domain/objects.js';

/** A CloudFormation resource as `serverless package` writes it. */
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
  readonly DeletionPolicy?: string;
}

/** The packaged stack: `.serverless/cloudformation-template-update-stack.json`. */
interface Template {
  readonly Resources: Record<string, CfnResource>;
  readonly Conditions?: Record<string, unknown>;
}

/** An IAM statement and where it sits, for messages that name the resource. */
interface Located {
  readonly where: string;
  readonly statement: Record<string, unknown>;
}

/**
 * Actions that take no resource, so `Resource: "*"` is the only way to grant them. Anything
 * else with "*" is broader than the function needs.
 */
const RESOURCE_STAR_ACTIONS: ReadonlySet<string> = new Set([
  // ListTrainingJobs is not resource-scoped (reconciliation pages through it).
  'sagemaker:ListTrainingJobs',
  // Subscriptions are not IAM resources (the notice checks an owner's filter policy).
  'sns:GetSubscriptionAttributes',
  // Not used today (metrics go out as log lines), but only grantable on "*".
  'cloudwatch:PutMetricData',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
]);

/** Condition keys that tie an AWS service's access to this account or this stack's resources. */
const SOURCE_KEYS = ['aws:sourcearn', 'aws:sourceaccount'];

/** Every resource of a CloudFormation type, as [logical id, properties]. */
function resourcesOf(template: Template, type: string): [string, Record<string, unknown>][] {
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([id, resource]) => [id, resource.Properties ?? {}]);
}

/** A property that may hold one value or a list, as a list. */
function asList(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The logical id a `Ref` or `Fn::GetAtt` points at. */
function refTarget(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** A CloudFormation string as text: `Fn::Sub` templates as written, refs as `${Name}`. */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (isRecord(value)) {
    const sub = value['Fn::Sub'];
    if (typeof sub === 'string') return sub;
    if (Array.isArray(sub)) return textOf(sub[0]);
    const join = value['Fn::Join'];
    if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
      return join[1].map(textOf).join(join[0]);
    }
    const target = refTarget(value);
    if (target !== undefined) return `\${${target}}`;
  }
  return JSON.stringify(value);
}

/**
 * A policy's statements as the stack creates them: a `Fn::If` entry (`[condition, then, else]`)
 * is the branch its condition picks, and `AWS::NoValue` is no statement. Without `template`,
 * conditional entries count as their `then` branch, what they may grant at most.
 */
function statementsOf(document: unknown, template?: Template): Record<string, unknown>[] {
  if (!isRecord(document)) return [];
  return asList(document.Statement).flatMap((entry) => {
    const branches = isRecord(entry) ? entry['Fn::If'] : undefined;
    if (!Array.isArray(branches)) return isRecord(entry) ? [entry] : [];
    const [condition, then, otherwise] = branches;
    const holds =
      template === undefined ||
      typeof condition !== 'string' ||
      conditionHolds(template, condition);
    const picked = holds ? then : otherwise;
    return isRecord(picked) && picked.Ref !== 'AWS::NoValue' ? [picked] : [];
  });
}

function functionIds(template: Template): string[] {
  return resourcesOf(template, 'AWS::Lambda::Function').map(([id]) => id);
}

/**
 * Whether a condition of the template holds. Packaging fills in what serverless.yml reads from
 * the config and the command line, so conditions compare literals; one this cannot evaluate
 * (a parameter, a region) counts as holding, so that checks see everything it might create.
 */
function conditionHolds(template: Template, name: string): boolean {
  const evaluate = (expression: unknown): boolean | string | undefined => {
    if (typeof expression === 'string') return expression;
    if (!isRecord(expression)) return undefined;
    const [[fn, args] = []] = Object.entries(expression);
    const values = asList(args).map(evaluate);
    if (values.includes(undefined)) return undefined;
    switch (fn) {
      case 'Fn::Equals':
        return values[0] === values[1];
      case 'Fn::Not':
        return values[0] === undefined ? undefined : !values[0];
      case 'Fn::And':
        return values.every(Boolean);
      case 'Fn::Or':
        return values.some(Boolean);
      case 'Condition':
        return typeof args === 'string' ? conditionHolds(template, args) : undefined;
      default:
        return undefined;
    }
  };
  return evaluate(template.Conditions?.[name]) !== false;
}

/** The resources of a type the stack creates: those whose condition holds, as [id, props]. */
function createdResourcesOf(template: Template, type: string): [string, Record<string, unknown>][] {
  return resourcesOf(template, type).filter(([id]) => {
    const condition = template.Resources[id]?.Condition;
    return condition === undefined || conditionHolds(template, condition);
  });
}

/** Every identity-policy statement of a role: inline, or attached by a policy resource. */
function roleStatements(template: Template, role: string): Located[] {
  const found: Located[] = [];
  const properties = template.Resources[role]?.Properties ?? {};
  for (const policy of asList(properties.Policies).filter(isRecord)) {
    const where = `${role} (policy ${String(policy.PolicyName)})`;
    for (const statement of statementsOf(policy.PolicyDocument, template)) {
      found.push({ where, statement });
    }
  }
  for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
    for (const [id, props] of createdResourcesOf(template, type)) {
      if (!asList(props.Roles).some((r) => refTarget(r) === role)) continue;
      for (const statement of statementsOf(props.PolicyDocument, template)) {
        found.push({ where: `${id} (attached to ${role})`, statement });
      }
    }
  }
  return found;
}

function allRoleStatements(template: Template): Located[] {
  return resourcesOf(template, 'AWS::IAM::Role').flatMap(([id]) => roleStatements(template, id));
}

/** Every action some role of the stack is allowed, with the resources it is allowed on (once each). */
function grantedActions(template: Template): Map<string, string[]> {
  const granted = new Map<string, string[]>();
  for (const { statement } of allRoleStatements(template)) {
    if (statement.Effect !== 'Allow') continue;
    const resources = asList(statement.Resource).map(textOf);
    for (const action of actionsOf(statement)) {
      granted.set(action, [...new Set([...(granted.get(action) ?? []), ...resources])]);
    }
  }
  return granted;
}

function actionsOf(statement: Record<string, unknown>): string[] {
  return asList(statement.Action).filter((a): a is string => typeof a === 'string');
}

/**
 * Each function runs as a role of its own, which only Lambda may assume, with no managed
 * policies, writing logs only to the function's own log group.
 */
function checkFunctionRoles(template: Template): string[] {
  const problems: string[] = [];
  const ownerOf = new Map<string, string>();
  for (const [id, props] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const role = refTarget(props.Role);
    if (role === undefined || template.Resources[role]?.Type !== 'AWS::IAM::Role') {
      problems.push(`${id}: its Role is not a role of this stack (${JSON.stringify(props.Role)})`);
      continue;
    }
    const sharer = ownerOf.get(role);
    if (sharer !== undefined) problems.push(`${id}: shares role ${role} with ${sharer}`);
    ownerOf.set(role, id);
    const roleProps = template.Resources[role]?.Properties ?? {};
    for (const statement of statementsOf(roleProps.AssumeRolePolicyDocument)) {
      const principal = JSON.stringify(statement.Principal);
      if (principal !== JSON.stringify({ Service: 'lambda.amazonaws.com' })) {
        problems.push(`${role}: may be assumed by ${principal}, not only by Lambda`);
      }
    }
    if (asList(roleProps.ManagedPolicyArns).length > 0) {
      problems.push(`${role}: has managed policies, which grant calls the function does not make`);
    }
    const logGroup = `/aws/lambda/${String(props.FunctionName)}:`;
    for (const { where, statement } of roleStatements(template, role)) {
      if (!actionsOf(statement).some((a) => a.startsWith('logs:'))) continue;
      for (const resource of asList(statement.Resource)) {
        if (!textOf(resource).includes(logGroup)) {
          problems.push(`${where}: logs actions on ${textOf(resource)}, not only ${logGroup}*`);
        }
      }
    }
  }
  return problems;
}

/**
 * No role allows `*` or `service:*` (or any wildcard action), uses NotAction or NotResource,
 * or grants `Resource: "*"` for an action that takes a resource; no resource policy allows a
 * wildcard action or NotAction either.
 */
function checkNoWildcards(template: Template): string[] {
  const problems: string[] = [];
  const wildcards = ({ where, statement }: Located): void => {
    if (statement.Effect !== 'Allow') return;
    for (const key of ['NotAction', 'NotResource']) {
      if (statement[key] !== undefined)
        problems.push(`${where}: uses ${key}, which allows the rest`);
    }
    for (const action of actionsOf(statement).filter((a) => a.includes('*'))) {
      problems.push(`${where}: wildcard action "${action}"`);
    }
  };
  for (const located of allRoleStatements(template)) {
    wildcards(located);
    const { where, statement } = located;
    if (statement.Effect !== 'Allow' || !asList(statement.Resource).includes('*')) continue;
    const scoped = actionsOf(statement).filter((a) => !RESOURCE_STAR_ACTIONS.has(a));
    if (scoped.length > 0) problems.push(`${where}: Resource "*" for ${scoped.join(', ')}`);
  }
  // What a queue, topic or bus policy lets others do is held to the same rule; its Resource is
  // the policy's own resource, whatever it says.
  for (const [where, statements] of resourcePolicies(template)) {
    for (const statement of statements) wildcards({ where, statement });
  }
  return problems;
}

/**
 * A function's role allows nothing beyond the calls its code makes (`allowed`, by the
 * function's logical id); functions not listed get the general checks only.
 */
function checkFunctionActions(
  template: Template,
  allowed: Readonly<Record<string, readonly string[]>>
): string[] {
  const problems: string[] = [];
  for (const [id, props] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const permitted = allowed[id];
    const role = refTarget(props.Role);
    if (permitted === undefined || role === undefined) continue;
    for (const { where, statement } of roleStatements(template, role)) {
      if (statement.Effect !== 'Allow') continue;
      const extra = actionsOf(statement).filter((a) => !permitted.includes(a));
      if (extra.length > 0) problems.push(`${where}: ${id} makes no ${extra.join(', ')} call`);
    }
  }
  return problems;
}

/**
 * A function's role allows at least the calls its code makes with the config it was packaged
 * with (`needed`, by the function's logical id), on resources whose text contains `on` when
 * given: a call a role lacks fails only in production, as AccessDenied.
 */
function checkFunctionNeeds(
  template: Template,
  needed: Readonly<Record<string, readonly { action: string; on?: string }[]>>
): string[] {
  const problems: string[] = [];
  for (const [id, calls] of Object.entries(needed)) {
    const role = refTarget(template.Resources[id]?.Properties?.Role);
    const statements = role === undefined ? [] : roleStatements(template, role);
    for (const { action, on } of calls) {
      const granted = statements.some(
        ({ statement }) =>
          statement.Effect === 'Allow' &&
          actionsOf(statement).includes(action) &&
          (on === undefined ||
            asList(statement.Resource)
              .map(textOf)
              .some((r) => r.includes(on)))
      );
      if (!granted) problems.push(`${id}: may not call ${action}${on ? ` on ${on}` : ''}`);
    }
  }
  return problems;
}

/** Secrets Manager appends "-" and six characters to a name: "-??????", never "-*" or "*". */
function checkSecretArns(template: Template): string[] {
  const problems: string[] = [];
  for (const { where, statement } of allRoleStatements(template)) {
    for (const resource of asList(statement.Resource).map(textOf)) {
      if (resource.includes(':secretsmanager:') && !resource.endsWith('-??????')) {
        problems.push(`${where}: secret ARN ${resource} does not end in -??????`);
      }
    }
  }
  return problems;
}

function hasSourceCondition(condition: unknown): boolean {
  if (!isRecord(condition)) return false;
  return Object.values(condition).some(
    (byKey) =>
      isRecord(byKey) && Object.keys(byKey).some((k) => SOURCE_KEYS.includes(k.toLowerCase()))
  );
}

/** Resource policies, as [where, statements]: every property that holds a policy document. */
function resourcePolicies(template: Template): [string, Record<string, unknown>[]][] {
  const found: [string, unknown][] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    // Identity policies and role trust are checked above; this is about what others may do.
    if (resource.Type.startsWith('AWS::IAM::')) continue;
    const props = resource.Properties ?? {};
    for (const key of ['PolicyDocument', 'KeyPolicy', 'ResourcePolicy']) {
      if (props[key] !== undefined) found.push([`${id} (${key})`, props[key]]);
    }
    if (resource.Type === 'AWS::Events::EventBusPolicy' && isRecord(props.Statement)) {
      found.push([id, { Statement: props.Statement }]);
    }
  }
  return found.map(([where, document]) => [where, statementsOf(document)]);
}

/**
 * Every queue, topic, bus or key policy that lets an AWS service in says for whom (a source ARN
 * or account), and so does every Lambda permission for a service: no confused deputy.
 */
function checkServicePrincipals(template: Template): string[] {
  const problems: string[] = [];
  for (const [where, statements] of resourcePolicies(template)) {
    for (const statement of statements) {
      if (statement.Effect !== 'Allow') continue;
      const principal = statement.Principal;
      const services = isRecord(principal) ? asList(principal.Service) : [];
      if (services.length > 0 && !hasSourceCondition(statement.Condition)) {
        problems.push(
          `${where}: admits ${services.join(', ')} without an aws:SourceArn or aws:SourceAccount condition`
        );
      }
    }
  }
  for (const [id, props] of resourcesOf(template, 'AWS::Lambda::Permission')) {
    const principal = textOf(props.Principal);
    if (!principal.endsWith('.amazonaws.com')) continue;
    if (props.SourceArn === undefined && props.SourceAccount === undefined) {
      problems.push(`${id}: lets ${principal} invoke without a SourceArn or SourceAccount`);
    }
  }
  return problems;
}

/** Every alarm notifies the ops topic, and only it. */
function checkAlarmActions(template: Template, topic: string): string[] {
  if (template.Resources[topic]?.Type !== 'AWS::SNS::Topic') {
    return [`${topic}: no such SNS topic for the alarms`];
  }
  const problems: string[] = [];
  for (const [id, props] of resourcesOf(template, 'AWS::CloudWatch::Alarm')) {
    const actions = asList(props.AlarmActions);
    if (actions.length === 0 || actions.some((a) => refTarget(a) !== topic)) {
      problems.push(`${id}: AlarmActions ${JSON.stringify(props.AlarmActions)} are not [${topic}]`);
    }
  }
  return problems;
}

/** What an alarm watches: a metric (namespace, name, dimension targets) or a query's text. */
function watches(
  props: Record<string, unknown>,
  namespace: string,
  metric: string,
  dimension?: { name: string; target: string }
): boolean {
  const matches = (m: Record<string, unknown>) =>
    m.Namespace === namespace &&
    m.MetricName === metric &&
    (dimension === undefined ||
      asList(m.Dimensions)
        .filter(isRecord)
        .some((d) => d.Name === dimension.name && refTarget(d.Value) === dimension.target));
  if (matches(props)) return true;
  return asList(props.Metrics)
    .filter(isRecord)
    .some((query) => {
      const stat = isRecord(query.MetricStat) ? query.MetricStat : undefined;
      if (stat !== undefined && isRecord(stat.Metric) && matches(stat.Metric)) return true;
      const expression = typeof query.Expression === 'string' ? query.Expression : '';
      return (
        dimension === undefined &&
        expression.includes(`(${metric})`) &&
        expression.includes(`FROM ${namespace}`)
      );
    });
}

/** The alarm fires on any count at all: more than 0, or at least 1. */
function firesOnAny(props: Record<string, unknown>): boolean {
  return (
    (props.ComparisonOperator === 'GreaterThanThreshold' && props.Threshold === 0) ||
    (props.ComparisonOperator === 'GreaterThanOrEqualToThreshold' && props.Threshold === 1)
  );
}

/** Queues named as a dead-letter or on-failure target anywhere in the template. */
function deadLetterQueues(template: Template): Set<string> {
  const queues = new Set<string>();
  const collect = (value: unknown, inTarget: boolean): void => {
    if (Array.isArray(value)) {
      for (const item of value) collect(item, inTarget);
      return;
    }
    if (!isRecord(value)) return;
    const target = refTarget(value);
    if (inTarget && target !== undefined) {
      if (template.Resources[target]?.Type === 'AWS::SQS::Queue') queues.add(target);
      return;
    }
    for (const [key, inner] of Object.entries(value)) {
      collect(inner, inTarget || /dead.?letter|onfailure/i.test(key));
    }
  };
  for (const resource of Object.values(template.Resources)) collect(resource.Properties, false);
  return queues;
}

/**
 * The alarms the issue lists: errors of each function, a dead-letter queue that is not empty,
 * the age of the oldest message of every queue, and any of each `countAlarms` metric (in the
 * `namespace` of Warden's own metrics) within five minutes; and for a function reading a
 * stream, how far behind it reads (IteratorAge), since its failed batches are dropped.
 */
function checkRequiredAlarms(
  template: Template,
  namespace: string,
  countAlarms: readonly string[]
): string[] {
  const alarms = resourcesOf(template, 'AWS::CloudWatch::Alarm').map(([, props]) => props);
  const problems: string[] = [];
  for (const id of functionIds(template)) {
    const on = { name: 'FunctionName', target: id };
    if (!alarms.some((a) => watches(a, 'AWS/Lambda', 'Errors', on))) {
      problems.push(`${id}: no alarm on its Errors`);
    }
  }
  for (const [, mapping] of resourcesOf(template, 'AWS::Lambda::EventSourceMapping')) {
    if (!JSON.stringify(mapping.EventSourceArn ?? '').includes('StreamArn')) continue;
    const id = refTarget(mapping.FunctionName) ?? JSON.stringify(mapping.FunctionName);
    const on = { name: 'FunctionName', target: id };
    if (!alarms.some((a) => watches(a, 'AWS/Lambda', 'IteratorAge', on))) {
      problems.push(`${id}: reads a stream with no alarm on its IteratorAge`);
    }
  }
  const deadLetters = deadLetterQueues(template);
  for (const [id] of resourcesOf(template, 'AWS::SQS::Queue')) {
    const on = { name: 'QueueName', target: id };
    if (!alarms.some((a) => watches(a, 'AWS/SQS', 'ApproximateAgeOfOldestMessage', on))) {
      problems.push(`${id}: no alarm on the age of its oldest message`);
    }
    const notEmpty = alarms.some(
      (a) => watches(a, 'AWS/SQS', 'ApproximateNumberOfMessagesVisible', on) && firesOnAny(a)
    );
    if (deadLetters.has(id) && !notEmpty) {
      problems.push(`${id}: a dead-letter queue with no alarm when it is not empty`);
    }
  }
  for (const metric of countAlarms) {
    const fires = alarms.some(
      (a) =>
        watches(a, namespace, metric) &&
        firesOnAny(a) &&
        asList(a.Metrics)
          .filter(isRecord)
          .every((q) => q.Period === undefined || Number(q.Period) <= 300)
    );
    if (!fires)
      problems.push(`${namespace}/${metric}: no alarm when it counts any within 5 minutes`);
  }
  return problems;
}

/** Every function logs to a log group of its own with a retention. */
function checkLogRetention(template: Template): string[] {
  const groups = new Map(
    resourcesOf(template, 'AWS::Logs::LogGroup').map(([id, props]) => [
      textOf(props.LogGroupName),
      { id, retention: props.RetentionInDays },
    ])
  );
  const problems: string[] = [];
  for (const [id, props] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const name = `/aws/lambda/${String(props.FunctionName)}`;
    const group = groups.get(name);
    if (group === undefined) problems.push(`${id}: no log group ${name} in the stack`);
    else if (typeof group.retention !== 'number' || group.retention <= 0) {
      problems.push(`${group.id}: no RetentionInDays, so ${id}'s logs are kept forever`);
    }
  }
  return problems;
}

/** Every metric array of every widget, refs written `@LogicalId`. */
function dashboardMetrics(body: unknown): unknown[][] {
  const widgets = isRecord(body) ? asList(body.widgets).filter(isRecord) : [];
  return widgets.flatMap((w) =>
    isRecord(w.properties) ? asList(w.properties.metrics).filter(Array.isArray) : []
  );
}

/**
 * One dashboard whose body is valid JSON once substituted, naming each metric of `metrics`,
 * and each function's errors and duration.
 */
function checkDashboard(template: Template, metrics: readonly string[]): string[] {
  const dashboards = resourcesOf(template, 'AWS::CloudWatch::Dashboard');
  const [first] = dashboards;
  if (first === undefined) return ['no AWS::CloudWatch::Dashboard in the stack'];
  const [id, props] = first;
  const text = textOf(props.DashboardBody);
  let body: unknown;
  try {
    body = JSON.parse(text.replace(/\$\{([^}]+)\}/g, '@$1'));
  } catch (error) {
    return [`${id}: DashboardBody is not JSON once substituted (${String(error)})`];
  }
  const problems: string[] = [];
  for (const metric of metrics) {
    if (!text.includes(metric)) problems.push(`${id}: does not show ${metric}`);
  }
  const shown = dashboardMetrics(body).map((m) => JSON.stringify(m.slice(0, 4)));
  for (const fn of functionIds(template)) {
    for (const metric of ['Errors', 'Duration']) {
      const entry = JSON.stringify(['AWS/Lambda', metric, 'FunctionName', `@${fn}`]);
      if (!shown.includes(entry)) problems.push(`${id}: does not show ${fn}'s ${metric}`);
    }
  }
  return problems;
}

export type { CfnResource, Template };
export {
  asList,
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
  deadLetterQueues,
  functionIds,
  grantedActions,
  refTarget,
  resourcesOf,
  textOf,
};
