import { describe, expect, it } from 'vitest';
import type { Policy, PoolRule, RuleMatch } from '../../../src/domain/policy/policy.js';
import {
  makeTrace,
  type TraceJob,
  traceTagKeys,
  unevaluableRules,
} from '../../../src/sim/trace/trace.js';

const any = () => true;

function rule(name: string, match: Omit<RuleMatch, 'text'>): PoolRule {
  return {
    name,
    match: { ...match, text: name },
    mode: 'adaptive',
    keepAlive: { minMs: 0, maxMs: 3_600_000 },
    outside: { action: 'release' },
    warnBeforeReleaseMs: 0,
  };
}

function policy(...rules: PoolRule[]): Policy {
  return {
    settings: {
      dryRun: true,
      maxActionsPerRun: 20,
      maxActionsPerHour: 60,
      keepAliveAnchor: 'job-end',
      maxKeepAliveMs: 3_600_000,
      leadTimeMs: 600_000,
      revisitEveryMs: 0,
      safetyMarginMs: 60_000,
      auditRetentionDays: 30,
      valueOfTimeUsdPerHour: 60,
      coldStartBilledSeconds: 60,
      coldStartWaitSeconds: 120,
    },
    rules,
  };
}

function job(submitTime: number, extra: Partial<TraceJob> = {}): TraceJob {
  return {
    submitTime,
    durationMs: 60_000,
    key: 'k',
    instanceType: 'ml.m5.xlarge',
    instanceCount: 1,
    ...extra,
  };
}

describe('makeTrace', () => {
  it('sorts by submit time and keeps the input order of ties', () => {
    const trace = makeTrace(
      [job(3, { key: 'c' }), job(1, { key: 'a1' }), job(1, { key: 'a2' }), job(2, { key: 'b' })],
      'test',
      []
    );

    expect(trace.jobs.map((j) => j.key)).toEqual(['a1', 'a2', 'b', 'c']);
  });
});

describe('traceTagKeys', () => {
  it('lists every tag key any job carries, sorted', () => {
    const trace = makeTrace(
      [job(1, { tags: { project: 'x', env: 'dev' } }), job(2), job(3, { tags: { city: 'oslo' } })],
      'test',
      []
    );

    expect(traceTagKeys(trace)).toEqual(['city', 'env', 'project']);
  });
});

describe('unevaluableRules', () => {
  it('names a rule whose tags no job carries, and a rule on team or owner the trace lacks', () => {
    // Prepare
    const trace = makeTrace([job(1, { tags: { project: 'x' } })], 'jobs.csv', []);
    const rules = policy(
      rule('by-project', { tags: { project: any } }),
      rule('by-cost-centre', { tags: { project: any, 'cost-centre': any } }),
      rule('by-team', { team: any, instanceType: any }),
      rule('by-owner', { owner: any }),
      rule('by-type', { instanceType: any })
    );

    // Act
    const warnings = unevaluableRules(rules, trace);

    // Assess
    expect(warnings).toEqual([
      'rule "by-cost-centre" cannot be evaluated on jobs.csv: it matches on tag "cost-centre" (no job carries it), so it matches no job of this trace',
      'rule "by-team" cannot be evaluated on jobs.csv: it matches on team (no job has a team), so it matches no job of this trace',
      'rule "by-owner" cannot be evaluated on jobs.csv: it matches on owner (no job has an owner), so it matches no job of this trace',
    ]);
  });

  it('names a rule on an account when no job has one, every missing field in one warning', () => {
    // Prepare
    const bare = makeTrace([job(1)], 'jobs.csv', []);
    const withAccount = makeTrace([job(1), job(2, { account: '111122223333' })], 'jobs.csv', []);
    const rules = policy(rule('by-account', { account: any, team: any }));

    // Act and assess
    expect(unevaluableRules(rules, bare)).toEqual([
      'rule "by-account" cannot be evaluated on jobs.csv: it matches on team (no job has a team), account (no job has an account), so it matches no job of this trace',
    ]);
    expect(unevaluableRules(rules, withAccount)).toEqual([
      'rule "by-account" cannot be evaluated on jobs.csv: it matches on team (no job has a team), so it matches no job of this trace',
    ]);
  });

  it("takes owners and teams from a config's owner chain: every job has an owner, a team if one is given", () => {
    // Prepare: a trace of bare jobs, two keys; the chain ends at a fallback contact
    const trace = makeTrace([job(1), job(2, { key: 'k2' })], 'jobs.csv', []);
    const rules = policy(rule('by-team', { team: any }), rule('by-owner', { owner: any }));
    const noTeams = () => ({});
    const oneTeam = (j: TraceJob) => (j.key === 'k2' ? { team: 'nlp' } : {});

    // Act and assess: owner rules always evaluate; team rules once any job's owner has a team
    expect(unevaluableRules(rules, trace, noTeams)).toEqual([
      `rule "by-team" cannot be evaluated on jobs.csv: it matches on team (the config's directory gives no owner of this trace a team), so it matches no job of this trace`,
    ]);
    expect(unevaluableRules(rules, trace, oneTeam)).toEqual([]);
  });

  it('finds nothing to warn about when the trace carries what every rule matches on', () => {
    const trace = makeTrace(
      [job(1, { team: 'nlp' }), job(2, { owner: 'a@example.com', tags: { project: 'x' } })],
      'jobs.csv',
      []
    );

    expect(
      unevaluableRules(policy(rule('a', { team: any, owner: any, tags: { project: any } })), trace)
    ).toEqual([]);
  });
});
