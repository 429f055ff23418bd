import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { poolsOfStreamEvent } from '../adapters/aws/pool-stream.js';
import { logger } from '../adapters/logging/logger.js';
import { metrics } from '../adapters/logging/powertools-metrics.js';
import {
  evaluateDuePools,
  evaluateNewPools,
  type SweepOutcome,
} from '../domain/steward/evaluate-due-pools.js';
import type { StewardDeps } from '../domain/steward/steward-deps.js';
import { logFailure } from './middleware/log-failure.js';
import { type MetricsSink, publishMetrics } from './middleware/publish-metrics.js';
import { once } from './once.js';
import { stewardDeps } from './steward-lambda-deps.js';

/** Stop taking on pools this long before the function's timeout. */
const TIMEOUT_RESERVE_MS = 20_000;

/**
 * Every minute (an EventBridge schedule) → every pool whose decision time has come is decided
 * and acted on under the policy (see `evaluateDuePools`). A batch of the table's stream (new
 * pool items) → those pools get their first decision at once (`evaluateNewPools`): waiting for
 * the minute would keep a pool the policy releases idle for up to a minute.
 */
function createHandler(
  loadDeps: () => Promise<StewardDeps>,
  log: Logger = logger,
  sink: MetricsSink = metrics
) {
  const deps = once(loadDeps);
  return middy(async (event: unknown, context: Context): Promise<SweepOutcome> => {
    const resolved = await deps();
    const deadline =
      resolved.clock.now() + Math.max(0, context.getRemainingTimeInMillis() - TIMEOUT_RESERVE_MS);
    const stream = poolsOfStreamEvent(event);
    if (stream !== undefined && stream.unreadable.length > 0) {
      // The first few say what went wrong; a batch of garbage must not make a megabyte log line.
      log.warn('stream records that name no pool were skipped', {
        count: stream.unreadable.length,
        records: stream.unreadable.slice(0, 20),
      });
    }
    const outcome =
      stream === undefined
        ? await evaluateDuePools(resolved, deadline)
        : await evaluateNewPools(stream.pools, resolved, deadline);
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
