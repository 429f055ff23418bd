import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.js';

describe('parseDuration', () => {
  it.each([
    ['90s', 90_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['2d', 172_800_000],
    ['0', 0],
    ['0s', 0],
    ['1.5s', 1500],
    ['0.5h', 1_800_000],
  ])('reads %s as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('ignores whitespace around the duration, as YAML scalars may carry it', () => {
    expect(parseDuration('  10m\n')).toBe(600_000);
  });

  it.each([
    ['an empty text', ''],
    ['a bare number other than 0', '90'],
    ['an unknown unit', '5w'],
    ['an upper-case unit', '5M'],
    ['a negative duration', '-5m'],
    ['a space between parts', '1h 30m'],
    ['a unit without an amount', 'h'],
    ['a word', 'soon'],
    ['a leading dot', '.5s'],
    ['an exponent', '1e3s'],
  ])('refuses %s', (_name, text) => {
    expect(parseDuration(text)).toBeUndefined();
  });

  it('refuses an amount too large to be a number instead of returning Infinity', () => {
    expect(parseDuration(`${'9'.repeat(400)}s`)).toBeUndefined();
  });

  it('rounds a sub-millisecond remainder to whole milliseconds', () => {
    expect(parseDuration('0.0004s')).toBe(0);
    expect(parseDuration('1.0006s')).toBe(1001);
  });

  it('adds the parts of a compound duration, largest unit first', () => {
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1d2h3m4s')).toBe(((26 * 60 + 3) * 60 + 4) * 1000);
  });

  it('refuses a repeated or out-of-order unit, which is more likely a typo than a sum', () => {
    expect(parseDuration('1h1h')).toBeUndefined();
    expect(parseDuration('30m1h')).toBeUndefined();
    expect(parseDuration('5')).toBeUndefined();
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45_000, '45s'],
    [600_000, '10m'],
    [3_900_000, '1h 5m'],
    [3_661_000, '1h 1m 1s'],
    [86_400_000, '24h'],
    [-90_000, '-1m 30s'],
  ])('writes %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('rounds to the nearest second', () => {
    expect(formatDuration(1499)).toBe('1s');
    expect(formatDuration(1500)).toBe('2s');
    expect(formatDuration(499)).toBe('0s');
  });

  it('writes a non-finite value as JavaScript does instead of looping or throwing', () => {
    expect(formatDuration(Number.NaN)).toBe('NaN');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('Infinity');
  });

  it('writes whole seconds that parseDuration reads back once the spaces are removed', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), (seconds) => {
        const text = formatDuration(seconds * 1000).replaceAll(' ', '');
        expect(parseDuration(text)).toBe(seconds * 1000);
      })
    );
  });

  it('never writes a zero part or a part of 60 or more below the hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e10, max: 1e10 }), (ms) => {
        const parts = formatDuration(ms).replace('-', '').split(' ');
        for (const part of parts.slice(1)) expect(part).toMatch(/^[1-9]\d*[ms]$/);
        for (const part of parts) {
          if (/[ms]$/.test(part)) expect(Number.parseInt(part, 10)).toBeLessThan(60);
        }
      })
    );
  });
});
