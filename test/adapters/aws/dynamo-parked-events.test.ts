import { QueryCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoParkedEvents } from '../../../src/adapters/aws/dynamo-parked-events.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { stateChangeEvent, T0 } from '../../helpers/factories.js';
import { LoopbackDynamo } from '../../helpers/loopback-dynamodb.js';

const TABLE = 'pool-warden-parked';
const DAY_MS = 86_400_000;

describe('dynamo-parked-events', () => {
  let dynamo: LoopbackDynamo;
  let parked: DynamoParkedEvents;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable(TABLE);
    parked = new DynamoParkedEvents(dynamo.client, TABLE);
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  /** Every parked item of one UTC day, as an admin would list them. */
  async function parkedOn(day: string) {
    const { Items = [] } = await dynamo.client.send(
      new QueryCommand({
        TableName: TABLE,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: `PARKED#${day}` } },
        ConsistentRead: true,
      })
    );
    return Items;
  }

  it('writes the reason, the event as JSON and a 14-day TTL when an event is parked', async () => {
    // Prepare
    const event = stateChangeEvent({ name: 'parked-job' });

    // Act
    await parked.park({ reason: 'detail.TrainingJobArn is missing', receivedAt: T0, event });

    // Assess
    const items = await parkedOn('2026-11-26');
    expect(items).toHaveLength(1);
    const [item] = items;
    expect(item?.reason).toEqual({ S: 'detail.TrainingJobArn is missing' });
    expect(JSON.parse(item?.event?.S ?? '')).toEqual(event);
    expect(item?.truncated).toEqual({ BOOL: false });
    expect(item?.sk?.S).toMatch(/^2026-11-26T10:00:00\.000Z#[0-9a-f-]{36}$/);
    expect(item?.ttl).toEqual({ N: String(Math.floor((T0 + 14 * DAY_MS) / 1000)) });
  });

  it('keeps both events when two arrive in the same millisecond', async () => {
    // Prepare
    const at = T0 + DAY_MS;

    // Act
    await parked.park({ reason: 'first', receivedAt: at, event: { n: 1 } });
    await parked.park({ reason: 'second', receivedAt: at, event: { n: 2 } });

    // Assess
    const reasons = (await parkedOn('2026-11-27')).map((i) => i.reason?.S).sort();
    expect(reasons).toEqual(['first', 'second']);
  });

  it('cuts the event to 300,000 characters and flags it when the event is huge', async () => {
    // Prepare
    const huge = { detail: { FailureReason: 'x'.repeat(350_000) } };

    // Act
    await parked.park({ reason: 'too big', receivedAt: T0 + 2 * DAY_MS, event: huge });

    // Assess
    const [item] = await parkedOn('2026-11-28');
    expect(item?.event?.S).toHaveLength(300_000);
    expect(item?.event?.S?.startsWith('{"detail":{"FailureReason":"xxx')).toBe(true);
    expect(item?.truncated).toEqual({ BOOL: true });
  });

  it('stores a text form when the event is not JSON-serialisable', async () => {
    // Act
    await parked.park({ reason: 'no event', receivedAt: T0 + 3 * DAY_MS, event: undefined });

    // Assess
    const [item] = await parkedOn('2026-11-29');
    expect(item?.event).toEqual({ S: 'undefined' });
  });

  it('throws a retryable DependencyError keeping the cause when the table is missing', async () => {
    // Prepare
    const broken = new DynamoParkedEvents(dynamo.client, 'no-such-table');

    // Act
    const error = await broken
      .park({ reason: 'r', receivedAt: T0, event: {} })
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ dependency: 'DynamoDB', retryable: true });
    expect((error as Error).message).toContain('park event failed');
    expect((error as DependencyError).cause).toBeInstanceOf(ResourceNotFoundException);
  });
});
