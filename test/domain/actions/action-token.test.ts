import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ActionGrant } from '../../../src/domain/actions/action-grant.js';
import {
  type ActionKey,
  signActionToken,
  verifyActionToken,
} from '../../../src/domain/actions/action-token.js';

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const KEY: ActionKey = { id: 'k1', secret: 'k1-secret-for-tests-0123456789abcdef' };
const NEXT: ActionKey = { id: 'k2', secret: 'k2-secret-for-tests-0123456789abcdef' };
const NONCE = new Uint8Array(12).fill(7);

const GRANT: ActionGrant = {
  jobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/vision-resnet-2026-11-26-001',
  creationTime: NOW - 2 * 3_600_000 + 123,
  action: { kind: 'extend', keepAliveSeconds: 5400 },
  owner: 'alice@example.com',
  expiresAt: NOW + 3_600_000,
};

/** The token with one character changed to another base64url character. */
function mutate(token: string, index: number, shift: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const at = index % token.length;
  const old = alphabet.indexOf(token[at] as string);
  const next = alphabet[(old + 1 + (shift % 63)) % 64] as string;
  return token.slice(0, at) + next + token.slice(at + 1);
}

describe('action tokens', () => {
  it('gives back the grant, nonce and key id it was signed with', () => {
    // Act
    const token = signActionToken(GRANT, NONCE, KEY);
    const verdict = verifyActionToken(token, [KEY], NOW);

    // Assess
    expect(verdict).toEqual({
      ok: true,
      grant: GRANT,
      nonce: Buffer.from(NONCE).toString('base64url'),
      keyId: 'k1',
    });
  });

  it('is URL-safe and short: about 150 characters for a typical ARN and address', () => {
    // Act
    const token = signActionToken(GRANT, NONCE, KEY);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(token.length).toBeLessThanOrEqual(160);
  });

  it('keeps an ARN without the usual prefix intact', () => {
    // Prepare
    const grant = { ...GRANT, jobArn: 'arn:aws-cn:sagemaker:cn-north-1:1:training-job/x' };

    // Act
    const verdict = verifyActionToken(signActionToken(grant, NONCE, KEY), [KEY], NOW);

    // Assess
    expect(verdict).toMatchObject({ ok: true, grant });
  });

  it('carries a release', () => {
    // Prepare
    const grant: ActionGrant = { ...GRANT, action: { kind: 'release' } };

    // Act
    const verdict = verifyActionToken(signActionToken(grant, NONCE, KEY), [KEY], NOW);

    // Assess
    expect(verdict).toMatchObject({ ok: true, grant: { action: { kind: 'release' } } });
  });

  it('binds a token to its channel: a Slack button\u2019s value is no link, nor a link a button', () => {
    // Prepare
    const slack = signActionToken(GRANT, NONCE, KEY, 'slack');
    const link = signActionToken(GRANT, NONCE, KEY, 'link');

    // Act & Assess
    expect(verifyActionToken(slack, [KEY], NOW, 'slack').ok).toBe(true);
    expect(verifyActionToken(link, [KEY], NOW, 'link').ok).toBe(true);
    expect(verifyActionToken(slack, [KEY], NOW, 'link')).toEqual({
      ok: false,
      reason: 'malformed',
    });
    expect(verifyActionToken(link, [KEY], NOW, 'slack')).toEqual({
      ok: false,
      reason: 'malformed',
    });
  });

  it('refuses an expired token, from the moment of its expiry', () => {
    // Prepare
    const token = signActionToken(GRANT, NONCE, KEY);

    // Act
    const atExpiry = verifyActionToken(token, [KEY], GRANT.expiresAt);
    const before = verifyActionToken(token, [KEY], GRANT.expiresAt - 1);

    // Assess
    expect(atExpiry).toEqual({ ok: false, reason: 'expired' });
    expect(before.ok).toBe(true);
  });

  it('refuses a forged token signed with a key Warden does not hold under the same id', () => {
    // Prepare
    const forged = signActionToken(GRANT, NONCE, { id: 'k1', secret: 'x'.repeat(40) });

    // Act
    const verdict = verifyActionToken(forged, [KEY], NOW);

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token naming a key id that is not listed', () => {
    // Prepare
    const token = signActionToken(GRANT, NONCE, { id: 'old', secret: 'y'.repeat(40) });

    // Act
    const verdict = verifyActionToken(token, [KEY, NEXT], NOW);

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('verifies with either key during a rotation, and not once the old key is removed', () => {
    // Prepare
    const old = signActionToken(GRANT, NONCE, KEY);
    const fresh = signActionToken(GRANT, NONCE, NEXT);

    // Act
    const during = [old, fresh].map((t) => verifyActionToken(t, [NEXT, KEY], NOW).ok);
    const after = verifyActionToken(old, [NEXT], NOW);

    // Assess
    expect(during).toEqual([true, true]);
    expect(after).toEqual({ ok: false, reason: 'unknown-key' });
  });

  it('refuses a token whose grant was tampered with and re-encoded', () => {
    // Prepare: the extension's seconds live right after the two times; make it 6 hours.
    const bytes = Buffer.from(signActionToken(GRANT, NONCE, KEY), 'base64url');
    const actionAt = 1 + 1 + KEY.id.length + 12;
    bytes.writeUInt32BE(21_600, actionAt + 1);

    // Act
    const verdict = verifyActionToken(bytes.toString('base64url'), [KEY], NOW);

    // Assess
    expect(verdict).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('refuses a token moved to another job or another owner', () => {
    // Prepare
    const token = signActionToken(GRANT, NONCE, KEY);
    const bytes = Buffer.from(token, 'base64url');
    const text = bytes.toString('latin1');
    const swapOwner = Buffer.from(text.replace('alice@', 'mallo@'), 'latin1');
    const swapJob = Buffer.from(text.replace('resnet', 'resnex'), 'latin1');

    // Act
    const verdicts = [swapOwner, swapJob].map((b) =>
      verifyActionToken(b.toString('base64url'), [KEY], NOW)
    );

    // Assess
    expect(verdicts).toEqual([
      { ok: false, reason: 'bad-signature' },
      { ok: false, reason: 'bad-signature' },
    ]);
  });

  it('refuses a second spelling of the same bytes (spare bits of the last character)', () => {
    // Prepare: find a token whose last character carries spare bits, then set one.
    const token = signActionToken(GRANT, NONCE, KEY);
    const spare = (Buffer.from(token, 'base64url').length % 3) * 2 === 2 ? 4 : 2;
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(token.at(-1) as string);
    const respelt = token.slice(0, -1) + alphabet[last ^ 1];

    // Act
    const verdict = verifyActionToken(respelt, [KEY], NOW);

    // Assess
    expect(spare).toBeGreaterThan(0);
    expect(Buffer.from(respelt, 'base64url')).toEqual(Buffer.from(token, 'base64url'));
    expect(verdict).toEqual({ ok: false, reason: 'malformed' });
  });

  it.each([
    ['an empty string', ''],
    ['padding', `${signActionToken(GRANT, NONCE, KEY)}=`],
    ['a truncated token', signActionToken(GRANT, NONCE, KEY).slice(0, -4)],
    ['a token with bytes appended', `${signActionToken(GRANT, NONCE, KEY)}AAAA`],
    ['standard base64', '+/+/'],
    ['a very long input', 'A'.repeat(5000)],
  ])('refuses %s as malformed', (_name, token) => {
    // Act
    const verdict = verifyActionToken(token, [KEY], NOW);

    // Assess
    expect(verdict.ok).toBe(false);
  });

  it('refuses to sign with a short secret or a bad nonce', () => {
    // Act & Assess
    expect(() => signActionToken(GRANT, NONCE, { id: 'k', secret: 'short' })).toThrow(/secret/);
    expect(() => signActionToken(GRANT, new Uint8Array(4), KEY)).toThrow(/nonce/);
    expect(() => signActionToken({ ...GRANT, creationTime: Number.NaN }, NONCE, KEY)).toThrow(
      /creationTime/
    );
  });

  describe('under fuzzing', () => {
    it('never throws and never accepts arbitrary input', () => {
      fc.assert(
        fc.property(fc.oneof(fc.string(), fc.base64String(), fc.anything()), (input) => {
          const verdict = verifyActionToken(input, [KEY], NOW);
          expect(verdict.ok).toBe(false);
        }),
        { numRuns: 2000 }
      );
    });

    it('never accepts a token with any character changed', () => {
      const token = signActionToken(GRANT, NONCE, KEY);
      fc.assert(
        fc.property(fc.nat(), fc.nat(62), (index, shift) => {
          const mutated = mutate(token, index, shift);
          expect(verifyActionToken(mutated, [KEY, NEXT], NOW).ok).toBe(false);
        }),
        { numRuns: 3000 }
      );
    });

    it('never accepts a token with bytes flipped, inserted or removed', () => {
      const bytes = Buffer.from(signActionToken(GRANT, NONCE, KEY), 'base64url');
      fc.assert(
        fc.property(
          fc.nat(),
          fc.integer({ min: 1, max: 255 }),
          fc.constantFrom('flip', 'insert', 'remove'),
          (index, value, how) => {
            const at = index % bytes.length;
            const copy = Buffer.from(bytes);
            let changed: Buffer;
            if (how === 'flip') {
              copy[at] = (copy[at] as number) ^ value;
              changed = copy;
            } else if (how === 'insert') {
              changed = Buffer.concat([
                copy.subarray(0, at),
                Buffer.from([value]),
                copy.subarray(at),
              ]);
            } else {
              changed = Buffer.concat([copy.subarray(0, at), copy.subarray(at + 1)]);
            }
            expect(verifyActionToken(changed.toString('base64url'), [KEY], NOW).ok).toBe(false);
          }
        ),
        { numRuns: 3000 }
      );
    });

    it('round-trips every valid grant', () => {
      fc.assert(
        fc.property(
          fc.record({
            jobArn: fc.string({ minLength: 1, maxLength: 100 }),
            creationTime: fc.integer({ min: 0, max: 2 ** 47 }),
            keepAliveSeconds: fc.option(fc.integer({ min: 0, max: 2 ** 32 - 1 })),
            owner: fc.string({ minLength: 1, maxLength: 60 }),
            expiresAt: fc.integer({ min: NOW + 1, max: 2 ** 47 }),
          }),
          fc.uint8Array({ minLength: 12, maxLength: 12 }),
          (g, nonce) => {
            const grant: ActionGrant = {
              jobArn: g.jobArn,
              creationTime: g.creationTime,
              action:
                g.keepAliveSeconds === null
                  ? { kind: 'release' }
                  : { kind: 'extend', keepAliveSeconds: g.keepAliveSeconds },
              owner: g.owner,
              expiresAt: g.expiresAt,
            };
            const verdict = verifyActionToken(signActionToken(grant, nonce, KEY), [KEY], NOW);
            expect(verdict).toMatchObject({ ok: true, grant });
          }
        ),
        { numRuns: 500 }
      );
    });
  });
});
