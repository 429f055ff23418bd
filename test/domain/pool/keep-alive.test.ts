import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KeepAliveAnchor } from '../../../src/domain/policy/policy.js';
import {
  type AnchorSettings,
  expiryOf,
  keepAliveForTarget,
  latestReachable,
} from '../../../src/domain/pool/keep-alive.js';
import { HOUR, MINUTE, NOW } from '../../helpers/steward-builders.js';

function anchored(keepAliveAnchor: KeepAliveAnchor, safetyMarginMs = 2 * MINUTE): AnchorSettings {
  return { keepAliveAnchor, maxKeepAliveMs: HOUR, safetyMarginMs };
}

describe('expiryOf', () => {
  it('counts the keep-alive from the job end under the job-end anchor, even after an update', () => {
    const pool = { endTime: NOW, keepAliveSeconds: 600, updatedAt: NOW + 5 * MINUTE };
    expect(expiryOf(pool, 'job-end')).toBe(NOW + 10 * MINUTE);
  });

  it('counts the keep-alive from the last update under the update-time anchor', () => {
    const pool = { endTime: NOW, keepAliveSeconds: 600, updatedAt: NOW + 5 * MINUTE };
    expect(expiryOf(pool, 'update-time')).toBe(NOW + 15 * MINUTE);
  });

  it('counts from the job end under update-time when Warden never updated the pool', () => {
    expect(expiryOf({ endTime: NOW, keepAliveSeconds: 600 }, 'update-time')).toBe(
      NOW + 10 * MINUTE
    );
  });
});

describe('latestReachable', () => {
  it('is the job end plus the maximum under job-end, however late the update', () => {
    expect(latestReachable(NOW - 50 * MINUTE, NOW, anchored('job-end'))).toBe(NOW + 10 * MINUTE);
  });

  it('is now plus the maximum under update-time', () => {
    expect(latestReachable(NOW - 50 * MINUTE, NOW, anchored('update-time'))).toBe(NOW + HOUR);
  });
});

