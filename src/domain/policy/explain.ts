import { poolAccount } from '../pool/pool-record.js';
import type { MatchView } from './decide.js';
import type { Policy, PoolRule } from './policy.js';

/** One rule's verdict on a pool, for `warden policy explain`. */
interface RuleMatchResult {
  readonly rule: string;
  /** The rule's `match:` as written in the config. */
  readonly matchText: string;
  readonly matched: boolean;
  /** The first criterion the pool failed (criteria are checked as `decide` checks them). */
  readonly failed?: {
    /** `team`, `owner`, `instanceType`, `account` or `tags.<key>`. */
    readonly criterion: string;
    /** The pool's value; absent when the pool has none (no team, no such tag). */
    readonly value?: string;
    /** One sentence: `owner "alice" does not match`. */
    readonly why: string;
  };
}

/**
 * Every rule's verdict on the pool, in policy order, each failure naming the first criterion
 * that failed. Agrees with `ruleMatches` in `decide`: the first matched rule is the one
 * `decide` applies (before that, `decide` may leave the pool alone for reasons of its own: not
 * Available, opted out, set by hand).
 *
 * @example
 * explainRules(policy, pool).map((r) => r.failed?.why ?? 'matches');
 * // ['owner "alice" does not match', 'matches', 'team: the pool has no team']
 */
function explainRules(policy: Policy, pool: MatchView): RuleMatchResult[] {
  return policy.rules.map((rule) => {
    const failed = firstFailure(rule, pool);
    return {
      rule: rule.name,
      matchText: rule.match.text,
      matched: failed === undefined,
      ...(failed === undefined ? {} : { failed }),
    };
  });
}

function firstFailure(rule: PoolRule, pool: MatchView): RuleMatchResult['failed'] {
  const { match } = rule;
  if (match.team !== undefined) {
    if (pool.team === undefined) return { criterion: 'team', why: 'team: the pool has no team' };
    if (!match.team(pool.team)) return mismatch('team', pool.team);
  }
  if (match.owner !== undefined && !match.owner(pool.owner)) return mismatch('owner', pool.owner);
  if (match.instanceType !== undefined && !match.instanceType(pool.instanceType)) {
    return mismatch('instanceType', pool.instanceType);
  }
  if (match.account !== undefined) {
    const account = poolAccount(pool);
    if (account === undefined) return { criterion: 'account', why: 'account: the pool has none' };
    if (!match.account(account)) return mismatch('account', account);
  }
  for (const [key, matcher] of Object.entries(match.tags ?? {})) {
    const value = Object.hasOwn(pool.tags, key) ? pool.tags[key] : undefined;
    if (value === undefined) {
      return { criterion: `tags.${key}`, why: `tags.${key}: the job has no such tag` };
    }
    if (!matcher(value)) return mismatch(`tags.${key}`, value);
  }
  return undefined;
}

function mismatch(criterion: string, value: string): NonNullable<RuleMatchResult['failed']> {
  return { criterion, value, why: `${criterion} "${value}" does not match` };
}

export type { RuleMatchResult };
export { explainRules };
