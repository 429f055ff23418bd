import type { NonceStore } from '../../domain/ports/nonce-store.js';

/** Claimed nonces in memory, for replay, simulate, `warden actions serve` and tests. */
class MemoryNonceStore implements NonceStore {
  private readonly claimed = new Map<string, number>();

  async claim(nonce: string, expiresAt: number): Promise<'claimed' | 'used'> {
    if (this.claimed.has(nonce)) return 'used';
    this.claimed.set(nonce, expiresAt);
    return 'claimed';
  }

  async release(nonce: string): Promise<void> {
    this.claimed.delete(nonce);
  }
}

export { MemoryNonceStore };
