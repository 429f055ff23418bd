import { WardenError } from '../domain/errors.js';

/** Command-line arguments that cannot be acted on (exit code 2). */
class UsageError extends WardenError {
  constructor(message: string) {
    super('USAGE', message);
    this.name = 'UsageError';
  }
}

export { UsageError };
