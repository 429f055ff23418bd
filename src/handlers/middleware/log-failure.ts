import type { MiddlewareObj, Request } from '@middy/core';
import { WardenError } from '../../domain/errors.js';
import type { Log } from '../../domain/ports/log.js';

type ErrorLog = Log & { error(message: string, extra: Record<string, unknown>): void };

/**
 * Logs a failed invocation once, with the error's code and whether a retry can help, then lets
 * the error propagate: Lambda's retry and on-failure destination keep the event.
 */
function logFailure(log: ErrorLog): MiddlewareObj {
  const logFailureOnError = (request: Request): void => {
    const { error } = request;
    log.error('invocation failed; Lambda retries it, then keeps it in the failed-events queue', {
      error,
      ...(error instanceof WardenError ? { code: error.code, retryable: error.retryable } : {}),
    });
  };
  return { onError: logFailureOnError };
}

export { logFailure };
