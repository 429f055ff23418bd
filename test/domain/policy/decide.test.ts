import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import type { ChainOutlook } from '../../../src/domain/policy/chain-history.js';
import { decide, OPT_OUT_TAG } from '../../../src/domain/policy/decide.js';
import type { DecisionContext } from '../../../src/domain/policy/decision.js';
import { type GapHistogram, observeGap } from '../../../src/domain/policy/gap-history.js';
import type {
  OutsideWindow,
  Policy,
  PoolRule,
  StewardSettings,
  WorkingWindow,
} from '../../../src/domain/policy/policy.js';
import { keepAliveForTarget, latestReachable } from '../../../src/domain/pool/keep-alive.js';
import type { PoolRecord, PoolState } from '../../../src/domain/pool/pool-record.js';
import {
  availablePool,
  contextOf,
  HOUR,
  historyOf,
  MINUTE,
  NOW,
  policyOf,
  poolRule,
} from '../../helpers/steward-builders.js';

/** Mon-Fri 09:00-17:00 UTC: open at NOW (Thursday 14:00Z). */
const OFFICE_HOURS: WorkingWindow = {
  days: [1, 2, 3, 4, 5],
  startMinute: 9 * 60,
  endMinute: 17 * 60,
  timeZone: 'UTC',
  holidays: [],
};

/** The same hours in Los Angeles: shut at NOW (06:00 PST). */
const LA_OFFICE_HOURS: WorkingWindow = { ...OFFICE_HOURS, timeZone: 'America/Los_Angeles' };

const is = (expected: string) => (value: string) => value === expected;

function fixedRule(fixedMs: number, overrides: Partial<PoolRule> = {}): PoolRule {
  return poolRule({ keepAlive: { minMs: 0, maxMs: HOUR, fixedMs }, ...overrides });
}

function adaptiveRule(overrides: Partial<PoolRule> = {}): PoolRule {
  return poolRule({
    name: 'adaptive',
    mode: 'adaptive',
    keepAlive: { minMs: 0, maxMs: HOUR },
    ...overrides,
  });
}

function repeat(gapMs: number, times: number): number[] {
  return new Array(times).fill(gapMs);
}

/**
 * Ten gaps of 100 s and five of 3 h, all beginning in the hour the pool under test ended, so the
 * hour-of-day model agrees with the overall mix.
 */
function shortGapsThenBreaks(): GapHistogram {
  const short = historyOf(repeat(100_000, 10), NOW);
  return repeat(3 * HOUR, 5).reduce((h, gap) => observeGap(h, gap, NOW + gap), short);
}

