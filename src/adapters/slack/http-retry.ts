interface RetryOptions {
  /** Total attempts including the first. */
  readonly maxAttempts: number;
  /** First backoff; doubles each retry. */
  readonly baseDelayMs: number;
  /** Upper bound for any single wait, including a server's Retry-After. */
  readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
}

type Attempt =
  | { readonly kind: 'response'; readonly response: Response; readonly attempts: number }
  | { readonly kind: 'error'; readonly error: unknown; readonly attempts: number };

// Bounded so a Slack outage costs at most 4 × timeout + 3 × 10 s of the function's time.
const DEFAULT_RETRY: Omit<RetryOptions, 'sleep'> = {
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 10_000,
};

/**
 * Runs an HTTP request until it gets an answer worth keeping: retries network errors, 429
 * (waiting for `Retry-After` when the server sends it) and 5xx with exponential backoff. Any
 * other status is returned at once. After the last attempt the last outcome is returned, so
 * the caller decides how to report it.
 */
async function fetchWithRetry(
  request: () => Promise<Response>,
  options: RetryOptions
): Promise<Attempt> {
  let last: Attempt | undefined;
  for (let attempt = 1; attempt <= options.maxAttempts; attempt++) {
    let wait: number;
    try {
      const response = await request();
      last = { kind: 'response', response, attempts: attempt };
      if (response.status !== 429 && response.status < 500) return last;
      wait = retryAfterMs(response.headers.get('retry-after')) ?? backoff(attempt, options);
      // The body must be drained, or undici keeps the connection busy.
      await response.arrayBuffer().catch(() => undefined);
    } catch (error) {
      last = { kind: 'error', error, attempts: attempt };
      wait = backoff(attempt, options);
    }
    if (attempt < options.maxAttempts) await options.sleep(Math.min(wait, options.maxDelayMs));
  }
  // maxAttempts ≥ 1, so the loop ran and `last` is set.
  return last as Attempt;
}

function backoff(attempt: number, options: RetryOptions): number {
  return options.baseDelayMs * 2 ** (attempt - 1);
}

/** Retry-After is either delta-seconds (what Slack sends) or an HTTP date; only seconds are used. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header.trim()) * 1000;
}

export type { Attempt, RetryOptions };
export { DEFAULT_RETRY, fetchWithRetry };
