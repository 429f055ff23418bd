import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  AFTER_EXPIRY_MS,
  MIN_REVISIT_MS,
  nextDecisionTime,
  OVERDUE_RECHECK_MS,
} from '../../../src/domain/steward/pool-schedule.js';
import { MINUTE, NOW } from '../../helpers/steward-builders.js';

const LEAD = { leadTimeMs: 10 * MINUTE };

describe('nextDecisionTime', () => {
  it('looks again a lead time before the expiry, so there is time to extend or warn', () => {
    expect(nextDecisionTime(NOW + 30 * MINUTE, {}, LEAD, NOW)).toBe(NOW + 20 * MINUTE);
  });

  it('looks again just after the expiry when the lead time is already upon us', () => {
    expect(nextDecisionTime(NOW + 5 * MINUTE, {}, LEAD, NOW)).toBe(
      NOW + 5 * MINUTE + AFTER_EXPIRY_MS
    );
  });

  it('does not come back within a minute to repeat the same decision', () => {
    // Prepare: expiry − lead is 30 s from now.
    const expiresAt = NOW + 10 * MINUTE + 30_000;
    expect(nextDecisionTime(expiresAt, {}, LEAD, NOW)).toBe(expiresAt + AFTER_EXPIRY_MS);
  });

  it('looks again when the decision asks, if that is before the expiry', () => {
    expect(nextDecisionTime(NOW + 30 * MINUTE, { revisitAt: NOW + 5 * MINUTE }, LEAD, NOW)).toBe(
      NOW + 5 * MINUTE
    );
  });

  it('never puts an asked-for revisit later than just after the expiry', () => {
    expect(nextDecisionTime(NOW + 30 * MINUTE, { revisitAt: NOW + 3 * 3_600_000 }, LEAD, NOW)).toBe(
      NOW + 30 * MINUTE + AFTER_EXPIRY_MS
    );
  });

  it('ignores an asked-for revisit within a minute', () => {
    expect(nextDecisionTime(NOW + 30 * MINUTE, { revisitAt: NOW + 30_000 }, LEAD, NOW)).toBe(
      NOW + 20 * MINUTE
    );
  });

  it('looks at an overdue pool again some minutes later, not every run', () => {
    // Prepare: SageMaker still calls it Available 5 minutes after Warden's expiry.
    const expiresAt = NOW - 5 * MINUTE;
    expect(OVERDUE_RECHECK_MS).toBeGreaterThan(MIN_REVISIT_MS);
    expect(nextDecisionTime(expiresAt, {}, LEAD, NOW)).toBe(NOW + OVERDUE_RECHECK_MS);
  });

  it('always lies ahead, and never within a minute unless just after the expiry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3_600_000, max: 6 * 3_600_000 }),
        fc.integer({ min: 0, max: 3_600_000 }),
        (expiresIn, leadTimeMs) => {
          const expiresAt = NOW + expiresIn;
          const next = nextDecisionTime(expiresAt, {}, { leadTimeMs }, NOW);
          expect(next).toBeGreaterThan(NOW);
          if (next !== expiresAt + AFTER_EXPIRY_MS) {
            expect(next).toBeGreaterThan(NOW + MIN_REVISIT_MS);
          }
          if (expiresAt + AFTER_EXPIRY_MS > NOW) {
            expect(next).toBeLessThanOrEqual(expiresAt + AFTER_EXPIRY_MS);
          }
        }
      )
    );
  });

  it('never puts an asked-for revisit of a live pool after just past its expiry', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 6 * 3_600_000 }),
        fc.integer({ min: -3_600_000, max: 8 * 3_600_000 }),
        (expiresIn, revisitIn) => {
          const expiresAt = NOW + expiresIn;
          const next = nextDecisionTime(expiresAt, { revisitAt: NOW + revisitIn }, LEAD, NOW);
          expect(next).toBeGreaterThan(NOW);
          expect(next).toBeLessThanOrEqual(expiresAt + AFTER_EXPIRY_MS);
        }
      )
    );
  });
});
