import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoCallerRegistry } from '../adapters/aws/dynamo-caller-registry.js';
import { DynamoNoticeLedger } from '../adapters/aws/dynamo-notice-ledger.js';
import { DynamoParkedEvents } from '../adapters/aws/dynamo-parked-events.js';
import { EventBridgePublisher } from '../adapters/aws/eventbridge-publisher.js';
import { type LambdaEnv, readLambdaEnv } from '../adapters/aws/lambda-env.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { HttpSlackSender } from '../adapters/slack/slack-sender.js';
import type { IntakeDeps, StewardDeps } from '../domain/steward/steward-deps.js';
import { actionLinksOf, emailSenderOf } from './lambda-deps.js';
import { poolFunctionParts, slackSecretsOf } from './pool-function-deps.js';

/** Per-attempt Slack timeout inside the sweep (the finish notice allows 8 s). */
const SWEEP_SLACK_TIMEOUT_MS = 3_000;

/** What the intake, the reconciliation and the evaluator share: SageMaker and the table. */
async function sharedParts(env: LambdaEnv, dynamo: DynamoDBClient): Promise<IntakeDeps> {
  return {
    ...(await poolFunctionParts(env, dynamo)),
    callers: new DynamoCallerRegistry(dynamo, env.tableName),
    parked: new DynamoParkedEvents(dynamo, env.tableName),
  };
}

/** Wires the pool intake and the reconciliation: SageMaker and the table, nothing else. */
async function intakeDeps(): Promise<IntakeDeps> {
  return sharedParts(readLambdaEnv(), new DynamoDBClient(AWS_CLIENT_OPTIONS));
}

/** Wires the evaluator: everything the intake has, plus notices and the event bus. */
async function stewardDeps(): Promise<StewardDeps> {
  const env = readLambdaEnv();
  const dynamo = new DynamoDBClient(AWS_CLIENT_OPTIONS);
  const secrets = slackSecretsOf(env);
  const shared = await sharedParts(env, dynamo);
  return {
    ...shared,
    ledger: new DynamoNoticeLedger(dynamo, {
      tableName: env.tableName,
      leaseMs: env.noticeLeaseMs,
    }),
    // The transport the config chose, as for the finish notice (SES or the SNS topic).
    email: emailSenderOf(shared.config, env.emailTopicArn),
    // Release warnings offer "Keep warm until …" and "Release now", as finish notices do.
    actionLinks: actionLinksOf(shared.config, secrets),
    // Pool notices are sent from inside the every-minute sweep: a Slack outage must not hold
    // decisions back, so each send gets 2 short attempts (a failure is logged; the audit and the
    // event bus still carry the decision) instead of the finish notice's minute of retries.
    slack: new HttpSlackSender({
      secrets,
      sleep: systemClock.sleep,
      timeoutMs: SWEEP_SLACK_TIMEOUT_MS,
      retry: { maxAttempts: 2, baseDelayMs: 500, maxDelayMs: 1_000 },
      ...(env.slackApiBase === undefined ? {} : { apiBase: env.slackApiBase }),
    }),
    events: new EventBridgePublisher(new EventBridgeClient(AWS_CLIENT_OPTIONS), systemClock),
  };
}

/**
 * Recognises Warden's own UpdateTrainingJob calls in CloudTrail: they come from the
 * evaluator's role (`WARDEN_STEWARD_ROLE`, a role name) or the actions function's
 * (`WARDEN_ACTIONS_ROLE`: a click is recorded as the person's own choice when it is made, so its
 * CloudTrail echo must not replace that person's name with a role session), as an assumed-role
 * session; in a member account, from the member role in a session named after the evaluator's
 * role (see deployedSageMaker).
 */
function isWardenCaller(env: NodeJS.ProcessEnv = process.env): (callerArn: string) => boolean {
  const roles = [env.WARDEN_STEWARD_ROLE, env.WARDEN_ACTIONS_ROLE].filter(
    (role): role is string => role !== undefined && role !== ''
  );
  if (roles.length === 0) return () => false;
  return (arn) => {
    const [, roleName, session] = arn.split('/');
    return (
      arn.includes(':assumed-role/') && roles.some((role) => roleName === role || session === role)
    );
  };
}

export { intakeDeps, isWardenCaller, stewardDeps };
