import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage-error.js';
import { WardenError } from '../../src/domain/errors.js';

describe('UsageError', () => {
  it('carries the USAGE code that main maps to exit status 2', () => {
    const error = new UsageError('replay needs at least one PATH');

    expect([error.name, error.code, error instanceof WardenError]).toEqual([
      'UsageError',
      'USAGE',
      true,
    ]);
  });
});
