import { WardenError } from '../errors.js';

/**
 * Composing or rendering a notice threw (a lone UTF-16 surrogate in a job name, a time at the
 * edge of the Date range): pure code fails the same way on every retry, so the event is
 * parked with this message and acknowledged instead of retried into the failed-events queue.
 */
class PoisonEventError extends WardenError {
  constructor(step: string, cause: unknown) {
    const detail = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super('EVENT_POISON', `${step} failed: ${detail}`, { cause, retryable: false });
    this.name = 'PoisonEventError';
  }
}

/**
 * Runs a step that does no I/O, so whatever it throws is deterministic: a `PoisonEventError`.
 *
 * @example const notice = deterministic('building the notice', () => buildNotice(inputs));
 */
function deterministic<T>(step: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new PoisonEventError(step, error);
  }
}

export { deterministic, PoisonEventError };
