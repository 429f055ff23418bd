import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  DeliveryError,
  DependencyError,
  NoticeInProgressError,
  WardenError,
} from '../../src/domain/errors.js';

describe('errors', () => {
  it('gives each error class a stable code and its own name', () => {
    // Prepare
    const errors = [
      new ConfigError(['a.yaml:1: version: must be 1']),
      new DeliveryError('slack', 'rate limited'),
      new DependencyError('SageMaker', 'throttled'),
      new NoticeInProgressError('arn#Completed'),
    ];

    // Act
    const described = errors.map((e) => [e.name, e.code, e instanceof WardenError]);

    // Assess
    expect(described).toEqual([
      ['ConfigError', 'CONFIG_INVALID', true],
      ['DeliveryError', 'DELIVERY_FAILED', true],
      ['DependencyError', 'DEPENDENCY_FAILED', true],
      ['NoticeInProgressError', 'NOTICE_IN_PROGRESS', true],
    ]);
  });

  it('passes the cause through and marks retryable errors', () => {
    // Prepare
    const cause = new Error('socket hang up');

    // Act
    const error = new DependencyError('SageMaker', 'DescribeTrainingJob failed', {
      cause,
      retryable: true,
    });

    // Assess
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(true);
    expect(error.message).toBe('SageMaker: DescribeTrainingJob failed');
  });

  it('treats errors as not retryable unless told otherwise', () => {
    expect(new DeliveryError('email', 'bad address').retryable).toBe(false);
  });

  it('marks a notice held by another invocation as retryable', () => {
    const error = new NoticeInProgressError('arn#Completed');

    expect(error.retryable).toBe(true);
    expect(error.message).toBe('notice arn#Completed is being sent by another invocation');
  });

  it('lists every config issue on its own line', () => {
    const error = new ConfigError([
      'a.yaml:1: version: must be 1',
      'a.yaml:3: owners: expected object',
    ]);

    expect(error.issues).toHaveLength(2);
    expect(error.message).toBe(
      'invalid configuration:\n  a.yaml:1: version: must be 1\n  a.yaml:3: owners: expected object'
    );
  });
});
