import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  formatDurationExact,
  formatRate,
  formatTimeInZone,
  formatTimeRange,
  formatUsd,
  formatZone,
} from '../../../src/domain/notice/format.js';
import { T0 } from '../../helpers/factories.js';

/** 2026-07-15T10:00:00Z, a Wednesday in northern summer time. */
const SUMMER = Date.UTC(2026, 6, 15, 10, 0, 0);

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [45, '45s'],
    [44.6, '45s'],
    [59.4, '59s'],
    [60, '1m 00s'],
    [725, '12m 05s'],
    [3599, '59m 59s'],
    [3600, '1h 00m'],
    [3 * 3600 + 7 * 60 + 29, '3h 07m'],
    [86_399, '23h 59m'],
    [86_400, '1d 00h'],
    [2 * 86_400 + 4 * 3600 + 59 * 60, '2d 04h'],
  ])('formats %s seconds as %s', (seconds, text) => {
    expect(formatDuration(seconds)).toBe(text);
  });

  it('shows a negative duration as zero', () => {
    expect(formatDuration(-30)).toBe('0s');
  });

  it.each([NaN, Infinity, -Infinity])('says "unknown" for %s seconds', (seconds) => {
    expect(formatDuration(seconds)).toBe('unknown');
  });
});

describe('formatDurationExact', () => {
  // The billable line multiplies the time out to a cost: 1h 23m 56s, not 1h 23m.
  it.each([
    [45, '45s'],
    [725, '12m 05s'],
    [3600, '1h 00m'],
    [3600 + 23 * 60 + 56, '1h 23m 56s'],
    [2 * 86_400 + 4 * 3600 + 7 * 60 + 5, '2d 04h 07m 05s'],
    [NaN, 'unknown'],
  ])('formats %s seconds as %s', (seconds, text) => {
    expect(formatDurationExact(seconds)).toBe(text);
  });
});

describe('formatUsd', () => {
  it.each([
    [0, '$0.00'],
    [1.5, '$1.50'],
    [2.945833, '$2.95'],
    [1234.567, '$1,234.57'],
    [0.005, '$0.01'],
  ])('formats %s as %s', (amount, text) => {
    expect(formatUsd(amount)).toBe(text);
  });

  it('says "<$0.01" for a cost that would round to nothing', () => {
    expect(formatUsd(0.0042)).toBe('<$0.01');
  });

  it.each([Infinity, -Infinity, NaN])('never prints a dollar sign before %s', (amount) => {
    expect(formatUsd(amount)).toBe('unknown');
  });
});

describe('formatRate', () => {
  it.each([
    [1.515, '$1.515/h'],
    [0.05, '$0.05/h'],
    [0.1, '$0.10/h'],
    [2, '$2.00/h'],
    [113.07, '$113.07/h'],
  ])('formats %s per hour as %s', (rate, text) => {
    expect(formatRate(rate)).toBe(text);
  });
});

