import { createHmac } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SlackWork } from '../../src/adapters/actions/eventbridge-hand-off.js';
import {
  countingRandom,
  createLocalActionLinks,
  LOCAL_SIGNING_SECRET,
  localActionSecrets,
} from '../../src/adapters/actions/local-action-links.js';
import type { SlackReplyMessage } from '../../src/adapters/actions/slack-response-url.js';
import { MemoryNonceStore } from '../../src/adapters/memory/memory-nonce-store.js';
import type { ActionGrant } from '../../src/domain/actions/action-grant.js';
import { signActionToken } from '../../src/domain/actions/action-token.js';
import { grantSecondsFor } from '../../src/domain/actions/extension-bounds.js';
import type { WardenConfig } from '../../src/domain/config/warden-config.js';
import type { PoolRecord } from '../../src/domain/pool/pool-record.js';
import { trackPoolEvent } from '../../src/domain/steward/track-pool-event.js';
import {
  type ActionsHttpDeps,
  createActionsHandler,
  routeActionsRequest,
  slackWork,
} from '../../src/handlers/actions-http.js';
import { lambdaContext } from '../helpers/factories.js';
import { FlushCounter, MINUTE, stewardWorld } from '../helpers/steward-world.js';

const RESPONSE_URL = 'http://127.0.0.1:9/slack-respond';

function withPeople(config: WardenConfig): WardenConfig {
  return {
    ...config,
    directory: { ...config.directory, mallory: { slack: 'U0MALLORY' } },
    actions: { maxLinkLifetime: '24h', admins: [] },
  };
}

/** Alice's job "a" ended 5 minutes ago; its pool is tracked; links are signed locally. */
async function actionsWorld(options: { handOff?: boolean } = {}) {
  const world = stewardWorld({
    rules: `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: 30m }
`,
  });
  const { terminal, end } = world.runJob('a');
  await trackPoolEvent(terminal, world.deps);
  world.clock.advanceTo(end + 5 * MINUTE);
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  const replies: { url: string; message: SlackReplyMessage }[] = [];
  const handedOff: SlackWork[] = [];
  const nonces = new MemoryNonceStore();
  const deps: ActionsHttpDeps = {
    ...world.deps,
    config: withPeople(world.config),
    nonces,
    secrets: localActionSecrets,
    maxLinkLifetimeMs: 24 * 60 * MINUTE,
    slackReply: { reply: async (url, message) => void replies.push({ url, message }) },
    allowLoopbackResponseUrl: true,
    ...(options.handOff === false
      ? {}
      : { handOff: { handOff: async (work) => void handedOff.push(work) } }),
  };
  const links = createLocalActionLinks({ clock: world.clock, random: countingRandom() });
  async function signedFor(grant: Partial<ActionGrant> = {}) {
    const link = await links.link({
      jobArn: pool?.jobArn ?? '',
      creationTime: pool?.creationTime ?? 0,
      action: { kind: 'extend', keepAliveSeconds: grantSecondsFor(end, end + 50 * MINUTE) },
      owner: 'alice',
      expiresAt: pool?.expiresAt ?? 0,
      ...grant,
    });
    if (link === undefined) throw new Error('no link');
    return link;
  }
  /** The email link's token. */
  const tokenFor = async (grant: Partial<ActionGrant> = {}) => (await signedFor(grant)).token;
  /** The Slack button's value for the same grant: signed for Slack only. */
  const slackTokenFor = async (grant: Partial<ActionGrant> = {}) =>
    (await signedFor(grant)).slackToken;
  return {
    world,
    pool: pool as PoolRecord,
    end,
    deps,
    replies,
    handedOff,
    nonces,
    tokenFor,
    slackTokenFor,
  };
}

function httpEvent(
  method: string,
  path: string,
  options: { body?: string; headers?: Record<string, string>; base64?: boolean } = {}
): APIGatewayProxyEventV2 {
  const event = {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: options.headers ?? {},
    requestContext: { http: { method, path, protocol: 'HTTP/1.1', sourceIp: '198.51.100.7' } },
    isBase64Encoded: options.base64 ?? false,
    ...(options.body === undefined ? {} : { body: options.body }),
  };
  return event as unknown as APIGatewayProxyEventV2;
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

function postForm(token: string): APIGatewayProxyEventV2 {
  return httpEvent('POST', `/a/${token}`, { body: 'confirm=yes', headers: FORM });
}

function slackEvent(
  body: string,
  now: number,
  options: { secret?: string; timestamp?: number; base64?: boolean; sentBody?: string } = {}
): APIGatewayProxyEventV2 {
  const timestamp = String(Math.floor((options.timestamp ?? now) / 1000));
  const signature = `v0=${createHmac('sha256', options.secret ?? LOCAL_SIGNING_SECRET)
    .update(`v0:${timestamp}:${options.sentBody ?? body}`)
    .digest('hex')}`;
  return httpEvent('POST', '/slack/interactions', {
    body: options.base64 ? Buffer.from(body).toString('base64') : body,
    base64: options.base64 ?? false,
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      'X-Slack-Request-Timestamp': timestamp,
      'X-Slack-Signature': signature,
    },
  });
}

