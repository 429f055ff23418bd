import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SNSClient } from '@aws-sdk/client-sns';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoCallerRegistry } from '../adapters/aws/dynamo-caller-registry.js';
import { DynamoNoticeLedger } from '../adapters/aws/dynamo-notice-ledger.js';
import { DynamoParkedEvents } from '../adapters/aws/dynamo-parked-events.js';
import { readLambdaEnv } from '../adapters/aws/lambda-env.js';
import { SdkSageMakerGateway } from '../adapters/aws/sagemaker-gateway.js';
import { SecretsManagerSlackSecrets } from '../adapters/aws/secrets-manager-slack-secrets.js';
import { SnsEmailSender } from '../adapters/aws/sns-email-sender.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { logger } from '../adapters/logging/logger.js';
import { HttpSlackSender } from '../adapters/slack/slack-sender.js';
import type { FinishNoticeDeps } from '../domain/finish/notify-on-finish.js';
import type { CallerRegistry } from '../domain/ports/caller-registry.js';
import { loadBundledConfig } from './bundled-config.js';

/** Wires the deployed adapters for the finish notice, from the function's environment. */
async function finishNoticeDeps(): Promise<FinishNoticeDeps> {
  const env = readLambdaEnv();
  const config = await loadBundledConfig();
  const dynamo = new DynamoDBClient(AWS_CLIENT_OPTIONS);
  const secrets = new SecretsManagerSlackSecrets(
    new SecretsManagerClient(AWS_CLIENT_OPTIONS),
    env.slackSecretId,
    systemClock
  );
  return {
    config,
    clock: systemClock,
    sageMaker: new SdkSageMakerGateway(new SageMakerClient(AWS_CLIENT_OPTIONS)),
    ledger: new DynamoNoticeLedger(dynamo, {
      tableName: env.tableName,
      leaseMs: env.noticeLeaseMs,
    }),
    callers: new DynamoCallerRegistry(dynamo, env.tableName),
    parked: new DynamoParkedEvents(dynamo, env.tableName),
    email: new SnsEmailSender(new SNSClient(AWS_CLIENT_OPTIONS), env.emailTopicArn),
    slack: new HttpSlackSender({
      secrets,
      sleep: systemClock.sleep,
      ...(env.slackApiBase === undefined ? {} : { apiBase: env.slackApiBase }),
    }),
    log: logger,
  };
}

/** Wires the caller registry for the CloudTrail intake. */
async function callerRegistry(): Promise<CallerRegistry> {
  const env = readLambdaEnv();
  return new DynamoCallerRegistry(new DynamoDBClient(AWS_CLIENT_OPTIONS), env.tableName);
}

export { callerRegistry, finishNoticeDeps };
