import { randomUUID } from 'node:crypto';
import {
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  type QueryCommandInput,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DependencyError } from '../../domain/errors.js';
import { emptyHistogram } from '../../domain/policy/gap-history.js';
import type { MatchKey } from '../../domain/pool/match-key.js';
import type { PoolRecord } from '../../domain/pool/pool-record.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Log } from '../../domain/ports/log.js';
import type {
  ActionCounts,
  AuditEntry,
  AuditQuery,
  KeyHistory,
  PoolStore,
  PutResult,
  ReconcileCursor,
  StewardControl,
} from '../../domain/ports/pool-store.js';
import {
  type AuditWindow,
  auditExpiry,
  auditWindow,
  BREAKER_KEPT_MS,
  checkSpend,
  checkSpendDay,
  countLimit,
  DAY_MS,
  dueBound,
  liveOrderKey,
  sortableTime,
  utcDay,
} from '../pool-store-rules.js';
import {
  auditAttributes,
  auditFrom,
  auditJobPartition,
  controlAttributes,
  controlFrom,
  cursorAttributes,
  cursorFrom,
  DUE_PARTITION,
  decode,
  historyFrom,
  historyItem,
  historyKey,
  keyPartition,
  poolFrom,
  poolItem,
  poolKey,
  versionOf,
} from './dynamo-pool-items.js';
import {
  dynamoCall,
  dynamoError,
  type Item,
  isConditionFailure,
  ttlAfter,
} from './dynamo-table.js';

interface PoolStoreOptions {
  readonly tableName: string;
  /** Where `auditLog` takes "now" from (its default window ends there). */
  readonly clock: Clock;
  /** Told about unreadable items that a listing skipped; silent when absent. */
  readonly log?: Log;
  /** Items per Query page; DynamoDB's 1 MB pages when absent (tests set it small). */
  readonly pageLimit?: number;
}

const SPEND_RETAIN_MS = 40 * DAY_MS;
const CONTROL_KEY: Item = { pk: { S: 'CONTROL' }, sk: { S: 'STEWARD' } };
const CURSOR_KEY: Item = { pk: { S: 'CONTROL' }, sk: { S: 'RECONCILE' } };

/**
 * The pool store in the service's one DynamoDB table. Pools and key histories are written
 * whole with a condition on `version`; counters (spend, breaker) are atomic ADDs. Index reads
 * (`poolsDue`, `poolsOfKey`, `livePools`) are eventually consistent: a record read there may
 * lag by a write, which the version check on the next `putPool` turns into a conflict.
 *
 * Unreadable items are handled by what a guess would cost: a pool asked for by key or the
 * steward's control throws a non-retryable DependencyError naming the field (acting on a
 * half-read pool, or unpausing by accident, is worse than stopping); listings skip the item
 * and warn, so one bad pool cannot stall the sweep; a key history whose body is bad reads as
 * empty at its stored version, so the next write repairs it; a bad reconcile cursor reads as
 * none (the sweep starts over, which is safe).
 */
class DynamoPoolStore implements PoolStore {
  private readonly tableName: string;

  constructor(
    private readonly client: DynamoDBClient,
    private readonly options: PoolStoreOptions
  ) {
    this.tableName = options.tableName;
  }

  async getPool(jobArn: string, creationTime: number): Promise<PoolRecord | undefined> {
    const item = await this.get(poolKey(jobArn, creationTime), 'get pool');
    if (item === undefined) return undefined;
    const pool = decode(item, poolFrom);
    if ('problem' in pool) throw unreadable(item, pool.problem);
    return pool.value;
  }

  async putPool(pool: PoolRecord): Promise<PutResult> {
    return this.putVersioned(poolItem(pool, liveOrderKey(pool)), pool.version, 'put pool');
  }

