import {
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoPoolStore } from '../../../src/adapters/aws/dynamo-pool-store.js';
import type { Item } from '../../../src/adapters/aws/dynamo-table.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { emptyHistogram } from '../../../src/domain/policy/gap-history.js';
import { matchKeyId } from '../../../src/domain/pool/match-key.js';
import { poolId } from '../../../src/domain/pool/pool-record.js';
import type { PoolStore } from '../../../src/domain/ports/pool-store.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { recordingLog, T0 } from '../../helpers/factories.js';
import { LoopbackAwsJson } from '../../helpers/loopback-aws-json.js';
import { LoopbackDynamo } from '../../helpers/loopback-dynamodb.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import {
  entry,
  history,
  NLP_KEY,
  next,
  pool,
  poolStoreContract,
  VISION_KEY,
} from '../pool-store.contract.js';

const DAY_MS = 86_400_000;

describe('dynamo-pool-store', () => {
  let dynamo: LoopbackDynamo;
  let tables = 0;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  /** A fresh table, so listings see only what one test wrote. */
  async function freshTable(): Promise<string> {
    tables += 1;
    const name = `pool-warden-pools-${tables}`;
    await dynamo.createWardenTable(name);
    return name;
  }

  // Three items per Query page: every listing of the contract spans several pages.
  poolStoreContract(
    async (clock) =>
      new DynamoPoolStore(dynamo.client, { tableName: await freshTable(), clock, pageLimit: 3 })
  );

  describe('with DynamoDB page sizes', () => {
    poolStoreContract(
      async (clock) => new DynamoPoolStore(dynamo.client, { tableName: await freshTable(), clock })
    );
  });

  describe('item layout', () => {
    let table: string;
    let store: PoolStore;

    beforeAll(async () => {
      table = await freshTable();
      store = new DynamoPoolStore(dynamo.client, { tableName: table, clock: new VirtualClock(T0) });
    });

    it('indexes a live pool by due time and by key, with its version as a number', async () => {
      // Prepare
      const live = pool('layout-live', { nextDecisionAt: T0 + 1_500_000 });

      // Act
      await store.putPool(live);

      // Assess
      const item = await dynamo.item(table, `POOL#${live.jobArn}#${live.creationTime}`, 'POOL');
      expect(item?.version).toEqual({ N: '1' });
      expect(item?.gsi1pk).toEqual({ S: 'DUE' });
      expect(item?.gsi1sk).toEqual({ S: `00${T0 + 1_500_000}#${poolId(live)}` });
      expect(item?.gsi2pk).toEqual({ S: `KEY#${matchKeyId(VISION_KEY)}` });
      expect(item?.gsi2sk).toEqual({ S: poolId(live) });
      expect(item?.ttl).toBeUndefined();
    });

    it('files a live pool without a next decision after every scheduled one', async () => {
      // Prepare
      const { nextDecisionAt: _unused, ...inUse } = pool('layout-in-use', { state: 'InUse' });

      // Act
      await store.putPool(inUse);

      // Assess
      const item = await dynamo.item(table, `POOL#${inUse.jobArn}#${inUse.creationTime}`, 'POOL');
      expect(item?.gsi1sk).toEqual({ S: `~#${poolId(inUse)}` });
    });

    it('removes the index attributes once the pool is gone', async () => {
      // Prepare
      const live = pool('layout-gone');
      await store.putPool(live);

      // Act
      await store.putPool(next(live, { state: 'Terminated', nextDecisionAt: undefined }));

      // Assess
      const item = await dynamo.item(table, `POOL#${live.jobArn}#${live.creationTime}`, 'POOL');
      expect(item?.state).toEqual({ S: 'Terminated' });
      expect(item?.version).toEqual({ N: '2' });
      for (const name of ['gsi1pk', 'gsi1sk', 'gsi2pk', 'gsi2sk']) {
        expect(item?.[name]).toBeUndefined();
      }
    });

    it('writes a key history under the key id with its text beside it', async () => {
      // Act
      await store.putHistory(history(VISION_KEY));

      // Assess
      const item = await dynamo.item(table, `KEY#${matchKeyId(VISION_KEY)}`, 'HISTORY');
      expect(item?.matchKey).toEqual({ S: VISION_KEY });
      expect(item?.version).toEqual({ N: '1' });
      expect(JSON.parse(item?.histogram?.S ?? '')).toEqual(history(VISION_KEY).histogram);
    });

    it('files an audit entry under its UTC day, indexed by job, expiring after the retention', async () => {
      // Prepare
      const at = Date.UTC(2026, 10, 25, 23, 59, 59, 999);

      // Act
      await store.audit(entry('layout-audit', at), 90);

      // Assess
      const { Items: items = [] } = await dynamo.client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'AUDIT#2026-11-25' } },
        })
      );
      const item = items.find((i) => i.jobName?.S === 'layout-audit');
      expect(item?.sk?.S).toMatch(
        new RegExp(`^00${at}#arn:aws:sagemaker:us-east-1:111122223333:training-job/layout-audit#`)
      );
      expect(item?.gsi2pk).toEqual({ S: 'AUDITJOB#layout-audit' });
      expect(item?.gsi2sk).toEqual(item?.sk);
      expect(item?.ttl).toEqual({ N: String(Math.floor((at + 90 * DAY_MS) / 1000)) });
    });

    it('clears the reconcile cursor with a marker, so the role needs no DeleteItem', async () => {
      // Prepare
      await store.putReconcileCursor({ nextToken: 't', createdAfter: T0, updatedAt: T0 });

      // Act
      await store.putReconcileCursor(undefined);

      // Assess
      expect(await dynamo.item(table, 'CONTROL', 'RECONCILE')).toEqual({
        pk: { S: 'CONTROL' },
        sk: { S: 'RECONCILE' },
        cleared: { BOOL: true },
      });
      expect(await store.getReconcileCursor()).toBeUndefined();
    });

    it('keeps spend and action counts for 40 and 2 days', async () => {
      // Act
      await store.addSpend('vision', '2026-11-26', 1, 1);
      await store.countAction(T0, T0 + 60_000);

      // Assess
      const spend = await dynamo.item(table, 'SPEND#vision', '2026-11-26');
      const breaker = await dynamo.item(table, 'BREAKER', String(T0));
      const midnight = Date.UTC(2026, 10, 26);
      expect(spend?.ttl).toEqual({ N: String((midnight + 40 * DAY_MS) / 1000) });
      expect(breaker?.count).toEqual({ N: '1' });
      expect(breaker?.[`m${T0 + 60_000}`]).toEqual({ N: '1' });
      expect(breaker?.ttl).toEqual({ N: String((T0 + 2 * DAY_MS) / 1000) });
    });
  });

  it.each([
    ['no attributes', {}],
    ['the hour but not the minute', { Attributes: { count: { N: '3' } } }],
    ['the minute but not the hour', { Attributes: { [`m${T0}`]: { N: '3' } } }],
  ])('fails an action rather than let it through when DynamoDB answers %s', async (_what, body) => {
    // Prepare: a DynamoDB that accepts the update but answers without the counts
    const fake = await LoopbackAwsJson.start(
      'DynamoDB_20120810',
      { UpdateItem: () => ({ status: 200, body }) },
      '1.0'
    );
    const client = new DynamoDBClient({ ...loopbackClientConfig(fake.endpoint), maxAttempts: 1 });
    const store = new DynamoPoolStore(client, { tableName: 't', clock: new VirtualClock(T0) });

    try {
      // Act
      const error = await store.countAction(T0, T0).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({
        dependency: 'DynamoDB',
        retryable: true,
        message: `DynamoDB: count action: no count came back for BREAKER ${T0}`,
      });
    } finally {
      client.destroy();
      await fake.stop();
    }
  });

  describe('unreadable items', () => {
    let table: string;
    let store: PoolStore;
    let log: ReturnType<typeof recordingLog>;

    beforeAll(async () => {
      table = await freshTable();
      log = recordingLog();
      store = new DynamoPoolStore(dynamo.client, {
        tableName: table,
        clock: new VirtualClock(T0),
        log,
      });
    });

    async function put(item: Item): Promise<void> {
      await dynamo.client.send(new PutItemCommand({ TableName: table, Item: item }));
    }

    async function corruptPool(name: string, attributes: Item): Promise<string> {
      const good = pool(name, { nextDecisionAt: T0 - 1 });
      await store.putPool(good);
      const key = `POOL#${good.jobArn}#${good.creationTime}`;
      const item = await dynamo.item(table, key, 'POOL');
      await put({ ...item, ...attributes });
      return good.jobArn;
    }

    it('throws a non-retryable DependencyError naming the field when a pool is read by key', async () => {
      // Prepare
      const jobArn = await corruptPool('bad-decisions', {
        decisions: { S: '[{"at":1,"action":"explode"}]' },
      });

      // Act
      const error = await store.getPool(jobArn, T0 - 3_900_000).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ retryable: false, dependency: 'DynamoDB' });
      expect((error as DependencyError).message).toContain('bad-decisions');
      expect((error as DependencyError).message).toContain(
        'decisions[0].action is not one of keep|extend|shrink|release'
      );
    });

    it('skips an unreadable pool in listings, warns, and still fills the limit', async () => {
      // Prepare
      await corruptPool('bad-state', { state: { S: 'Exploded' } });
      await store.putPool(pool('good-1', { nextDecisionAt: T0 }));
      await store.putPool(pool('good-2', { nextDecisionAt: T0 + 1 }));

      // Act
      const due = await store.poolsDue(T0 + 1, 2);

      // Assess
      expect(due.map((p) => p.jobName)).toEqual(['good-1', 'good-2']);
      expect(log.lines).toContainEqual({
        level: 'warn',
        message: 'unreadable item in the Warden table',
        extra: expect.objectContaining({
          consequence: 'skipped by list pools due',
          problem: 'state is not one of InUse|Available|Reused|Terminated',
        }),
      });
    });

    it('reads a history with a bad body as empty at its version, so the next write repairs it', async () => {
      // Prepare
      await store.putHistory(history(NLP_KEY));
      await store.putHistory(next(history(NLP_KEY)));
      const key = `KEY#${matchKeyId(NLP_KEY)}`;
      await put({
        ...(await dynamo.item(table, key, 'HISTORY')),
        histogram: { S: '{"weights":[]}' },
      });

      // Act
      const read = await store.getHistory(NLP_KEY);
      const repaired = read && (await store.putHistory(next(read)));

      // Assess
      expect(read).toStrictEqual({
        matchKey: NLP_KEY,
        histogram: emptyHistogram(),
        recent: [],
        version: 2,
      });
      expect(repaired).toBe('ok');
      expect(await store.getHistory(NLP_KEY)).toMatchObject({ version: 3 });
    });

    it.each([
      ['shadowHistogram', { S: '{"weights":[]}' }, 'shadowHistogram is not a gap histogram'],
      ['openEnds', { S: '[{"at":1,"shadowed":"yes"}]' }, 'openEnds[0].shadowed is not true'],
    ])(
      'reads a history whose %s is unreadable as empty at its version, naming the field',
      async (field, value, problem) => {
        // Prepare: a key of its own, so no other case's item is read
        const matchKey = `${VISION_KEY}|unreadable-${field}`;
        expect(await store.putHistory(history(matchKey, { version: 1 }))).toBe('ok');
        const key = `KEY#${matchKeyId(matchKey)}`;
        await put({ ...(await dynamo.item(table, key, 'HISTORY')), [field]: value });

        // Act
        const read = await store.getHistory(matchKey);

        // Assess
        expect(read).toStrictEqual({
          matchKey,
          histogram: emptyHistogram(),
          recent: [],
          version: 1,
        });
        expect(log.lines).toContainEqual({
          level: 'warn',
          message: 'unreadable item in the Warden table',
          extra: expect.objectContaining({ consequence: 'key history read as empty', problem }),
        });
      }
    );

    it("drops only an unreadable chain history, keeping the key's gaps", async () => {
      // Prepare: a key of its own, its chain history spoilt by hand
      const matchKey = `${VISION_KEY}|unreadable-chain`;
      const written = history(matchKey, { version: 1 });
      expect(await store.putHistory(written)).toBe('ok');
      const key = `KEY#${matchKeyId(matchKey)}`;
      await put({ ...(await dynamo.item(table, key, 'HISTORY')), chain: { S: '{"arrivals":-1}' } });

      // Act
      const read = await store.getHistory(matchKey);

      // Assess
      expect(read).toStrictEqual(written);
      expect(log.lines).toContainEqual({
        level: 'warn',
        message: 'unreadable item in the Warden table',
        extra: expect.objectContaining({
          consequence: 'chain history dropped',
          problem: 'chain is not a chain history',
        }),
      });
    });

    it('throws when a history version cannot be read', async () => {
      // Prepare
      const key = `KEY#${matchKeyId(VISION_KEY)}`;
      await put({
        pk: { S: key },
        sk: { S: 'HISTORY' },
        matchKey: { S: VISION_KEY },
        version: { S: '1' },
      });

      // Act
      const error = await store.getHistory(VISION_KEY).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as DependencyError).message).toContain('version is not a number');
    });

    it('answers no history when another key shares the hash', async () => {
      // Prepare
      const colliding = `${VISION_KEY}|collision`;
      const key = `KEY#${matchKeyId(colliding)}`;
      await put({ ...(await historyItemOf(NLP_KEY)), pk: { S: key } });

      // Act
      const read = await store.getHistory(colliding);

      // Assess
      expect(read).toBeUndefined();
    });

    it('leaves out a pool whose key text differs under the same key id', async () => {
      // Prepare
      const impostorKey = `${NLP_KEY}|impostor`;
      const impostor = pool('impostor', { matchKey: impostorKey });
      await store.putPool(impostor);
      const stored = await dynamo.item(
        table,
        `POOL#${impostor.jobArn}#${impostor.creationTime}`,
        'POOL'
      );
      await put({ ...stored, gsi2pk: { S: `KEY#${matchKeyId(NLP_KEY)}` } });
      await store.putPool(pool('genuine', { matchKey: NLP_KEY }));

      // Act
      const pools = await store.poolsOfKey(NLP_KEY);

      // Assess
      expect(pools.map((p) => p.jobName)).toEqual(['genuine']);
    });

    it('throws rather than guess when the steward control is unreadable', async () => {
      // Prepare
      await put({ pk: { S: 'CONTROL' }, sk: { S: 'STEWARD' }, paused: { S: 'yes' } });

      // Act
      const error = await store.getControl().catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as DependencyError).message).toContain('CONTROL / STEWARD');
      expect((error as DependencyError).message).toContain('paused is not a boolean');
    });

    it('reads an unreadable reconcile cursor as none', async () => {
      // Prepare
      await put({ pk: { S: 'CONTROL' }, sk: { S: 'RECONCILE' }, createdAfter: { S: 'soon' } });

      // Act
      const cursor = await store.getReconcileCursor();

      // Assess
      expect(cursor).toBeUndefined();
    });

    it('skips an unreadable audit entry without shortening the answer', async () => {
      // Prepare
      for (const at of [T0 - 4, T0 - 3, T0 - 2])
        await store.audit(entry(`audit-${T0 - at}`, at), 30);
      await put({
        pk: { S: 'AUDIT#2026-11-26' },
        sk: { S: `00${T0 - 1}#x#y` },
        at: { N: String(T0 - 1) },
      });

      // Act
      const log = await store.auditLog({ since: T0 - 10, limit: 2 });

      // Assess
      expect(log.map((e) => e.jobName)).toEqual(['audit-3', 'audit-2']);
    });

    async function historyItemOf(matchKey: string): Promise<Item> {
      const item = await dynamo.item(table, `KEY#${matchKeyId(matchKey)}`, 'HISTORY');
      if (item === undefined) throw new Error(`no history item for ${matchKey}`);
      return item;
    }
  });

  describe('when the table does not exist', () => {
    const missing = () =>
      new DynamoPoolStore(dynamo.client, {
        tableName: 'no-such-table',
        clock: new VirtualClock(T0),
      });

    it.each([
      ['getPool', (s: PoolStore) => s.getPool('arn', T0)],
      ['putPool', (s: PoolStore) => s.putPool(pool('missing'))],
      ['poolsDue', (s: PoolStore) => s.poolsDue(T0, 10)],
      ['poolsOfKey', (s: PoolStore) => s.poolsOfKey(VISION_KEY)],
      ['livePools', (s: PoolStore) => s.livePools()],
      ['getHistory', (s: PoolStore) => s.getHistory(VISION_KEY)],
      ['putHistory', (s: PoolStore) => s.putHistory(history(VISION_KEY))],
      ['audit', (s: PoolStore) => s.audit(entry('missing', T0), 30)],
      ['auditLog', (s: PoolStore) => s.auditLog({})],
      ['auditLog by job', (s: PoolStore) => s.auditLog({ jobName: 'missing' })],
      ['addSpend', (s: PoolStore) => s.addSpend('vision', '2026-11-26', 1, 1)],
      ['spend', (s: PoolStore) => s.spend('vision', '2026-11-26')],
      ['countAction', (s: PoolStore) => s.countAction(T0, T0)],
      ['getControl', (s: PoolStore) => s.getControl()],
      ['putControl', (s: PoolStore) => s.putControl({ paused: true })],
      ['getReconcileCursor', (s: PoolStore) => s.getReconcileCursor()],
      ['putReconcileCursor', (s: PoolStore) => s.putReconcileCursor(undefined)],
    ])('throws a retryable DependencyError keeping the SDK error from %s', async (_name, call) => {
      // Act
      const error = await call(missing()).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ dependency: 'DynamoDB', retryable: true });
      expect((error as DependencyError).cause).toBeInstanceOf(ResourceNotFoundException);
    });
  });
});
