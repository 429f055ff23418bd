import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimestamp } from '../../../src/domain/event/timestamp.js';

const AWS_SAMPLE_MS = 1583831889050;

describe('parseTimestamp', () => {
  it('rejects a time beyond what a Date can hold, so rendering it can never throw', () => {
    expect(parseTimestamp(9e15)).toBeUndefined();
    expect(parseTimestamp('9000000000000000')).toBeUndefined();
    expect(parseTimestamp(8.64e15)).toBe(8.64e15);
  });

  it('returns epoch milliseconds unchanged when given a number of milliseconds', () => {
    expect(parseTimestamp(1795169742000)).toBe(1795169742000);
  });

  it('reads a numeric string as epoch milliseconds, as in the AWS documentation sample', () => {
    expect(parseTimestamp('1583831889050')).toBe(AWS_SAMPLE_MS);
  });

  it('reads a small number as epoch seconds, as in the DescribeTrainingJob wire format', () => {
    expect(parseTimestamp(1583831889.05)).toBe(AWS_SAMPLE_MS);
    expect(parseTimestamp(1583831889)).toBe(1583831889000);
  });

  it('reads a numeric string of seconds with a fraction as epoch seconds', () => {
    expect(parseTimestamp('1583831889.050')).toBe(AWS_SAMPLE_MS);
  });

  it('ignores surrounding whitespace in a numeric string', () => {
    expect(parseTimestamp('  1583831889050\n')).toBe(AWS_SAMPLE_MS);
  });

  it('reads an ISO-8601 string with a zone', () => {
    expect(parseTimestamp('2018-10-06T12:26:13Z')).toBe(Date.UTC(2018, 9, 6, 12, 26, 13));
    expect(parseTimestamp('2026-11-26T11:00:00.250+01:00')).toBe(
      Date.UTC(2026, 10, 26, 10, 0, 0, 250)
    );
  });

  it('reads a Date, as the AWS SDK returns one', () => {
    expect(parseTimestamp(new Date(AWS_SAMPLE_MS))).toBe(AWS_SAMPLE_MS);
  });

  it.each([
    ['an invalid Date', new Date(Number.NaN)],
    ['a negative number', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['an empty string', ''],
    ['a blank string', '   '],
    ['a word', 'soon'],
    ['a bare small number string that is not a date', '12abc'],
    ['a loose date form Date.parse would accept', 'Nov 26 2026'],
    ['an impossible ISO date', '2026-13-45T00:00:00Z'],
    ['a negative numeric string', '-1583831889050'],
    ['null', null],
    ['a boolean', true],
    ['an object', { seconds: 1583831889 }],
    ['an array', [AWS_SAMPLE_MS]],
  ])('returns undefined when given %s', (_label, value) => {
    expect(parseTimestamp(value)).toBeUndefined();
  });

  it('never throws and returns a finite non-negative integer or undefined for any value', () => {
    // Times in every form SageMaker and EventBridge use are mixed in, so the property also runs
    // the reading paths; a good share of runs must come back with a time.
    const ms = fc.integer({ min: 0, max: 8.64e15 });
    const input = fc.oneof(
      ms,
      ms.map((t) => t / 1000),
      ms.map(String),
      fc.date({ noInvalidDate: true, min: new Date(0) }).map((d) => d.toISOString()),
      fc.anything({ withBigInt: true, withDate: true, withBoxedValues: true })
    );
    const numRuns = 300;
    let read = 0;
    fc.assert(
      fc.property(input, (v) => {
        const parsed = parseTimestamp(v);
        if (parsed !== undefined) read += 1;
        expect(parsed === undefined || (Number.isInteger(parsed) && parsed >= 0)).toBe(true);
      }),
      { numRuns }
    );
    expect(read / numRuns, `${read} of ${numRuns} runs read a time`).toBeGreaterThanOrEqual(0.25);
  });

  it('reads back the same instant from milliseconds, seconds and ISO forms', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1e11, max: 4e12 }), (ms) => {
        const whole = ms - (ms % 1000);
        expect(parseTimestamp(ms)).toBe(ms);
        expect(parseTimestamp(String(ms))).toBe(ms);
        expect(parseTimestamp(new Date(ms).toISOString())).toBe(ms);
        expect(parseTimestamp(whole / 1000)).toBe(whole);
      })
    );
  });
});
