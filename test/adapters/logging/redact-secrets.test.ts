import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../../src/adapters/logging/redact-secrets.js';

describe('redact-secrets', () => {
  it.each([
    ['a bot token', 'token xoxb-1111-2222-abcdEFGH was refused', 'token xoxb-'],
    ['a rotating token', 'xoxe.xoxb-1-MTIzNDU2 failed', 'xoxe.xoxb-1'],
    ['an app token', 'xapp-1-A0-123-abc', 'xapp-1'],
    [
      'a webhook URL',
      'Failed to parse URL from hooks.slack.com/services/T0AB/B0CD/abcdef0123',
      'abcdef0123',
    ],
    [
      'a webhook path on another host',
      'POST http://127.0.0.1:4000/services/T0AB/B0CD/abcdef0123 failed',
      'abcdef0123',
    ],
  ])('masks %s', (_, text, secretPart) => {
    // Act
    const redacted = redactSecrets(text);

    // Assess
    expect(redacted).toContain('[redacted]');
    expect(redacted).not.toContain(secretPart.endsWith('-') ? `${secretPart}1111` : secretPart);
  });

  it('leaves ordinary log text alone', () => {
    // Prepare
    const text = 'slack delivery failed: webhook vision answered 404 no_service (HTTP 404)';

    // Act
    const redacted = redactSecrets(text);

    // Assess
    expect(redacted).toBe(text);
  });

  it('never leaves a generated webhook secret in the text whatever surrounds it', () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.stringMatching(/^[A-Za-z0-9]{24}$/),
        fc.string(),
        (before, secret, after) => {
          const text = `${before} https://hooks.slack.com/services/T0AB/B0CD/${secret}${after}`;
          expect(redactSecrets(text)).not.toContain(`/${secret}`);
        }
      )
    );
  });
});