describe('decide', () => {
  describe('pools it must leave alone', () => {
    it.each<PoolState>(['InUse', 'Reused', 'Terminated'])('keeps a pool that is %s', (state) => {
      // Act
      const decision = decide(availablePool({ state }), contextOf(), policyOf(), NOW);

      // Assess
      expect(decision).toEqual({
        action: 'keep',
        until: NOW + 5 * MINUTE,
        reason: `the pool is ${state}, not Available`,
      });
    });

    it('keeps a pool that has already expired', () => {
      const pool = availablePool({ endTime: NOW - 10 * MINUTE, keepAliveSeconds: 600 });
      expect(decide(pool, contextOf(), policyOf(), NOW)).toMatchObject({
        action: 'keep',
        reason: 'the pool has already expired',
      });
    });

    it.each(['false', 'FALSE', 'False'])(
      'keeps a pool whose job is tagged warden:manage=%s',
      (value) => {
        const pool = availablePool({ tags: { [OPT_OUT_TAG]: value } });
        const decision = decide(pool, contextOf(), policyOf(), NOW);
        expect(decision).toMatchObject({ action: 'keep', until: pool.expiresAt });
        expect(decision.reason).toContain('warden:manage=false');
        expect(decision.rule).toBeUndefined();
      }
    );

    it('manages a pool tagged warden:manage=true like any other', () => {
      const pool = availablePool({ tags: { [OPT_OUT_TAG]: 'true' } });
      expect(decide(pool, contextOf(), policyOf(), NOW).action).toBe('extend');
    });

    it('keeps a pool whose keep-alive a person set by hand, whatever the policy wants', () => {
      // Prepare: the window is shut, which would release it.
      const pool = availablePool({
        humanOverride: { at: NOW - MINUTE, by: 'bob', keepAliveSeconds: 1800 },
      });
      const policy = policyOf([fixedRule(30 * MINUTE, { window: LA_OFFICE_HOURS })]);

      // Act
      const decision = decide(pool, contextOf(), policy, NOW);

      // Assess
      expect(decision.action).toBe('keep');
      expect(decision.reason).toBe(
        'bob set the keep-alive to 30m by hand, which wins over the policy'
      );
    });

    it('keeps a pool no rule matches', () => {
      const policy = policyOf([
        fixedRule(30 * MINUTE, { match: { team: is('nlp'), text: 'team: nlp' } }),
      ]);
      expect(decide(availablePool(), contextOf(), policy, NOW)).toEqual({
        action: 'keep',
        until: NOW + 5 * MINUTE,
        reason: 'no rule matches this pool',
      });
    });

    it('keeps a pool whose rule is off, naming the rule', () => {
      const policy = policyOf([poolRule({ name: 'hands-off', mode: 'off' })]);
      expect(decide(availablePool(), contextOf(), policy, NOW)).toEqual({
        action: 'keep',
        until: NOW + 5 * MINUTE,
        reason: 'rule hands-off is off',
        rule: 'hands-off',
      });
    });
  });

  describe('which rule applies', () => {
    it('applies the first rule that matches, not a later one', () => {
      // Prepare
      const policy = policyOf([
        fixedRule(20 * MINUTE, { name: 'first' }),
        fixedRule(40 * MINUTE, { name: 'second' }),
      ]);

      // Act
      const decision = decide(availablePool(), contextOf(), policy, NOW);

      // Assess
      expect(decision).toMatchObject({ rule: 'first', action: 'extend', until: NOW + 15 * MINUTE });
    });

    it('skips a team rule for a pool without a team', () => {
      const policy = policyOf([
        fixedRule(20 * MINUTE, { name: 'vision', match: { team: () => true, text: 'team: *' } }),
        fixedRule(40 * MINUTE, { name: 'rest' }),
      ]);
      const { team: _team, ...withoutTeam } = availablePool();
      expect(decide(withoutTeam, contextOf(), policy, NOW).rule).toBe('rest');
    });

    it('matches on owner, instance type and every listed tag', () => {
      // Prepare
      const rule = fixedRule(20 * MINUTE, {
        name: 'bert',
        match: {
          owner: is('alice'),
          instanceType: (t) => t.startsWith('ml.g5.'),
          tags: { project: (v) => v.startsWith('bert-'), stage: is('dev') },
          text: '{ … }',
        },
      });
      const policy = policyOf([rule, fixedRule(40 * MINUTE, { name: 'rest' })]);
      const tagged = availablePool({ tags: { project: 'bert-large', stage: 'dev' } });

      // Assess
      expect(decide(tagged, contextOf(), policy, NOW).rule).toBe('bert');
      expect(decide({ ...tagged, owner: 'bob' }, contextOf(), policy, NOW).rule).toBe('rest');
      expect(
        decide({ ...tagged, instanceType: 'ml.p4d.24xlarge' }, contextOf(), policy, NOW).rule
      ).toBe('rest');
      expect(
        decide({ ...tagged, tags: { project: 'bert-large' } }, contextOf(), policy, NOW).rule
      ).toBe('rest');
    });

    it('does not take an inherited property for a tag', () => {
      const rule = fixedRule(20 * MINUTE, {
        name: 'odd',
        match: { tags: { constructor: () => true }, text: '{ tags: { constructor: * } }' },
      });
      const policy = policyOf([rule, fixedRule(40 * MINUTE, { name: 'rest' })]);
      expect(decide(availablePool(), contextOf(), policy, NOW).rule).toBe('rest');
    });
  });

  describe('fixed mode', () => {
    it('extends to the fixed keep-alive after the job ended', () => {
      expect(decide(availablePool(), contextOf(), policyOf(), NOW)).toEqual({
        action: 'extend',
        until: NOW + 25 * MINUTE,
        reason: 'fixed keep-alive of 30m after the job ended',
        rule: 'everyone',
      });
    });

    it('shrinks a longer keep-alive to the fixed one', () => {
      const pool = availablePool({ keepAliveSeconds: 3600 });
      expect(decide(pool, contextOf(), policyOf(), NOW)).toMatchObject({
        action: 'shrink',
        until: NOW + 25 * MINUTE,
      });
    });

    it('says so when the safety margin holds a shrink above the rule', () => {
      // Prepare: a 1-minute rule for a pool that ended just now; no shrink goes below 2 minutes.
      const pool = availablePool({ endTime: NOW, keepAliveSeconds: 3600 });

      // Act
      const decision = decide(pool, contextOf(), policyOf([fixedRule(MINUTE)]), NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'shrink', until: NOW + 2 * MINUTE });
      expect(decision.reason).toBe(
        'fixed keep-alive of 1m after the job ended; held to the 2m safety margin'
      );
    });

    it('does not claim the margin for a release or a pool kept to a sooner expiry', () => {
      // Prepare: a 10-minute rule for a job that ended 20 minutes ago; a 45-second rule for a
      // pool that ended 30 s ago and expires in a minute.
      const late = availablePool({ endTime: NOW - 20 * MINUTE, keepAliveSeconds: 3600 });
      const expiring = availablePool({ endTime: NOW - 30 * 1000, keepAliveSeconds: 90 });

      // Act
      const released = decide(late, contextOf(), policyOf([fixedRule(10 * MINUTE)]), NOW);
      const kept = decide(expiring, contextOf(), policyOf([fixedRule(45 * 1000)]), NOW);

      // Assess
      expect(released).toMatchObject({ action: 'release', until: NOW });
      expect(released.reason).not.toContain('safety margin');
      expect(kept).toMatchObject({ action: 'keep', until: NOW + MINUTE });
      expect(kept.reason).not.toContain('safety margin');
    });

    it('keeps the rule maximum when the rule names no fixed keep-alive', () => {
      const policy = policyOf([poolRule({ keepAlive: { minMs: 0, maxMs: 45 * MINUTE } })]);
      expect(decide(availablePool(), contextOf(), policy, NOW).until).toBe(NOW + 40 * MINUTE);
    });
  });

  describe('adaptive mode', () => {
    it("keeps the rule's fixed or minimum keep-alive when the instance type has no price", () => {
      // Prepare
      const policy = policyOf([adaptiveRule({ keepAlive: { minMs: 20 * MINUTE, maxMs: HOUR } })]);

      // Act
      const decision = decide(availablePool(), contextOf({ usdPerHour: undefined }), policy, NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 15 * MINUTE });
      expect(decision.reason).toContain('no price for ml.g5.2xlarge');
    });

    it('keeps a cheap pool to break-even (here the maximum) when the key has no history', () => {
      const decision = decide(availablePool(), contextOf(), policyOf([adaptiveRule()]), NOW);
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 55 * MINUTE });
      expect(decision.reason).toBe(
        'adaptive: too little history for this key, and break-even, 2h 36m 3s of idle pool, costs what one cold start does: kept to the 1h maximum'
      );
    });

    it('releases a pool at its job end without claiming it has idled', () => {
      // Prepare: every next job of this key came 50 min after the end, past break-even.
      const pool = availablePool({ endTime: NOW, keepAliveSeconds: 3600 });
      const context = contextOf({ usdPerHour: 37.69, history: historyOf(repeat(50 * MINUTE, 20)) });

      // Act
      const atEnd = decide(pool, context, policyOf([adaptiveRule()]), NOW);
      const later = decide(
        { ...pool, endTime: NOW - 5 * MINUTE },
        context,
        policyOf([adaptiveRule()]),
        NOW
      );

      // Assess
      expect(atEnd).toMatchObject({ action: 'release', until: NOW });
      expect(atEnd.reason).toBe(
        'adaptive: the next matching job is unlikely soon enough to pay for keeping it'
      );
      expect(later.reason).toBe(
        'adaptive: after 5m idle, the next matching job is unlikely soon enough to pay for keeping it'
      );
    });

    it('releases a thin-history pool when what is left of break-even is shorter than the margin', () => {
      // Prepare: 8 × $37.69/h break even after about 76 s; one job has just ended, one 30 s ago.
      const p4d = (idleMs: number) =>
        availablePool({
          instanceType: 'ml.p4d.24xlarge',
          instanceCount: 8,
          endTime: NOW - idleMs,
          keepAliveSeconds: 3600,
        });
      const run = (pool: PoolRecord) =>
        decide(pool, contextOf({ usdPerHour: 37.69 }), policyOf([adaptiveRule()]), NOW);

      // Act
      const fresh = run(p4d(0));
      const idle = run(p4d(30 * 1000));

      // Assess: keeping the 2 minutes a shrink allows would cost more than the cold start.
      expect(fresh).toMatchObject({ action: 'release', until: NOW });
      expect(fresh.reason).toMatch(
        /too little history for this key, and break-even, 1m 16s of idle pool, costs what one cold start does; that is shorter than the 2m a pool is kept at least: release$/
      );
      expect(idle).toMatchObject({ action: 'release', until: NOW });
      expect(idle.reason).toMatch(
        /; the 46s left of it is shorter than the 2m a pool is kept at least: release$/
      );
    });

    it('names the break-even it keeps to, or that keeping costs nothing', () => {
      // Prepare: 1 instance at $12/h breaks even after about 20 min; at $0/h, never.
      const pool = availablePool({ endTime: NOW, keepAliveSeconds: 3600 });
      const run = (usdPerHour: number) =>
        decide(pool, contextOf({ usdPerHour }), policyOf([adaptiveRule()]), NOW);

      // Act
      const priced = run(12);
      const free = run(0);

      // Assess
      expect(priced.reason).toMatch(
        /^adaptive: too little history for this key, so break-even: 19m 57s of idle pool costs what one cold start does$/
      );
      expect(free.reason).toBe(
        'adaptive: too little history for this key, and keeping it costs nothing: kept to the 1h maximum; the current expiry already fits'
      );
    });

    it('keeps a cheap thin-history pool to its expiry when the maximum is near', () => {
      // Prepare: break-even far beyond the 1 h maximum; the pool has 1 min of it left.
      const pool = availablePool({ endTime: NOW - 59 * MINUTE, keepAliveSeconds: 3600 });

      // Act
      const decision = decide(pool, contextOf(), policyOf([adaptiveRule()]), NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'keep', until: NOW + MINUTE });
    });

    it('releases eight idle p4d instances past their break-even of about 76 s', () => {
      // Prepare: 8 × $37.69/h; the job ended 5 minutes ago.
      const pool = availablePool({ instanceType: 'ml.p4d.24xlarge', instanceCount: 8 });

      // Act
      const decision = decide(
        pool,
        contextOf({ usdPerHour: 37.69 }),
        policyOf([adaptiveRule()]),
        NOW
      );

      // Assess
      expect(decision).toMatchObject({ action: 'release', until: NOW, rule: 'adaptive' });
    });

    it('shrinks to catch the short gaps of its key, but not below the safety margin', () => {
      // Prepare: gaps of 100 s, and a few of 3 h (the end of a burst, when keeping the pool
      // longer would not help); the job ended a minute ago and the pool would stay 10 minutes.
      const pool = availablePool({ endTime: NOW - MINUTE });
      const context = contextOf({
        history: shortGapsThenBreaks(),
      });

      // Act
      const decision = decide(pool, context, policyOf([adaptiveRule()]), NOW);

      // Assess: 2 min after the end would be NOW + 1 min; the margin holds it at NOW + 2 min.
      expect(decision).toMatchObject({ action: 'shrink', until: NOW + 2 * MINUTE });
      expect(decision.reason).toMatch(/catches \d+% of the next jobs/);
    });

    it('releases when the key only ever saw gaps longer than break-even', () => {
      // Prepare: gaps of 50 min; for 8 p4d that is far beyond break-even.
      const pool = availablePool({ instanceType: 'ml.p4d.24xlarge', instanceCount: 8 });
      const context = contextOf({ usdPerHour: 37.69, history: historyOf(repeat(50 * MINUTE, 10)) });

      // Act
      const decision = decide(pool, context, policyOf([adaptiveRule()]), NOW);

      // Assess
      expect(decision.action).toBe('release');
      expect(decision.reason).toContain('is unlikely soon enough to pay for keeping it');
    });

    it("prefers the owner's history when it has at least as many gaps as the key's", () => {
      // Prepare: the key says 50 min; the owner says 100 s.
      const pool = availablePool({ endTime: NOW - MINUTE });
      const keyHistory = historyOf(repeat(50 * MINUTE, 10));
      const policy = policyOf([adaptiveRule()]);

      // Act
      const owners = decide(
        pool,
        contextOf({
          history: keyHistory,
          ownerHistory: shortGapsThenBreaks(),
        }),
        policy,
        NOW
      );
      const keys = decide(
        pool,
        contextOf({ history: keyHistory, ownerHistory: historyOf(repeat(100_000, 4)) }),
        policy,
        NOW
      );

      // Assess
      expect(owners.action).toBe('shrink');
      expect(keys).toMatchObject({ action: 'extend', until: pool.endTime + HOUR });
    });

    it('decides a pool with a newer free pool beside it on how long such pools waited', () => {
      // Prepare: the key's next jobs came within 100 s, but pools that had a newer free pool
      // beside them waited 50 min; for 8 p4d that is far beyond break-even.
      const pool = availablePool({
        instanceType: 'ml.p4d.24xlarge',
        instanceCount: 8,
        endTime: NOW - MINUTE,
      });
      const keyHistory = historyOf(repeat(100_000, 20));
      const policy = policyOf([adaptiveRule()]);
      const base = { usdPerHour: 37.69, history: keyHistory };

      // Act
      const shadowed = decide(
        pool,
        contextOf({ ...base, shadowHistory: historyOf(repeat(50 * MINUTE, 20)) }),
        policy,
        NOW
      );
      const front = decide(pool, contextOf(base), policy, NOW);

      // Assess
      expect(shadowed).toMatchObject({ action: 'release', until: NOW });
      expect(shadowed.reason).toContain('a newer free pool of this key is handed out first');
      expect(front.action).not.toBe('release');
      expect(front.reason).not.toContain('newer free pool');
    });

    it("lends a shadowed pool the key's own history as the prior, not every key's", () => {
      // Prepare: 8 instances at $1.5/h break even after about 17 min idle. The key's next jobs
      // came within 100 s; every key's, and the owner's, after 50 min; one shadowed pool's too.
      const pool = availablePool({ instanceCount: 8, endTime: NOW - MINUTE });
      const policy = policyOf([adaptiveRule()]);
      const context = contextOf({
        history: historyOf(repeat(100_000, 20)),
        globalHistory: historyOf(repeat(50 * MINUTE, 20)),
        ownerHistory: historyOf(repeat(50 * MINUTE, 30)),
        shadowHistory: historyOf([50 * MINUTE]),
      });

      // Act
      const decision = decide(pool, context, policy, NOW);

      // Assess: kept for the key's short gaps, where every key's gaps, or the owner's, would
      // have released it; 3 min after its job ended is the first keep the 2 min margin allows,
      // and the reason names the keep it gets
      expect(decision).toMatchObject({ action: 'shrink', until: NOW + 2 * MINUTE });
      expect(decision.reason).toMatch(
        /keeping this one 3m after its job ended catches 80% of the jobs that reached such pools/
      );
    });
  });

  describe('working window', () => {
    it('releases a pool outside the working hours', () => {
      const policy = policyOf([fixedRule(30 * MINUTE, { window: LA_OFFICE_HOURS })]);
      const decision = decide(availablePool(), contextOf(), policy, NOW);
      expect(decision).toEqual({
        action: 'release',
        until: NOW,
        reason: 'outside the working hours of rule everyone: release',
        rule: 'everyone',
      });
    });

    it('shrinks a pool outside the working hours to the short tail the rule allows', () => {
      const outside: OutsideWindow = { action: 'shrink', toMs: 5 * MINUTE };
      const policy = policyOf([fixedRule(30 * MINUTE, { window: LA_OFFICE_HOURS, outside })]);
      const pool = availablePool({ keepAliveSeconds: 3600 });
      expect(decide(pool, contextOf(), policy, NOW)).toMatchObject({
        action: 'shrink',
        until: NOW + 5 * MINUTE,
      });
    });

    it('never extends a pool outside the working hours to give it the tail', () => {
      const outside: OutsideWindow = { action: 'shrink', toMs: 10 * MINUTE };
      const policy = policyOf([fixedRule(30 * MINUTE, { window: LA_OFFICE_HOURS, outside })]);
      expect(decide(availablePool(), contextOf(), policy, NOW)).toMatchObject({
        action: 'keep',
        until: NOW + 5 * MINUTE,
      });
    });

    it('cuts the target to the end of working hours when the window is closing', () => {
      // Prepare: the window shuts at 14:10, 10 minutes from now.
      const window = { ...OFFICE_HOURS, endMinute: 14 * 60 + 10 };
      const policy = policyOf([fixedRule(30 * MINUTE, { window })]);

      // Act
      const decision = decide(availablePool(), contextOf(), policy, NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 10 * MINUTE });
      expect(decision.reason).toContain('cut to the end of working hours');
    });

    it('does not lift an extension past the end of working hours to reach the margin', () => {
      // Prepare: a 5-minute margin; the window shuts at 14:03; the pool expires in 30 s.
      const window = { ...OFFICE_HOURS, endMinute: 14 * 60 + 3 };
      const policy = policyOf([fixedRule(30 * MINUTE, { window })], {
        safetyMarginMs: 5 * MINUTE,
      });
      const pool = availablePool({ endTime: NOW - 30 * 1000, keepAliveSeconds: 60 });

      // Act
      const decision = decide(pool, contextOf(), policy, NOW);

      // Assess: extended to the close, not to now + 5 min
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 3 * MINUTE });
      expect(decision.reason).not.toContain('safety margin');
    });

    it('cuts the target to the tail after the end of working hours for a shrinking rule', () => {
      const window = { ...OFFICE_HOURS, endMinute: 14 * 60 + 10 };
      const outside: OutsideWindow = { action: 'shrink', toMs: 5 * MINUTE };
      const policy = policyOf([fixedRule(30 * MINUTE, { window, outside })]);
      const decision = decide(availablePool(), contextOf(), policy, NOW);
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 15 * MINUTE });
      expect(decision.reason).toContain('cut to shortly after the end of working hours');
    });
  });

  describe('budget', () => {
    const spent = (usd: number, instanceHours = 0) => ({ spendToday: { usd, instanceHours } });

    it('releases a pool when the team has used its daily budget', () => {
      const rule = fixedRule(30 * MINUTE, {
        budget: { usdPerDay: 20, onExceeded: { action: 'release' }, timeZone: 'UTC' },
      });
      const decision = decide(availablePool(), contextOf(spent(25)), policyOf([rule]), NOW);
      expect(decision).toMatchObject({ action: 'release', until: NOW });
      expect(decision.reason).toBe(
        'team vision has used $25.00 of its $20 daily warm-pool budget: release'
      );
    });

    it('shrinks a pool over budget when the rule says so', () => {
      const rule = fixedRule(30 * MINUTE, {
        budget: {
          instanceHoursPerDay: 4,
          onExceeded: { action: 'shrink', toMs: 5 * MINUTE },
          timeZone: 'UTC',
        },
      });
      const pool = availablePool({ keepAliveSeconds: 3600 });
      const decision = decide(pool, contextOf(spent(0, 4)), policyOf([rule]), NOW);
      expect(decision).toMatchObject({ action: 'shrink', until: NOW + 5 * MINUTE });
      expect(decision.reason).toContain('4.0 of its 4 instance-hours a day');
    });

    it('cuts an extension to what is left of the daily budget', () => {
      // Prepare: $0.50 left at $1.50/h is 20 minutes.
      const rule = fixedRule(30 * MINUTE, {
        budget: { usdPerDay: 10, onExceeded: { action: 'release' }, timeZone: 'UTC' },
      });

      // Act
      const decision = decide(availablePool(), contextOf(spent(9.5)), policyOf([rule]), NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 20 * MINUTE });
      expect(decision.reason).toContain('cut to what is left of the daily budget');
    });

    it('ignores the budget when the spend is not known', () => {
      const rule = fixedRule(30 * MINUTE, {
        budget: { usdPerDay: 1, onExceeded: { action: 'release' }, timeZone: 'UTC' },
      });
      expect(decide(availablePool(), contextOf(), policyOf([rule]), NOW).action).toBe('extend');
    });
  });

  describe('bounds', () => {
    it("raises the target to the rule's minimum", () => {
      // Prepare: adaptive would release 8 p4d; the rule keeps every pool 20 minutes.
      const pool = availablePool({ instanceType: 'ml.p4d.24xlarge', instanceCount: 8 });
      const policy = policyOf([adaptiveRule({ keepAlive: { minMs: 20 * MINUTE, maxMs: HOUR } })]);

      // Act
      const decision = decide(pool, contextOf({ usdPerHour: 37.69 }), policy, NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 15 * MINUTE });
      expect(decision.reason).toContain("raised to the rule's minimum of 20m");
    });

    it("caps the target at the rule's maximum", () => {
      const policy = policyOf([
        poolRule({ keepAlive: { minMs: 0, maxMs: 40 * MINUTE, fixedMs: 50 * MINUTE } }),
      ]);
      const decision = decide(availablePool(), contextOf(), policy, NOW);
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 35 * MINUTE });
      expect(decision.reason).toContain("capped at the rule's maximum of 40m");
    });

    it('caps the target at the maximum SageMaker allows after the job end, under job-end', () => {
      // Prepare: the job ended 20 minutes ago; SageMaker allows 30 minutes here.
      const pool = availablePool({ endTime: NOW - 20 * MINUTE, keepAliveSeconds: 1500 });
      const policy = policyOf([fixedRule(HOUR)], { maxKeepAliveMs: 30 * MINUTE });

      // Act
      const decision = decide(pool, contextOf(), policy, NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'extend', until: NOW + 10 * MINUTE });
      expect(decision.reason).toContain('capped at the 30m SageMaker allows');
    });

    it('caps the target at the maximum SageMaker allows from now, under update-time', () => {
      const pool = availablePool({ endTime: NOW - 20 * MINUTE, keepAliveSeconds: 1500 });
      const policy = policyOf([fixedRule(HOUR)], {
        maxKeepAliveMs: 30 * MINUTE,
        keepAliveAnchor: 'update-time',
      });
      expect(decide(pool, contextOf(), policy, NOW)).toMatchObject({
        action: 'extend',
        until: NOW + 30 * MINUTE,
      });
    });
  });

  describe('safety margin and churn', () => {
    it('never shrinks a pool to end sooner than now + the safety margin', () => {
      // Prepare: fixed 5 min after an end 4 minutes ago would be NOW + 1 min.
      const pool = availablePool({ endTime: NOW - 4 * MINUTE, keepAliveSeconds: 3600 });
      const decision = decide(pool, contextOf(), policyOf([fixedRule(5 * MINUTE)]), NOW);
      expect(decision).toMatchObject({ action: 'shrink', until: NOW + 2 * MINUTE });
    });

    it('does not extend a pool past its fixed keep-alive to honour the margin (regression)', () => {
      // Prepare: fixed (and max) 10 min; the pool ends at exactly that, 1 min from now.
      const pool = availablePool({ endTime: NOW - 9 * MINUTE, keepAliveSeconds: 600 });
      const rule = poolRule({ keepAlive: { minMs: 0, maxMs: 10 * MINUTE, fixedMs: 10 * MINUTE } });

      // Act
      const decision = decide(
        pool,
        contextOf(),
        policyOf([rule], { safetyMarginMs: 5 * MINUTE }),
        NOW
      );

      // Assess: the old engine extended it to NOW + 5 min, 14 min after the end.
      expect(decision).toMatchObject({ action: 'keep', until: pool.expiresAt });
    });

    it('lifts an extension to the margin, but only as far as the rule maximum', () => {
      // Prepare: the pool ends in 30 s; fixed 4 min after an end 1 min ago is NOW + 3 min.
      const pool = availablePool({ endTime: NOW - MINUTE, keepAliveSeconds: 90 });
      const settings = { safetyMarginMs: 5 * MINUTE };
      const roomy = poolRule({ keepAlive: { minMs: 0, maxMs: HOUR, fixedMs: 4 * MINUTE } });
      const tight = poolRule({ keepAlive: { minMs: 0, maxMs: 4 * MINUTE, fixedMs: 4 * MINUTE } });

      // Act
      const lifted = decide(pool, contextOf(), policyOf([roomy], settings), NOW);
      const bounded = decide(pool, contextOf(), policyOf([tight], settings), NOW);

      // Assess
      expect(lifted).toMatchObject({ action: 'extend', until: NOW + 5 * MINUTE });
      expect(bounded).toMatchObject({ action: 'extend', until: NOW + 3 * MINUTE });
    });

    it.each([
      ['45 s later', 45_000],
      ['45 s sooner', -45_000],
      ['exactly 60 s later', 60_000],
    ])('keeps a pool whose expiry is %s than the target', (_name, offset) => {
      // Prepare: the target is NOW + 25 min (fixed 30 min).
      const pool = { ...availablePool(), expiresAt: NOW + 25 * MINUTE + offset };

      // Act
      const decision = decide(pool, contextOf(), policyOf(), NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'keep', until: pool.expiresAt });
      expect(decision.reason).toContain('the current expiry already fits');
    });

    it('acts once the target is more than 60 s from the expiry', () => {
      const later = { ...availablePool(), expiresAt: NOW + 25 * MINUTE + 61_000 };
      const sooner = { ...availablePool(), expiresAt: NOW + 25 * MINUTE - 61_000 };
      expect(decide(later, contextOf(), policyOf(), NOW).action).toBe('shrink');
      expect(decide(sooner, contextOf(), policyOf(), NOW).action).toBe('extend');
    });
  });

  describe('warning before a release', () => {
    const warned = (warnBeforeReleaseMs: number) =>
      policyOf([fixedRule(30 * MINUTE, { window: LA_OFFICE_HOURS, warnBeforeReleaseMs })]);

    it('turns a release into a shrink to now + the warning time, with a warning', () => {
      const pool = availablePool({ keepAliveSeconds: 3600 });
      expect(decide(pool, contextOf(), warned(10 * MINUTE), NOW)).toEqual({
        action: 'shrink',
        until: NOW + 10 * MINUTE,
        warning: true,
        reason:
          'outside the working hours of rule everyone: release, announced to the owner 10m ahead',
        rule: 'everyone',
      });
    });

    it('keeps a pool that expires within the warning time anyway', () => {
      const decision = decide(availablePool(), contextOf(), warned(10 * MINUTE), NOW);
      expect(decision).toMatchObject({ action: 'keep', until: NOW + 5 * MINUTE });
      expect(decision.reason).toContain('it expires within the warning time anyway');
    });

    it('keeps a pool that would end within a minute of the warned time anyway (regression)', () => {
      // Prepare: the old engine shrank it by 30 s, calling UpdateTrainingJob for nothing.
      const pool = { ...availablePool(), expiresAt: NOW + 10 * MINUTE + 30_000 };

      // Act
      const decision = decide(pool, contextOf(), warned(10 * MINUTE), NOW);

      // Assess
      expect(decision).toMatchObject({ action: 'keep', until: pool.expiresAt });
    });

    it('releases once the owner was warned for a release due now', () => {
      const pool = availablePool({ keepAliveSeconds: 3600, releaseWarnedFor: NOW + 30_000 });
      expect(decide(pool, contextOf(), warned(10 * MINUTE), NOW)).toMatchObject({
        action: 'release',
        until: NOW,
      });
    });

    it('does not release early when the warned release is still ahead', () => {
      const pool = {
        ...availablePool(),
        expiresAt: NOW + 8 * MINUTE,
        releaseWarnedFor: NOW + 8 * MINUTE,
      };
      expect(decide(pool, contextOf(), warned(10 * MINUTE), NOW).action).toBe('keep');
    });

    it('announces the end the margin allows when the warning time is shorter (regression)', () => {
      // Prepare: a 1-minute warning under a 2-minute margin; SageMaker would keep it 2 minutes.
      const pool = availablePool({ keepAliveSeconds: 3600 });
      expect(decide(pool, contextOf(), warned(MINUTE), NOW)).toMatchObject({
        action: 'shrink',
        until: NOW + 2 * MINUTE,
        warning: true,
      });
    });
  });

  it('decides on a policy compiled from the config an admin writes', () => {
    // Prepare
    const parsed = parseConfig(
      `version: 1
owners:
  fallback: platform
directory:
  platform: { email: ml-platform@example.com }
  vision: { email: vision-ml@example.com }
  nlp: { email: nlp@example.com }
settings:
  dryRun: false
  safetyMargin: 2m
  leadTime: 10m
rules:
  - name: vision-gpu
    match: { team: vision, instanceType: "ml.g5.*" }
    mode: fixed
    keepAlive: { fixed: 20m }
    window: { days: [Mon-Fri], hours: "09:00-17:00", timeZone: America/Los_Angeles }
    outside: release
    warnBeforeRelease: 5m
  - name: rest
    match: {}
    mode: fixed
    keepAlive: { fixed: 20m }
`,
      'warden.config.yaml'
    );
    if (!parsed.ok) throw new Error(parsed.issues.join('\n'));
    const policy = compilePolicy(parsed.config);

    // Act
    const vision = decide(availablePool({ keepAliveSeconds: 3600 }), contextOf(), policy, NOW);
    const nlp = decide(availablePool({ team: 'nlp' }), contextOf(), policy, NOW);

    // Assess: 06:00 in Los Angeles, so the vision rule warns before releasing.
    expect(vision).toMatchObject({ rule: 'vision-gpu', action: 'shrink', warning: true });
    expect(vision.until).toBe(NOW + 5 * MINUTE);
    expect(nlp).toMatchObject({ rule: 'rest', action: 'extend', until: NOW + 15 * MINUTE });
  });
});

