import type { ActionGrant } from '../actions/action-grant.js';

/**
 * Signs action grants into links. Signing needs the service's key (a secret) and a fresh
 * nonce, so it sits behind a port; `undefined` means actions are not configured, and notices
 * then carry no links.
 */
interface ActionLinks {
  /**
   * The email link (and its token) and, signed apart, the Slack button's token: a token made
   * for one channel is refused on the other (a button's value is readable in the channel).
   */
  link(
    grant: ActionGrant
  ): Promise<
    { readonly url: string; readonly token: string; readonly slackToken: string } | undefined
  >;
}

/** No actions: notices carry no links or buttons. */
const noActionLinks: ActionLinks = { link: async () => undefined };

export type { ActionLinks };
export { noActionLinks };
