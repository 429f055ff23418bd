import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { NonceStore } from '../../domain/ports/nonce-store.js';
import { DAY_MS, dynamoCall, dynamoError, type Item, isConditionFailure } from './dynamo-table.js';

/** A day past the token's own expiry, so clock skew never frees a nonce a token still carries. */
const GRACE_MS = DAY_MS;

/**
 * Nonces of action tokens in the one table (`pk` = `NONCE#<nonce>`). A claim is a put with
 * `attribute_not_exists(pk)`: of two clicks racing, exactly one wins. The item leaves through
 * the table's TTL after the token has expired.
 */
class DynamoNonceStore implements NonceStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string
  ) {}

  async claim(nonce: string, expiresAt: number): Promise<'claimed' | 'used'> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...this.key(nonce),
            ttl: { N: String(Math.ceil((expiresAt + GRACE_MS) / 1000)) },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        })
      );
      return 'claimed';
    } catch (error) {
      if (isConditionFailure(error)) return 'used';
      throw dynamoError('claim action nonce', error);
    }
  }

  async release(nonce: string): Promise<void> {
    await dynamoCall('release action nonce', () =>
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: this.key(nonce) }))
    );
  }

  private key(nonce: string): Item {
    return { pk: { S: `NONCE#${nonce}` }, sk: { S: 'NONCE' } };
  }
}

export { DynamoNonceStore };
