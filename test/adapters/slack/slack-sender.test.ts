import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackSecrets } from '../../../src/adapters/slack/slack-secrets.js';
import { HttpSlackSender } from '../../../src/adapters/slack/slack-sender.js';
import { DeliveryError } from '../../../src/domain/errors.js';
import type { SlackMessage } from '../../../src/domain/notice/render-slack.js';
import type { SlackSender } from '../../../src/domain/ports/senders.js';
import { closedPortUrl } from '../../helpers/loopback-http.js';
import {
  apiAnswer,
  LoopbackSlack,
  rateLimited,
  serverError,
  webhookRejects,
} from '../../helpers/loopback-slack.js';

const BOT_TOKEN = 'xoxb-1111-2222-warden';
const REF = { jobName: 'resnet-sweep-017', status: 'Completed' };
const MESSAGE: SlackMessage = {
  text: ':white_check_mark: resnet-sweep-017 completed after 1 h 0 min',
  blocks: [
    { type: 'header', text: { type: 'plain_text', text: 'resnet-sweep-017 completed' } },
    { type: 'section', fields: [{ type: 'mrkdwn', text: '*Warm pool*\nAvailable until 12:00' }] },
  ],
};

/** Secrets as a deployment holds them, with the webhook URLs pointing at the loopback Slack. */
function secretsFor(webhooks: Record<string, string>, botToken = BOT_TOKEN): SlackSecrets {
  return {
    botToken: async () => botToken,
    webhookUrl: async (name) => {
      const url = webhooks[name];
      if (url === undefined) throw new DeliveryError('slack', `no webhook named ${name}`);
      return url;
    },
  };
}

