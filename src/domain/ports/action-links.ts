import type { ActionGrant } from '../actions/action-grant.js';

/**
 * Signs action grants into links. Signing needs the service's key (a secret) and a fresh
 * nonce, so it sits behind a port; `undefined` means actions are not configured, and notices
 * then carry no links.
 */
interface ActionLinks {
  link(grant: ActionGrant): Promise<{ readonly url: string; readonly token: string } | undefined>;
}

/** No actions: notices carry no links or buttons. */
const noActionLinks: ActionLinks = { link: async () => undefined };

export type { ActionLinks };
export { noActionLinks };
