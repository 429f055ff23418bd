import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '../adapters/logging/logger.js';
import { metrics as deployedMetrics } from '../adapters/logging/powertools-metrics.js';
import {
  type FinishNoticeDeps,
  type FinishOutcome,
  notifyOnFinish,
} from '../domain/finish/notify-on-finish.js';
import { isRecord } from '../domain/objects.js';
import { finishNoticeDeps } from './lambda-deps.js';
import { logFailure } from './middleware/log-failure.js';
import { type MetricsSink, publishMetrics } from './middleware/publish-metrics.js';
import { once } from './once.js';
import { sqsBatch } from './sqs-batch.js';

/**
 * "SageMaker Training Job State Change" → at most one finish notice per job. A malformed event,
 * or one whose notice cannot be rendered, is logged and parked, and counts as handled, so it is
 * not retried forever; a transient failure (network, throttling, 5xx, a lease held elsewhere)
 * throws, so it is retried.
 */
function handleEvent(
  deps: () => Promise<FinishNoticeDeps>,
  log: Logger
): (event: unknown) => Promise<FinishOutcome> {
  return async (event) => {
    const jobArn =
      isRecord(event) && isRecord(event.detail) ? event.detail.TrainingJobArn : undefined;
    if (typeof jobArn === 'string') log.appendKeys({ jobArn });
    const outcome = await notifyOnFinish(event, await deps());
    if (outcome.kind === 'rejected') log.error('event rejected and parked', { outcome });
    else log.info('event handled', { outcome });
    return outcome;
  };
}

/** One EventBridge event per invocation, as the simulator, `warden replay` and tests call it. */
function createHandler(
  loadDeps: () => Promise<FinishNoticeDeps>,
  log: Logger = logger,
  metrics: MetricsSink = deployedMetrics
) {
  return middy(handleEvent(once(loadDeps), log))
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(publishMetrics(metrics))
    .use(logFailure(log));
}

/** The deployed entry point: a batch from the notice queue, failed records reported back. */
function createQueueHandler(
  loadDeps: () => Promise<FinishNoticeDeps>,
  log: Logger = logger,
  metrics: MetricsSink = deployedMetrics
) {
  return middy(sqsBatch(handleEvent(once(loadDeps), log), log))
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(publishMetrics(metrics));
}

const handler = createQueueHandler(finishNoticeDeps);

export { createHandler, createQueueHandler, handler };
