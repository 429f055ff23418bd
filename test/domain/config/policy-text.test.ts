import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  globMatcher,
  isCalendarDate,
  parseDays,
  parseHours,
} from '../../../src/domain/config/policy-text.js';

describe('parseDays', () => {
  it.each([
    ['Mon', [1]],
    ['sun', [0]],
    ['SATURDAY', [6]],
    ['Mon-Fri', [1, 2, 3, 4, 5]],
    ['mon-wed', [1, 2, 3]],
    ['Fri-Mon', [5, 6, 0, 1]],
    ['Sat-Sat', [6]],
  ])('reads %j as %j', (spec, days) => {
    expect(parseDays(spec)).toEqual(days);
  });

  it.each(['Mo', 'Mond', 'Mon-Fre', 'Mon-Wed-Fri', 'Mon-', '', '1-5'])('rejects %j', (spec) => {
    expect(parseDays(spec)).toBeUndefined();
  });
});

describe('parseHours', () => {
  it('reads a daytime window as minutes after midnight', () => {
    expect(parseHours('08:00-19:30')).toEqual({ startMinute: 480, endMinute: 1170 });
  });

  it('lets 24:00 end a window, so a whole day can be written', () => {
    expect(parseHours('00:00-24:00')).toEqual({ startMinute: 0, endMinute: 1440 });
  });

  it('keeps an end before the start, meaning the window spans midnight', () => {
    expect(parseHours('22:00-06:00')).toEqual({ startMinute: 1320, endMinute: 360 });
  });

  it.each([
    '8:00-19:00',
    '08:00-24:30',
    '24:00-06:00',
    '08:00 - 19:00',
    '08:60-19:00',
    '09:00-09:00',
  ])('rejects %j', (text) => {
    expect(parseHours(text)).toBeUndefined();
  });
});

describe('isCalendarDate', () => {
  it.each(['2026-12-24', '2024-02-29', '2000-02-29', '2026-01-31'])('accepts %s', (text) => {
    expect(isCalendarDate(text)).toBe(true);
  });

  it.each(['2026-02-29', '1900-02-29', '2026-04-31', '2026-13-01', '2026-00-10', '2026-1-5'])(
    'rejects %s',
    (text) => {
      expect(isCalendarDate(text)).toBe(false);
    }
  );
});

describe('globMatcher', () => {
  it('matches * against any run of characters and ? against exactly one', () => {
    const g5 = globMatcher('ml.g5.*');
    const bert = globMatcher('bert-?');

    expect([g5('ml.g5.2xlarge'), g5('ml.g5.'), g5('ml.g6.2xlarge'), g5('xml.g5.2xlarge')]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect([bert('bert-1'), bert('bert-12'), bert('bert-')]).toEqual([true, false, false]);
  });

  it('treats regex metacharacters as themselves', () => {
    const matcher = globMatcher('ml.(g5)+|x');

    expect(matcher('ml.(g5)+|x')).toBe(true);
    expect(matcher('mlx(g5)+|x')).toBe(false);
    expect(matcher('ml.g5g5')).toBe(false);
  });

  it('is case-sensitive', () => {
    expect(globMatcher('nlp*')('NLP-team')).toBe(false);
  });

  it('matches a text without wildcards against itself only', () => {
    const plain = fc.string().filter((s) => !s.includes('*') && !s.includes('?'));
    fc.assert(
      fc.property(plain, fc.string(), (glob, value) => {
        expect(globMatcher(glob)(value)).toBe(glob === value);
      })
    );
  });

  it('matches any value with the prefix of a prefix* glob', () => {
    const plain = fc.string().filter((s) => !s.includes('*') && !s.includes('?'));
    fc.assert(
      fc.property(plain, fc.string(), (prefix, rest) => {
        expect(globMatcher(`${prefix}*`)(prefix + rest)).toBe(true);
      })
    );
  });
});
