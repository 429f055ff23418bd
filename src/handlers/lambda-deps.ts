import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ActionSecrets } from '../adapters/actions/action-secrets.js';
import { createSignedActionLinks } from '../adapters/actions/signed-action-links.js';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoCallerRegistry } from '../adapters/aws/dynamo-caller-registry.js';
import { DynamoNoticeLedger } from '../adapters/aws/dynamo-notice-ledger.js';
import { DynamoParkedEvents } from '../adapters/aws/dynamo-parked-events.js';
import { readLambdaEnv } from '../adapters/aws/lambda-env.js';
import { deployedSageMaker } from '../adapters/aws/organisation-gateway.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { HttpSlackSender } from '../adapters/slack/slack-sender.js';
import { maxLinkLifetimeMs } from '../domain/actions/offered-actions.js';
import { emailTransportOf } from '../domain/config/email-transport.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import type { FinishNoticeDeps } from '../domain/finish/notify-on-finish.js';
import { type ActionLinks, noActionLinks } from '../domain/ports/action-links.js';
import type { CallerRegistry } from '../domain/ports/caller-registry.js';
import type { EmailReach, EmailSender } from '../domain/ports/senders.js';
import { loadBundledConfig } from './bundled-config.js';
import { slackSecretsOf } from './pool-function-deps.js';
import { sesTransport } from './ses-transport.js';
import { snsEmailSender, snsTransport } from './sns-transport.js';

/** Wires the deployed adapters for the finish notice, from the function's environment. */
async function finishNoticeDeps(): Promise<FinishNoticeDeps> {
  const env = readLambdaEnv();
  const config = await loadBundledConfig();
  const dynamo = new DynamoDBClient(AWS_CLIENT_OPTIONS);
  const secrets = slackSecretsOf(env);
  return {
    config,
    clock: systemClock,
    sageMaker: deployedSageMaker(config, logger),
    ledger: new DynamoNoticeLedger(dynamo, {
      tableName: env.tableName,
      leaseMs: env.noticeLeaseMs,
    }),
    callers: new DynamoCallerRegistry(dynamo, env.tableName),
    parked: new DynamoParkedEvents(dynamo, env.tableName),
    ...emailTransport(config, env.emailTopicArn),
    slack: new HttpSlackSender({
      secrets,
      sleep: systemClock.sleep,
      ...(env.slackApiBase === undefined ? {} : { apiBase: env.slackApiBase }),
    }),
    metrics,
    log: logger,
    actionLinks: actionLinksOf(config, secrets),
  };
}

/** Signed keep-warm and release links when `actions.baseUrl` is configured; else none. */
function actionLinksOf(config: WardenConfig, secrets: ActionSecrets): ActionLinks {
  const actions = config.actions;
  if (actions?.baseUrl === undefined) return noActionLinks;
  return createSignedActionLinks({
    baseUrl: actions.baseUrl,
    secrets,
    clock: systemClock,
    maxLinkLifetimeMs: maxLinkLifetimeMs(config),
  });
}

/**
 * The configured email transport: SNS (one topic; only confirmed subscriptions reach anyone,
 * so reach is checked) or SES (from a verified identity; every address is reachable).
 */
function emailTransport(
  config: WardenConfig,
  topicArn: string
): { email: EmailSender; emailReach: EmailReach } {
  if (emailTransportOf(config) === 'ses') return sesTransport(config);
  return snsTransport(topicArn);
}

/**
 * Only the sender of the configured transport, for the steward's pool notices: they go to
 * owners the finish notice already reached, and the reach check would cost the evaluator's
 * bundle the subscription reader.
 */
function emailSenderOf(config: WardenConfig, topicArn: string): EmailSender {
  if (emailTransportOf(config) === 'ses') return sesTransport(config).email;
  return snsEmailSender(topicArn);
}

/** Wires the caller registry for the CloudTrail intake. */
async function callerRegistry(): Promise<CallerRegistry> {
  const env = readLambdaEnv();
  return new DynamoCallerRegistry(new DynamoDBClient(AWS_CLIENT_OPTIONS), env.tableName);
}

export { actionLinksOf, callerRegistry, emailSenderOf, emailTransport, finishNoticeDeps };