// --- Properties ------------------------------------------------------------------------------

const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Kolkata', 'Australia/Sydney'];

const arbNow = fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2027, 11, 31) });

const arbSettings = (): fc.Arbitrary<Partial<StewardSettings>> =>
  fc.record({
    keepAliveAnchor: fc.constantFrom('job-end' as const, 'update-time' as const),
    maxKeepAliveMs: fc.integer({ min: 60, max: 21_600 }).map((s) => s * 1000),
    safetyMarginMs: fc.integer({ min: 0, max: 10 * MINUTE }),
    valueOfTimeUsdPerHour: fc.double({ min: 0, max: 500, noNaN: true }),
    coldStartBilledSeconds: fc.integer({ min: 0, max: 600 }),
    coldStartWaitSeconds: fc.integer({ min: 0, max: 600 }),
  });

const arbOutside: fc.Arbitrary<OutsideWindow> = fc.oneof(
  fc.constant({ action: 'release' as const }),
  fc.integer({ min: 0, max: HOUR }).map((toMs) => ({ action: 'shrink' as const, toMs }))
);

const arbWindow: fc.Arbitrary<WorkingWindow> = fc
  .record({
    days: fc.uniqueArray(fc.integer({ min: 0, max: 6 }), { maxLength: 7 }),
    startMinute: fc.integer({ min: 0, max: 1439 }),
    endMinute: fc.integer({ min: 1, max: 1440 }),
    timeZone: fc.constantFrom(...ZONES),
  })
  .filter((w) => w.startMinute !== w.endMinute)
  .map((w) => ({ ...w, holidays: [] }));

