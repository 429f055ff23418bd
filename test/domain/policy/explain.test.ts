import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import { ruleMatches } from '../../../src/domain/policy/decide.js';
import { explainRules } from '../../../src/domain/policy/explain.js';
import type { Policy } from '../../../src/domain/policy/policy.js';
import { availablePool } from '../../helpers/steward-builders.js';

/** Rules that each test one criterion, in the order `decide` checks them. */
const POLICY_YAML = `version: 1
owners: { fallback: ops@example.com }
directory:
  vision: { email: vision@example.com }
  alice: { email: alice@example.com, team: vision }
rules:
  - name: vision-team
    match: { team: vision }
    mode: fixed
    keepAlive: { fixed: 10m }
  - name: alice-g5
    match: { owner: alice, instanceType: "ml.g5.*" }
    mode: fixed
    keepAlive: { fixed: 10m }
  - name: llm
    match: { tags: { project: llm, stage: "prod*" } }
    mode: 'off'
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { fixed: 5m }
`;

function policy(): Policy {
  const parsed = parseConfig(POLICY_YAML, 'explain.yaml');
  if (!parsed.ok) throw new Error(parsed.issues.join('\n'));
  return compilePolicy(parsed.config);
}

describe('explainRules', () => {
  it('names the first failing criterion of each rule and marks the ones that match', () => {
    // Prepare
    const pool = availablePool({
      owner: 'alice',
      team: 'nlp',
      instanceType: 'ml.p4d.24xlarge',
      tags: { project: 'llm', stage: 'dev' },
    });

    // Act
    const results = explainRules(policy(), pool);

    // Assess
    expect(results).toEqual([
      {
        rule: 'vision-team',
        matchText: '{ team: vision }',
        matched: false,
        failed: { criterion: 'team', value: 'nlp', why: 'team "nlp" does not match' },
      },
      {
        rule: 'alice-g5',
        matchText: '{ owner: alice, instanceType: ml.g5.* }',
        matched: false,
        failed: {
          criterion: 'instanceType',
          value: 'ml.p4d.24xlarge',
          why: 'instanceType "ml.p4d.24xlarge" does not match',
        },
      },
      {
        rule: 'llm',
        matchText: '{ tags: { project: llm, stage: prod* } }',
        matched: false,
        failed: { criterion: 'tags.stage', value: 'dev', why: 'tags.stage "dev" does not match' },
      },
      { rule: 'everyone', matchText: '{}', matched: true },
    ]);
  });

  it('says a pool without a team or a tag has none, rather than that it differs', () => {
    // Prepare
    const pool = availablePool({ owner: 'bob', team: undefined, tags: {} });

    // Act
    const [team, , llm] = explainRules(policy(), pool);

    // Assess
    expect(team?.failed).toEqual({ criterion: 'team', why: 'team: the pool has no team' });
    expect(llm?.failed).toEqual({
      criterion: 'tags.project',
      why: 'tags.project: the job has no such tag',
    });
  });

  it('never reads an inherited property as a tag', () => {
    const pool = availablePool({ tags: {} });

    const [, , llm] = explainRules(policy(), { ...pool, tags: Object.create({ project: 'llm' }) });

    expect(llm?.matched).toBe(false);
  });

  it('agrees with decide on every rule: matched exactly when ruleMatches says so', () => {
    const compiled = policy();
    const pools = fc.record({
      owner: fc.constantFrom('alice', 'bob', 'vision'),
      team: fc.option(fc.constantFrom('vision', 'nlp'), { nil: undefined }),
      instanceType: fc.constantFrom('ml.g5.xlarge', 'ml.p4d.24xlarge', 'ml.g6.xlarge'),
      tags: fc.dictionary(
        fc.constantFrom('project', 'stage', 'owner'),
        fc.constantFrom('llm', 'prod', 'prod-eu', 'dev', '')
      ),
    });

    fc.assert(
      fc.property(pools, (view) => {
        const pool = availablePool(view);
        const results = explainRules(compiled, pool);
        expect(results.map((r) => r.matched)).toEqual(
          compiled.rules.map((rule) => ruleMatches(rule, pool))
        );
        for (const r of results) expect(r.matched).toBe(r.failed === undefined);
      })
    );
  });
});
