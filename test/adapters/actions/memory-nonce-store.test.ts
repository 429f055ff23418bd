import { describe } from 'vitest';
import { MemoryNonceStore } from '../../../src/adapters/memory/memory-nonce-store.js';
import { nonceStoreContract } from './nonce-store.contract.js';

describe('memory-nonce-store', () => {
  nonceStoreContract(() => new MemoryNonceStore());
});
