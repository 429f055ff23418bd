import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { Channel, Claim, NoticeLedger } from '../../domain/ports/notice-ledger.js';
import {
  DAY_MS,
  dynamoCall,
  dynamoError,
  type Item,
  isConditionFailure,
  ttlAfter,
} from './dynamo-table.js';

interface LedgerOptions {
  readonly tableName: string;
  /** How long a claim blocks other invocations; longer than the function timeout. */
  readonly leaseMs?: number;
  /** How long a sent notice is remembered; late duplicates after this would notify again. */
  readonly retainMs?: number;
}

const CHANNELS: readonly Channel[] = ['email', 'slack', 'fallback-email', 'fallback-slack'];

/**
 * The notice ledger in DynamoDB. A claim is one conditional write, so two invocations racing on
 * duplicate events cannot both win; the record expires through the table's TTL. The status a
 * notice said is written with `if_not_exists`, so the first one stays.
 *
 * Items written before finish notices were keyed per job carry the status in their key
 * (`NOTICE#<arn>#<created>#Completed`); no key of this version reads them, and their TTL
 * removes them.
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
      const delivered = deliveredChannels(Attributes);
      const attempted = channelsIn(Attributes?.attempted).filter((c) => !delivered.includes(c));
      return {
        kind: 'claimed',
        delivered,
        ...statusOf(Attributes),
        ...(attempted.length === 0 ? {} : { attempted }),
      };
    } catch (error) {
      if (!isConditionFailure(error)) throw dynamoError('claim notice', error);
    }
    const { Item: existing } = await dynamoCall('read notice', () =>
      this.client.send(
        new GetItemCommand({
          TableName: this.options.tableName,
          Key: this.key(key),
          ConsistentRead: true,
        })
      )
    );
    return existing?.state?.S === 'sent'
      ? { kind: 'done', ...statusOf(existing) }
      : { kind: 'busy' };
  }

  async recordAttempt(key: string, channel: Channel): Promise<void> {
    await this.update(key, 'record attempt', {
      UpdateExpression: 'ADD attempted :channel',
      ExpressionAttributeValues: { ':channel': { SS: [channel] } },
    });
  }

  async recordDelivery(key: string, channel: Channel, status?: string): Promise<void> {
    await this.update(key, 'record delivery', {
      UpdateExpression:
        status === undefined
          ? 'ADD delivered :channel'
          : 'ADD delivered :channel SET #status = if_not_exists(#status, :status)',
      ...(status === undefined ? {} : { ExpressionAttributeNames: { '#status': 'status' } }),
      ExpressionAttributeValues: {
        ':channel': { SS: [channel] },
        ...(status === undefined ? {} : { ':status': { S: status } }),
      },
    });
  }

  async complete(key: string, now: number, status?: string): Promise<void> {
    await this.update(key, 'complete notice', {
      UpdateExpression:
        status === undefined
          ? 'SET #state = :sent, sentAt = :now REMOVE leaseUntil'
          : 'SET #state = :sent, sentAt = :now, #status = if_not_exists(#status, :status) REMOVE leaseUntil',
      ExpressionAttributeNames: {
        '#state': 'state',
        ...(status === undefined ? {} : { '#status': 'status' }),
      },
      ExpressionAttributeValues: {
        ':sent': { S: 'sent' },
        ':now': { N: String(now) },
        ...(status === undefined ? {} : { ':status': { S: status } }),
      },
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
    await dynamoCall(operation, () =>
      this.client.send(
        new UpdateItemCommand({ TableName: this.options.tableName, Key: this.key(key), ...input })
      )
    );
  }

  private key(key: string): Item {
    return { pk: { S: `NOTICE#${key}` }, sk: { S: 'NOTICE' } };
  }
}

function statusOf(item: Item | undefined): { status?: string } {
  const status = item?.status?.S;
  return status === undefined ? {} : { status };
}

function deliveredChannels(item: Item | undefined): Channel[] {
  return channelsIn(item?.delivered);
}

function channelsIn(attribute: AttributeValue | undefined): Channel[] {
  const set = attribute?.SS ?? [];
  return CHANNELS.filter((c) => set.includes(c));
}

export { DynamoNoticeLedger };