describe('keepAliveForTarget', () => {
  it('releases with 0 when the target is now', () => {
    expect(keepAliveForTarget(NOW - MINUTE, NOW, NOW, anchored('job-end'))).toEqual({
      kind: 'release',
      seconds: 0,
      expiresAt: NOW,
    });
  });

  it('releases when the target is already past', () => {
    expect(keepAliveForTarget(NOW - MINUTE, NOW - 1, NOW, anchored('update-time')).kind).toBe(
      'release'
    );
  });

  it('sends seconds from the job end under job-end, not seconds from now', () => {
    // Prepare: the job ended 40 minutes ago; keep the pool 15 more minutes.
    const endTime = NOW - 40 * MINUTE;

    // Act
    const update = keepAliveForTarget(endTime, NOW + 15 * MINUTE, NOW, anchored('job-end'));

    // Assess: 55 minutes after the end, not 15 (which SageMaker would place 25 minutes ago).
    expect(update).toEqual({
      kind: 'set',
      seconds: 55 * 60,
      expiresAt: NOW + 15 * MINUTE,
      clipped: false,
    });
  });

  it('sends seconds from now under update-time', () => {
    const update = keepAliveForTarget(
      NOW - 40 * MINUTE,
      NOW + 15 * MINUTE,
      NOW,
      anchored('update-time')
    );
    expect(update).toEqual({
      kind: 'set',
      seconds: 15 * 60,
      expiresAt: NOW + 15 * MINUTE,
      clipped: false,
    });
  });

  it('rounds up to whole seconds so the pool never ends before the target', () => {
    const update = keepAliveForTarget(NOW, NOW + 10 * MINUTE + 1, NOW, anchored('update-time'));
    expect(update).toMatchObject({ kind: 'set', seconds: 601, expiresAt: NOW + 601_000 });
  });

  it('lifts a shrink that would end the pool within the safety margin up to the margin', () => {
    const update = keepAliveForTarget(NOW - 5 * MINUTE, NOW + 30_000, NOW, anchored('job-end'));
    expect(update).toMatchObject({ kind: 'set', seconds: 7 * 60, expiresAt: NOW + 2 * MINUTE });
  });

  it('cuts a target beyond the maximum to the maximum and says it was clipped', () => {
    const update = keepAliveForTarget(NOW - 30 * MINUTE, NOW + 2 * HOUR, NOW, anchored('job-end'));
    expect(update).toEqual({
      kind: 'set',
      seconds: 3600,
      expiresAt: NOW + 30 * MINUTE,
      clipped: true,
    });
  });

  it('answers unreachable under job-end when even the maximum ends the pool within the margin', () => {
    // Prepare: the job ended 59 minutes ago; the maximum ends the pool in 1 minute.
    const update = keepAliveForTarget(
      NOW - 59 * MINUTE,
      NOW + 10 * MINUTE,
      NOW,
      anchored('job-end')
    );

    // Assess
    expect(update.kind).toBe('unreachable');
    expect(update.kind === 'unreachable' && update.reason).toContain('1h');
  });

  it('answers unreachable when the maximum is under one second, rather than sending 0', () => {
    const update = keepAliveForTarget(NOW, NOW + MINUTE, NOW, {
      keepAliveAnchor: 'update-time',
      maxKeepAliveMs: 900,
      safetyMarginMs: 0,
    });
    expect(update.kind).toBe('unreachable');
  });

  it('keeps the margin when the maximum is not a whole number of seconds', () => {
    // Prepare: regression; 1.5 s can only be sent as 1 s, which ended before the 1.2 s margin.
    const settings: AnchorSettings = {
      keepAliveAnchor: 'update-time',
      maxKeepAliveMs: 1500,
      safetyMarginMs: 1200,
    };

    // Act
    const update = keepAliveForTarget(NOW, NOW + MINUTE, NOW, settings);

    // Assess
    expect(update.kind).toBe('unreachable');
  });

  describe.each(['job-end', 'update-time'] as const)('under the %s anchor', (anchor) => {
    const scenario = fc.record({
      sinceEnd: fc.integer({ min: 0, max: 3 * 3600_000 }),
      ahead: fc.integer({ min: -3600_000, max: 3 * 3600_000 }),
      maxKeepAliveMs: fc.integer({ min: 1, max: 21_600 }).map((s) => s * 1000),
      safetyMarginMs: fc.integer({ min: 0, max: 15 * 60_000 }),
      now: fc.integer({ min: 1_600_000_000_000, max: 1_900_000_000_000 }),
    });

    it('never sets an expiry before now + margin, whatever the job end and the target', () => {
      fc.assert(
        fc.property(scenario, ({ sinceEnd, ahead, maxKeepAliveMs, safetyMarginMs, now }) => {
          // Prepare
          const endTime = now - sinceEnd;
          const target = now + ahead;
          const settings = { keepAliveAnchor: anchor, maxKeepAliveMs, safetyMarginMs };

          // Act
          const update = keepAliveForTarget(endTime, target, now, settings);

          // Assess: SageMaker places the expiry at anchor + seconds.
          if (update.kind !== 'set') return;
          const from = anchor === 'job-end' ? endTime : now;
          const expiry = from + update.seconds * 1000;
          expect(expiry).toBe(update.expiresAt);
          expect(expiry).toBeGreaterThanOrEqual(now + safetyMarginMs);
          expect(update.seconds).toBeGreaterThanOrEqual(1);
          expect(Number.isInteger(update.seconds)).toBe(true);
        })
      );
    });

    it('never sends more than the maximum', () => {
      fc.assert(
        fc.property(scenario, ({ sinceEnd, ahead, maxKeepAliveMs, safetyMarginMs, now }) => {
          const settings = { keepAliveAnchor: anchor, maxKeepAliveMs, safetyMarginMs };
          const update = keepAliveForTarget(now - sinceEnd, now + ahead, now, settings);
          if (update.kind === 'set') {
            expect(update.seconds * 1000).toBeLessThanOrEqual(maxKeepAliveMs);
            expect(update.expiresAt).toBeLessThanOrEqual(
              latestReachable(now - sinceEnd, now, settings)
            );
          }
        })
      );
    });

    it('releases exactly when the target is at or before now', () => {
      fc.assert(
        fc.property(scenario, ({ sinceEnd, ahead, maxKeepAliveMs, safetyMarginMs, now }) => {
          const settings = { keepAliveAnchor: anchor, maxKeepAliveMs, safetyMarginMs };
          const update = keepAliveForTarget(now - sinceEnd, now + ahead, now, settings);
          expect(update.kind === 'release').toBe(ahead <= 0);
          if (update.kind === 'release') expect(update.expiresAt).toBe(now);
        })
      );
    });

    it('hits the target to the second when it lies between the margin and the maximum', () => {
      fc.assert(
        fc.property(scenario, ({ sinceEnd, ahead, maxKeepAliveMs, safetyMarginMs, now }) => {
          const settings = { keepAliveAnchor: anchor, maxKeepAliveMs, safetyMarginMs };
          const endTime = now - sinceEnd;
          const target = now + ahead;
          const reachable = latestReachable(endTime, now, settings);
          // A target at now is a release (the property above), even with no margin.
          fc.pre(target > now && target >= now + safetyMarginMs && target <= reachable);
          const update = keepAliveForTarget(endTime, target, now, settings);
          expect(update).toMatchObject({ kind: 'set', clipped: false });
          if (update.kind === 'set') {
            expect(update.expiresAt).toBeGreaterThanOrEqual(target);
            expect(update.expiresAt - target).toBeLessThan(1000);
          }
        })
      );
    });

    it('answers unreachable only when the maximum cannot reach now + margin', () => {
      fc.assert(
        fc.property(scenario, ({ sinceEnd, ahead, maxKeepAliveMs, safetyMarginMs, now }) => {
          const settings = { keepAliveAnchor: anchor, maxKeepAliveMs, safetyMarginMs };
          const endTime = now - sinceEnd;
          const update = keepAliveForTarget(endTime, now + ahead, now, settings);
          const reachable = latestReachable(endTime, now, settings);
          if (ahead > 0) {
            expect(update.kind === 'unreachable').toBe(reachable < now + safetyMarginMs);
          }
        })
      );
    });
  });
});
