import { describe, expect, it } from 'vitest';
import { deliveryTargets } from '../../../src/domain/notice/delivery-targets.js';
import { aliceOwner } from '../../helpers/domain-notices.js';

describe('deliveryTargets', () => {
  it('sends email and a Slack DM to an owner who has both', () => {
    expect(deliveryTargets(aliceOwner(), false)).toEqual({
      email: 'alice@example.com',
      slack: { kind: 'user', id: 'U0ALICE01' },
    });
  });

  it('prefers the Slack DM over a webhook', () => {
    const owner = aliceOwner({ slackWebhook: 'vision' });

    expect(deliveryTargets(owner, true).slack).toEqual({ kind: 'user', id: 'U0ALICE01' });
  });

  it('uses the team webhook when the owner has no Slack member id', () => {
    const owner = aliceOwner({ slackUser: undefined, slackWebhook: 'vision' });

    expect(deliveryTargets(owner, true).slack).toEqual({ kind: 'webhook', name: 'vision' });
  });

  it('looks the owner up in Slack by email only when the config allows it', () => {
    // Prepare
    const owner = aliceOwner({ slackUser: undefined });

    // Act
    const allowed = deliveryTargets(owner, true);
    const notAllowed = deliveryTargets(owner, false);

    // Assess
    expect(allowed.slack).toEqual({ kind: 'email', email: 'alice@example.com' });
    expect(notAllowed).toEqual({ email: 'alice@example.com' });
  });

  it('sends only Slack to an owner known by a Slack member id', () => {
    const owner = aliceOwner({ email: undefined, slackUser: 'U0CAROL99' });

    expect(deliveryTargets(owner, true)).toEqual({ slack: { kind: 'user', id: 'U0CAROL99' } });
  });
});
