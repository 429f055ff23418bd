import { isRecord } from '../../domain/objects.js';
import type { PoolRef } from '../../domain/steward/evaluate-due-pools.js';
import { POOL_SORT_KEY, poolKey, poolRefOfKey } from './dynamo-pool-items.js';

/**
 * The table's stream as the evaluator reads it: a new pool item (the intake tracked a pool, or
 * the reconciler adopted one) wakes the evaluator to decide that pool at once. The stream's
 * filter lets only INSERTs of pool items through, but a batch is still input from outside: a
 * record that does not name a pool is reported, never guessed at.
 */
interface StreamPools {
  readonly pools: readonly PoolRef[];
  /** One line per record that claims to be a new pool but cannot be read. */
  readonly unreadable: readonly string[];
}

/** The new pools a DynamoDB stream batch names; undefined when `event` is no such batch. */
function poolsOfStreamEvent(event: unknown): StreamPools | undefined {
  if (!isRecord(event) || !Array.isArray(event.Records)) return undefined;
  const records: unknown[] = event.Records;
  if (!records.some((r) => isRecord(r) && r.eventSource === 'aws:dynamodb')) return undefined;
  const pools: PoolRef[] = [];
  const unreadable: string[] = [];
  records.forEach((record, index) => {
    if (!isRecord(record) || record.eventName !== 'INSERT' || !isRecord(record.dynamodb)) return;
    const keys = record.dynamodb.Keys;
    const pk = isRecord(keys) && isRecord(keys.pk) ? keys.pk.S : undefined;
    const sk = isRecord(keys) && isRecord(keys.sk) ? keys.sk.S : undefined;
    if (sk !== POOL_SORT_KEY) return;
    const ref = typeof pk === 'string' ? poolRefOfKey(pk) : undefined;
    if (ref === undefined) {
      const id = typeof record.eventID === 'string' ? ` (${record.eventID.slice(0, 80)})` : '';
      unreadable.push(`record ${index}${id}: Keys.pk is not POOL#<job ARN>#<creation ms>`);
    } else pools.push(ref);
  });
  return { pools, unreadable };
}

/** The stream batch DynamoDB sends when these pools' items are written, for the simulator. */
function newPoolsStreamEvent(pools: readonly PoolRef[]): unknown {
  return {
    Records: pools.map((pool) => ({
      eventSource: 'aws:dynamodb',
      eventName: 'INSERT',
      dynamodb: { Keys: poolKey(pool.jobArn, pool.creationTime), StreamViewType: 'KEYS_ONLY' },
    })),
  };
}

export type { StreamPools };
export { newPoolsStreamEvent, poolsOfStreamEvent };
