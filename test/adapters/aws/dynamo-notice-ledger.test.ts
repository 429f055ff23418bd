import { PutItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoNoticeLedger } from '../../../src/adapters/aws/dynamo-notice-ledger.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { noticeKey } from '../../../src/domain/notice/notice.js';
import { jobArn } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';
import { LoopbackDynamo } from '../../helpers/loopback-dynamodb.js';
import { noticeLedgerContract } from '../notice-ledger.contract.js';

const TABLE = 'pool-warden-test';
const LEASE_MS = 60_000;
const RETAIN_MS = 30 * 24 * 60 * 60 * 1000;

describe('dynamo-notice-ledger', () => {
  let dynamo: LoopbackDynamo;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable(TABLE);
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  noticeLedgerContract(() => ({
    ledger: new DynamoNoticeLedger(dynamo.client, {
      tableName: TABLE,
      leaseMs: LEASE_MS,
      retainMs: RETAIN_MS,
    }),
    leaseMs: LEASE_MS,
  }));

  it('writes a pending record with its lease and a TTL in epoch seconds when a notice is claimed', async () => {
    // Prepare
    const ledger = new DynamoNoticeLedger(dynamo.client, {
      tableName: TABLE,
      leaseMs: LEASE_MS,
      retainMs: RETAIN_MS,
    });

    // Act
    await ledger.claim('ttl-job#Completed', T0);

    // Assess
    const item = await dynamo.item(TABLE, 'NOTICE#ttl-job#Completed', 'NOTICE');
    expect(item?.state).toEqual({ S: 'pending' });
    expect(item?.leaseUntil).toEqual({ N: String(T0 + LEASE_MS) });
    const ttl = Number(item?.ttl?.N);
    expect(ttl).toBe(Math.floor((T0 + RETAIN_MS) / 1000));
    expect(ttl).toBeGreaterThan(T0 / 1000);
  });

  it('marks the record sent without a lease when the notice is completed', async () => {
    // Prepare
    const ledger = new DynamoNoticeLedger(dynamo.client, { tableName: TABLE });
    await ledger.claim('sent-job#Failed', T0);
    await ledger.recordDelivery('sent-job#Failed', 'slack');

    // Act
    await ledger.complete('sent-job#Failed', T0 + 5_000);

    // Assess
    const item = await dynamo.item(TABLE, 'NOTICE#sent-job#Failed', 'NOTICE');
    expect(item?.state).toEqual({ S: 'sent' });
    expect(item?.sentAt).toEqual({ N: String(T0 + 5_000) });
    expect(item?.leaseUntil).toBeUndefined();
    expect(item?.delivered).toEqual({ SS: ['slack'] });
  });

  it('stores the status the notice said as an attribute, keeping the first one', async () => {
    // Prepare
    const ledger = new DynamoNoticeLedger(dynamo.client, { tableName: TABLE });
    await ledger.claim('status-job', T0);
    await ledger.recordDelivery('status-job', 'email', 'Failed');

    // Act
    await ledger.complete('status-job', T0 + 5_000, 'Completed');

    // Assess
    const item = await dynamo.item(TABLE, 'NOTICE#status-job', 'NOTICE');
    expect(item?.status).toEqual({ S: 'Failed' });
    expect(item?.state).toEqual({ S: 'sent' });
  });

  it('claims a job again when only an item of the per-status keys of the previous version exists', async () => {
    // Prepare: what the previous version wrote after sending the Completed notice of this job
    const job = { arn: jobArn('legacy-job'), creationTime: T0 - 3_900_000 };
    const legacyKey = `${noticeKey(job)}#Completed`;
    await dynamo.client.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: `NOTICE#${legacyKey}` },
          sk: { S: 'NOTICE' },
          state: { S: 'sent' },
          delivered: { SS: ['email', 'slack'] },
        },
      })
    );
    const ledger = new DynamoNoticeLedger(dynamo.client, { tableName: TABLE });

    // Act
    const claim = await ledger.claim(noticeKey(job), T0);

    // Assess: one more notice at most, and only because a terminal event came after the deploy
    expect(claim).toEqual({ kind: 'claimed', delivered: [] });
    const legacy = await dynamo.item(TABLE, `NOTICE#${legacyKey}`, 'NOTICE');
    expect(legacy?.state).toEqual({ S: 'sent' });
  });

  it('uses a five-minute lease and a 30-day TTL when no options are given', async () => {
    // Prepare
    const ledger = new DynamoNoticeLedger(dynamo.client, { tableName: TABLE });

    // Act
    await ledger.claim('defaults-job#Stopped', T0);

    // Assess
    const item = await dynamo.item(TABLE, 'NOTICE#defaults-job#Stopped', 'NOTICE');
    expect(item?.leaseUntil).toEqual({ N: String(T0 + 5 * 60_000) });
    expect(item?.ttl).toEqual({ N: String(Math.floor((T0 + RETAIN_MS) / 1000)) });
  });

  it('lets exactly one of five concurrent claims win when duplicates race', async () => {
    // Prepare
    const ledger = new DynamoNoticeLedger(dynamo.client, { tableName: TABLE });

    // Act
    const claims = await Promise.all(
      Array.from({ length: 5 }, () => ledger.claim('race-job#Completed', T0))
    );

    // Assess
    expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
    expect(claims.filter((c) => c.kind === 'busy')).toHaveLength(4);
  });

  describe('when the table does not exist', () => {
    const missing = () =>
      new DynamoNoticeLedger(dynamo.client, { tableName: 'no-such-table', leaseMs: LEASE_MS });

    it('throws a retryable DependencyError keeping the SDK error when claiming', async () => {
      // Act
      const error = await missing()
        .claim('any#Completed', T0)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({
        dependency: 'DynamoDB',
        code: 'DEPENDENCY_FAILED',
        retryable: true,
      });
      expect((error as DependencyError).message).toContain('claim notice failed');
      expect((error as DependencyError).cause).toBeInstanceOf(ResourceNotFoundException);
    });

    it.each([
      ['recordDelivery', (l: DynamoNoticeLedger) => l.recordDelivery('any#Completed', 'email')],
      ['complete', (l: DynamoNoticeLedger) => l.complete('any#Completed', T0)],
      ['release', (l: DynamoNoticeLedger) => l.release('any#Completed')],
    ])('throws a retryable DependencyError from %s', async (_name, call) => {
      // Act
      const error = await call(missing()).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect(error).toMatchObject({ retryable: true });
      expect((error as DependencyError).cause).toBeInstanceOf(ResourceNotFoundException);
    });
  });
});