describe('formatTimeInZone', () => {
  it('shows Berlin winter time as CET', () => {
    expect(formatTimeInZone(T0, 'Europe/Berlin')).toBe('Thu 26 Nov, 11:00 CET');
  });

  it('shows Berlin summer time as CEST', () => {
    expect(formatTimeInZone(SUMMER, 'Europe/Berlin')).toBe('Wed 15 Jul, 12:00 CEST');
  });

  it('jumps from 01:59 CET to 03:00 CEST when Berlin springs forward', () => {
    // Prepare
    const lastWinterMinute = Date.UTC(2026, 2, 29, 0, 59);
    const firstSummerMinute = Date.UTC(2026, 2, 29, 1, 0);

    // Act
    const before = formatTimeInZone(lastWinterMinute, 'Europe/Berlin');
    const after = formatTimeInZone(firstSummerMinute, 'Europe/Berlin');

    // Assess
    expect([before, after]).toEqual(['Sun 29 Mar, 01:59 CET', 'Sun 29 Mar, 03:00 CEST']);
  });

  it('shows New York as EST and EDT, abbreviations that mean one offset', () => {
    expect(formatTimeInZone(T0, 'America/New_York')).toBe('Thu 26 Nov, 05:00 EST');
    expect(formatTimeInZone(SUMMER, 'America/New_York')).toBe('Wed 15 Jul, 06:00 EDT');
  });

  it('shows Chicago by its UTC offset, since CST also names China and Cuba time', () => {
    expect(formatTimeInZone(T0, 'America/Chicago')).toBe('Thu 26 Nov, 04:00 UTC\u221206:00');
    expect(formatTimeInZone(SUMMER, 'America/Chicago')).toBe('Wed 15 Jul, 05:00 UTC\u221205:00');
  });

  it('shows London as GMT in winter and by its offset in summer, since BST is ambiguous', () => {
    expect(formatTimeInZone(T0, 'Europe/London')).toBe('Thu 26 Nov, 10:00 GMT');
    expect(formatTimeInZone(SUMMER, 'Europe/London')).toBe('Wed 15 Jul, 11:00 UTC+01:00');
  });

  it('handles half-hour offsets', () => {
    expect(formatTimeInZone(T0, 'Asia/Kolkata')).toBe('Thu 26 Nov, 15:30 UTC+05:30');
    expect(formatTimeInZone(T0, 'America/St_Johns')).toBe('Thu 26 Nov, 06:30 UTC\u221203:30');
  });

  it('moves to the next day when the zone is past midnight', () => {
    expect(formatTimeInZone(Date.UTC(2026, 10, 26, 20, 30), 'Australia/Sydney')).toBe(
      'Fri 27 Nov, 07:30 AEDT'
    );
  });

  it('uses the same two forms for every zone: a listed abbreviation or UTC±hh:mm', () => {
    // Prepare
    const zones = [
      'America/New_York',
      'America/Chicago',
      'America/Denver',
      'America/Los_Angeles',
      'America/Sao_Paulo',
      'Europe/London',
      'Europe/Berlin',
      'Europe/Helsinki',
      'Europe/Moscow',
      'Asia/Kolkata',
      'Asia/Tokyo',
      'Asia/Shanghai',
      'Asia/Kathmandu',
      'Australia/Sydney',
      'Pacific/Auckland',
      'Pacific/Honolulu',
      'UTC',
      'Etc/GMT+5',
    ];

    // Act
    const labels = zones.flatMap((z) => [formatZone(T0, z), formatZone(SUMMER, z)]);

    // Assess
    for (const label of labels) {
      expect(label).toMatch(/^(?:[A-Z]{3,4}|UTC[+\u2212]\d{2}:\d{2})$/);
      expect(label).not.toMatch(/^GMT[+-]/);
    }
  });

  it('shows a zone the runtime does not know in UTC instead of failing', () => {
    expect(formatTimeInZone(T0, 'Mars/Olympus_Mons')).toBe('Thu 26 Nov, 10:00 UTC');
  });

  it('says "an unknown time" for a time no Date can hold', () => {
    expect(formatTimeInZone(8.64e15 + 1, 'Europe/Berlin')).toBe('an unknown time');
    expect(formatTimeInZone(Number.NaN, 'Europe/Berlin')).toBe('an unknown time');
  });

  it('shows UTC as UTC, on a 24-hour clock', () => {
    expect(formatTimeInZone(Date.UTC(2026, 10, 26, 23, 5), 'UTC')).toBe('Thu 26 Nov, 23:05 UTC');
  });
});

describe('formatTimeRange', () => {
  it('gives the day and zone once when start and end share them', () => {
    expect(formatTimeRange(T0 - 3_600_000, T0, 'Europe/Berlin')).toBe(
      'Thu 26 Nov, 10:00 to 11:00 CET'
    );
  });

  it('gives one time when start and end fall in the same minute', () => {
    expect(formatTimeRange(T0, T0 + 20_000, 'UTC')).toBe('Thu 26 Nov, 10:00 UTC');
  });

  it('gives both in full across midnight', () => {
    expect(formatTimeRange(T0 - 12 * 3_600_000, T0, 'Europe/Berlin')).toBe(
      'Wed 25 Nov, 23:00 CET to Thu 26 Nov, 11:00 CET'
    );
  });
});

describe('formatZone across a transition', () => {
  it('names each side of a daylight-saving change right, however often the zone was asked', () => {
    // Prepare: Berlin changes at 01:00 UTC, St. John's (UTC−03:30) at 05:30 UTC
    const berlinChange = Date.UTC(2026, 2, 29, 1);
    const stJohnsChange = Date.UTC(2026, 2, 8, 5, 30);

    // Act
    const berlin = [berlinChange - 60_000, berlinChange, berlinChange - 1, berlinChange + 1].map(
      (t) => formatZone(t, 'Europe/Berlin')
    );
    const stJohns = [stJohnsChange - 1, stJohnsChange, stJohnsChange - 60_000].map((t) =>
      formatZone(t, 'America/St_Johns')
    );

    // Assess
    expect(berlin).toEqual(['CET', 'CEST', 'CET', 'CEST']);
    expect(stJohns).toEqual(['UTC\u221203:30', 'UTC\u221202:30', 'UTC\u221203:30']);
  });
});