  async poolsDue(before: number, limit: number): Promise<PoolRecord[]> {
    const bound = dueBound(before);
    const count = countLimit(limit);
    if (count === 0 || bound === '') return [];
    // One index partition holds every live pool: fine for a few thousand. It takes 1,000 write
    // units/s, and a reschedule costs it about 2 × the item's KB, so some hundred pool writes
    // a second; past that, suffix `DUE` with a hash shard and query the shards in turn.
    return this.queryReadable(
      {
        IndexName: 'due',
        KeyConditionExpression: 'gsi1pk = :due AND gsi1sk <= :bound',
        ExpressionAttributeValues: { ':due': { S: DUE_PARTITION }, ':bound': { S: bound } },
      },
      count,
      poolFrom,
      'list pools due'
    );
  }

  async poolsOfKey(matchKey: MatchKey): Promise<PoolRecord[]> {
    const pools = await this.queryReadable(
      {
        IndexName: 'bykey',
        KeyConditionExpression: 'gsi2pk = :key',
        ExpressionAttributeValues: { ':key': { S: keyPartition(matchKey) } },
      },
      Number.POSITIVE_INFINITY,
      poolFrom,
      'list pools of key'
    );
    // Key ids are a 64-bit hash: the stored text settles a collision.
    return pools.filter((pool) => pool.matchKey === matchKey);
  }

  async livePools(): Promise<PoolRecord[]> {
    return this.queryReadable(
      {
        IndexName: 'due',
        KeyConditionExpression: 'gsi1pk = :due',
        ExpressionAttributeValues: { ':due': { S: DUE_PARTITION } },
      },
      Number.POSITIVE_INFINITY,
      poolFrom,
      'list live pools'
    );
  }

  async getHistory(matchKey: MatchKey): Promise<KeyHistory | undefined> {
    const item = await this.get(historyKey(matchKey), 'get key history');
    const stored = item?.matchKey?.S;
    // Absent, or another key's history under the same hash: this key has none.
    if (item === undefined || (stored !== undefined && stored !== matchKey)) return undefined;
    const history = decode(item, historyFrom);
    if ('value' in history) return history.value;
    // A bad chain history only ever lengthened keeps: drop it, keep the key's gaps.
    if (item.chain !== undefined) {
      const { chain: _, ...rest } = item;
      const withoutChain = decode(rest, historyFrom);
      if ('value' in withoutChain) {
        this.warnUnreadable(item, history.problem, 'chain history dropped');
        return withoutChain.value;
      }
    }
    // Only a bad body is repaired by the next write; a bad version stops here.
    const version = decode(item, versionOf);
    if ('problem' in version) throw unreadable(item, version.problem);
    this.warnUnreadable(item, history.problem, 'key history read as empty');
    return { matchKey, histogram: emptyHistogram(), recent: [], version: version.value };
  }

  async putHistory(history: KeyHistory): Promise<PutResult> {
    return this.putVersioned(historyItem(history), history.version, 'put key history');
  }

