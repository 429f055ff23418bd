import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoPoolStore } from '../adapters/aws/dynamo-pool-store.js';
import type { LambdaEnv } from '../adapters/aws/lambda-env.js';
import { deployedSageMaker } from '../adapters/aws/organisation-gateway.js';
import { SecretsManagerSlackSecrets } from '../adapters/aws/secrets-manager-slack-secrets.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { compilePolicy } from '../domain/config/compile-policy.js';
import type { IntakeDeps } from '../domain/steward/steward-deps.js';
import { loadBundledConfig } from './bundled-config.js';

/**
 * What every function that acts on pools wires alike: the bundled config and its policy, SageMaker
 * (jobs of member accounts in their own account, through the assumed role) and the pool table.
 */
async function poolFunctionParts(
  env: LambdaEnv,
  dynamo: DynamoDBClient
): Promise<Omit<IntakeDeps, 'callers' | 'parked'>> {
  const config = await loadBundledConfig();
  return {
    config,
    policy: compilePolicy(config),
    clock: systemClock,
    sageMaker: deployedSageMaker(config, logger),
    store: new DynamoPoolStore(dynamo, {
      tableName: env.tableName,
      clock: systemClock,
      log: logger,
    }),
    log: logger,
    // Written out by each handler's publishMetrics middleware when the invocation ends.
    metrics,
  };
}

/** The Slack secret (bot token, webhooks, signing secret, action keys) in Secrets Manager. */
function slackSecretsOf(env: LambdaEnv): SecretsManagerSlackSecrets {
  return new SecretsManagerSlackSecrets(
    new SecretsManagerClient(AWS_CLIENT_OPTIONS),
    env.slackSecretId,
    systemClock
  );
}

export { poolFunctionParts, slackSecretsOf };
