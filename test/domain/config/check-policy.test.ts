import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/domain/config/parse-config.js';

const FILE = 'warden.config.yaml';
/** Eight lines, so the policy sections below start on line 9. */
const HEAD = `version: 1
owners:
  fallback: platform
directory:
  platform:
    email: ml-platform@example.com
  nlp:
    email: nlp@example.com
`;

function issuesOf(policy: string): readonly string[] {
  const result = parseConfig(HEAD + policy, FILE);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues;
}

function accepts(policy: string): boolean {
  return parseConfig(HEAD + policy, FILE).ok;
}

describe('policy reference checks', () => {
  it('rejects a minimum keep-alive above the maximum', () => {
    // Prepare
    const policy = `rules:
  - name: nlp
    match: { team: nlp }
    mode: adaptive
    keepAlive: { min: 40m, max: 30m }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[0].keepAlive.min: 40m is above keepAlive.max (30m)',
    ]);
  });

  it('holds a rule maximum to settings.maxKeepAlive, given or defaulted', () => {
    // Prepare
    const policy = `rules:
  - name: long
    match: { team: nlp }
    mode: adaptive
    keepAlive: { max: 1h30m }
  - name: min-only
    match: { owner: platform }
    mode: adaptive
    keepAlive: { min: 2h }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[0].keepAlive.max: 1h30m is above settings.maxKeepAlive (1h)',
      'warden.config.yaml:17: rules[1].keepAlive.min: 2h is above settings.maxKeepAlive (1h)',
    ]);
  });

  it('rejects a fixed keep-alive outside the bounds', () => {
    // Prepare
    const policy = `rules:
  - name: batch
    match: { owner: platform }
    mode: fixed
    keepAlive: { min: 10m, max: 30m, fixed: 5m }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[0].keepAlive.fixed: 5m is outside keepAlive.min … keepAlive.max (10m … 30m)',
    ]);
  });

  it('requires keepAlive.fixed in fixed mode, on the mode line', () => {
    // Prepare
    const policy = `rules:
  - name: batch
    match: { owner: platform }
    mode: fixed
    keepAlive: { max: 30m }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:12: rules[0].mode: fixed needs keepAlive.fixed, the keep-alive to hold matching pools at',
    ]);
  });

  it('rejects a warning earlier than the lead time, naming both', () => {
    // Prepare
    const policy = `settings:
  leadTime: 5m
rules:
  - name: nlp
    match: { team: nlp }
    mode: adaptive
    warnBeforeRelease: 10m
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:15: rules[0].warnBeforeRelease: 10m is longer than settings.leadTime (5m): pools are decided 5m before they expire, so no warning can come earlier',
    ]);
  });

  it('accepts a warning exactly at the lead time', () => {
    expect(
      accepts(`settings: { leadTime: 10m }
rules:
  - { name: nlp, match: { team: nlp }, mode: adaptive, warnBeforeRelease: 10m }
`)
    ).toBe(true);
  });

  it('requires the safety margin to be shorter than the lead time', () => {
    expect(issuesOf('settings:\n  leadTime: 2m\n')).toEqual([
      'warden.config.yaml:9: settings.safetyMargin: 2m must be shorter than settings.leadTime (2m), so a pool decided at the lead time can still be shrunk',
    ]);
  });

  it('takes a lead time up to 6h, the longest a pool lives, and no longer', () => {
    expect(issuesOf('settings:\n  leadTime: 100d\n')).toEqual([
      'warden.config.yaml:10: settings.leadTime: must be at most 6h',
    ]);
    expect(accepts('settings: { leadTime: 6h }\n')).toBe(true);
  });

  it('rejects a duplicate rule name on the second one, pointing at the first', () => {
    // Prepare
    const policy = `rules:
  - name: nlp
    match: { team: nlp }
    mode: adaptive
  - name: nlp
    match: { owner: platform }
    mode: adaptive
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[1].name: "nlp" is also the name of rules[0] (line 10); names must be unique',
    ]);
  });

  it('reports a rule shadowed by an earlier, broader one', () => {
    // Prepare
    const policy = `rules:
  - name: nlp-gpus
    match: { team: nlp, instanceType: "ml.g5.*" }
    mode: adaptive
  - name: nlp-g5-bert
    match: { team: nlp, instanceType: ml.g5.2xlarge, tags: { project: bert } }
    mode: fixed
    keepAlive: { fixed: 20m }
  - name: anything
    match: {}
    mode: 'off'
  - name: after-catch-all
    match: { owner: platform }
    mode: adaptive
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:14: rules[1].match: never matches: rule "nlp-gpus" (line 10) matches every pool this one does',
      'warden.config.yaml:21: rules[3].match: never matches: rule "anything" (line 17) matches every pool this one does',
    ]);
  });

  it('does not call a rule shadowed when it can match a pool the earlier one does not', () => {
    // Prepare: a narrower rule first, a later one whose glob is not covered by a literal,
    // and a * criterion the later rule lacks (a pool without that tag escapes it).
    const policy = `rules:
  - name: nlp-g5
    match: { team: nlp, instanceType: ml.g5.2xlarge }
    mode: adaptive
  - name: nlp-any
    match: { team: nlp }
    mode: adaptive
  - name: g5-literal
    match: { instanceType: ml.g5.xlarge }
    mode: adaptive
  - name: g5-glob
    match: { instanceType: "ml.g5.*" }
    mode: adaptive
  - name: tagged
    match: { tags: { project: "*" } }
    mode: adaptive
  - name: everyone
    match: {}
    mode: adaptive
`;

    // Act
    const result = parseConfig(HEAD + policy, FILE);

    // Assess
    expect(result).toMatchObject({ ok: true });
  });

  it('rejects a literal team, owner or instance type that can never match', () => {
    // Prepare
    const policy = `rules:
  - name: typo
    match: { team: nlpp, owner: nobody, instanceType: g5.2xlarge }
    mode: adaptive
  - name: globs-are-fine
    match: { team: "nl*", owner: "*@example.com", instanceType: "g5.*" }
    mode: adaptive
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:11: rules[0].match.team: team "nlpp" is not in the directory, so this rule can never match',
      'warden.config.yaml:11: rules[0].match.owner: "nobody" is not a directory id, an email address or a Slack member id, so this rule can never match',
      'warden.config.yaml:11: rules[0].match.instanceType: "g5.2xlarge" is not an ml.* instance type, so this rule can never match',
    ]);
  });

  it('accepts an owner given as an email address or a Slack member id', () => {
    expect(
      accepts(`rules:
  - { name: a, match: { owner: someone@example.com }, mode: adaptive }
  - { name: b, match: { owner: U0SOMEONE1 }, mode: adaptive }
`)
    ).toBe(true);
  });

  it('rejects a budget without a cap', () => {
    // Prepare
    const policy = `rules:
  - name: nlp
    match: { team: nlp }
    mode: adaptive
    budget: { onExceeded: release }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[0].budget: needs usdPerDay or instanceHoursPerDay',
    ]);
  });

  it('rejects an outside action without a window, and shrinks that cannot be done', () => {
    // Prepare
    const policy = `rules:
  - name: no-window
    match: { team: nlp }
    mode: adaptive
    outside: release
  - name: shrinks
    match: { owner: platform }
    mode: adaptive
    keepAlive: { max: 20m }
    window: { hours: "08:00-18:00" }
    outside: { shrink: 1m }
    budget: { usdPerDay: 50, onExceeded: { shrink: 30m } }
  - name: zero
    match: { owner: nlp }
    mode: adaptive
    window: { hours: "08:00-18:00" }
    outside: { shrink: 0s }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[0].outside: has no effect without a window',
      'warden.config.yaml:19: rules[1].outside.shrink: 1m is shorter than settings.safetyMargin (2m), which no shrink goes below',
      "warden.config.yaml:20: rules[1].budget.onExceeded.shrink: 30m is above the rule's longest keep-alive (20m)",
      'warden.config.yaml:25: rules[2].outside.shrink: a shrink to 0s ends the pool: write release',
    ]);
  });

  it('rejects settings on an off rule, which would never apply', () => {
    // Prepare
    const policy = `rules:
  - name: hands-off
    match: { team: nlp }
    mode: 'off'
    keepAlive: { max: 30m }
    warnBeforeRelease: 5m
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:13: rules[0].keepAlive: has no effect: mode off leaves matching pools alone',
      'warden.config.yaml:14: rules[0].warnBeforeRelease: has no effect: mode off leaves matching pools alone',
    ]);
  });
});
