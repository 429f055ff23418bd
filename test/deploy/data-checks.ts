import { isRecord } from '../../src/domain/objects.js';
import { resourcesOf, type Template, textOf } from './template-checks.js';

/** Values that are credentials whatever the variable is called. */
const SECRET_VALUES: readonly { readonly what: string; readonly pattern: RegExp }[] = [
  { what: 'a Slack token', pattern: /\bxox[a-z]-[A-Za-z0-9-]+/ },
  { what: 'a Slack app-level token', pattern: /\bxapp-[A-Za-z0-9-]+/ },
  { what: 'a webhook URL', pattern: /^https?:\/\/\S*hook/i },
  { what: 'an AWS access key id', pattern: /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/ },
  // 40 characters of base64, the shape of a secret access key (but not a 40-digit hex hash).
  { what: 'an AWS secret access key', pattern: /^(?![0-9a-f]{40}$)[A-Za-z0-9/+]{40}$/ },
  { what: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  // Resolved at deploy time into the function's configuration, readable by anyone who may
  // read the function: the secret itself, not a reference to it.
  { what: 'a resolved secret', pattern: /\{\{resolve:(?:secretsmanager|ssm-secure):/ },
];

/** Names that say the value is a credential. */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD|PASSWD|API_?KEY|PRIVATE_?KEY|SIGNING_?KEY/i;

/** Names that say the value only points at one: a secret's id, ARN, name or parameter path. */
const REFERENCE_NAME = /_(?:ID|ARN|NAME|PARAMETER|PATH)$/i;

/**
 * Every DynamoDB table expires items by a TTL attribute (`ttlAttribute`, the one the code
 * writes), keeps point-in-time recovery on, and outlives the stack (DeletionPolicy Retain).
 */
function checkTables(template: Template, ttlAttribute: string): string[] {
  const tables = resourcesOf(template, 'AWS::DynamoDB::Table');
  if (tables.length === 0) return ['no AWS::DynamoDB::Table in the stack'];
  const problems: string[] = [];
  for (const [id, props] of tables) {
    const ttl = isRecord(props.TimeToLiveSpecification) ? props.TimeToLiveSpecification : {};
    if (ttl.Enabled !== true || ttl.AttributeName !== ttlAttribute) {
      problems.push(
        `${id}: TimeToLiveSpecification is ${JSON.stringify(props.TimeToLiveSpecification)}, not enabled on "${ttlAttribute}"`
      );
    }
    const recovery = isRecord(props.PointInTimeRecoverySpecification)
      ? props.PointInTimeRecoverySpecification
      : {};
    if (recovery.PointInTimeRecoveryEnabled !== true) {
      problems.push(`${id}: point-in-time recovery is off`);
    }
    if (template.Resources[id]?.DeletionPolicy !== 'Retain') {
      problems.push(`${id}: DeletionPolicy is not Retain, so removing the stack deletes the data`);
    }
  }
  return problems;
}

/** Why an environment variable's value is a secret, or undefined when it is not. */
function secretIn(name: string, value: unknown): string | undefined {
  const text = textOf(value);
  const found = SECRET_VALUES.find(({ pattern }) => pattern.test(text));
  if (found !== undefined) return `holds ${found.what}`;
  const literal = typeof value === 'string' || typeof value === 'number';
  if (literal && SECRET_NAME.test(name) && !REFERENCE_NAME.test(name) && text !== '') {
    return 'is named as a credential and holds a literal value, not a reference to a secret';
  }
  return undefined;
}

/**
 * No function's environment holds a secret: no Slack token, webhook URL, AWS key or resolved
 * secret anywhere, and no SECRET/TOKEN/PASSWORD variable with a literal value. Secrets are read
 * at run time from Secrets Manager; the environment names them.
 */
function checkEnvironmentSecrets(template: Template): string[] {
  const problems: string[] = [];
  for (const [id, props] of resourcesOf(template, 'AWS::Lambda::Function')) {
    const environment = isRecord(props.Environment) ? props.Environment : {};
    const variables = isRecord(environment.Variables) ? environment.Variables : {};
    for (const [name, value] of Object.entries(variables)) {
      const why = secretIn(name, value);
      if (why !== undefined) problems.push(`${id}: environment variable ${name} ${why}`);
    }
  }
  return problems;
}

export { checkEnvironmentSecrets, checkTables };
