import type { ResolvedOwner } from '../owner/resolve-owner.js';
import type { SlackTarget } from '../ports/senders.js';

interface DeliveryTargets {
  readonly email?: string;
  readonly slack?: SlackTarget;
}

/** The channels that reach an owner: their email, and one Slack destination at most. */
function deliveryTargets(owner: ResolvedOwner, slackDmByEmail: boolean): DeliveryTargets {
  const slack: SlackTarget | undefined =
    owner.slackUser !== undefined
      ? { kind: 'user', id: owner.slackUser }
      : owner.slackWebhook !== undefined
        ? { kind: 'webhook', name: owner.slackWebhook }
        : owner.email !== undefined && slackDmByEmail
          ? { kind: 'email', email: owner.email }
          : undefined;
  return {
    ...(owner.email === undefined ? {} : { email: owner.email }),
    ...(slack === undefined ? {} : { slack }),
  };
}

export type { DeliveryTargets };
export { deliveryTargets };
