/**
 * Every error Pool Warden raises on purpose. Each has a stable `code` so logs, metrics and
 * callers can branch on it without matching on messages, and passes `cause` through so the
 * original SDK or network error survives in logs.
 */
class WardenError extends Error {
  readonly code: string;
  /** Whether a retry of the same work may succeed (throttling, 5xx, a lease held elsewhere). */
  readonly retryable: boolean;

  constructor(code: string, message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super(message, options);
    this.name = 'WardenError';
    this.code = code;
    this.retryable = options?.retryable ?? false;
  }
}

/** A configuration file failed validation; `issues` holds one line per problem. */
class ConfigError extends WardenError {
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super('CONFIG_INVALID', `invalid configuration:\n  ${issues.join('\n  ')}`);
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** A notice could not be delivered on one channel after the adapter's own retries. */
class DeliveryError extends WardenError {
  readonly channel: string;

  constructor(channel: string, message: string, options?: ErrorOptions & { retryable?: boolean }) {
    super('DELIVERY_FAILED', `${channel} delivery failed: ${message}`, options);
    this.name = 'DeliveryError';
    this.channel = channel;
  }
}

/** Another invocation holds the notice lease; retrying later either finds it done or takes over. */
class NoticeInProgressError extends WardenError {
  constructor(key: string) {
    super('NOTICE_IN_PROGRESS', `notice ${key} is being sent by another invocation`, {
      retryable: true,
    });
    this.name = 'NoticeInProgressError';
  }
}

/** A dependency (SageMaker, DynamoDB, SNS, Secrets Manager) failed after the SDK's retries. */
class DependencyError extends WardenError {
  readonly dependency: string;

  constructor(
    dependency: string,
    message: string,
    options?: ErrorOptions & { retryable?: boolean }
  ) {
    super('DEPENDENCY_FAILED', `${dependency}: ${message}`, options);
    this.name = 'DependencyError';
    this.dependency = dependency;
  }
}

export { ConfigError, DeliveryError, DependencyError, NoticeInProgressError, WardenError };
