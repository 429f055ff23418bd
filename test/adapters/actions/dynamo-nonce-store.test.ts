import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoNonceStore } from '../../../src/adapters/aws/dynamo-nonce-store.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { LoopbackDynamo } from '../../helpers/loopback-dynamodb.js';
import { nonceStoreContract } from './nonce-store.contract.js';

const TABLE = 'pool-warden-nonces';

describe('dynamo-nonce-store', () => {
  let dynamo: LoopbackDynamo;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable(TABLE);
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  nonceStoreContract(() => new DynamoNonceStore(dynamo.client, TABLE));

  it('keeps a claimed nonce until a day after its token expires (TTL, epoch seconds)', async () => {
    // Prepare
    const store = new DynamoNonceStore(dynamo.client, TABLE);
    const expiresAt = Date.UTC(2026, 10, 27, 14, 0, 0);

    // Act
    await store.claim('ttl-nonce', expiresAt);

    // Assess
    const item = await dynamo.item(TABLE, 'NONCE#ttl-nonce', 'NONCE');
    expect(item?.ttl).toEqual({ N: String((expiresAt + 86_400_000) / 1000) });
  });

  it('raises a DependencyError when the table does not exist', async () => {
    // Prepare
    const store = new DynamoNonceStore(dynamo.client, 'no-such-table');

    // Act & Assess
    await expect(store.claim('n', Date.UTC(2026, 10, 27))).rejects.toBeInstanceOf(DependencyError);
  });
});
