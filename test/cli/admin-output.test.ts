import { describe, expect, it } from 'vitest';
import { alignTable, formatTime, parseTimeFlag } from '../../src/cli/admin-output.js';
import { UsageError } from '../../src/cli/usage-error.js';

const NOW = Date.parse('2026-11-26T12:00:00Z');

describe('parseTimeFlag', () => {
  it.each([
    ['2026-11-24T09:00Z', '2026-11-24T09:00:00.000Z'],
    ['2026-11-24T09:00:30+01:00', '2026-11-24T08:00:30.000Z'],
    ['2026-11-24 09:00Z', '2026-11-24T09:00:00.000Z'],
    ['2026-11-24T09:00-0500', '2026-11-24T14:00:00.000Z'],
    ['24h', '2026-11-25T12:00:00.000Z'],
    ['7d', '2026-11-19T12:00:00.000Z'],
    ['1h30m', '2026-11-26T10:30:00.000Z'],
  ])('reads %s as %s (a duration counts back from now)', (text, iso) => {
    expect(new Date(parseTimeFlag('--since', text, NOW)).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '2026-13-01', '24', '11/24/2026', ''])(
    'refuses "%s", naming the flag',
    (text) => {
      expect(() => parseTimeFlag('--since', text, NOW)).toThrow(UsageError);
      expect(() => parseTimeFlag('--since', text, NOW)).toThrow(`--since "${text}" is neither`);
    }
  );

  it.each([
    ['2026-11-24T09:00', '2026-11-24T09:00Z'],
    ['2026-11-24 09:00', '2026-11-24T09:00Z'],
    ['2026-11-24', '2026-11-24T00:00Z'],
  ])('refuses %s, which has no zone, and says how to give one', (text, suggested) => {
    expect(() => parseTimeFlag('--since', text, NOW)).toThrow(
      `--since "${text}" has no time zone; say which: ${suggested} for UTC, or an offset such as +01:00`
    );
  });
});

describe('formatTime', () => {
  it('writes the minute in the zone, and a dash for no time', () => {
    expect(formatTime(Date.parse('2026-11-24T23:30:00Z'), 'Europe/Berlin')).toBe(
      '2026-11-25 00:30'
    );
    expect(formatTime(Date.parse('2026-11-24T23:30:00Z'), 'UTC')).toBe('2026-11-24 23:30');
    expect(formatTime(undefined, 'UTC')).toBe('-');
  });
});

describe('alignTable', () => {
  it('pads every column but the last to its widest cell, counting × as one character', () => {
    expect(
      alignTable([
        ['JOB', 'TYPE', 'WHY'],
        ['a-long-job', 'g5×1', 'x'],
        ['b', 'p4d.24xlarge×2', 'a longer reason'],
      ])
    ).toBe(
      [
        'JOB         TYPE            WHY',
        'a-long-job  g5×1            x',
        'b           p4d.24xlarge×2  a longer reason',
      ].join('\n')
    );
  });
});
