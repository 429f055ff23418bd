import { describe, expect, it } from 'vitest';
import {
  AUDIT_MAX_LIMIT,
  AUDIT_MAX_LOOKBACK_DAYS,
  auditWindow,
  DAY_MS,
  dueBound,
  sortableTime,
} from '../../src/adapters/pool-store-rules.js';
import { T0 } from '../helpers/factories.js';

describe('pool-store-rules', () => {
  describe('sortableTime', () => {
    it('pads epoch ms to 15 digits so text order is time order', () => {
      // Act
      const keys = [T0, 9, T0 + 1].map((ms) => sortableTime(ms, 'at'));

      // Assess
      expect(keys).toEqual([`00${T0}`, '000000000000009', `00${T0 + 1}`]);
      expect([...keys].sort()).toEqual([keys[1], keys[0], keys[2]]);
    });

    it.each([-1, 0.5, Number.NaN, 10 ** 15])('rejects %s naming the field', (ms) => {
      // Act
      const call = () => sortableTime(ms, 'pool x: nextDecisionAt');

      // Assess
      expect(call).toThrow(RangeError);
      expect(call).toThrow(/pool x: nextDecisionAt must be a whole epoch-ms time/);
    });
  });

  describe('dueBound', () => {
    it('includes every key of the same millisecond and excludes unscheduled pools', () => {
      // Act
      const bound = dueBound(T0 + 0.9);

      // Assess
      expect(`00${T0}#arn:aws:sagemaker:x#1` <= bound).toBe(true);
      expect(`00${T0 + 1}#arn` <= bound).toBe(false);
      expect('~#arn' <= bound).toBe(false);
    });

    it('admits nothing when the cut-off is before 1970 or not a number', () => {
      // Assess
      expect(dueBound(-1)).toBe('');
      expect(dueBound(Number.NaN)).toBe('');
    });
  });

  describe('auditWindow', () => {
    it('reads the last seven days, the newest 100, through the end of tomorrow by default', () => {
      // Act
      const window = auditWindow({}, T0);

      // Assess
      expect(window).toEqual({
        since: T0 - 7 * DAY_MS,
        until: Date.UTC(2026, 10, 28),
        limit: 100,
      });
    });

    it('bounds how far back and how many entries one call reads', () => {
      // Act
      const window = auditWindow({ since: 0, limit: 1e9, jobName: 'resnet' }, T0);

      // Assess
      expect(window.since).toBe(Date.UTC(2026, 10, 26) - AUDIT_MAX_LOOKBACK_DAYS * DAY_MS);
      expect(window.limit).toBe(AUDIT_MAX_LIMIT);
      expect(window.jobName).toBe('resnet');
    });
  });
});
