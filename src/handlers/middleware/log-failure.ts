import type { MiddlewareObj, Request } from '@middy/core';
import { WardenError } from '../../domain/errors.js';
import type { Log } from '../../domain/ports/log.js';

/**
 * Logs a failed invocation once, with the error's code and whether a retry can help, then lets
 * the error propagate: a queue shows its records again (and in the end keeps them in its
 * dead-letter queue), and a scheduled function runs again on its schedule.
 */
function logFailure(log: Log): MiddlewareObj {
  const logFailureOnError = (request: Request): void => {
    const { error } = request;
    log.error('invocation failed; it is retried (from its queue, or at the next scheduled run)', {
      error,
      ...(error instanceof WardenError ? { code: error.code, retryable: error.retryable } : {}),
    });
  };
  return { onError: logFailureOnError };
}

export { logFailure };
