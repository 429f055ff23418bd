import { describe, expect, it } from 'vitest';
import { staticActionSecrets } from '../../../src/adapters/actions/action-secrets.js';
import {
  countingRandom,
  createLocalActionLinks,
  LOCAL_ACTION_KEYS,
  LOCAL_ACTIONS_BASE_URL,
} from '../../../src/adapters/actions/local-action-links.js';
import { createSignedActionLinks } from '../../../src/adapters/actions/signed-action-links.js';
import type { ActionGrant } from '../../../src/domain/actions/action-grant.js';
import { verifyActionToken } from '../../../src/domain/actions/action-token.js';

const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);
const HOUR = 3_600_000;
const clock = { now: () => NOW };
const K2 = { id: 'k2', secret: 'k2-0123456789abcdef0123456789abcdef' };
const K1 = { id: 'k1', secret: 'k1-0123456789abcdef0123456789abcdef' };

const GRANT: ActionGrant = {
  jobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/a',
  creationTime: NOW - HOUR,
  action: { kind: 'release' },
  owner: 'alice',
  expiresAt: NOW + 2 * HOUR,
};

describe('signed action links', () => {
  it('links to <baseUrl>/a/<token>, signed with the newest key', async () => {
    // Prepare
    const links = createSignedActionLinks({
      baseUrl: 'https://actions.example.com/',
      secrets: staticActionSecrets([K2, K1]),
      clock,
    });

    // Act
    const link = await links.link(GRANT);

    // Assess
    expect(link?.url).toBe(`https://actions.example.com/a/${link?.token}`);
    const verdict = verifyActionToken(link?.token, [K2, K1], NOW);
    expect(verdict).toMatchObject({ ok: true, keyId: 'k2', grant: GRANT });
  });

  it('cuts a link to the maximum lifetime even when the pool lives longer', async () => {
    // Prepare
    const links = createSignedActionLinks({
      baseUrl: 'https://actions.example.com',
      secrets: staticActionSecrets([K1]),
      clock,
      maxLinkLifetimeMs: HOUR,
    });

    // Act
    const link = await links.link(GRANT);

    // Assess
    expect(verifyActionToken(link?.token, [K1], NOW)).toMatchObject({
      grant: { expiresAt: NOW + HOUR },
    });
  });

  it('makes no link without keys or for a grant already expired', async () => {
    // Prepare
    const none = createSignedActionLinks({
      baseUrl: 'https://a',
      secrets: staticActionSecrets([]),
      clock,
    });
    const some = createSignedActionLinks({
      baseUrl: 'https://a',
      secrets: staticActionSecrets([K1]),
      clock,
    });

    // Act & Assess
    expect(await none.link(GRANT)).toBeUndefined();
    expect(await some.link({ ...GRANT, expiresAt: NOW })).toBeUndefined();
  });

  it('uses a fresh random nonce for each link', async () => {
    // Prepare
    const links = createSignedActionLinks({
      baseUrl: 'https://a',
      secrets: staticActionSecrets([K1]),
      clock,
    });

    // Act
    const [a, b] = [await links.link(GRANT), await links.link(GRANT)];

    // Assess
    expect(a?.token).not.toBe(b?.token);
  });

  it('signs local links with the fixed local key, reproducibly with counting nonces', async () => {
    // Prepare
    const first = createLocalActionLinks({ clock, random: countingRandom() });
    const again = createLocalActionLinks({ clock, random: countingRandom() });

    // Act
    const [a, b] = [await first.link(GRANT), await again.link(GRANT)];

    // Assess
    expect(a).toEqual(b);
    expect(a?.url.startsWith(`${LOCAL_ACTIONS_BASE_URL}/a/`)).toBe(true);
    expect(verifyActionToken(a?.token, LOCAL_ACTION_KEYS, NOW).ok).toBe(true);
  });
});