const arbRule = (name: string): fc.Arbitrary<PoolRule> =>
  fc.record(
    {
      name: fc.constant(name),
      match: fc.oneof(
        fc.constant({ text: '{}' }),
        fc.constant({ team: is('vision'), text: '{ team: vision }' }),
        fc.constant({ tags: { project: is('bert') }, text: '{ tags: { project: bert } }' })
      ),
      mode: fc.constantFrom('adaptive' as const, 'fixed' as const, 'off' as const),
      keepAlive: fc.record(
        {
          minMs: fc.integer({ min: 0, max: 2 * HOUR }),
          maxMs: fc.integer({ min: 0, max: 6 * HOUR }),
          fixedMs: fc.integer({ min: 0, max: 6 * HOUR }),
        },
        { requiredKeys: ['minMs', 'maxMs'] }
      ),
      window: arbWindow,
      outside: arbOutside,
      budget: fc.record(
        {
          usdPerDay: fc.double({ min: 0, max: 500, noNaN: true }),
          instanceHoursPerDay: fc.double({ min: 0, max: 100, noNaN: true }),
          onExceeded: arbOutside,
          timeZone: fc.constantFrom(...ZONES),
        },
        { requiredKeys: ['onExceeded', 'timeZone'] }
      ),
      warnBeforeReleaseMs: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 15 * MINUTE })),
    },
    { requiredKeys: ['name', 'match', 'mode', 'keepAlive', 'outside', 'warnBeforeReleaseMs'] }
  );

