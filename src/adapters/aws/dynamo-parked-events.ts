import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { ParkedEvent, ParkedEvents } from '../../domain/ports/parked-events.js';
import { DAY_MS, dynamoError, ttlAfter } from './dynamo-table.js';

const RETAIN_MS = 14 * DAY_MS;
/** DynamoDB items are limited to 400 KB; the event is cut well below that. */
const MAX_EVENT_CHARS = 300_000;

/** Keeps rejected events for two weeks, one partition per day, so an admin can list a day's. */
class DynamoParkedEvents implements ParkedEvents {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string
  ) {}

  async park(entry: ParkedEvent): Promise<void> {
    const at = new Date(entry.receivedAt).toISOString();
    const event = JSON.stringify(entry.event) ?? String(entry.event);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: `PARKED#${at.slice(0, 10)}` },
            sk: { S: `${at}#${randomUUID()}` },
            reason: { S: entry.reason },
            event: { S: event.slice(0, MAX_EVENT_CHARS) },
            truncated: { BOOL: event.length > MAX_EVENT_CHARS },
            ttl: ttlAfter(entry.receivedAt, RETAIN_MS),
          },
        })
      );
    } catch (error) {
      throw dynamoError('park event', error);
    }
  }
}

export { DynamoParkedEvents };