function clickBody(token: string, userId = 'U0ALICE01'): string {
  return new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: userId, username: 'someone' },
      actions: [{ action_id: 'warden-extend', value: token }],
      response_url: RESPONSE_URL,
      message: {
        blocks: [
          { type: 'section', text: { type: 'mrkdwn', text: 'Job a completed' } },
          { type: 'actions', elements: [] },
        ],
      },
    }),
  }).toString();
}

describe('actions HTTP endpoints', () => {
  describe('GET /a/{token}', () => {
    it('shows a confirmation page with one POST button and changes nothing', async () => {
      // Prepare
      const { world, deps, tokenFor, nonces, pool } = await actionsWorld();
      const token = await tokenFor();
      const auditBefore = await world.auditOf('a');

      // Act
      const result = await routeActionsRequest(httpEvent('GET', `/a/${token}`), deps);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('<form method="post">');
      expect(result.body).toContain('Keep warm until');
      expect(world.updates).toEqual([]);
      expect(await world.auditOf('a')).toEqual(auditBefore);
      expect(await world.store.getPool(pool.jobArn, pool.creationTime)).toEqual(pool);
      expect(await nonces.claim('probe', 0)).toBe('claimed');
    });

    it('sends the strict headers: CSP without scripts, no caching, no referrer', async () => {
      // Prepare
      const { deps, tokenFor } = await actionsWorld();

      // Act
      const result = await routeActionsRequest(httpEvent('GET', `/a/${await tokenFor()}`), deps);

      // Assess
      expect(result.headers).toMatchObject({
        'cache-control': 'no-store',
        'referrer-policy': 'no-referrer',
        'content-type': 'text/html; charset=utf-8',
      });
      expect(result.headers['content-security-policy']).toMatch(
        /^default-src 'none'; style-src 'sha256-/
      );
      expect(result.body).not.toMatch(/<script|https?:\/\//);
    });

    it('asks to confirm a release with a second, clearly marked button', async () => {
      // Prepare
      const { deps, tokenFor, world } = await actionsWorld();
      const token = await tokenFor({ action: { kind: 'release' } });

      // Act
      const result = await routeActionsRequest(httpEvent('GET', `/a/${token}`), deps);

      // Assess
      expect(result.body).toContain('Release this warm pool?');
      expect(result.body).toContain('<button type="submit" class="danger">Yes, release it now');
      expect(world.updates).toEqual([]);
    });
  });

  describe('POST /a/{token}', () => {
    it('extends the pool and says until when, in the owner\u2019s time zone', async () => {
      // Prepare
      const { world, deps, tokenFor, end } = await actionsWorld();

      // Act
      const result = await routeActionsRequest(postForm(await tokenFor()), deps);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toContain('is kept warm until');
      expect(result.body).toContain('CET');
      expect(world.sim.job('a')?.warmPool?.expiresAt).toBe(end + 50 * MINUTE);
    });

    it('refuses a Slack button\u2019s value posted as a link: a button is for Slack users only', async () => {
      // Prepare: anyone in the channel can read a button's value
      const { world, deps, slackTokenFor } = await actionsWorld();

      // Act
      const result = await routeActionsRequest(
        postForm(await slackTokenFor({ action: { kind: 'release' } })),
        deps
      );

      // Assess
      expect(result.statusCode).toBeGreaterThanOrEqual(400);
      expect(result.statusCode).toBeLessThan(500);
      expect(world.updates).toEqual([]);
    });

    it('refuses a second POST of the same link and changes nothing', async () => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld();
      const token = await tokenFor();
      await routeActionsRequest(postForm(token), deps);

      // Act
      const second = await routeActionsRequest(postForm(token), deps);

      // Assess
      expect(second.statusCode).toBe(409);
      expect(second.body).toContain('already been used');
      expect(world.updates).toHaveLength(1);
    });

    it('says plainly when the extension was cut to what SageMaker allows', async () => {
      // Prepare
      const { deps, tokenFor, end } = await actionsWorld();
      const token = await tokenFor({
        action: { kind: 'extend', keepAliveSeconds: grantSecondsFor(end, end + 6 * 60 * MINUTE) },
      });

      // Act
      const result = await routeActionsRequest(postForm(token), deps);

      // Assess
      expect(result.statusCode).toBe(200);
      expect(result.body).toMatch(/kept warm until .*, the most rule everyone allows/);
    });

    it.each([
      ['an expired link', 410, 'This link has expired'],
      ['a tampered link', 403, 'not made by this Pool Warden'],
      ['a forged link', 403, 'not made by this Pool Warden'],
      ['a damaged link', 400, 'damaged or incomplete'],
    ])('answers %s with %i and changes nothing', async (kind, status, text) => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld();
      let token = await tokenFor();
      if (kind === 'an expired link') world.clock.advanceTo(world.clock.now() + 60 * MINUTE);
      if (kind === 'a tampered link') {
        const bytes = Buffer.from(token, 'base64url');
        bytes[20] = (bytes[20] as number) ^ 1;
        token = bytes.toString('base64url');
      }
      if (kind === 'a forged link') {
        token = signActionToken(
          {
            jobArn: 'arn:x',
            creationTime: 1,
            action: { kind: 'release' },
            owner: 'alice',
            expiresAt: world.clock.now() + MINUTE,
          },
          new Uint8Array(12),
          { id: 'local', secret: 'guessed-secret-guessed-secret-guessed' }
        );
      }
      if (kind === 'a damaged link') token = token.slice(0, 40);

      // Act
      const result = await routeActionsRequest(postForm(token), deps);

      // Assess
      expect(result.statusCode).toBe(status);
      expect(result.body).toContain(text);
      expect(result.body).toContain('Nothing was changed.');
      expect(world.updates).toEqual([]);
    });

    it('refuses a link made for another owner', async () => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld();

      // Act
      const result = await routeActionsRequest(postForm(await tokenFor({ owner: 'bob' })), deps);

      // Assess
      expect(result.statusCode).toBe(403);
      expect(result.body).toContain('Not your pool');
      expect(world.updates).toEqual([]);
    });

    it('explains a pool reused between the notice and the click', async () => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld();
      const token = await tokenFor();
      world.submit('b');
      world.sim.start('b');

      // Act
      const result = await routeActionsRequest(postForm(token), deps);

      // Assess
      expect(result.statusCode).toBe(410);
      expect(result.body).toContain('already taken by another job (b)');
    });

    it('refuses an oversized body with 413', async () => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld();
      const event = httpEvent('POST', `/a/${await tokenFor()}`, {
        body: `confirm=${'y'.repeat(20_000)}`,
        headers: FORM,
      });

      // Act
      const result = await routeActionsRequest(event, deps);

      // Assess
      expect(result.statusCode).toBe(413);
      expect(world.updates).toEqual([]);
    });

    it('refuses a body of another content type with 415', async () => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld();
      const event = httpEvent('POST', `/a/${await tokenFor()}`, {
        body: '{"confirm":true}',
        headers: { 'content-type': 'application/json' },
      });

      // Act
      const result = await routeActionsRequest(event, deps);

      // Assess
      expect(result.statusCode).toBe(415);
      expect(world.updates).toEqual([]);
    });

    it('answers 404 for other paths and 405 for other methods', async () => {
      // Prepare
      const { deps, tokenFor } = await actionsWorld();

      // Act
      const other = await routeActionsRequest(httpEvent('GET', '/admin'), deps);
      const put = await routeActionsRequest(httpEvent('PUT', `/a/${await tokenFor()}`), deps);

      // Assess
      expect([other.statusCode, put.statusCode]).toEqual([404, 405]);
    });
  });

  describe('POST /slack/interactions', () => {
    it('answers at once and hands the verified click off', async () => {
      // Prepare
      const { world, deps, slackTokenFor, handedOff } = await actionsWorld();
      const body = clickBody(await slackTokenFor());

      // Act
      const result = await routeActionsRequest(slackEvent(body, world.clock.now()), deps);

      // Assess
      expect(result).toMatchObject({ statusCode: 200, body: '' });
      expect(handedOff).toHaveLength(1);
      expect(world.updates).toEqual([]);
    });

    it('acts in the hand-off and replaces the message: who, what, until when, no buttons', async () => {
      // Prepare
      const { world, deps, slackTokenFor, handedOff, replies, end } = await actionsWorld();
      await routeActionsRequest(
        slackEvent(clickBody(await slackTokenFor()), world.clock.now()),
        deps
      );

      // Act
      await slackWork(handedOff[0] as SlackWork, deps);

      // Assess
      expect(world.sim.job('a')?.warmPool?.expiresAt).toBe(end + 50 * MINUTE);
      expect(replies).toHaveLength(1);
      const [{ url, message }] = replies as [{ url: string; message: SlackReplyMessage }];
      expect(url).toBe(RESPONSE_URL);
      expect(message.replace_original).toBe(true);
      expect(message.text).toMatch(/^alice \(Slack U0ALICE01\): .* kept warm until .*CET/);
      expect(message.blocks?.map((b) => (b as { type: string }).type)).toEqual([
        'section',
        'context',
      ]);
    });

    it('accepts a base64-encoded body from API Gateway', async () => {
      // Prepare
      const { world, deps, slackTokenFor, handedOff } = await actionsWorld();
      const body = clickBody(await slackTokenFor());

      // Act
      const result = await routeActionsRequest(
        slackEvent(body, world.clock.now(), { base64: true }),
        deps
      );

      // Assess
      expect(result.statusCode).toBe(200);
      expect(handedOff).toHaveLength(1);
    });

    it.each([
      ['a stale timestamp', { timestamp: -6 * MINUTE }],
      ['a wrong signature', { secret: 'not-the-signing-secret-000000' }],
      ['a re-encoded body', { reencode: true }],
    ])('refuses %s with 401 and hands nothing off', async (_name, fault) => {
      // Prepare
      const { world, deps, slackTokenFor, handedOff } = await actionsWorld();
      const sent = clickBody(await slackTokenFor());
      const now = world.clock.now();
      const event = slackEvent('reencode' in fault ? sent.replaceAll('%3A', '%3a') : sent, now, {
        ...('secret' in fault ? { secret: fault.secret } : {}),
        ...('timestamp' in fault ? { timestamp: now + fault.timestamp } : {}),
        sentBody: sent,
      });

      // Act
      const result = await routeActionsRequest(event, deps);

      // Assess
      expect(result.statusCode).toBe(401);
      expect(handedOff).toEqual([]);
      expect(world.updates).toEqual([]);
    });

    it('refuses another content type with 415 and an oversized body with 413', async () => {
      // Prepare
      const { world, deps, slackTokenFor } = await actionsWorld();
      const body = clickBody(await slackTokenFor());
      const json = slackEvent(body, world.clock.now());
      json.headers['Content-Type'] = 'application/json';
      const big = slackEvent(`${body}&pad=${'x'.repeat(20_000)}`, world.clock.now());

      // Act
      const results = [await routeActionsRequest(json, deps), await routeActionsRequest(big, deps)];

      // Assess
      expect(results.map((r) => r.statusCode)).toEqual([415, 413]);
    });

    it('refuses an email link\u2019s token in a button payload', async () => {
      // Prepare
      const { world, deps, tokenFor, replies } = await actionsWorld({ handOff: false });

      // Act
      await routeActionsRequest(slackEvent(clickBody(await tokenFor()), world.clock.now()), deps);

      // Assess
      expect(world.updates).toEqual([]);
      expect(replies).toHaveLength(1);
      expect(replies[0]?.message).toMatchObject({ replace_original: false });
    });

    it('keeps the message that says who acted when the button is clicked again', async () => {
      // Prepare
      const { world, deps, slackTokenFor, replies } = await actionsWorld({ handOff: false });
      const body = clickBody(await slackTokenFor());
      await routeActionsRequest(slackEvent(body, world.clock.now()), deps);

      // Act
      await routeActionsRequest(slackEvent(body, world.clock.now()), deps);

      // Assess: the first reply replaced the message; the second is a note to the clicker only
      expect(replies.map((r) => r.message.replace_original)).toEqual([true, false]);
      expect(replies[1]?.message.text).toContain('already been used');
      expect(world.updates).toHaveLength(1);
    });

    it('tells a clicker who may not act, only them, and keeps the buttons', async () => {
      // Prepare
      const { world, deps, slackTokenFor, handedOff, replies } = await actionsWorld();
      const body = clickBody(await slackTokenFor(), 'U0MALLORY');
      await routeActionsRequest(slackEvent(body, world.clock.now()), deps);

      // Act
      await slackWork(handedOff[0] as SlackWork, deps);

      // Assess
      expect(world.updates).toEqual([]);
      expect(replies[0]?.message).toMatchObject({
        replace_original: false,
        response_type: 'ephemeral',
        text: expect.stringContaining('Only the owner'),
      });
    });

    it('acts on nothing when a hand-off event carries a forged signature', async () => {
      // Prepare
      const { world, deps, slackTokenFor, replies } = await actionsWorld();
      const body = Buffer.from(clickBody(await slackTokenFor())).toString('base64');
      const work: SlackWork = {
        body,
        timestamp: String(Math.floor(world.clock.now() / 1000)),
        signature: `v0=${'0'.repeat(64)}`,
      };

      // Act
      await slackWork(work, deps);

      // Assess
      expect(world.updates).toEqual([]);
      expect(replies).toEqual([]);
      expect(world.log.lines.some((l) => l.level === 'error')).toBe(true);
    });

    it('does the work before answering when there is no hand-off (local runs)', async () => {
      // Prepare
      const { world, deps, slackTokenFor, replies } = await actionsWorld({
        handOff: false,
      });

      // Act
      const result = await routeActionsRequest(
        slackEvent(clickBody(await slackTokenFor()), world.clock.now()),
        deps
      );

      // Assess
      expect(result.statusCode).toBe(200);
      expect(world.updates).toHaveLength(1);
      expect(replies).toHaveLength(1);
    });
  });

  describe('under fuzzing', () => {
    it('never throws and never acts on arbitrary requests', async () => {
      // Prepare
      const { world, deps, tokenFor } = await actionsWorld({ handOff: false });
      const token = await tokenFor();
      const paths = fc.oneof(
        fc.constant('/slack/interactions'),
        fc.string().map((t) => `/a/${t}`),
        fc.nat(token.length - 1).map((i) => `/a/${token.slice(0, i)}${token.slice(i + 1)}`),
        fc.string()
      );
      const bodies = fc.oneof(
        fc.string(),
        fc.anything().map((v) => new URLSearchParams({ payload: JSON.stringify(v) }).toString()),
        fc.constant(clickBody(token))
      );

      // Act & Assess
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('GET', 'POST', 'PUT', 'HEAD'),
          paths,
          bodies,
          fc.boolean(),
          fc.dictionary(
            fc.constantFrom('content-type', 'x-slack-signature', 'x-slack-request-timestamp'),
            fc.oneof(fc.string(), fc.constant('application/x-www-form-urlencoded'))
          ),
          async (method, path, body, base64, headers) => {
            const result = await routeActionsRequest(
              httpEvent(method, path, {
                body: base64 ? Buffer.from(body).toString('base64') : body,
                base64,
                headers,
              }),
              deps
            );
            expect(result.statusCode).toBeGreaterThanOrEqual(200);
          }
        ),
        { numRuns: 300 }
      );
      expect(world.updates).toEqual([]);
    });
  });

  describe('the Lambda handler', () => {
    it('answers a failure with a generic page naming the request id, never the error', async () => {
      // Prepare
      const { deps, tokenFor } = await actionsWorld();
      const token = await tokenFor();
      const broken: ActionsHttpDeps = {
        ...deps,
        store: {
          ...deps.store,
          getPool: async () => {
            throw new Error('DynamoDB: secret internal detail');
          },
        },
      };
      const handler = createActionsHandler(
        async () => broken,
        new Logger({ logLevel: 'SILENT' }),
        new FlushCounter()
      );

      // Act
      const result = await handler(postForm(token), lambdaContext());

      // Assess
      expect(result?.statusCode).toBe(500);
      expect(result?.body).toContain('c6af9ac6-7b61-11e6-9a41-93e812345678');
      expect(result?.body).not.toContain('secret internal detail');
    });

    it('runs the hand-off event EventBridge delivers', async () => {
      // Prepare
      const { world, deps, slackTokenFor, handedOff } = await actionsWorld();
      await routeActionsRequest(
        slackEvent(clickBody(await slackTokenFor()), world.clock.now()),
        deps
      );
      const handler = createActionsHandler(
        async () => deps,
        new Logger({ logLevel: 'SILENT' }),
        new FlushCounter()
      );

      // Act
      await handler(
        {
          source: 'pool-warden.actions',
          'detail-type': 'Slack Button Clicked',
          detail: handedOff[0] as SlackWork,
        },
        lambdaContext()
      );

      // Assess
      expect(world.updates).toHaveLength(1);
    });
  });
});