const arbPolicy: fc.Arbitrary<Policy> = fc
  .tuple(fc.array(fc.nat(), { minLength: 0, maxLength: 3 }), arbSettings())
  .chain(([names, settings]) =>
    fc.tuple(...names.map((_, i) => arbRule(`rule-${i}`))).map((rules) => policyOf(rules, settings))
  );

const arbGaps = fc.array(fc.integer({ min: 0, max: 8 * HOUR }), { maxLength: 30 });

const arbContext = (now: number): fc.Arbitrary<DecisionContext> =>
  fc.record(
    {
      history: arbGaps.map((gaps) => historyOf(gaps, now - HOUR)),
      ownerHistory: arbGaps.map((gaps) => historyOf(gaps, now - HOUR)),
      shadowHistory: arbGaps.map((gaps) => historyOf(gaps, now - HOUR)),
      chain: fc.record({
        kind: fc.constantFrom('rescue' as const, 'chain' as const),
        gaps: arbGaps.map((gaps) => historyOf(gaps, now - HOUR)),
        neverShare: fc.double({ min: 0, max: 20, noNaN: true }),
        endShiftMs: fc.constantFrom(0, 117_000),
        coldStartsSaved: fc.double({ min: 1, max: 1000, noNaN: true }),
        linkedShare: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
      }),
      usdPerHour: fc.double({ min: 0.05, max: 50, noNaN: true }),
      spendToday: fc.record({
        usd: fc.double({ min: 0, max: 600, noNaN: true }),
        instanceHours: fc.double({ min: 0, max: 120, noNaN: true }),
      }),
    },
    { requiredKeys: ['history'] }
  );

