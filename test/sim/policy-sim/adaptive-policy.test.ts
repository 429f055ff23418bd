import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/policy/decision.js';
import type { PoolRule } from '../../../src/domain/policy/policy.js';
import {
  adaptiveStewardPolicy,
  createAdaptivePolicy,
} from '../../../src/sim/policy-sim/adaptive-policy.js';
import { runPolicy } from '../../../src/sim/policy-sim/engine.js';
import type { SimRunSettings } from '../../../src/sim/policy-sim/sim-policy.js';
import type { TraceJob } from '../../../src/sim/trace/trace.js';
import { job, PRICES, SETTINGS, trace } from './sim-fixtures.js';

const MIN = 60_000;

function fixedRule(name: string, match: PoolRule['match'], fixedMs: number): PoolRule {
  return {
    name,
    match,
    mode: 'fixed',
    keepAlive: { minMs: 0, maxMs: 3_600_000, fixedMs },
    outside: { action: 'release' },
    warnBeforeReleaseMs: 0,
  };
}

/** Runs the adaptive policy under `rules` and answers the rule of each key's first decision. */
function firstRuleByKey(rules: readonly PoolRule[], ...jobs: TraceJob[]): Map<string, string> {
  const settings: SimRunSettings = {
    ...SETTINGS,
    policy: { ...adaptiveStewardPolicy(SETTINGS), rules },
  };
  const rulesByKey = new Map<string, string>();
  const onDecision = (pool: { key: string }, decision: Decision) => {
    if (!rulesByKey.has(pool.key)) rulesByKey.set(pool.key, decision.rule ?? '(none)');
  };
  runPolicy(trace(...jobs), createAdaptivePolicy(settings, { onDecision }), settings, {
    prices: PRICES,
  });
  return rulesByKey;
}

/** The fixture's job without a team (the fixture gives every job one). */
function teamless(atS: number, key: string): TraceJob {
  const { team: _team, ...rest } = job(atS, 100, { key });
  return rest;
}

describe('the adaptive policy in policy mode', () => {
  // A pool's view carries its team and account only when the job has them.
  it('matches each pool on its own team, not on the team of the pool decided before', () => {
    const rules = [
      fixedRule('vision', { text: 'team: vision', team: (t) => t === 'vision' }, 30 * MIN),
      fixedRule('rest', { text: '{}' }, 5 * MIN),
    ];

    const byKey = firstRuleByKey(rules, job(0, 100, { key: 'a' }), teamless(10, 'b'));

    expect(byKey).toEqual(
      new Map([
        ['a', 'vision'],
        ['b', 'rest'],
      ])
    );
  });

  it('matches each pool on its own account, not on the account of the pool decided before', () => {
    const rules = [
      fixedRule('prod', { text: 'account: prod', account: (a) => a === '111122223333' }, 30 * MIN),
      fixedRule('rest', { text: '{}' }, 5 * MIN),
    ];

    const byKey = firstRuleByKey(
      rules,
      job(0, 100, { key: 'a', account: '111122223333' }),
      job(10, 100, { key: 'b' })
    );

    expect(byKey).toEqual(
      new Map([
        ['a', 'prod'],
        ['b', 'rest'],
      ])
    );
  });
});
