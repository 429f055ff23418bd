import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  escapeMrkdwn,
  mrkdwn,
  SLACK_LIMITS,
  truncate,
} from '../../../src/domain/notice/slack-text.js';
import { ONLY_WHOLE_ENTITIES } from './slack-assertions.js';

const ENDS_IN_HIGH_SURROGATE = /[\uD800-\uDBFF]…?$/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

describe('escapeMrkdwn', () => {
  it.each([
    ['<!channel>', '&lt;!channel&gt;'],
    ['<!here>', '&lt;!here&gt;'],
    ['<@U123>', '&lt;@U123&gt;'],
    ['<http://evil|click>', '&lt;http://evil|click&gt;'],
    ['R&D', 'R&amp;D'],
    ['already &amp; escaped', 'already &amp;amp; escaped'],
  ])('escapes %s', (text, escaped) => {
    expect(escapeMrkdwn(text)).toBe(escaped);
  });

  it('leaves text without control characters alone', () => {
    expect(escapeMrkdwn('resnet-sweep-017 *done* _ok_')).toBe('resnet-sweep-017 *done* _ok_');
  });
});

describe('truncate', () => {
  it('returns text within the limit unchanged', () => {
    expect(truncate('abc', 3)).toBe('abc');
  });

  it('cuts text over the limit to exactly the limit, ending in an ellipsis', () => {
    expect(truncate('abcdef', 4)).toBe('abc…');
  });

  it('never leaves half of a surrogate pair before the ellipsis', () => {
    expect(truncate('ab😀cd', 4)).toBe('ab…');
  });
});

describe('mrkdwn', () => {
  it('escapes, then caps the escaped text', () => {
    expect(mrkdwn('a<b>c', 100)).toBe('a&lt;b&gt;c');
    expect(mrkdwn('a<b>c', 6)).toBe('a&lt;…');
  });

  it('never cuts an entity in half, at any limit', () => {
    // Prepare
    const text = 'x&y<z>w';

    // Act
    const cuts = Array.from({ length: 20 }, (_, i) => mrkdwn(text, i + 1));

    // Assess
    for (const cut of cuts) expect(cut.replace(/…$/, '')).toMatch(ONLY_WHOLE_ENTITIES);
    expect(cuts[6]).toBe('x&amp;…');
  });

  it('caps a 10,000-character failure reason to the section limit', () => {
    // Prepare
    const reason = '<!channel> & '.repeat(800);

    // Act
    const text = mrkdwn(reason, SLACK_LIMITS.sectionText);

    // Assess
    expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    expect(text.endsWith('…')).toBe(true);
    expect(text.slice(0, -1)).toMatch(ONLY_WHOLE_ENTITIES);
    expect(text).not.toMatch(/[<>]/);
  });

  it('keeps any text within its limit, escaped, with whole entities and surrogate pairs', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 300 }),
        fc.integer({ min: 2, max: 400 }),
        (text, max) => {
          const out = mrkdwn(text, max);
          expect(out.length).toBeLessThanOrEqual(max);
          expect(out).not.toMatch(/[<>]/);
          expect(out.replace(/…$/, '')).toMatch(ONLY_WHOLE_ENTITIES);
          if (out.endsWith('…') && out !== escapeMrkdwn(text)) {
            expect(out).not.toMatch(ENDS_IN_HIGH_SURROGATE);
            expect(escapeMrkdwn(text).startsWith(out.slice(0, -1))).toBe(true);
          } else {
            expect(out).toBe(escapeMrkdwn(text));
          }
        }
      ),
      { numRuns: 500 }
    );
  });

  it('never splits an emoji, whatever the limit', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', '😀', '&', '<', '👩‍🔬'), { maxLength: 60 }),
        fc.integer({ min: 2, max: 200 }),
        (parts, max) => {
          const out = mrkdwn(parts.join(''), max);
          expect(out).not.toMatch(ENDS_IN_HIGH_SURROGATE);
          expect(out).not.toMatch(LONE_SURROGATE);
        }
      )
    );
  });
});
