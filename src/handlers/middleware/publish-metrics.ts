import type { MiddlewareObj } from '@middy/core';

/** What the middleware needs of a metrics adapter. */
interface Flushable {
  flush(): void;
}

/**
 * Writes the invocation's metrics once it ends, whether it succeeded or failed: a failed
 * invocation's counts (a permanent channel failure, a rejected event) are the ones alarms need.
 */
function publishMetrics(metrics: Flushable): MiddlewareObj {
  const publishMetricsAfter = (): void => metrics.flush();
  return { after: publishMetricsAfter, onError: publishMetricsAfter };
}

export { publishMetrics };