  async audit(entry: AuditEntry, retentionDays: number): Promise<void> {
    const expiresAt = auditExpiry(entry.at, retentionDays);
    const sk = `${sortableTime(entry.at, 'audit at')}#${entry.jobArn}#${randomUUID()}`;
    await dynamoCall('audit', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            pk: { S: `AUDIT#${utcDay(entry.at)}` },
            sk: { S: sk },
            gsi2pk: { S: auditJobPartition(entry.jobName) },
            gsi2sk: { S: sk },
            ...auditAttributes(entry),
            ttl: ttlAfter(expiresAt, 0),
          },
        })
      )
    );
  }

  async auditLog(query: AuditQuery): Promise<AuditEntry[]> {
    const window = auditWindow(query, this.options.clock.now());
    // BETWEEN with its ends reversed is a ValidationException, not an empty answer.
    if (window.limit === 0 || window.since >= window.until) return [];
    const range = {
      ':from': { S: sortableTime(window.since, 'audit since') },
      ':to': { S: `${sortableTime(window.until - 1, 'audit until')}~` },
    };
    const newestFirst: AuditEntry[] = [];
    const collect = async (input: QueryInput) => {
      const wanted = window.limit - newestFirst.length;
      const query = { ...input, ScanIndexForward: false };
      newestFirst.push(...(await this.queryReadable(query, wanted, auditFrom, 'read audit')));
    };
    if (window.jobName !== undefined) {
      await collect({
        IndexName: 'bykey',
        KeyConditionExpression: 'gsi2pk = :job AND gsi2sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':job': { S: auditJobPartition(window.jobName) }, ...range },
      });
    } else {
      for (const day of daysNewestFirst(window)) {
        if (newestFirst.length >= window.limit) break;
        await collect({
          KeyConditionExpression: 'pk = :day AND sk BETWEEN :from AND :to',
          ExpressionAttributeValues: { ':day': { S: `AUDIT#${day}` }, ...range },
        });
      }
    }
    return newestFirst.slice(0, window.limit).reverse();
  }

  async addSpend(team: string, day: string, usd: number, instanceHours: number): Promise<void> {
    checkSpend(team, day, usd, instanceHours);
    await dynamoCall('add spend', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: spendKey(team, day),
          UpdateExpression: 'ADD usd :usd, instanceHours :hours SET #ttl = :ttl',
          ExpressionAttributeNames: { '#ttl': 'ttl' },
          ExpressionAttributeValues: {
            ':usd': { N: String(usd) },
            ':hours': { N: String(instanceHours) },
            ':ttl': ttlAfter(Date.parse(`${day}T00:00:00Z`), SPEND_RETAIN_MS),
          },
        })
      )
    );
  }

  async spend(team: string, day: string): Promise<{ usd: number; instanceHours: number }> {
    checkSpendDay(day);
    const item = await this.get(spendKey(team, day), 'read spend');
    return { usd: Number(item?.usd?.N ?? 0), instanceHours: Number(item?.instanceHours?.N ?? 0) };
  }

  async countAction(hourStart: number, minuteStart: number, by: 1 | -1 = 1): Promise<ActionCounts> {
    // One item per hour holds the minutes' counts too: one write per action, not two.
    const { Attributes } = await dynamoCall('count action', () =>
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { pk: { S: 'BREAKER' }, sk: { S: String(hourStart) } },
          UpdateExpression: 'ADD #count :by, #minute :by SET #ttl = :ttl',
          ExpressionAttributeNames: {
            '#count': 'count',
            '#minute': `m${minuteStart}`,
            '#ttl': 'ttl',
          },
          ExpressionAttributeValues: {
            ':by': { N: String(by) },
            ':ttl': ttlAfter(hourStart, BREAKER_KEPT_MS),
          },
          ReturnValues: 'UPDATED_NEW',
        })
      )
    );
    const counts = {
      hour: Number(Attributes?.count?.N),
      minute: Number(Attributes?.[`m${minuteStart}`]?.N),
    };
    // A breaker that cannot count must not let actions through: fail this one instead.
    if (!Number.isFinite(counts.hour) || !Number.isFinite(counts.minute)) {
      throw new DependencyError(
        'DynamoDB',
        `count action: no count came back for BREAKER ${hourStart}`,
        { retryable: true }
      );
    }
    return counts;
  }

  async getControl(): Promise<StewardControl> {
    const item = await this.get(CONTROL_KEY, 'read steward control');
    if (item === undefined) return { paused: false };
    const control = decode(item, controlFrom);
    if ('problem' in control) throw unreadable(item, control.problem);
    return control.value;
  }

  async putControl(control: StewardControl): Promise<void> {
    await dynamoCall('write steward control', () =>
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { ...CONTROL_KEY, ...controlAttributes(control) },
        })
      )
    );
  }

  async getReconcileCursor(): Promise<ReconcileCursor | undefined> {
    const item = await this.get(CURSOR_KEY, 'read reconcile cursor');
    if (item === undefined || item.cleared?.BOOL === true) return undefined;
    const cursor = decode(item, cursorFrom);
    if ('value' in cursor) return cursor.value;
    this.warnUnreadable(item, cursor.problem, 'reconcile cursor ignored');
    return undefined;
  }

  async putReconcileCursor(cursor: ReconcileCursor | undefined): Promise<void> {
    // Clearing overwrites with a marker rather than deleting: the role needs no DeleteItem.
    const attributes =
      cursor === undefined ? { cleared: { BOOL: true } } : cursorAttributes(cursor);
    await dynamoCall('write reconcile cursor', () =>
      this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: { ...CURSOR_KEY, ...attributes } })
      )
    );
  }

  /** Writes `item` if the stored version is `version − 1`, or nothing is stored and it is 1. */
  private async putVersioned(item: Item, version: number, operation: string): Promise<PutResult> {
    if (!Number.isSafeInteger(version) || version < 1) return 'conflict';
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(version === 1
            ? { ConditionExpression: 'attribute_not_exists(pk)' }
            : {
                ConditionExpression: 'version = :previous',
                ExpressionAttributeValues: { ':previous': { N: String(version - 1) } },
              }),
        })
      );
      return 'ok';
    } catch (error) {
      if (isConditionFailure(error)) return 'conflict';
      throw dynamoError(operation, error);
    }
  }

  /**
   * Up to `limit` readable items over as many pages as it takes; an unreadable one is skipped
   * with a warning and does not count, so it cannot shorten the answer.
   */
  private async queryReadable<T>(
    input: QueryInput,
    limit: number,
    read: (item: Item) => T,
    operation: string
  ): Promise<T[]> {
    const values: T[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.page(input, limit - values.length, startKey, operation);
      values.push(...this.readable(page.items, read, `skipped by ${operation}`));
      startKey = page.next;
    } while (startKey !== undefined && values.length < limit);
    return values;
  }

  private async page(
    input: QueryInput,
    wanted: number,
    startKey: Item | undefined,
    operation: string
  ): Promise<{ items: Item[]; next: Item | undefined }> {
    const pageLimit = Math.min(wanted, this.options.pageLimit ?? Number.POSITIVE_INFINITY);
    const { Items = [], LastEvaluatedKey } = await dynamoCall(operation, () =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          ...input,
          ...(Number.isFinite(pageLimit) ? { Limit: pageLimit } : {}),
          ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
        })
      )
    );
    return { items: Items, next: LastEvaluatedKey };
  }

  private async get(key: Item, operation: string): Promise<Item | undefined> {
    const { Item: item } = await dynamoCall(operation, () =>
      this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key, ConsistentRead: true })
      )
    );
    return item;
  }

  private readable<T>(items: readonly Item[], read: (item: Item) => T, skipped: string): T[] {
    const values: T[] = [];
    for (const item of items) {
      const decoded = decode(item, read);
      if ('value' in decoded) values.push(decoded.value);
      else this.warnUnreadable(item, decoded.problem, skipped);
    }
    return values;
  }

  private warnUnreadable(item: Item, problem: string, consequence: string): void {
    this.options.log?.warn('unreadable item in the Warden table', {
      pk: item.pk?.S,
      sk: item.sk?.S,
      problem,
      consequence,
    });
  }
}

type QueryInput = Omit<QueryCommandInput, 'TableName' | 'Limit' | 'ExclusiveStartKey'>;

function spendKey(team: string, day: string): Item {
  return { pk: { S: `SPEND#${team}` }, sk: { S: day } };
}

/** The UTC days an audit window touches, newest first: one partition each. */
function daysNewestFirst(window: AuditWindow): string[] {
  const days: string[] = [];
  for (
    let day = Math.floor((window.until - 1) / DAY_MS);
    day * DAY_MS + DAY_MS > window.since;
    day--
  ) {
    days.push(utcDay(day * DAY_MS));
  }
  return days;
}

/** A stored item that cannot be read: retrying will not help, someone must look at it. */
function unreadable(item: Item, problem: string): DependencyError {
  return new DependencyError(
    'DynamoDB',
    `item ${item.pk?.S ?? '?'} / ${item.sk?.S ?? '?'} is unreadable: ${problem}`,
    { retryable: false }
  );
}

export type { PoolStoreOptions };
export { DynamoPoolStore };
