import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addGap,
  BIN_EDGES_S,
  BINS,
  binOf,
  CLASSES,
  classOf,
  copyHistogram,
  decayFactor,
  emptyHistogram,
  HALF_LIFE_MS,
  hourOf,
  isGapHistogram,
  observeGap,
  totalWeight,
} from '../../../src/domain/policy/gap-history.js';
import { HOUR, historyOf, MINUTE, NOW } from '../../helpers/steward-builders.js';

describe('binOf', () => {
  it('puts a gap on an edge into the bin that edge closes', () => {
    expect(binOf(15)).toBe(0);
    expect(binOf(15.001)).toBe(1);
    expect(binOf(0)).toBe(0);
    expect(binOf(3600)).toBe(BIN_EDGES_S.indexOf(3600));
  });

  it('puts a gap beyond the last edge into the last, open-ended bin', () => {
    expect(binOf(21_600.5)).toBe(BINS - 1);
    expect(binOf(1e9)).toBe(BINS - 1);
  });

  it('never puts a longer gap in an earlier bin', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (a, b) => {
          if (a <= b) expect(binOf(a)).toBeLessThanOrEqual(binOf(b));
        }
      )
    );
  });
});

describe('decayFactor', () => {
  it('halves the weight after one half-life and quarters it after two', () => {
    expect(decayFactor(NOW, NOW + HALF_LIFE_MS)).toBeCloseTo(0.5, 12);
    expect(decayFactor(NOW, NOW + 2 * HALF_LIFE_MS)).toBeCloseTo(0.25, 12);
  });

  it('does not grow the weight when time runs backwards (an out-of-order observation)', () => {
    expect(decayFactor(NOW, NOW - HOUR)).toBe(1);
    expect(decayFactor(NOW, NOW)).toBe(1);
  });
});

describe('observeGap', () => {
  it('counts a gap in its bin with its length in seconds', () => {
    // Act
    const history = observeGap(emptyHistogram(), 100_000, NOW);

    // Assess
    const bin = binOf(100);
    expect(history.weights[bin]).toBe(1);
    expect(history.sums[bin]).toBe(100);
    expect(totalWeight(history)).toBe(1);
    expect(history.count).toBe(1);
    expect(history.updatedAt).toBe(NOW);
  });

  it('leaves the history it was given unchanged', () => {
    const before = historyOf([60_000]);
    const snapshot = structuredClone(before);
    observeGap(before, 120_000, NOW + MINUTE);
    expect(before).toEqual(snapshot);
  });

  it('decays older observations so recent gaps weigh more', () => {
    // Act: one gap a half-life ago, one now.
    const history = observeGap(historyOf([60_000], NOW - HALF_LIFE_MS), 1_800_000, NOW);

    // Assess
    expect(history.weights[binOf(60)]).toBeCloseTo(0.5, 12);
    expect(history.weights[binOf(1800)]).toBe(1);
    expect(history.count).toBe(2);
  });

  it('keeps the newest time when an older observation arrives late, without decaying', () => {
    const history = observeGap(historyOf([60_000], NOW), 120_000, NOW - HOUR);
    expect(history.updatedAt).toBe(NOW);
    expect(totalWeight(history)).toBe(2);
  });

  it.each([
    ['a negative gap', -1],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
  ])('ignores %s', (_name, gap) => {
    const history = historyOf([60_000]);
    expect(observeGap(history, gap, NOW)).toBe(history);
  });

  it('stays the same size and well-formed however many gaps it sees', () => {
    const gaps = fc.array(
      fc.tuple(
        fc.integer({ min: 0, max: 48 * 3_600_000 }),
        fc.integer({ min: 0, max: 60 * 86_400_000 })
      ),
      { maxLength: 200 }
    );
    fc.assert(
      fc.property(gaps, (observations) => {
        const history = observations.reduce(
          (h, [gap, offset]) => observeGap(h, gap, NOW + offset),
          emptyHistogram()
        );
        expect(isGapHistogram(history)).toBe(true);
        expect(history.weights).toHaveLength(BINS);
        expect(history.count).toBe(observations.length);
        expect(totalWeight(history)).toBeLessThanOrEqual(observations.length + 1e-9);
        // The mean gap within each bin stays inside the bin.
        history.weights.forEach((w, b) => {
          if (w <= 1e-12) return;
          const mean = (history.sums[b] as number) / w;
          const lower = b === 0 ? 0 : (BIN_EDGES_S[b - 1] as number);
          const upper = b < BIN_EDGES_S.length ? (BIN_EDGES_S[b] as number) : Infinity;
          expect(mean).toBeGreaterThanOrEqual(lower - 1e-6);
          expect(mean).toBeLessThanOrEqual(upper + 1e-6);
        });
      })
    );
  });
});

