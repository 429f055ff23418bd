import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  breakEvenMs,
  chooseKeepAlive,
  type KeepAliveCosts,
  MIN_EVIDENCE,
} from '../../../src/domain/policy/adaptive-keep-alive.js';
import { keepAliveCosts } from '../../../src/domain/policy/decide.js';
import {
  BIN_EDGES_S,
  emptyHistogram,
  HALF_LIFE_MS,
} from '../../../src/domain/policy/gap-history.js';
import { HOUR, historyOf, MINUTE, NOW, stewardSettings } from '../../helpers/steward-builders.js';

/** Keeping costs $4/h; a cold start costs what 20 minutes of keeping does (T* = 20 min). */
const CHEAP: KeepAliveCosts = { ratePerSecond: 4 / 3600, penaltyUsd: (4 / 3600) * 1200 };

/** 1 × ml.g5.2xlarge at $1.52/h and 8 × ml.p4d.24xlarge at $37.69/h, under default settings. */
const ONE_G5 = keepAliveCosts(1, 1.52, stewardSettings());
const EIGHT_P4D = keepAliveCosts(8, 37.69, stewardSettings());

function repeat(gapMs: number, times: number): number[] {
  return new Array(times).fill(gapMs);
}

describe('breakEvenMs', () => {
  it('is the penalty over the rate: T* = B / r', () => {
    expect(breakEvenMs(CHEAP)).toBeCloseTo(20 * MINUTE, 6);
  });

  it('matches the worked numbers of the reference: about 59 min for 1 × $4/h, 74 s for 8 × $40/h', () => {
    // Prepare: waiting valued at $100/h, a cold start waits 140 s and bills 30 s more.
    const settings = stewardSettings({
      valueOfTimeUsdPerHour: 100,
      coldStartWaitSeconds: 140,
      coldStartBilledSeconds: 30,
    });

    // Act
    const cheap = breakEvenMs(keepAliveCosts(1, 4, settings));
    const dear = breakEvenMs(keepAliveCosts(8, 40, settings));

    // Assess
    expect(cheap / MINUTE).toBeCloseTo(58.8, 0);
    expect(dear / 1000).toBeCloseTo(73.75, 1);
  });

  it('is infinite when keeping is free', () => {
    expect(breakEvenMs({ ratePerSecond: 0, penaltyUsd: 1 })).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('chooseKeepAlive', () => {
  it('keeps the break-even time when the history is too thin to say anything', () => {
    // Act
    const choice = chooseKeepAlive(historyOf([60_000, 60_000]), NOW, 0, HOUR, CHEAP);

    // Assess
    expect(MIN_EVIDENCE).toBe(3);
    expect(choice.basis).toBe('break-even');
    expect(choice.keepAliveMs).toBeCloseTo(20 * MINUTE, 3);
  });

  it('caps the break-even time at the maximum', () => {
    const choice = chooseKeepAlive(emptyHistogram(), NOW, 0, 10 * MINUTE, CHEAP);
    expect(choice).toMatchObject({ basis: 'break-even', keepAliveMs: 10 * MINUTE });
  });

  it('releases now on break-even once the pool has been idle past the break-even time', () => {
    const choice = chooseKeepAlive(emptyHistogram(), NOW, 25 * MINUTE, HOUR, CHEAP);
    expect(choice).toMatchObject({ basis: 'break-even', keepAliveMs: 25 * MINUTE });
  });

  it('falls back to break-even when the history is old, so a change of habit shows quickly', () => {
    // Prepare: four short gaps, three half-lives ago, weigh 0.5 now.
    const old = historyOf(repeat(60_000, 4), NOW - 3 * HALF_LIFE_MS);

    // Act
    const choice = chooseKeepAlive(old, NOW, 0, HOUR, CHEAP);

    // Assess
    expect(choice.basis).toBe('break-even');
  });

  it('keeps a pool just long enough to catch the short gaps its key has seen', () => {
    // Act: ten gaps of 100 s; break-even is 20 min.
    const choice = chooseKeepAlive(historyOf(repeat(100_000, 10)), NOW, 0, HOUR, CHEAP);

    // Assess: the bin edge above 100 s, not the 20 min of break-even.
    expect(choice.basis).toBe('history');
    expect(choice.keepAliveMs).toBe(120_000);
    expect(choice.catchShare).toBe(1);
    expect(choice.expectedUsd).toBeCloseTo(CHEAP.ratePerSecond * 100, 9);
  });

  it('releases now when every gap seen is longer than break-even', () => {
    const choice = chooseKeepAlive(historyOf(repeat(50 * MINUTE, 10)), NOW, 0, HOUR, CHEAP);
    expect(choice).toMatchObject({ basis: 'history', keepAliveMs: 0, catchShare: 0 });
    expect(choice.expectedUsd).toBeCloseTo(CHEAP.penaltyUsd, 9);
  });

  it('releases now when every gap seen is beyond the maximum keep-alive', () => {
    const cheapest = { ratePerSecond: 1e-6, penaltyUsd: 100 };
    const choice = chooseKeepAlive(historyOf(repeat(2 * HOUR, 10)), NOW, 0, HOUR, cheapest);
    expect(choice).toMatchObject({ keepAliveMs: 0, catchShare: 0 });
  });

  it('decides on the gaps still possible: after outliving the short gaps it releases', () => {
    // Prepare: ten gaps of 30 s and three of 50 min; break-even 20 min.
    const history = historyOf([...repeat(30_000, 10), ...repeat(50 * MINUTE, 3)]);

    // Act
    const fresh = chooseKeepAlive(history, NOW, 0, HOUR, CHEAP);
    const idle = chooseKeepAlive(history, NOW, 5 * MINUTE, HOUR, CHEAP);

    // Assess: fresh, it waits for the next short gap; idle 5 min, only 50-min gaps remain.
    expect(fresh.keepAliveMs).toBe(30_000);
    expect(idle).toMatchObject({ basis: 'history', keepAliveMs: 5 * MINUTE, catchShare: 0 });
  });

  it('keeps a cheap pool longer than eight p4d instances for the same history', () => {
    // Prepare: gaps of 3 minutes; break-even is hours for 1 × g5, about a minute for 8 × p4d.
    const history = historyOf(repeat(3 * MINUTE, 10));

    // Act
    const cheap = chooseKeepAlive(history, NOW, 0, HOUR, ONE_G5);
    const dear = chooseKeepAlive(history, NOW, 0, HOUR, EIGHT_P4D);

    // Assess
    expect(cheap.keepAliveMs).toBe(3 * MINUTE);
    expect(dear.keepAliveMs).toBe(0);
  });

  it('does not return NaN for a pool idle longer than the last bin edge (regression)', () => {
    // Prepare: under update-time with a 6 h maximum a pool can idle past 6 h.
    const idleMs = (BIN_EDGES_S[BIN_EDGES_S.length - 1] as number) * 1000 + HOUR;

    // Act
    const empty = chooseKeepAlive(emptyHistogram(), NOW, idleMs, 8 * HOUR, CHEAP);
    const full = chooseKeepAlive(historyOf(repeat(7 * HOUR, 5)), NOW, idleMs, 8 * HOUR, CHEAP);

    // Assess
    expect(empty).toMatchObject({ basis: 'break-even', keepAliveMs: idleMs, catchShare: 0 });
    expect(Number.isFinite(empty.expectedUsd)).toBe(true);
    expect(full.basis).toBe('history');
    expect(Number.isFinite(full.expectedUsd)).toBe(true);
    expect(Number.isFinite(full.catchShare)).toBe(true);
  });

  const gaps = fc.array(fc.integer({ min: 0, max: 8 * 3_600_000 }), { maxLength: 40 });
  const costs = fc.record({
    ratePerSecond: fc.double({ min: 1e-6, max: 1, noNaN: true }),
    penaltyUsd: fc.double({ min: 0.01, max: 100, noNaN: true }),
  });

  it('chooses between releasing now and the maximum, with finite numbers', () => {
    fc.assert(
      fc.property(
        gaps,
        costs,
        fc.integer({ min: 0, max: 12 * 3_600_000 }),
        fc.integer({ min: 0, max: 6 * 3_600_000 }),
        (observed, prices, idleMs, maxMs) => {
          const choice = chooseKeepAlive(historyOf(observed), NOW, idleMs, maxMs, prices);
          expect(choice.keepAliveMs).toBeGreaterThanOrEqual(idleMs - 1e-6);
          expect(choice.keepAliveMs).toBeLessThanOrEqual(Math.max(idleMs, maxMs) + 1e-6);
          expect(Number.isFinite(choice.expectedUsd)).toBe(true);
          expect(choice.catchShare).toBeGreaterThanOrEqual(0);
          expect(choice.catchShare).toBeLessThanOrEqual(1 + 1e-9);
        }
      )
    );
  });

  it('finds the least cost of C(k) = Σ_{g≤k} r·g + Σ_{g>k} (r·k + B) over the bin edges (reference §6)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 8 * 3600 }), { minLength: MIN_EVIDENCE, maxLength: 40 }),
        costs,
        (gapSeconds, { ratePerSecond: r, penaltyUsd: B }) => {
          // Prepare: the reference's cost on the raw gaps, at idle 0 and a 1 h maximum.
          const cost = (k: number) =>
            gapSeconds.reduce((sum, g) => sum + (g <= k ? r * g : r * k + B), 0);
          const candidates = [0, ...BIN_EDGES_S.filter((edge) => edge <= 3600)];
          const least = Math.min(...candidates.map(cost));

          // Act
          // Without the hour-of-day counts the choice is the plain formula.
          const { hourly: _byHour, ...history } = historyOf(gapSeconds.map((g) => g * 1000));
          const choice = chooseKeepAlive(history, NOW, 0, HOUR, {
            ratePerSecond: r,
            penaltyUsd: B,
          });

          // Assess
          expect(choice.basis).toBe('history');
          expect(choice.expectedUsd * gapSeconds.length).toBeCloseTo(least, 6);
          expect(cost(choice.keepAliveMs / 1000)).toBeCloseTo(least, 6);
        }
      )
    );
  });

  describe('with a safety margin (no shrink ends a pool sooner than it)', () => {
    /** $0.10/s to keep; a cold start costs what 90 s of keeping does (T* = 90 s < 2 min). */
    const DEAR: KeepAliveCosts = { ratePerSecond: 0.1, penaltyUsd: 9 };
    const MARGIN = 2 * MINUTE;

    it('weighs the margin it will be held to, not a shorter keep it cannot have', () => {
      // Prepare: half the next jobs came 30 s after the end, half never within the maximum
      // (without hour-of-day counts, so the choice is the plain formula).
      const { hourly: _byHour, ...history } = historyOf([
        ...repeat(30_000, 10),
        ...repeat(5 * HOUR, 10),
      ]);

      // Act
      const free = chooseKeepAlive(history, NOW, 0, HOUR, DEAR);
      const held = chooseKeepAlive(history, NOW, 0, HOUR, DEAR, { shortestKeepMs: MARGIN });

      // Assess: keeping 30 s costs 0.5·r·30 + 0.5·(r·30 + B) = $7.50 < B = $9, but the margin
      // makes it 0.5·r·30 + 0.5·(r·120 + B) = $12 > $9: release.
      expect(free.keepAliveMs).toBe(30_000);
      expect(held.keepAliveMs).toBe(0);
    });

    it('releases a thin-history pool whose break-even time is shorter than the margin', () => {
      // Act
      const dear = chooseKeepAlive(emptyHistogram(), NOW, 0, HOUR, DEAR, {
        shortestKeepMs: MARGIN,
      });
      const cheap = chooseKeepAlive(emptyHistogram(), NOW, 0, HOUR, CHEAP, {
        shortestKeepMs: MARGIN,
      });

      // Assess: break-even would keep 90 s, but the shortest keep is 2 min.
      expect(dear).toMatchObject({ basis: 'break-even', keepAliveMs: 0 });
      expect(cheap.keepAliveMs).toBeCloseTo(20 * MINUTE, 3);
    });

    it('offers the margin itself, not only the next bin edge above it', () => {
      // Prepare: every next job came 100 s after the end; the pool has idled 30 s, so the
      // shortest keep is 30 s + 2 min = 150 s, between the edges at 120 s and 180 s.
      const { hourly: _byHour, ...history } = historyOf(repeat(100_000, 20));

      // Act
      const choice = chooseKeepAlive(history, NOW, 30_000, HOUR, CHEAP, { shortestKeepMs: MARGIN });

      // Assess
      expect(choice.keepAliveMs).toBe(150_000);
      expect(choice.catchShare).toBeCloseTo(1, 9);
    });

    it('never chooses a keep between releasing now and the margin', () => {
      fc.assert(
        fc.property(
          gaps,
          costs,
          fc.integer({ min: 0, max: 2 * 3_600_000 }),
          fc.integer({ min: 0, max: 10 * MINUTE }),
          (observed, prices, idleMs, marginMs) => {
            const choice = chooseKeepAlive(historyOf(observed), NOW, idleMs, HOUR, prices, {
              shortestKeepMs: marginMs,
            });
            // The margin lifts a keep only as far as the maximum.
            const released = Math.abs(choice.keepAliveMs - idleMs) < 1e-6;
            const shortest = Math.min(idleMs + marginMs, Math.max(idleMs, HOUR));
            expect(released || choice.keepAliveMs >= shortest - 1e-6).toBe(true);
          }
        )
      );
    });

    it('finds the least cost over releasing now and the bin edges the margin allows', () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 1, max: 8 * 3600 }), {
            minLength: MIN_EVIDENCE,
            maxLength: 40,
          }),
          costs,
          fc.constantFrom(0, 60, 120, 300),
          (gapSeconds, { ratePerSecond: r, penaltyUsd: B }, marginS) => {
            // Prepare: the reference's cost on the raw gaps, at idle 0 and a 1 h maximum.
            const cost = (k: number) =>
              gapSeconds.reduce((sum, g) => sum + (g <= k ? r * g : r * k + B), 0);
            const allowed = BIN_EDGES_S.filter((edge) => edge >= marginS && edge <= 3600);
            const least = Math.min(...[0, ...allowed].map(cost));

            // Act
            const { hourly: _byHour, ...history } = historyOf(gapSeconds.map((g) => g * 1000));
            const choice = chooseKeepAlive(
              history,
              NOW,
              0,
              HOUR,
              { ratePerSecond: r, penaltyUsd: B },
              { shortestKeepMs: marginS * 1000 }
            );

            // Assess
            expect(cost(choice.keepAliveMs / 1000)).toBeCloseTo(least, 6);
          }
        )
      );
    });
  });

  it('never keeps a dearer pool longer than a cheaper one for the same history and wait', () => {
    fc.assert(
      fc.property(
        gaps,
        costs,
        fc.double({ min: 1.01, max: 1000, noNaN: true }),
        fc.integer({ min: 0, max: 2 * 3_600_000 }),
        (observed, cheap, factor, idleMs) => {
          const history = historyOf(observed);
          const dear = { ...cheap, ratePerSecond: cheap.ratePerSecond * factor };
          const a = chooseKeepAlive(history, NOW, idleMs, HOUR, cheap);
          const b = chooseKeepAlive(history, NOW, idleMs, HOUR, dear);
          expect(b.keepAliveMs).toBeLessThanOrEqual(a.keepAliveMs + 1e-6);
        }
      )
    );
  });
});
