import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import { type ReconcileOutcome, reconcilePools } from '../domain/steward/reconcile-pools.js';
import type { IntakeDeps } from '../domain/steward/steward-deps.js';
import { logFailure } from './middleware/log-failure.js';
import { type MetricsSink, publishMetrics } from './middleware/publish-metrics.js';
import { once } from './once.js';
import { intakeDeps } from './steward-lambda-deps.js';

/** Stop paging this long before the function's timeout, keeping the token for the next run. */
const TIMEOUT_RESERVE_MS = 30_000;

/** Every 30 minutes → adopt warm pools whose events never reached Warden. */
function createHandler(
  loadDeps: () => Promise<IntakeDeps>,
  log: Logger = logger,
  sink: MetricsSink = metrics
) {
  const deps = once(loadDeps);
  return middy(async (_event: unknown, context: Context): Promise<ReconcileOutcome> => {
    const resolved = await deps();
    const deadline =
      resolved.clock.now() + Math.max(0, context.getRemainingTimeInMillis() - TIMEOUT_RESERVE_MS);
    const outcome = await reconcilePools(resolved, {
      deadline,
      region: process.env.AWS_REGION ?? 'us-east-1',
    });
    log.info('reconciliation done', { outcome });
    return outcome;
  })
    .use(injectLambdaContext(log, { resetKeys: true }))
    .use(logFailure(log))
    .use(publishMetrics(sink));
}

const handler = createHandler(intakeDeps);

export { createHandler, handler };
