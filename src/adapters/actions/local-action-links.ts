import type { ActionKey } from '../../domain/actions/action-token.js';
import type { ActionLinks } from '../../domain/ports/action-links.js';
import type { Clock } from '../../domain/ports/clock.js';
import { type ActionSecrets, staticActionSecrets } from './action-secrets.js';
import { createSignedActionLinks } from './signed-action-links.js';

/**
 * The fixed key of local runs (replay, simulate, `warden actions serve`). It is public, so a
 * local link proves nothing outside the loopback world it was made for; deployed stages sign
 * with the keys in their secret.
 */
const LOCAL_ACTION_KEYS: readonly ActionKey[] = [
  { id: 'local', secret: 'pool-warden-local-action-key-not-a-secret' },
];

/** Where `warden actions serve` listens unless told otherwise. */
const LOCAL_ACTIONS_BASE_URL = 'http://127.0.0.1:8787';

/** Slack signing secret of local runs, as public as the key. */
const LOCAL_SIGNING_SECRET = 'pool-warden-local-slack-signing-secret';

/** The local key and signing secret as ActionSecrets, for the actions handler's local deps. */
const localActionSecrets: ActionSecrets = staticActionSecrets(
  LOCAL_ACTION_KEYS,
  LOCAL_SIGNING_SECRET
);

interface LocalLinkOptions {
  readonly clock: Pick<Clock, 'now'>;
  readonly baseUrl?: string;
  readonly maxLinkLifetimeMs?: number;
  /** Nonce bytes; pin them for reproducible outboxes. */
  readonly random?: (size: number) => Uint8Array;
}

/**
 * Action links signed with the local key, pointing at `warden actions serve`.
 *
 * @example
 * const links = createLocalActionLinks({ clock: world.clock });
 */
function createLocalActionLinks(options: LocalLinkOptions): ActionLinks {
  return createSignedActionLinks({
    baseUrl: options.baseUrl ?? LOCAL_ACTIONS_BASE_URL,
    secrets: localActionSecrets,
    clock: options.clock,
    ...(options.maxLinkLifetimeMs === undefined
      ? {}
      : { maxLinkLifetimeMs: options.maxLinkLifetimeMs }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
}

/** Nonces 0, 1, 2 … as bytes: reproducible links for replay golden files and tests. */
function countingRandom(): (size: number) => Uint8Array {
  let next = 0;
  return (size) => {
    const bytes = new Uint8Array(size);
    let n = next++;
    for (let i = size - 1; i >= 0 && n > 0; i--) {
      bytes[i] = n % 256;
      n = Math.floor(n / 256);
    }
    return bytes;
  };
}

export type { LocalLinkOptions };
export {
  countingRandom,
  createLocalActionLinks,
  LOCAL_ACTION_KEYS,
  LOCAL_ACTIONS_BASE_URL,
  LOCAL_SIGNING_SECRET,
  localActionSecrets,
};
