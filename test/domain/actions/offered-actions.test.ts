import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { offeredActions } from '../../../src/domain/actions/offered-actions.js';
import { OPT_OUT_TAG } from '../../../src/domain/policy/decide.js';
import type { PoolState } from '../../../src/domain/pool/pool-record.js';
import {
  availablePool,
  HOUR,
  MINUTE,
  NOW,
  policyOf,
  poolRule,
} from '../../helpers/steward-builders.js';

const UTC = 'UTC';

describe('offeredActions', () => {
  it('offers keeping warm 30 minutes and an hour past the expiry, clipped to the maximum, then a release', () => {
    // Prepare: ended 13:55 with 10 minutes, so it expires 14:05; the maximum (1h) ends it 14:55
    const pool = availablePool();

    // Act
    const offers = offeredActions({ pool, policy: policyOf(), now: NOW, timeZone: UTC });

    // Assess
    expect(offers.map((o) => o.label)).toEqual([
      'Keep warm until 14:35 UTC',
      'Keep warm until 14:55 UTC',
      'Release now',
    ]);
    expect(offers.map((o) => o.grant.action)).toEqual([
      { kind: 'extend', keepAliveSeconds: 40 * 60 },
      { kind: 'extend', keepAliveSeconds: 60 * 60 },
      { kind: 'release' },
    ]);
    expect(offers.map((o) => o.confirm)).toEqual([false, false, true]);
  });

  it('grants each action to the pool and its owner until the pool expires', () => {
    // Prepare
    const pool = availablePool();

    // Act
    const offers = offeredActions({ pool, policy: policyOf(), now: NOW, timeZone: UTC });

    // Assess
    for (const { grant } of offers) {
      expect(grant).toMatchObject({
        jobArn: pool.jobArn,
        creationTime: pool.creationTime,
        owner: 'alice',
        expiresAt: pool.expiresAt,
      });
    }
  });

  it('ends the grants sooner when the configured link lifetime is shorter than the pool', () => {
    // Act
    const offers = offeredActions({
      pool: availablePool(),
      policy: policyOf(),
      now: NOW,
      timeZone: UTC,
      maxValidityMs: MINUTE,
    });

    // Assess
    expect(offers.map((o) => o.grant.expiresAt)).toEqual([
      NOW + MINUTE,
      NOW + MINUTE,
      NOW + MINUTE,
    ]);
  });

  it("keeps within the matching rule's maximum", () => {
    // Prepare: the rule allows 20 minutes after the job ended (14:15)
    const rule = poolRule({ keepAlive: { minMs: 0, maxMs: 20 * MINUTE, fixedMs: 10 * MINUTE } });

    // Act
    const offers = offeredActions({
      pool: availablePool(),
      policy: policyOf([rule]),
      now: NOW,
      timeZone: UTC,
    });

    // Assess
    expect(offers.map((o) => o.label)).toEqual(['Keep warm until 14:15 UTC', 'Release now']);
  });

  it('uses the first matching rule, not a later one', () => {
    // Prepare
    const other = poolRule({
      name: 'bob-only',
      match: { owner: (o) => o === 'bob', text: '{ owner: bob }' },
      keepAlive: { minMs: 0, maxMs: 15 * MINUTE },
    });
    const alices = poolRule({ name: 'alice', keepAlive: { minMs: 0, maxMs: 25 * MINUTE } });

    // Act
    const offers = offeredActions({
      pool: availablePool(),
      policy: policyOf([other, alices]),
      now: NOW,
      timeZone: UTC,
    });

    // Assess
    expect(offers[0]?.label).toBe('Keep warm until 14:20 UTC');
  });

  it('offers no extension once the pool is kept as long as SageMaker allows', () => {
    // Prepare: ended 13:55 with the full hour
    const pool = availablePool({ keepAliveSeconds: 3600, expiresAt: NOW - 5 * MINUTE + HOUR });

    // Act
    const offers = offeredActions({ pool, policy: policyOf(), now: NOW, timeZone: UTC });

    // Assess
    expect(offers.map((o) => o.grant.action.kind)).toEqual(['release']);
  });

  it('reaches no further than the job end plus the maximum under the update-time anchor too', () => {
    // Act
    const offers = offeredActions({
      pool: availablePool(),
      policy: policyOf([poolRule()], { keepAliveAnchor: 'update-time' }),
      now: NOW,
      timeZone: UTC,
    });

    // Assess
    expect(offers[1]?.label).toBe('Keep warm until 14:55 UTC');
  });

  it.each<PoolState>(['InUse', 'Reused', 'Terminated'])(
    'offers nothing for a pool that is %s',
    (state) => {
      // Act
      const offers = offeredActions({
        pool: availablePool({ state }),
        policy: policyOf(),
        now: NOW,
        timeZone: UTC,
      });

      // Assess
      expect(offers).toEqual([]);
    }
  );

  it('offers nothing for a pool that has expired', () => {
    // Act
    const offers = offeredActions({
      pool: availablePool({ expiresAt: NOW }),
      policy: policyOf(),
      now: NOW,
      timeZone: UTC,
    });

    // Assess
    expect(offers).toEqual([]);
  });

  it('offers nothing for a job opted out of Warden', () => {
    // Act
    const offers = offeredActions({
      pool: availablePool({ tags: { [OPT_OUT_TAG]: 'False' } }),
      policy: policyOf(),
      now: NOW,
      timeZone: UTC,
    });

    // Assess
    expect(offers).toEqual([]);
  });

  it("names the day when the target falls on another day in the owner's zone", () => {
    // Prepare: 14:05 UTC is 23:05 in Tokyo (UTC+9), so +1h lands on Friday
    const offers = offeredActions({
      pool: availablePool(),
      policy: policyOf([poolRule({ keepAlive: { minMs: 0, maxMs: 6 * HOUR } })], {
        maxKeepAliveMs: 6 * HOUR,
      }),
      now: NOW,
      timeZone: 'Asia/Tokyo',
    });

    // Assess
    expect(offers.map((o) => o.label)).toEqual([
      'Keep warm until 23:35 UTC+09:00',
      'Keep warm until Fri 00:05 UTC+09:00',
      'Release now',
    ]);
  });

  it('only ever offers whole-minute targets later than the expiry and within every bound', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 * HOUR }),
        fc.integer({ min: 1, max: 6 * 3600 }),
        fc.integer({ min: 1, max: 6 * 60 }),
        fc.integer({ min: 1, max: 6 * 60 }),
        fc.constantFrom<'job-end' | 'update-time'>('job-end', 'update-time'),
        (endedAgo, keepAliveSeconds, ruleMaxMinutes, maxMinutes, anchor) => {
          const endTime = NOW - endedAgo;
          const pool = availablePool({
            endTime,
            keepAliveSeconds,
            expiresAt: endTime + keepAliveSeconds * 1000,
          });
          const policy = policyOf(
            [poolRule({ keepAlive: { minMs: 0, maxMs: ruleMaxMinutes * MINUTE } })],
            { maxKeepAliveMs: maxMinutes * MINUTE, keepAliveAnchor: anchor }
          );
          const offers = offeredActions({ pool, policy, now: NOW, timeZone: UTC });
          const limit = endTime + Math.min(ruleMaxMinutes, maxMinutes) * MINUTE;
          for (const { grant } of offers) {
            if (grant.action.kind !== 'extend') continue;
            const target = endTime + grant.action.keepAliveSeconds * 1000;
            expect(target).toBeGreaterThan(pool.expiresAt + MINUTE);
            expect(target).toBeLessThanOrEqual(limit + 999);
            expect(grant.action.keepAliveSeconds).toBeLessThanOrEqual(maxMinutes * 60);
            expect(Number.isInteger(grant.action.keepAliveSeconds)).toBe(true);
          }
          const releases = offers.filter((o) => o.grant.action.kind === 'release');
          expect(releases.length).toBe(pool.expiresAt > NOW ? 1 : 0);
          expect(offers.length).toBeLessThanOrEqual(3);
        }
      )
    );
  });
});
