import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import type { NonceStore } from '../../../src/domain/ports/nonce-store.js';

const EXPIRES = Date.UTC(2026, 10, 27, 14, 0, 0);

/** What every NonceStore promises: each nonce is claimed once, and given back on request. */
function nonceStoreContract(makeStore: () => NonceStore): void {
  describe('nonce store contract', () => {
    let store: NonceStore;
    let nonce: string;

    beforeEach(() => {
      store = makeStore();
      nonce = randomUUID();
    });

    it('claims a nonce the first time it is seen', async () => {
      // Act
      const claim = await store.claim(nonce, EXPIRES);

      // Assess
      expect(claim).toBe('claimed');
    });

    it('answers used for every later claim of the same nonce', async () => {
      // Prepare
      await store.claim(nonce, EXPIRES);

      // Act
      const again = [await store.claim(nonce, EXPIRES), await store.claim(nonce, EXPIRES + 1)];

      // Assess
      expect(again).toEqual(['used', 'used']);
    });

    it('lets exactly one of two racing claims win', async () => {
      // Act
      const claims = await Promise.all([store.claim(nonce, EXPIRES), store.claim(nonce, EXPIRES)]);

      // Assess
      expect(claims.sort()).toEqual(['claimed', 'used']);
    });

    it('claims a released nonce again', async () => {
      // Prepare
      await store.claim(nonce, EXPIRES);

      // Act
      await store.release(nonce);
      const claim = await store.claim(nonce, EXPIRES);

      // Assess
      expect(claim).toBe('claimed');
    });

    it('keeps nonces apart', async () => {
      // Prepare
      await store.claim(nonce, EXPIRES);

      // Act
      const other = await store.claim(`${nonce}-other`, EXPIRES);

      // Assess
      expect(other).toBe('claimed');
    });
  });
}

export { nonceStoreContract };
