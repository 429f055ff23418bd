import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isSlackResponseUrl,
  parseInteraction,
  verifySlackSignature,
} from '../../../src/domain/actions/slack-interaction.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const TS = String(NOW / 1000);

function sign(body: string | Buffer, timestamp = TS, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

function payloadBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

const CLICK = {
  type: 'block_actions',
  user: { id: 'U0ALICE01', username: 'alice' },
  actions: [{ action_id: 'warden-extend', value: 'AQJrMQ' }],
  response_url: 'https://hooks.slack.com/actions/T0/1/abc',
  message: { blocks: [{ type: 'section' }, { type: 'actions' }] },
};

describe('verifySlackSignature', () => {
  it('accepts a request signed with the signing secret within five minutes', () => {
    // Prepare
    const body = Buffer.from(payloadBody(CLICK));

    // Act
    const verdict = verifySlackSignature(
      { rawBody: body, timestamp: TS, signature: sign(body) },
      SECRET,
      NOW + 299_000
    );

    // Assess
    expect(verdict).toEqual({ ok: true });
  });

  it('refuses a stale timestamp, even with a valid signature for it', () => {
    // Prepare
    const body = Buffer.from(payloadBody(CLICK));
    const old = String(NOW / 1000 - 301);

    // Act
    const verdict = verifySlackSignature(
      { rawBody: body, timestamp: old, signature: sign(body, old) },
      SECRET,
      NOW
    );

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a timestamp from the future beyond five minutes', () => {
    // Prepare
    const body = Buffer.from('payload=%7B%7D');
    const future = String(NOW / 1000 + 301);

    // Act
    const verdict = verifySlackSignature(
      { rawBody: body, timestamp: future, signature: sign(body, future) },
      SECRET,
      NOW
    );

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'stale' });
  });

  it('refuses a signature made with another secret', () => {
    // Prepare
    const body = Buffer.from(payloadBody(CLICK));

    // Act
    const verdict = verifySlackSignature(
      { rawBody: body, timestamp: TS, signature: sign(body, TS, 'another-secret-entirely-000') },
      SECRET,
      NOW
    );

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a body re-encoded after signing (same payload, other bytes)', () => {
    // Prepare: Slack sent spaces as +; a proxy re-encoded them as %20.
    const sent = payloadBody({ ...CLICK, user: { id: 'U0ALICE01', username: 'alice ng' } });
    const reencoded = sent.replaceAll('+', '%20');

    // Act
    const verdict = verifySlackSignature(
      { rawBody: Buffer.from(reencoded), timestamp: TS, signature: sign(sent) },
      SECRET,
      NOW
    );

    // Assess
    expect(reencoded).not.toBe(sent);
    expect(parseInteraction(Buffer.from(reencoded))).toEqual(parseInteraction(Buffer.from(sent)));
    expect(verdict).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['no timestamp', undefined, 'v0=00'],
    ['no signature', TS, undefined],
    ['a timestamp that is not a number', 'soon', 'v0=00'],
  ])('refuses a request with %s', (_name, timestamp, signature) => {
    // Act
    const verdict = verifySlackSignature(
      { rawBody: Buffer.from(''), timestamp, signature },
      SECRET,
      NOW
    );

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'missing-signature' });
  });

  it('refuses a signature of the wrong form or length', () => {
    // Act
    const verdicts = ['v1=abc', `v0=${'a'.repeat(63)}`, `${sign('x')}00`].map(
      (signature) =>
        verifySlackSignature({ rawBody: Buffer.from('x'), timestamp: TS, signature }, SECRET, NOW)
          .ok
    );

    // Assess
    expect(verdicts).toEqual([false, false, false]);
  });

  it('never throws and never accepts unsigned input under fuzzing', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.option(fc.string()),
        fc.option(fc.string()),
        (body, timestamp, signature) => {
          const verdict = verifySlackSignature(
            {
              rawBody: body,
              timestamp: timestamp ?? undefined,
              signature: signature ?? undefined,
            },
            SECRET,
            NOW
          );
          expect(verdict.ok).toBe(false);
        }
      ),
      { numRuns: 2000 }
    );
  });
});

describe('parseInteraction', () => {
  it('reads the clicking user, the token, the response URL and the blocks', () => {
    // Act
    const parsed = parseInteraction(Buffer.from(payloadBody(CLICK)));

    // Assess
    expect(parsed).toEqual({
      ok: true,
      click: {
        userId: 'U0ALICE01',
        userName: 'alice',
        token: 'AQJrMQ',
        responseUrl: 'https://hooks.slack.com/actions/T0/1/abc',
        blocks: [{ type: 'section' }, { type: 'actions' }],
      },
    });
  });

  it.each([
    ['no payload', 'other=1'],
    ['two payloads', `${payloadBody(CLICK)}&${payloadBody(CLICK)}`],
    ['a payload that is not JSON', 'payload=%7Bnope'],
    ['another payload type', payloadBody({ ...CLICK, type: 'view_submission' })],
    ['a user id that is not a member id', payloadBody({ ...CLICK, user: { id: 'alice' } })],
    ['two actions', payloadBody({ ...CLICK, actions: [CLICK.actions[0], CLICK.actions[0]] })],
    ['an action without a value', payloadBody({ ...CLICK, actions: [{ action_id: 'x' }] })],
    ['no response URL', payloadBody({ ...CLICK, response_url: 7 })],
  ])('refuses a body with %s', (_name, body) => {
    // Act
    const parsed = parseInteraction(Buffer.from(body));

    // Assess
    expect(parsed.ok).toBe(false);
  });

  it('refuses a body that is not UTF-8', () => {
    // Act
    const parsed = parseInteraction(Buffer.from([0x70, 0xff, 0xfe]));

    // Assess
    expect(parsed).toEqual({ ok: false, reason: 'the body is not UTF-8 form data' });
  });

  it('never throws on any body under fuzzing, and reads only well-formed clicks', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
          fc.string().map((s) => Buffer.from(s)),
          fc.anything().map((v) => Buffer.from(payloadBody(v))),
          fc
            .record({
              type: fc.constantFrom('block_actions', 'x'),
              user: fc.anything(),
              actions: fc.anything(),
              response_url: fc.anything(),
            })
            .map((v) => Buffer.from(payloadBody(v)))
        ),
        (body) => {
          const parsed = parseInteraction(body);
          if (parsed.ok) {
            expect(parsed.click.userId).toMatch(/^[UW][A-Z0-9]{6,}$/);
            expect(typeof parsed.click.token).toBe('string');
          }
        }
      ),
      { numRuns: 2000 }
    );
  });
});

describe('isSlackResponseUrl', () => {
  it.each([
    ['https://hooks.slack.com/actions/T0/1/abc', false, true],
    ['http://hooks.slack.com/actions/T0/1/abc', false, false],
    ['https://hooks.slack.com.evil.example/actions', false, false],
    ['https://user:pw@hooks.slack.com/actions', false, false],
    ['http://169.254.169.254/latest/meta-data', false, false],
    ['http://127.0.0.1:9999/respond', false, false],
    ['http://127.0.0.1:9999/respond', true, true],
    ['not a url', true, false],
  ])('answers for %s (loopback allowed: %s) %s', (url, loopback, expected) => {
    // Act & Assess
    expect(isSlackResponseUrl(url, loopback)).toBe(expected);
  });
});
