import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { isRecord } from '../domain/objects.js';
import {
  type HumanUpdateOutcome,
  recordHumanUpdate,
} from '../domain/steward/record-human-update.js';
import type { IntakeDeps } from '../domain/steward/steward-deps.js';
import { type IntakeOutcome, trackPoolEvent } from '../domain/steward/track-pool-event.js';
import { logFailure } from './middleware/log-failure.js';
import { type MetricsSink, publishMetrics } from './middleware/publish-metrics.js';
import { once } from './once.js';
import { sqsBatch } from './sqs-batch.js';
import { intakeDeps, isWardenCaller } from './steward-lambda-deps.js';

/**
 * Every "SageMaker Training Job State Change", and CloudTrail's record of UpdateTrainingJob
 * calls → the pool records and the keys' gap histories. Separate from the finish notice, so
 * pool tracking never waits behind Slack retries.
 */
function handleEvent(
  deps: () => Promise<IntakeDeps>,
  isWarden: (callerArn: string) => boolean,
  log: Logger
): (event: unknown) => Promise<IntakeOutcome | HumanUpdateOutcome> {
  return async (event) => {
    const detail = isRecord(event) && isRecord(event.detail) ? event.detail : undefined;
    if (typeof detail?.TrainingJobArn === 'string')
      log.appendKeys({ jobArn: detail.TrainingJobArn });
    const outcome =
      isRecord(event) && event['detail-type'] === 'AWS API Call via CloudTrail'
        ? await recordHumanUpdate(event, await deps(), isWarden)
        : await trackPoolEvent(event, await deps());
    if (outcome.kind === 'rejected') log.error('event rejected and parked', { outcome });
    else log.info('event handled', { outcome });
    return outcome;
  };
}

/** One EventBridge event per invocation, as the simulator and tests call it. */
function createHandler(
  loadDeps: () => Promise<IntakeDeps>,
  isWarden: (callerArn: string) => boolean,
  log: Logger = logger,
  sink: MetricsSink = metrics
) {
  return middy(handleEvent(once(loadDeps), isWarden, log))
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logFailure(log))
    .use(publishMetrics(sink));
}

/** The deployed entry point: a batch from the intake queue, failed records reported back. */
function createQueueHandler(
  loadDeps: () => Promise<IntakeDeps>,
  isWarden: (callerArn: string) => boolean,
  log: Logger = logger,
  sink: MetricsSink = metrics
) {
  return middy(sqsBatch(handleEvent(once(loadDeps), isWarden, log), log))
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(publishMetrics(sink));
}

const handler = createQueueHandler(intakeDeps, isWardenCaller());

export { createHandler, createQueueHandler, handler };