const arbPool = (now: number): fc.Arbitrary<PoolRecord> =>
  fc
    .record({
      state: fc.constantFrom<PoolState>(
        'Available',
        'Available',
        'Available',
        'InUse',
        'Reused',
        'Terminated'
      ),
      sinceEnd: fc.oneof(
        fc.integer({ min: 0, max: 20 * MINUTE }),
        fc.integer({ min: 0, max: 8 * HOUR })
      ),
      // Often within minutes of now, where the margin and the no-change tolerance bite.
      expiresIn: fc.oneof(
        fc.integer({ min: -MINUTE, max: 15 * MINUTE }),
        fc.integer({ min: -HOUR, max: 6 * HOUR })
      ),
      instanceCount: fc.integer({ min: 1, max: 16 }),
      team: fc.option(fc.constantFrom('vision', 'nlp'), { nil: undefined }),
      tags: fc.constantFrom<Record<string, string>>(
        {},
        { project: 'bert' },
        { [OPT_OUT_TAG]: 'false' },
        { [OPT_OUT_TAG]: 'true' }
      ),
      override: fc.boolean(),
      warnedIn: fc.option(fc.integer({ min: -HOUR, max: HOUR }), { nil: undefined }),
    })
    .map(({ state, sinceEnd, expiresIn, instanceCount, team, tags, override, warnedIn }) => {
      const { team: _team, ...pool } = availablePool({
        state,
        endTime: now - sinceEnd,
        instanceCount,
        tags,
      });
      return {
        ...pool,
        ...(team === undefined ? {} : { team }),
        expiresAt: now + expiresIn,
        ...(override
          ? { humanOverride: { at: now - MINUTE, by: 'bob', keepAliveSeconds: 60 } }
          : {}),
        ...(warnedIn === undefined ? {} : { releaseWarnedFor: now + warnedIn }),
      };
    });

