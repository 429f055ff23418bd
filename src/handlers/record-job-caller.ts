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

type CallerOutcome =
  | { readonly kind: 'recorded'; readonly jobArn: string; readonly principal: string }
  | { readonly kind: 'ignored'; readonly reason: string };

/**
 * EventBridge → "AWS API Call via CloudTrail" for CreateTrainingJob → remembers who created
 * the job, the fourth step of owner resolution.
 */
function createHandler(loadRegistry: () => Promise<CallerRegistry>, clock: Clock) {
  const registry = once(loadRegistry);
  return middy(async (event: unknown): Promise<CallerOutcome> => {
    const parsed = parseCreateTrainingJobCall(event);
    if (!parsed.ok) {
      logger.warn('CloudTrail event ignored', { reason: parsed.reason });
      return { kind: 'ignored', reason: parsed.reason };
    }
    const { jobArn, caller } = parsed.call;
    logger.appendKeys({ jobArn });
    await (await registry()).record(jobKey(jobArn), caller, clock.now());
    logger.info('job caller recorded', { principal: caller.principal });
    return { kind: 'recorded', jobArn, principal: caller.principal };
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logFailure(logger));
}

const handler = createHandler(callerRegistry, systemClock);

export { createHandler, handler };
