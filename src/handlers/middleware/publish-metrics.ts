import type { MiddlewareObj } from '@middy/core';

/** The metrics a handler writes out when each invocation ends (deps.metrics, deployed). */
interface MetricsSink {
  flush(): void;
}

/**
 * Writes the invocation's metrics once it ends, whether it succeeded or failed: a failed
 * invocation's counts (a permanent channel failure, a rejected event) are the ones alarms need.
 */
function publishMetrics(metrics: MetricsSink): MiddlewareObj {
  const publishMetricsAfter = (): void => metrics.flush();
  return { after: publishMetricsAfter, onError: publishMetricsAfter };
}

export type { MetricsSink };
export { publishMetrics };
