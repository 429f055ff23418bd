import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { EventBridgeHandOff } from '../adapters/actions/eventbridge-hand-off.js';
import { createResponseUrlReplier } from '../adapters/actions/slack-response-url.js';
import { checkEmailSubscriptions } from '../adapters/actions/sns-subscription-check.js';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoNonceStore } from '../adapters/aws/dynamo-nonce-store.js';
import { DynamoPoolStore } from '../adapters/aws/dynamo-pool-store.js';
import { readLambdaEnv } from '../adapters/aws/lambda-env.js';
import { deployedSageMaker } from '../adapters/aws/organisation-gateway.js';
import { SecretsManagerSlackSecrets } from '../adapters/aws/secrets-manager-slack-secrets.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { maxLinkLifetimeMs } from '../domain/actions/offered-actions.js';
import { compilePolicy } from '../domain/config/compile-policy.js';
import type { ActionsHttpDeps } from './actions-http.js';
import { loadBundledConfig } from './bundled-config.js';

/** Wires the actions function: SageMaker, the table (pools, audit, nonces), the secret, the bus. */
async function actionsDeps(): Promise<ActionsHttpDeps> {
  const env = readLambdaEnv();
  const config = await loadBundledConfig();
  const dynamo = new DynamoDBClient(AWS_CLIENT_OPTIONS);
  const { tableName } = env;
  return {
    config,
    policy: compilePolicy(config),
    clock: systemClock,
    // Jobs of member accounts are acted on in their own account (assumed role), as the steward does.
    sageMaker: deployedSageMaker(config, logger),
    store: new DynamoPoolStore(dynamo, { tableName, clock: systemClock, log: logger }),
    nonces: new DynamoNonceStore(dynamo, tableName),
    log: logger,
    metrics,
    secrets: new SecretsManagerSlackSecrets(
      new SecretsManagerClient(AWS_CLIENT_OPTIONS),
      env.slackSecretId,
      systemClock
    ),
    maxLinkLifetimeMs: maxLinkLifetimeMs(config),
    handOff: new EventBridgeHandOff(new EventBridgeClient(AWS_CLIENT_OPTIONS)),
    // Slack allows 3 s for the answer, not for this: the worker runs after it, and a response_url
    // stays valid for 30 minutes.
    slackReply: createResponseUrlReplier({ timeoutMs: 5_000 }),
    // Links by email reach people through the SNS topic only with a filter per address.
    ...((config.notices.email?.transport ?? 'sns') === 'sns' && config.actions?.baseUrl
      ? {
          checkSubscriptions: () =>
            checkEmailSubscriptions(new SNSClient(AWS_CLIENT_OPTIONS), env.emailTopicArn),
        }
      : {}),
  };
}

export { actionsDeps };