describe('isGapHistogram', () => {
  it('accepts an empty and a filled histogram', () => {
    expect(isGapHistogram(emptyHistogram())).toBe(true);
    expect(isGapHistogram(historyOf([10_000, 90_000, 7_200_000]))).toBe(true);
  });

  it.each([
    ['null', null],
    ['a number', 3],
    ['too few bins', { ...emptyHistogram(), weights: [0, 0] }],
    ['a negative weight', { ...emptyHistogram(), weights: [-1, ...new Array(BINS - 1).fill(0)] }],
    ['a text weight', { ...emptyHistogram(), sums: ['1', ...new Array(BINS - 1).fill(0)] }],
    [
      'a missing count',
      { weights: emptyHistogram().weights, sums: emptyHistogram().sums, updatedAt: 0 },
    ],
    ['a text time', { ...emptyHistogram(), updatedAt: '2026-11-26' }],
    ['hourly counts of the wrong size', { ...emptyHistogram(), hourly: [1, 2, 3] }],
    // JSON.parse reads 1e400 as Infinity: every expected cost would be infinite
    [
      'an infinite weight',
      JSON.parse(
        `{"weights":[1e400${',0'.repeat(BINS - 1)}],"sums":${JSON.stringify(emptyHistogram().sums)},"updatedAt":0,"count":1}`
      ),
    ],
    [
      'an absurdly large sum',
      { ...emptyHistogram(), sums: [1e300, ...new Array(BINS - 1).fill(0)] },
    ],
    ['a time that is no time', { ...emptyHistogram(), updatedAt: Number.NaN }],
    // A time past any Date's would keep the histogram from ever decaying
    ['a time past any date', { ...emptyHistogram(), updatedAt: 1e300 }],
    ['a negative count', { ...emptyHistogram(), count: -1 }],
  ])('refuses %s from an untrusted store', (_name, value) => {
    expect(isGapHistogram(value)).toBe(false);
  });
});

describe('the hour and length class a gap is counted under', () => {
  it('classes gaps as short up to 10 min, medium up to 1 h, long beyond', () => {
    expect([0, 600, 601, 3600, 3601, 86_400].map(classOf)).toEqual([0, 0, 1, 1, 2, 2]);
  });

  it('takes the UTC hour of the day, before 1970 too', () => {
    expect(hourOf(NOW)).toBe(14);
    expect(hourOf(NOW + 59 * MINUTE)).toBe(14);
    expect(hourOf(NOW + HOUR)).toBe(15);
    expect(hourOf(-MINUTE)).toBe(23);
  });

  it('counts each gap under the hour its pool freed up and its class, decaying the rest', () => {
    // Prepare: a 5-min gap whose pool freed at 13:55, then a 2-h gap freed at 12:00, a
    // half-life later.
    const first = observeGap(emptyHistogram(), 5 * MINUTE, NOW);
    // Act
    const second = observeGap(first, 2 * HOUR, NOW + HALF_LIFE_MS);
    // Assess
    const slot = (hour: number, c: number) => hour * CLASSES + c;
    expect(first.hourly?.[slot(13, 0)]).toBe(1);
    expect(first.hourly?.reduce((a, b) => a + b, 0)).toBe(1);
    expect(second.hourly?.[slot(13, 0)]).toBeCloseTo(0.5, 12);
    expect(second.hourly?.[slot(12, 2)]).toBe(1);
    // The same slot twice adds up.
    expect(observeGap(first, 5 * MINUTE, NOW)?.hourly?.[slot(13, 0)]).toBe(2);
  });

  it('adds in place exactly what observeGap returns, and refuses a gap that is no gap', () => {
    const live = copyHistogram(historyOf([10_000, 90_000]));
    const before = structuredClone(live);
    expect(addGap(live, Number.NaN, NOW)).toBe(false);
    expect(addGap(live, -1, NOW)).toBe(false);
    expect(live).toEqual(before);
    expect(addGap(live, 7 * MINUTE, NOW + HOUR)).toBe(true);
    expect(live).toEqual(observeGap(before, 7 * MINUTE, NOW + HOUR));
  });
});
