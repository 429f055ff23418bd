import { randomBytes } from 'node:crypto';
import type { ActionGrant } from '../../domain/actions/action-grant.js';
import { NONCE_BYTES, signActionToken } from '../../domain/actions/action-token.js';
import { DEFAULT_ACTION_VALIDITY_MS } from '../../domain/actions/offered-actions.js';
import type { ActionLinks } from '../../domain/ports/action-links.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { ActionSecrets } from './action-secrets.js';

interface SignedLinkOptions {
  /** `actions.baseUrl`: the HTTP API's URL, no trailing slash needed. */
  readonly baseUrl: string;
  readonly secrets: Pick<ActionSecrets, 'actionKeys'>;
  readonly clock: Pick<Clock, 'now'>;
  /** No link outlives this, whatever the grant asks (`actions.maxLinkLifetime`). */
  readonly maxLinkLifetimeMs?: number;
  /** Nonce bytes; node:crypto's randomBytes unless a test pins them. */
  readonly random?: (size: number) => Uint8Array;
}

/**
 * Signs grants with the newest key of the service's secret into `${baseUrl}/a/${token}`. A
 * grant's expiry is cut to the configured maximum lifetime; a grant already expired, or a
 * secret with no keys, gives no link (the notice then offers no action).
 *
 * @example
 * const links = createSignedActionLinks({ baseUrl, secrets, clock: systemClock });
 * const link = await links.link(grant); // { url: 'https://…/a/AQ…', token: 'AQ…' }
 */
function createSignedActionLinks(options: SignedLinkOptions): ActionLinks {
  const base = options.baseUrl.replace(/\/+$/, '');
  const lifetime = options.maxLinkLifetimeMs ?? DEFAULT_ACTION_VALIDITY_MS;
  const random = options.random ?? ((size: number) => randomBytes(size));
  return {
    async link(grant: ActionGrant) {
      const now = options.clock.now();
      const expiresAt = Math.floor(Math.min(grant.expiresAt, now + lifetime));
      if (expiresAt <= now) return undefined;
      const [newest] = await options.secrets.actionKeys();
      if (newest === undefined) return undefined;
      const signed = { ...grant, expiresAt };
      const token = signActionToken(signed, random(NONCE_BYTES), newest, 'link');
      const slackToken = signActionToken(signed, random(NONCE_BYTES), newest, 'slack');
      return { url: `${base}/a/${token}`, token, slackToken };
    },
  };
}

export type { SignedLinkOptions };
export { createSignedActionLinks };
