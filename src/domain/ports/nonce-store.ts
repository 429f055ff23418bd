/**
 * Single use of action tokens: each token's nonce is claimed once, with a conditional write,
 * and remembered until the token expires (after which the token is refused anyway).
 */
interface NonceStore {
  /** `claimed` the first time a nonce is seen; `used` every time after. */
  claim(nonce: string, expiresAt: number): Promise<'claimed' | 'used'>;
  /**
   * Gives a claimed nonce back, when the action failed before anything changed (SageMaker
   * throttled, say), so the same link can be tried again.
   */
  release(nonce: string): Promise<void>;
}

export type { NonceStore };
