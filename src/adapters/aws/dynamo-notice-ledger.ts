import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { Channel, Claim, NoticeLedger } from '../../domain/ports/notice-ledger.js';
import { DAY_MS, dynamoError, type Item, isConditionFailure, ttlAfter } from './dynamo-table.js';

interface LedgerOptions {
  readonly tableName: string;
  /** How long a claim blocks other invocations; longer than the function timeout. */
  readonly leaseMs?: number;
  /** How long a sent notice is remembered; late duplicates after this would notify again. */
  readonly retainMs?: number;
}

const CHANNELS: readonly Channel[] = ['email', 'slack'];

/**
 * The notice ledger in DynamoDB. A claim is one conditional write, so two invocations racing on
 * duplicate events cannot both win; the record expires through the table's TTL.
 */
class DynamoNoticeLedger implements NoticeLedger {
  private readonly leaseMs: number;
  private readonly retainMs: number;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: LedgerOptions
  ) {
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.retainMs = options.retainMs ?? 30 * DAY_MS;
  }

  async claim(key: string, now: number): Promise<Claim> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.options.tableName,
          Key: this.key(key),
          UpdateExpression: 'SET #state = :pending, leaseUntil = :lease, #ttl = :ttl',
          ConditionExpression:
            'attribute_not_exists(pk) OR (#state = :pending AND leaseUntil <= :now)',
          ExpressionAttributeNames: { '#state': 'state', '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':pending': { S: 'pending' },
            ':lease': { N: String(now + this.leaseMs) },
            ':now': { N: String(now) },
            ':ttl': ttlAfter(now, this.retainMs),
          },
          ReturnValues: 'ALL_NEW',
        })
      );
      return { kind: 'claimed', delivered: deliveredChannels(Attributes) };
    } catch (error) {
      if (!isConditionFailure(error)) throw dynamoError('claim notice', error);
    }
    const { Item: existing } = await this.client
      .send(
        new GetItemCommand({
          TableName: this.options.tableName,
          Key: this.key(key),
          ConsistentRead: true,
        })
      )
      .catch((error: unknown) => {
        throw dynamoError('read notice', error);
      });
    return existing?.state?.S === 'sent' ? { kind: 'done' } : { kind: 'busy' };
  }

  async recordDelivery(key: string, channel: Channel): Promise<void> {
    await this.update(key, 'record delivery', {
      UpdateExpression: 'ADD delivered :channel',
      ExpressionAttributeValues: { ':channel': { SS: [channel] } },
    });
  }

  async complete(key: string, now: number): Promise<void> {
    await this.update(key, 'complete notice', {
      UpdateExpression: 'SET #state = :sent, sentAt = :now REMOVE leaseUntil',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':sent': { S: 'sent' }, ':now': { N: String(now) } },
    });
  }

  async release(key: string): Promise<void> {
    try {
      await this.update(key, 'release notice', {
        UpdateExpression: 'SET leaseUntil = :zero',
        ConditionExpression: '#state = :pending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':zero': { N: '0' }, ':pending': { S: 'pending' } },
      });
    } catch (error) {
      // Already sent (or gone): there is no lease left to give back.
      if (!(error instanceof Error && isConditionFailure(error.cause))) throw error;
    }
  }

  private async update(
    key: string,
    operation: string,
    input: Omit<ConstructorParameters<typeof UpdateItemCommand>[0], 'TableName' | 'Key'>
  ): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({ TableName: this.options.tableName, Key: this.key(key), ...input })
      );
    } catch (error) {
      throw dynamoError(operation, error);
    }
  }

  private key(key: string): Item {
    return { pk: { S: `NOTICE#${key}` }, sk: { S: 'NOTICE' } };
  }
}

function deliveredChannels(item: Item | undefined): Channel[] {
  const set = item?.delivered?.SS ?? [];
  return CHANNELS.filter((c) => set.includes(c));
}

export { DynamoNoticeLedger };