describe('slack-sender', () => {
  let slack: LoopbackSlack;
  let webhooks: Record<string, string>;
  let sleeps: number[];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };

  beforeAll(async () => {
    slack = await LoopbackSlack.start({
      botToken: BOT_TOKEN,
      members: {
        'alice@example.com': 'U0ALICE01',
        'alice+ml@example.com': 'U0PLUS001',
        'a&email=bob@example.com': 'U0PLUS001',
        'alice#x@example.com': 'U0PLUS001',
        'bob@example.com': 'U0BOB0001',
      },
    });
    webhooks = { vision: slack.webhookUrl('vision') };
  });

  beforeEach(() => {
    slack.reset();
    sleeps = [];
  });

  afterAll(async () => {
    await slack.stop();
  });

  function sender(
    options: { botToken?: string; apiBase?: string; timeoutMs?: number } = {}
  ): SlackSender {
    return new HttpSlackSender({
      secrets: secretsFor(webhooks, options.botToken),
      sleep,
      apiBase: options.apiBase ?? slack.apiBase,
      retry: { maxAttempts: 3, baseDelayMs: 100 },
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    });
  }

  describe('to a team webhook', () => {
    const target = { kind: 'webhook', name: 'vision' } as const;
    const hook = () => new URL(webhooks.vision ?? '').pathname;

    it('posts the Block Kit message as JSON without a token when the webhook accepts it', async () => {
      // Act
      await sender().send(target, MESSAGE, REF);

      // Assess
      const [request] = slack.requestsTo(hook());
      expect(slack.requests).toHaveLength(1);
      expect(request?.method).toBe('POST');
      expect(request?.headers['content-type']).toMatch(/^application\/json/);
      expect(request?.headers.authorization).toBeUndefined();
      expect(JSON.parse(request?.body ?? '')).toEqual(MESSAGE);
    });

    it('delivers once after waiting Retry-After seconds when Slack rate-limits the first post', async () => {
      // Prepare
      slack.script(hook(), rateLimited(7));

      // Act
      await sender().send(target, MESSAGE, REF);

      // Assess
      expect(slack.requestsTo(hook())).toHaveLength(2);
      expect(sleeps).toEqual([7_000]);
    });

    it('throws a DeliveryError naming status and reason without retrying when the webhook answers 4xx', async () => {
      // Prepare
      slack.script(hook(), webhookRejects(400, 'invalid_blocks'));

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toBe(
        'slack delivery failed: webhook vision answered 400 invalid_blocks'
      );
      expect(error).toMatchObject({ channel: 'slack', retryable: false });
      expect(slack.requests).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('throws a retryable DeliveryError after maxAttempts posts when Slack keeps answering 500', async () => {
      // Prepare
      slack.script(hook(), serverError(), serverError(), serverError(), serverError());

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toContain(
        'webhook vision still answered 500 after 3 attempts'
      );
      expect(error).toMatchObject({ retryable: true });
      expect(slack.requestsTo(hook())).toHaveLength(3);
      expect(sleeps).toEqual([100, 200]);
    });

    it('throws a permanent DeliveryError saying so when the webhook answers an HTML page with status 200', async () => {
      // Prepare
      slack.script(hook(), {
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!DOCTYPE html><html><body>Sign in to the proxy</body></html>',
      });

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toBe(
        'slack delivery failed: webhook vision answered HTTP 200 with an HTML page, not "ok" (a proxy or captive portal is in the way, or the URL is not a Slack webhook)'
      );
      expect(error).toMatchObject({ retryable: false });
    });

    it('explains the reason without quoting a page when the webhook answers 4xx', async () => {
      // Prepare
      slack.script(
        hook(),
        webhookRejects(403, 'invalid_token'),
        webhookRejects(403, '<html>Forbidden</html>')
      );

      // Act
      const revoked = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);
      const page = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect((revoked as Error).message).toBe(
        'slack delivery failed: webhook vision answered 403 invalid_token (the webhook was revoked or its app removed)'
      );
      expect((page as Error).message).toBe(
        'slack delivery failed: webhook vision answered 403 with an HTML page'
      );
      expect(page).toMatchObject({ retryable: false });
    });

    it.each([
      ['without a scheme', 'hooks.slack.com/services/T0WARDEN/B0VISION/sekrit-part'],
      ['over plain http', 'http://hooks.slack.com/services/T0WARDEN/B0VISION/sekrit-part'],
      ['with spaces', 'https://hooks slack com/services/sekrit-part'],
    ])(
      'refuses a webhook URL %s as a permanent configuration error that does not show it',
      async (_, url) => {
        // Prepare
        const hostile: SlackSender = new HttpSlackSender({
          secrets: secretsFor({ vision: url }),
          sleep,
          apiBase: slack.apiBase,
        });

        // Act
        const error = await hostile.send(target, MESSAGE, REF).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(DeliveryError);
        expect((error as Error).message).toMatch(
          /^slack delivery failed: configuration error: webhook vision is not (a|an https) URL/
        );
        expect(error).toMatchObject({ retryable: false });
        expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('sekrit');
        expect((error as Error).cause).toBeUndefined();
        expect(slack.requests).toEqual([]);
      }
    );

    it('names neither the URL nor a cause when the webhook cannot be reached', async () => {
      // Prepare
      const closed = await closedPortUrl();
      const hostile: SlackSender = new HttpSlackSender({
        secrets: secretsFor({ vision: `${closed}/services/T0WARDEN/B0VISION/sekrit-part` }),
        sleep,
        retry: { maxAttempts: 2, baseDelayMs: 100 },
      });

      // Act
      const error = await hostile.send(target, MESSAGE, REF).catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toBe(
        'slack delivery failed: webhook vision unreachable after 2 attempts: ECONNREFUSED'
      );
      expect(error).toMatchObject({ retryable: true });
      expect((error as Error).cause).toBeUndefined();
    });

    it('passes the secrets error on when no webhook has that name', async () => {
      // Act
      const error = await sender()
        .send({ kind: 'webhook', name: 'unknown-team' }, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toContain('no webhook named unknown-team');
      expect(slack.requests).toEqual([]);
    });
  });

  describe('to a member by id', () => {
    const target = { kind: 'user', id: 'U0ALICE01' } as const;

    it('calls chat.postMessage with the member id as channel and the bot token when the target is a member id', async () => {
      // Act
      await sender().send(target, MESSAGE, REF);

      // Assess
      const [request] = slack.requestsTo('/api/chat.postMessage');
      expect(slack.requests).toHaveLength(1);
      expect(request?.method).toBe('POST');
      expect(request?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
      expect(request?.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(JSON.parse(request?.body ?? '')).toEqual({
        channel: 'U0ALICE01',
        unfurl_links: false,
        ...MESSAGE,
      });
    });

    it("throws a DeliveryError with Slack's error code when the API answers ok:false", async () => {
      // Act
      const error = await sender()
        .send({ kind: 'user', id: 'U0NOBODY9' }, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toBe(
        'slack delivery failed: chat.postMessage failed: channel_not_found (HTTP 200)'
      );
      expect(error).toMatchObject({ retryable: false });
      expect(slack.requests).toHaveLength(1);
    });

    it('throws a permanent DeliveryError saying the token was revoked or is wrong when Slack answers invalid_auth', async () => {
      // Act
      const error = await sender({ botToken: 'xoxb-revoked' })
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toBe(
        'slack delivery failed: invalid_auth (the bot token was revoked or is wrong) when calling chat.postMessage'
      );
      expect(error).toMatchObject({ channel: 'slack', retryable: false });
      expect(sleeps).toEqual([]);
    });

    it.each([
      ['token_revoked', 'the bot token was revoked'],
      ['account_inactive', 'the bot user or its workspace was deactivated'],
      ['not_authed', 'no bot token was sent'],
      ['missing_scope', 'the bot token lacks a scope this call needs'],
    ])(
      'throws a permanent DeliveryError explaining %s when the API answers it',
      async (code, why) => {
        // Prepare
        slack.script('/api/chat.postMessage', apiAnswer({ ok: false, error: code }));

        // Act
        const error = await sender()
          .send(target, MESSAGE, REF)
          .catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(DeliveryError);
        expect((error as Error).message).toContain(`slack delivery failed: ${code} (${why}`);
        expect(error).toMatchObject({ retryable: false });
        expect(slack.requests).toHaveLength(1);
      }
    );

    it('throws a retryable DeliveryError when the API answers ok:false with internal_error', async () => {
      // Prepare
      slack.script('/api/chat.postMessage', apiAnswer({ ok: false, error: 'internal_error' }));

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toContain('chat.postMessage failed: internal_error');
      expect(error).toMatchObject({ retryable: true });
    });

    it('does not quote an error code that is not a Slack code when the API answers one', async () => {
      // Prepare
      slack.script(
        '/api/chat.postMessage',
        apiAnswer({ ok: false, error: 'see https://evil.example/<b>' })
      );

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toBe(
        'slack delivery failed: chat.postMessage failed: unknown (HTTP 200)'
      );
    });

    it('refuses a malformed bot token as a permanent configuration error without showing it or calling Slack', async () => {
      // Prepare
      const token = 'xoxb-1111\r\nx-injected: 1';

      // Act
      const error = await sender({ botToken: token })
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toBe(
        'slack delivery failed: configuration error: the bot token is not a Slack token (expected xoxb-…); fix the Slack secret (its value is not shown)'
      );
      expect(error).toMatchObject({ retryable: false });
      expect((error as Error).message).not.toContain('1111');
      expect(slack.requests).toEqual([]);
    });

    it('delivers once after waiting Retry-After seconds when the API rate-limits', async () => {
      // Prepare
      slack.script('/api/chat.postMessage', rateLimited(3));

      // Act
      await sender().send(target, MESSAGE, REF);

      // Assess
      expect(slack.requestsTo('/api/chat.postMessage')).toHaveLength(2);
      expect(sleeps).toEqual([3_000]);
    });

    it('caps a long Retry-After at 10 s, so retries fit the function timeout', async () => {
      // Prepare
      slack.script('/api/chat.postMessage', rateLimited(30));

      // Act
      await sender().send(target, MESSAGE, REF);

      // Assess
      expect(sleeps).toEqual([10_000]);
    });

    it('throws a permanent DeliveryError saying so when the API answers an HTML page with status 200', async () => {
      // Prepare
      slack.script('/api/chat.postMessage', {
        status: 200,
        headers: { 'content-type': 'text/html' },
        body: '<html>captive portal</html>',
      });

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toBe(
        'slack delivery failed: chat.postMessage answered HTTP 200 with an HTML page (a proxy or captive portal is in the way, or the API base is wrong)'
      );
      expect(error).toMatchObject({ retryable: false });
      expect(slack.requests).toHaveLength(1);
    });

    it('throws a permanent DeliveryError when the API answers plain text that is not JSON', async () => {
      // Prepare
      slack.script('/api/chat.postMessage', {
        status: 200,
        headers: { 'content-type': 'text/plain' },
        body: 'ok',
      });

      // Act
      const error = await sender()
        .send(target, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toContain('with a body that is not JSON');
      expect(error).toMatchObject({ retryable: false });
    });
  });

  describe('to a member by email', () => {
    it('looks the member up and posts to the id found when the target is an email', async () => {
      // Act
      await sender().send({ kind: 'email', email: 'alice@example.com' }, MESSAGE, REF);

      // Assess
      expect(slack.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
        'GET /api/users.lookupByEmail',
        'POST /api/chat.postMessage',
      ]);
      const [lookup, post] = slack.requests;
      expect(lookup?.query.get('email')).toBe('alice@example.com');
      expect(lookup?.headers.authorization).toBe(`Bearer ${BOT_TOKEN}`);
      expect(JSON.parse(post?.body ?? '')).toMatchObject({ channel: 'U0ALICE01' });
    });

    it.each(['alice+ml@example.com', 'a&email=bob@example.com', 'alice#x@example.com'])(
      'looks up %s exactly, URL-encoded, when the address holds query characters',
      async (email) => {
        // Act
        await sender().send({ kind: 'email', email }, MESSAGE, REF);

        // Assess
        const [lookup] = slack.requestsTo('/api/users.lookupByEmail');
        expect(lookup?.query.getAll('email')).toEqual([email]);
        expect(JSON.parse(slack.requestsTo('/api/chat.postMessage')[0]?.body ?? '')).toMatchObject({
          channel: 'U0PLUS001',
        });
      }
    );

    it('throws a DeliveryError with users_not_found and posts nothing when nobody has the email', async () => {
      // Act
      const error = await sender()
        .send({ kind: 'email', email: 'carol@example.com' }, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toContain(
        'users.lookupByEmail failed: users_not_found (HTTP 200)'
      );
      expect(slack.requestsTo('/api/chat.postMessage')).toEqual([]);
    });

    it('throws a DeliveryError when the lookup answers ok without a user id', async () => {
      // Prepare
      slack.script('/api/users.lookupByEmail', apiAnswer({ ok: true, user: {} }));

      // Act
      const error = await sender()
        .send({ kind: 'email', email: 'alice@example.com' }, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toContain('users.lookupByEmail returned no user id');
      expect(slack.requestsTo('/api/chat.postMessage')).toEqual([]);
    });
  });

  describe('when Slack cannot be reached', () => {
    it('throws a retryable DeliveryError keeping the cause when the connection is refused', async () => {
      // Prepare
      const closed = await closedPortUrl();

      // Act
      const error = await sender({ apiBase: `${closed}/api` })
        .send({ kind: 'user', id: 'U0ALICE01' }, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect((error as Error).message).toContain('chat.postMessage unreachable after 3 attempts');
      expect(error).toMatchObject({ retryable: true });
      expect((error as DeliveryError).cause).toMatchObject({ cause: { code: 'ECONNREFUSED' } });
      expect(sleeps).toEqual([100, 200]);
    });

    it('gives up on each attempt when Slack accepts the connection but never answers', async () => {
      // Prepare
      slack.script('/api/chat.postMessage', 'hang', 'hang', 'hang');

      // Act
      const error = await sender({ timeoutMs: 50 })
        .send({ kind: 'user', id: 'U0ALICE01' }, MESSAGE, REF)
        .catch((e: unknown) => e);

      // Assess
      expect((error as Error).message).toContain('chat.postMessage unreachable after 3 attempts');
      expect(error).toMatchObject({ retryable: true });
      expect(slack.requestsTo('/api/chat.postMessage')).toHaveLength(3);
    });
  });
});
