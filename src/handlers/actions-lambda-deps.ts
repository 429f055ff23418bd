import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeHandOff } from '../adapters/actions/eventbridge-hand-off.js';
import { createResponseUrlReplier } from '../adapters/actions/slack-response-url.js';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoNonceStore } from '../adapters/aws/dynamo-nonce-store.js';
import { readLambdaEnv } from '../adapters/aws/lambda-env.js';
import { maxLinkLifetimeMs } from '../domain/actions/offered-actions.js';
import { checksEmailSubscriptions } from '../domain/config/email-transport.js';
import type { ActionsHttpDeps } from './actions-http.js';
import { poolFunctionParts, slackSecretsOf } from './pool-function-deps.js';
import { snsSubscriptionCheck } from './sns-transport.js';

/** Wires the actions function: SageMaker, the table (pools, audit, nonces), the secret, the bus. */
async function actionsDeps(): Promise<ActionsHttpDeps> {
  const env = readLambdaEnv();
  const dynamo = new DynamoDBClient(AWS_CLIENT_OPTIONS);
  const parts = await poolFunctionParts(env, dynamo);
  const { config } = parts;
  return {
    ...parts,
    nonces: new DynamoNonceStore(dynamo, env.tableName),
    secrets: slackSecretsOf(env),
    maxLinkLifetimeMs: maxLinkLifetimeMs(config),
    handOff: new EventBridgeHandOff(new EventBridgeClient(AWS_CLIENT_OPTIONS)),
    // Slack allows 3 s for the answer, not for this: the worker runs after it, and a response_url
    // stays valid for 30 minutes.
    slackReply: createResponseUrlReplier({ timeoutMs: 5_000 }),
    // Links by email reach people through the SNS topic only with a filter per address.
    ...(checksEmailSubscriptions(config)
      ? {
          checkSubscriptions: snsSubscriptionCheck(env.emailTopicArn),
        }
      : {}),
  };
}

export { actionsDeps };
