import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeliveryError, DependencyError } from '../../../src/domain/errors.js';
import { notifyOnFinish } from '../../../src/domain/finish/notify-on-finish.js';
import { type Notice, noticeKey } from '../../../src/domain/notice/notice.js';
import { renderEmail } from '../../../src/domain/notice/render-email.js';
import { renderSlack } from '../../../src/domain/notice/render-slack.js';
import type { NoticeLedger } from '../../../src/domain/ports/notice-ledger.js';
import type { SlackSender } from '../../../src/domain/ports/senders.js';
import { jobArn } from '../../helpers/domain-notices.js';
import {
  configFrom,
  stateChangeEvent,
  subscribedOnly,
  TEAM_CONFIG_YAML,
} from '../../helpers/factories.js';
import { CREATED, finishWorld, NOW } from './finish-world.js';

// Spies on the real renderers, to read the notice each message was rendered from: what the
// notice says about its delivery is the finish notice's business, how it reads is the renderers'.
vi.mock('../../../src/domain/notice/render-email.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/domain/notice/render-email.js')>();
  return { ...real, renderEmail: vi.fn(real.renderEmail) };
});
vi.mock('../../../src/domain/notice/render-slack.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../../src/domain/notice/render-slack.js')>();
  return { ...real, renderSlack: vi.fn(real.renderSlack) };
});

/** The notice of the last email rendered for `to`. */
function emailNoticeTo(to: string): Notice | undefined {
  return vi
    .mocked(renderEmail)
    .mock.calls.filter(([, address]) => address === to)
    .at(-1)?.[0];
}

/** The notice of the last Slack message rendered. */
function lastSlackNotice(): Notice | undefined {
  return vi.mocked(renderSlack).mock.calls.at(-1)?.[0];
}

const REVOKED = new DeliveryError('slack', 'invalid_auth (token revoked)');
const deadSlack: SlackSender = { send: () => Promise.reject(REVOKED) };
const PLATFORM = 'ml-platform@example.com';

