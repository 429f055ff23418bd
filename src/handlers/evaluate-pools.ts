import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { evaluateDuePools, type SweepOutcome } from '../domain/steward/evaluate-due-pools.js';
import type { StewardDeps } from '../domain/steward/steward-deps.js';
import { logFailure } from './middleware/log-failure.js';
import { type MetricsSink, publishMetrics } from './middleware/publish-metrics.js';
import { once } from './once.js';
import { stewardDeps } from './steward-lambda-deps.js';

/** Stop taking on pools this long before the function's timeout. */
const TIMEOUT_RESERVE_MS = 20_000;

/**
 * EventBridge Scheduler, every minute → every pool whose decision time has come is decided and
 * acted on under the policy (see `evaluateDuePools`).
 */
function createHandler(
  loadDeps: () => Promise<StewardDeps>,
  log: Logger = logger,
  sink: MetricsSink = metrics
) {
  const deps = once(loadDeps);
  return middy(async (_event: unknown, context: Context): Promise<SweepOutcome> => {
    const resolved = await deps();
    const deadline =
      resolved.clock.now() + Math.max(0, context.getRemainingTimeInMillis() - TIMEOUT_RESERVE_MS);
    const outcome = await evaluateDuePools(resolved, deadline);
    if (outcome.kind === 'swept' && outcome.breaker !== undefined) {
      log.error('circuit breaker open: decisions are audited but not applied', { outcome });
    } else log.info('pools evaluated', { outcome });
    return outcome;
  })
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logFailure(log))
    .use(publishMetrics(sink));
}

const handler = createHandler(stewardDeps);

export { createHandler, handler };
