import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DAY_MS,
  dynamoError,
  isConditionFailure,
  ttlAfter,
} from '../../../src/adapters/aws/dynamo-table.js';
import { DependencyError } from '../../../src/domain/errors.js';

describe('dynamo-table', () => {
  it('gives the TTL in whole epoch seconds when the expiry falls mid-second', () => {
    // Act
    const ttl = ttlAfter(1_795_169_742_999, DAY_MS);

    // Assess
    expect(ttl).toEqual({ N: '1795256142' });
  });

  it('recognises a failed condition when DynamoDB rejects a conditional write', () => {
    // Prepare
    const rejected = new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    });

    // Act & Assess
    expect(isConditionFailure(rejected)).toBe(true);
    expect(isConditionFailure(new Error('The conditional request failed'))).toBe(false);
    expect(isConditionFailure('ConditionalCheckFailedException')).toBe(false);
  });

  it('returns a retryable DependencyError naming the operation and keeping the cause when an SDK call fails', () => {
    // Prepare
    const cause = Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
      name: 'ThrottlingException',
    });

    // Act
    const error = dynamoError('claim notice', cause);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error.message).toBe(
      'DynamoDB: claim notice failed: ThrottlingException: Rate of requests exceeds the allowed throughput.'
    );
    expect(error.retryable).toBe(true);
    expect(error.cause).toBe(cause);
  });

  it('describes the failure by its text when something other than an Error was thrown', () => {
    // Act
    const error = dynamoError('park event', 'socket hang up');

    // Assess
    expect(error.message).toBe('DynamoDB: park event failed: socket hang up');
  });
});