const arbCase = arbNow.chain((now) =>
  fc.record({
    now: fc.constant(now),
    pool: arbPool(now),
    context: arbContext(now),
    policy: arbPolicy,
  })
);

describe('decide: chains (a job following the one before closer than a cold start)', () => {
  // 2 × ml.p4d.24xlarge: break-even is 3m 36s; the key's jobs take an older pool 562 s after it
  // freed, which never pays for one cold start.
  const pool = availablePool({
    instanceType: 'ml.p4d.24xlarge',
    instanceCount: 2,
    endTime: NOW,
    keepAliveSeconds: 3600,
  });
  const policy = policyOf([adaptiveRule()]);
  const base = { usdPerHour: 37.69, history: historyOf(repeat(562_000, 20)) };
  const rescue = (overrides: Partial<ChainOutlook> = {}): ChainOutlook => ({
    kind: 'rescue',
    gaps: historyOf(repeat(562_000, 10)),
    neverShare: 0.2,
    endShiftMs: 0,
    coldStartsSaved: 10,
    linkedShare: 0.9,
    ...overrides,
  });

  it('keeps a pool to rescue a cold chain that a single gap would let go', () => {
    expect(decide(pool, contextOf(base), policy, NOW).action).toBe('release');
    const decision = decide(pool, contextOf({ ...base, chain: rescue() }), policy, NOW);
    expect(decision).toMatchObject({ action: 'shrink', until: NOW + 10 * MINUTE });
    expect(decision.reason).toBe(
      "adaptive: this key's jobs run in chains (90% follow the one before closer than a cold start) and its running job started cold, so its next job can start warm only on an older pool; keeping it 10m after the job ended is the lowest expected cost: it would have caught 100% of the jobs that took such pools, each saving 10.0 cold starts down the chain"
    );
  });

  it('lets the pool go when the chain behind the rescue is too short to pay for it', () => {
    const decision = decide(
      pool,
      contextOf({
        ...base,
        chain: rescue({ coldStartsSaved: 1.2, linkedShare: 0.2, neverShare: 4 }),
      }),
      policy,
      NOW
    );
    expect(decision.action).toBe('release');
    expect(decision.reason).not.toContain('chains');
  });

  it("keeps the latest job's pool for the next job of a warm chain, measured from its warm end", () => {
    const chain = rescue({
      kind: 'chain',
      gaps: historyOf(repeat(150_000, 40)),
      neverShare: 0,
      coldStartsSaved: 1,
      linkedShare: 0.6,
    });
    const warm = decide(pool, contextOf({ ...base, chain }), policy, NOW);
    expect(warm).toMatchObject({ action: 'shrink', until: NOW + 3 * MINUTE });
    expect(warm.reason).toMatch(
      /^adaptive: this key's jobs run in chains \(60% follow the one before closer than a cold start\); keeping it 3m after the job ended is the lowest expected cost: it would have caught 100% of the jobs that followed such a job$/
    );
    // After a cold start the job ended Δ late: the same next job is Δ nearer. Keeps shorter than
    // the margin are not on offer, so the keep is the 4m edge, counted from the warm end.
    const cold = decide(
      pool,
      contextOf({ ...base, chain: { ...chain, endShiftMs: 117_000 } }),
      policy,
      NOW
    );
    expect(cold).toMatchObject({ action: 'shrink', until: NOW + 4 * MINUTE - 117_000 });
  });

  it("only ever lengthens a keep: a longer keep of the key's own gaps stands", () => {
    const history = historyOf(repeat(40 * MINUTE, 20));
    const own = decide(pool, contextOf({ usdPerHour: 1.5, history }), policy, NOW);
    const chained = decide(
      pool,
      contextOf({ usdPerHour: 1.5, history, chain: rescue() }),
      policy,
      NOW
    );
    expect(chained).toEqual(own);
  });

  it('leaves a pool behind a newer free one to the shadow history', () => {
    const shadowHistory = historyOf(repeat(3 * HOUR, 20));
    const shadowed = decide(pool, contextOf({ ...base, shadowHistory }), policy, NOW);
    expect(
      decide(pool, contextOf({ ...base, shadowHistory, chain: rescue() }), policy, NOW)
    ).toEqual(shadowed);
  });
});