describe('deliverWithFallback', () => {
  afterEach(() => {
    vi.mocked(renderEmail).mockClear();
    vi.mocked(renderSlack).mockClear();
  });

  describe('a channel that fails for good (case 6)', () => {
    it('sends by email saying Slack could not be reached, loudly, when Slack answers invalid_auth', async () => {
      // Prepare
      const { deps, senders, log, metrics } = finishWorld();

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), { ...deps, slack: deadSlack });

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['email'] });
      expect(senders.emails.map((e) => e.message.to)).toEqual(['alice@example.com']);
      expect(emailNoticeTo('alice@example.com')?.deliveryNote).toBe(
        'Slack could not be reached (invalid_auth (token revoked)), so this came by email only.'
      );
      expect(log.lines).toContainEqual({
        level: 'error',
        message: 'notice channel failed permanently; it needs fixing',
        extra: expect.objectContaining({
          recipient: 'owner',
          channel: 'slack',
          kind: 'rejected',
          reason: 'invalid_auth (token revoked)',
        }),
      });
      expect(metrics.total('ChannelFailedPermanent', { channel: 'slack', kind: 'rejected' })).toBe(
        1
      );
      expect(metrics.total('NoticeFallback', { to: 'other-channel' })).toBe(1);
      expect(metrics.total('NoticeSent', { channel: 'email' })).toBe(1);
      expect(metrics.total('NoticeSent', { channel: 'slack' })).toBe(0);
    });

    it('sends to the fallback contact, saying for whom and why, when Slack is the owner’s only channel', async () => {
      // Prepare: the tag names a raw Slack member id, so Slack is all the owner has
      const { deps, senders, metrics } = finishWorld();
      const event = stateChangeEvent({ tags: [{ Key: 'warden:owner', Value: 'U0DAVE0001' }] });

      // Act
      const outcome = await notifyOnFinish(event, { ...deps, slack: deadSlack });

      // Assess
      expect(outcome).toMatchObject({
        kind: 'notice',
        owner: 'U0DAVE0001',
        channels: ['fallback-email'],
      });
      expect(senders.emails.map((e) => e.message.to)).toEqual([PLATFORM]);
      expect(emailNoticeTo(PLATFORM)?.deliveryNote).toBe(
        'This notice is for U0DAVE0001, whom Pool Warden could not reach (slack: invalid_auth (token revoked)), so it came to you as the fallback contact.'
      );
      expect(emailNoticeTo(PLATFORM)?.owner.id).toBe('U0DAVE0001');
      expect(metrics.total('NoticeFallback', { to: 'fallback-contact' })).toBe(1);
    });

    it('fails for good, keeping the event, when neither the owner nor the fallback contact can be reached', async () => {
      // Prepare
      const { deps, senders, ledger, metrics } = finishWorld({ emailReach: subscribedOnly() });
      const event = stateChangeEvent({ tags: [{ Key: 'warden:owner', Value: 'U0DAVE0001' }] });

      // Act
      const error = await notifyOnFinish(event, { ...deps, slack: deadSlack }).catch(
        (e: unknown) => e
      );

      // Assess
      expect(error).toMatchObject({ code: 'DELIVERY_FAILED', retryable: false });
      expect((error as Error).message).toContain(
        'no confirmed subscription for ml-platform@example.com'
      );
      expect((error as Error).message).toContain('invalid_auth');
      expect(senders.emails).toHaveLength(0);
      expect(metrics.total('ChannelFailedPermanent')).toBe(2);
      const key = noticeKey({ arn: jobArn('resnet-sweep-017'), creationTime: CREATED });
      expect(await ledger.claim(key, NOW)).toMatchObject({ kind: 'claimed', delivered: [] });
    });

    it('counts a transient failure as retried, fails the attempt, and falls back to nobody', async () => {
      // Prepare
      const { deps, senders, metrics } = finishWorld();
      senders.failures.slack = 1;

      // Act
      const error = await notifyOnFinish(stateChangeEvent(), deps).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe('slack down');
      expect(metrics.total('ChannelFailedRetried', { channel: 'slack' })).toBe(1);
      expect(metrics.total('ChannelFailedPermanent')).toBe(0);
      expect(metrics.total('NoticeFallback')).toBe(0);
      expect(senders.emails.map((e) => e.message.to)).toEqual(['alice@example.com']);
      expect(emailNoticeTo('alice@example.com')?.deliveryNote).toBeUndefined();
    });
  });

  describe('an address nobody subscribed (case 7)', () => {
    it('sends by Slack saying the address reaches nobody, and tells the fallback contact to subscribe it', async () => {
      // Prepare
      const reach = subscribedOnly(PLATFORM);
      const { deps, senders, log, metrics } = finishWorld({ emailReach: reach });

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['slack', 'fallback-email'] });
      expect(senders.slacks.map((s) => s.target)).toEqual([{ kind: 'user', id: 'U0ALICE01' }]);
      expect(lastSlackNotice()?.deliveryNote).toBe(
        'Email to alice@example.com reaches nobody yet (the address has no confirmed subscription), so this came by Slack only.'
      );
      expect(senders.emails.map((e) => e.message.to)).toEqual([PLATFORM]);
      expect(emailNoticeTo(PLATFORM)?.deliveryNote).toBe(
        'Alice Ng got this notice by Slack only because alice@example.com has no confirmed subscription; please subscribe that address so their email arrives too.'
      );
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          extra: expect.objectContaining({
            channel: 'email',
            kind: 'no-subscription',
            reason: 'no confirmed subscription for alice@example.com',
          }),
        })
      );
      expect(
        metrics.total('ChannelFailedPermanent', { channel: 'email', kind: 'no-subscription' })
      ).toBe(1);
      expect(reach.asked).toEqual(['alice@example.com', PLATFORM]);
    });

    it('sends to the fallback contact asking to subscribe the address when email is all the owner has', async () => {
      // Prepare
      const { deps, senders, metrics } = finishWorld({ emailReach: subscribedOnly(PLATFORM) });
      const event = stateChangeEvent({
        tags: [{ Key: 'warden:owner', Value: 'carol@example.com' }],
      });

      // Act
      const outcome = await notifyOnFinish(event, deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['fallback-email'] });
      expect(senders.emails.map((e) => e.message.to)).toEqual([PLATFORM]);
      expect(emailNoticeTo(PLATFORM)?.deliveryNote).toBe(
        'This notice is for carol@example.com, whom Pool Warden could not reach (email: no confirmed subscription for carol@example.com), so it came to you as the fallback contact; please subscribe carol@example.com.'
      );
      expect(metrics.total('NoticeFallback', { to: 'fallback-contact' })).toBe(1);
    });

    it('matches subscriptions case-insensitively, so a capitalised address still reaches its owner', async () => {
      // Prepare
      const { deps, senders } = finishWorld({ emailReach: subscribedOnly('CAROL@example.com') });
      const event = stateChangeEvent({
        tags: [{ Key: 'warden:owner', Value: 'carol@example.com' }],
      });

      // Act
      const outcome = await notifyOnFinish(event, deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['email'] });
      expect(senders.emails.map((e) => e.message.to)).toEqual(['carol@example.com']);
    });

    it('does not copy the fallback contact when the owner is the fallback contact', async () => {
      // Prepare
      const config = configFrom(
        TEAM_CONFIG_YAML.replace(
          '  platform:\n    email: ml-platform@example.com\n',
          '  platform:\n    email: ml-platform@example.com\n    slack: U0PLATFORM1\n'
        )
      );
      const { deps, senders } = finishWorld({ config, emailReach: subscribedOnly() });
      const event = stateChangeEvent({
        tags: [{ Key: 'warden:owner', Value: 'platform' }],
      });

      // Act
      const outcome = await notifyOnFinish(event, deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', owner: 'platform', channels: ['slack'] });
      expect(senders.emails).toHaveLength(0);
      expect(senders.slacks).toHaveLength(1);
    });

    it('treats a failing reachability check as transient: the attempt fails and Slack is not repeated', async () => {
      // Prepare
      let checks = 0;
      const flakyReach = {
        canReach: async () => {
          checks += 1;
          if (checks === 1) throw new DependencyError('SNS', 'Throttling', { retryable: true });
          return true;
        },
      };
      const { deps, senders, metrics } = finishWorld({ emailReach: flakyReach });

      // Act
      await expect(notifyOnFinish(stateChangeEvent(), deps)).rejects.toThrow('Throttling');
      const retry = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(retry).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
      expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
      expect(metrics.total('ChannelFailedRetried', { channel: 'email' })).toBe(1);
    });
  });

  describe('exactly once across a crash', () => {
    it('does not send the fallback contact a second copy when the attempt crashed before completing', async () => {
      // Prepare
      const { deps, senders, ledger } = finishWorld({ emailReach: subscribedOnly(PLATFORM) });
      let crashes = 1;
      const crashing: NoticeLedger = {
        claim: (key, now) => ledger.claim(key, now),
        recordAttempt: (key, channel) => ledger.recordAttempt(key, channel),
        recordDelivery: (key, channel, status) => ledger.recordDelivery(key, channel, status),
        release: (key) => ledger.release(key),
        complete: async (key, now, status) => {
          if (crashes-- > 0) throw new DependencyError('DynamoDB', 'timeout', { retryable: true });
          await ledger.complete(key, now, status);
        },
      };
      const event = stateChangeEvent({
        tags: [{ Key: 'warden:owner', Value: 'carol@example.com' }],
      });

      // Act
      await expect(notifyOnFinish(event, { ...deps, ledger: crashing })).rejects.toThrow('timeout');
      const retry = await notifyOnFinish(event, { ...deps, ledger: crashing });
      const duplicate = await notifyOnFinish(event, { ...deps, ledger: crashing });

      // Assess
      expect(retry).toMatchObject({ kind: 'notice', channels: ['fallback-email'] });
      expect(duplicate.kind).toBe('ignored');
      expect(senders.emails.map((e) => e.message.to)).toEqual([PLATFORM]);
    });
  });
});
