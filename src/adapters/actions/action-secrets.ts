import type { ActionKey } from '../../domain/actions/action-token.js';

/**
 * The secrets the action endpoints need, read from the service's Slack secret: the keys that
 * sign links (newest first) and Slack's signing secret for interactivity requests.
 */
interface ActionSecrets {
  /** Every valid key, newest first; the first signs, any verifies. Empty: actions are off. */
  actionKeys(): Promise<readonly ActionKey[]>;
  /** Slack's signing secret; `undefined` when the secret has none (Slack buttons are off). */
  signingSecret(): Promise<string | undefined>;
}

/** Fixed secrets, for local runs and tests. */
function staticActionSecrets(keys: readonly ActionKey[], signingSecret?: string): ActionSecrets {
  return {
    actionKeys: async () => keys,
    signingSecret: async () => signingSecret,
  };
}

export type { ActionSecrets };
export { staticActionSecrets };
