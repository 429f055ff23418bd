import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { systemClock } from '../adapters/clock/system-clock.js';
import { logger } from '../adapters/logging/logger.js';
import { jobKey, parseCreateTrainingJobCall } from '../domain/owner/job-caller.js';
import type { CallerRegistry } from '../domain/ports/caller-registry.js';
import type { Clock } from '../domain/ports/clock.js';
import { callerRegistry } from './lambda-deps.js';
import { logFailure } from './middleware/log-failure.js';
import { once } from './once.js';
import { sqsBatch } from './sqs-batch.js';

type CallerOutcome =
  | { readonly kind: 'recorded'; readonly jobArn: string; readonly principal: string }
  | { readonly kind: 'ignored'; readonly reason: string };

/**
 * "AWS API Call via CloudTrail" for CreateTrainingJob → remembers who created the job, the
 * fourth step of owner resolution. An event it cannot read is ignored (handled); a failed write
 * throws, so it is retried.
 */
function handleEvent(
  registry: () => Promise<CallerRegistry>,
  clock: Clock,
  log: Logger
): (event: unknown) => Promise<CallerOutcome> {
  return async (event) => {
    const parsed = parseCreateTrainingJobCall(event);
    if (!parsed.ok) {
      log.warn('CloudTrail event ignored', { reason: parsed.reason });
      return { kind: 'ignored', reason: parsed.reason };
    }
    const { jobArn, caller } = parsed.call;
    log.appendKeys({ jobArn });
    await (await registry()).record(jobKey(jobArn), caller, clock.now());
    log.info('job caller recorded', { principal: caller.principal });
    return { kind: 'recorded', jobArn, principal: caller.principal };
  };
}

/** One EventBridge event per invocation. */
function createHandler(
  loadRegistry: () => Promise<CallerRegistry>,
  clock: Clock,
  log: Logger = logger
) {
  return middy(handleEvent(once(loadRegistry), clock, log))
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logFailure(log));
}

/** The deployed entry point: a batch from the caller queue, failed records reported back. */
function createQueueHandler(
  loadRegistry: () => Promise<CallerRegistry>,
  clock: Clock,
  log: Logger = logger
) {
  return middy(sqsBatch(handleEvent(once(loadRegistry), clock, log), log)).use(
    injectLambdaContext(log, { resetKeys: true })
  );
}

const handler = createQueueHandler(callerRegistry, systemClock);

export { createHandler, createQueueHandler, handler };