describe('decide, for any pool, policy, history and time', () => {
  it('never throws and always gives a well-formed decision', () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const decision = decide(pool, context, policy, now);
        expect(['keep', 'extend', 'shrink', 'release']).toContain(decision.action);
        expect(Number.isFinite(decision.until)).toBe(true);
        expect(decision.reason.length).toBeGreaterThan(0);
        expect(decision.reason).not.toMatch(/NaN|undefined|Infinity/);
      }),
      { numRuns: 300 }
    );
  });

  it('never acts on a pool that is not Available, is opted out or set by hand', () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const decision = decide(pool, context, policy, now);
        if (
          pool.state !== 'Available' ||
          pool.tags[OPT_OUT_TAG] === 'false' ||
          pool.humanOverride !== undefined
        ) {
          expect(decision).toMatchObject({ action: 'keep', until: pool.expiresAt });
        }
      }),
      { numRuns: 300 }
    );
  });

  it('keeps at the current expiry, releases only at now, and warns only with a shrink', () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const decision = decide(pool, context, policy, now);
        if (decision.action === 'keep') expect(decision.until).toBe(pool.expiresAt);
        if (decision.action === 'release') expect(decision.until).toBe(now);
        if (decision.until === now && decision.action !== 'keep') {
          expect(decision.action).toBe('release');
        }
        if (decision.warning === true) expect(decision.action).toBe('shrink');
      }),
      { numRuns: 300 }
    );
  });

  it('shrinks to no sooner than now + margin, and only by more than a minute', () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const decision = decide(pool, context, policy, now);
        if (decision.action !== 'shrink') return;
        expect(decision.until).toBeGreaterThanOrEqual(now + policy.settings.safetyMarginMs);
        expect(decision.until).toBeLessThan(pool.expiresAt - 60_000);
      }),
      { numRuns: 600 }
    );
  });

  it("extends to no later than the rule's maximum and what SageMaker can reach", () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const decision = decide(pool, context, policy, now);
        if (decision.action !== 'extend') return;
        const rule = policy.rules.find((r) => r.name === decision.rule);
        if (rule === undefined) throw new Error(`extended without a rule: ${decision.reason}`);
        const reachable = latestReachable(pool.endTime, now, policy.settings);
        const ceiling = Math.min(pool.endTime + rule.keepAlive.maxMs, reachable);
        expect(decision.until).toBeGreaterThan(pool.expiresAt + 60_000);
        expect(decision.until).toBeLessThanOrEqual(ceiling);
        // The margin holds for an extension too, unless a maximum is sooner.
        expect(decision.until).toBeGreaterThanOrEqual(
          Math.min(now + policy.settings.safetyMarginMs, ceiling)
        );
      }),
      { numRuns: 600 }
    );
  });

  it('gives a target the keep-alive conversion never turns into an end before the margin', () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const decision = decide(pool, context, policy, now);
        if (decision.action === 'keep') return;
        const update = keepAliveForTarget(pool.endTime, decision.until, now, policy.settings);
        if (decision.action === 'release') expect(update.kind).toBe('release');
        else expect(update.kind).not.toBe('release');
        if (update.kind === 'set') {
          expect(update.expiresAt).toBeGreaterThanOrEqual(now + policy.settings.safetyMarginMs);
        }
      }),
      { numRuns: 300 }
    );
  });

  it('is deterministic: the same inputs give the same decision', () => {
    fc.assert(
      fc.property(arbCase, ({ pool, context, policy, now }) => {
        const copy = structuredClone({ pool, context, now });
        expect(decide(copy.pool, copy.context, policy, copy.now)).toEqual(
          decide(pool, context, policy, now)
        );
      }),
      { numRuns: 300 }
    );
  });
});
