import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../domain/errors.js';

/**
 * Pool Warden keeps everything in one DynamoDB table keyed by `pk` + `sk`, each item type
 * under its own `pk` prefix, with `ttl` (epoch seconds) as the table's TTL attribute.
 */
type Item = Record<string, AttributeValue>;

const DAY_MS = 24 * 60 * 60 * 1000;

function ttlAfter(now: number, ms: number): AttributeValue {
  return { N: String(Math.floor((now + ms) / 1000)) };
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

function dynamoError(operation: string, error: unknown): DependencyError {
  const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new DependencyError('DynamoDB', `${operation} failed: ${detail}`, {
    cause: error,
    retryable: true,
  });
}

/** `call()`, with any failure thrown as `dynamoError(operation, …)`. */
async function dynamoCall<T>(operation: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw dynamoError(operation, error);
  }
}

export type { Item };
export { DAY_MS, dynamoCall, dynamoError, isConditionFailure, ttlAfter };
