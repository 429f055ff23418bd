import { type DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { JobCaller } from '../../domain/owner/job-caller.js';
import type { CallerRegistry } from '../../domain/ports/caller-registry.js';
import { DAY_MS, dynamoError, type Item, ttlAfter } from './dynamo-table.js';

/** Jobs run up to 28 days; the caller must still be known when the job finishes. */
const RETAIN_MS = 35 * DAY_MS;

class DynamoCallerRegistry implements CallerRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string
  ) {}

  async record(jobArn: string, caller: JobCaller, now: number): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key(jobArn),
            principal: { S: caller.principal },
            callerArn: { S: caller.arn },
            recordedAt: { N: String(now) },
            ttl: ttlAfter(now, RETAIN_MS),
          },
        })
      );
    } catch (error) {
      throw dynamoError('record caller', error);
    }
  }

  async find(jobArn: string): Promise<JobCaller | undefined> {
    let item: Item | undefined;
    try {
      ({ Item: item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key(jobArn) })
      ));
    } catch (error) {
      throw dynamoError('find caller', error);
    }
    const principal = item?.principal?.S;
    const arn = item?.callerArn?.S;
    return principal === undefined || arn === undefined ? undefined : { principal, arn };
  }
}

function key(jobArn: string): Item {
  return { pk: { S: `CALLER#${jobArn}` }, sk: { S: 'CALLER' } };
}

export { DynamoCallerRegistry };
