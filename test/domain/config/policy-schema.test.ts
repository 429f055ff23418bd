import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/domain/config/parse-config.js';

const FILE = 'warden.config.yaml';
/** Five lines, so the policy sections below start on line 6. */
const HEAD = `version: 1
owners:
  fallback: platform
directory:
  platform: { email: ml-platform@example.com }
`;

function issuesOf(policy: string): readonly string[] {
  const result = parseConfig(HEAD + policy, FILE);
  if (result.ok) throw new Error('expected the config to be rejected');
  return result.issues;
}

describe('policy schema', () => {
  it('fills every setting with its default and starts with no rules, dry run on', () => {
    // Act
    const result = parseConfig(HEAD, FILE);

    // Assess
    expect(result.ok && result.config.settings).toEqual({
      dryRun: true,
      maxActionsPerRun: 50,
      maxActionsPerHour: 200,
      keepAliveAnchor: 'job-end',
      maxKeepAlive: '1h',
      leadTime: '5m',
      revisitEvery: '5m',
      safetyMargin: '2m',
      auditRetentionDays: 90,
      valueOfTime: 100,
      coldStartBilledSeconds: 30,
      coldStartWaitSeconds: 120,
    });
    expect(result.ok && result.config.rules).toEqual([]);
  });

  it('keeps dry run on when only other settings are given', () => {
    const result = parseConfig(`${HEAD}settings:\n  leadTime: 10m\n`, FILE);

    expect(result.ok && result.config.settings.dryRun).toBe(true);
  });

  it('refuses a bare number as a duration and suggests units', () => {
    // Prepare
    const policy = `settings:
  maxKeepAlive: 3600
  safetyMargin: 0
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:7: settings.maxKeepAlive: a bare number is not a duration: add a unit (3600s, 3600m or 3600h)',
      'warden.config.yaml:8: settings.safetyMargin: a bare 0 is not a duration: write 0s',
    ]);
  });

  it('bounds maxKeepAlive between 1m and the API maximum of 6h', () => {
    expect(issuesOf('settings:\n  maxKeepAlive: 7h\n')).toEqual([
      'warden.config.yaml:7: settings.maxKeepAlive: must be at most 6h',
    ]);
    expect(issuesOf('settings:\n  maxKeepAlive: 30s\n')).toEqual([
      'warden.config.yaml:7: settings.maxKeepAlive: must be at least 1m',
    ]);
  });

  it('takes maxKeepAlive in whole seconds only, as SageMaker does', () => {
    // A fractional maximum broke simulate's default policy list (fixed:1h "listed twice").
    expect(issuesOf('settings:\n  maxKeepAlive: 1h0.4s\n')).toEqual([
      'warden.config.yaml:7: settings.maxKeepAlive: must be whole seconds (SageMaker counts keep-alives in seconds)',
    ]);
    expect(parseConfig(`${HEAD}settings:\n  maxKeepAlive: 1.5h\n`, FILE).ok).toBe(true);
  });

  it('bounds valueOfTime as simulate --value-of-time is: costs past it are nonsense', () => {
    expect(issuesOf('settings:\n  valueOfTime: 1e300\n')).toHaveLength(1);
    expect(issuesOf('settings:\n  valueOfTime: 1000001\n')[0]).toMatch(
      /^warden\.config\.yaml:7: settings\.valueOfTime: .*1000000/
    );
  });

  it('rejects wrong types and unknown settings, each on its line', () => {
    // Prepare
    const policy = `settings:
  dryRun: "no"
  keepAliveAnchor: update
  maxActionsPerRun: 0
  leadTme: 5m
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:7: settings.dryRun: expected boolean',
      'warden.config.yaml:8: settings.keepAliveAnchor: must be "job-end" or "update-time"',
      'warden.config.yaml:9: settings.maxActionsPerRun: must be at least 1',
      'warden.config.yaml:10: settings: unknown field "leadTme"',
    ]);
  });

  it('rejects unknown keys in a rule and in its match', () => {
    // Prepare
    const policy = `rules:
  - name: nlp
    match: { team: platform, instance: ml.g5.2xlarge }
    mode: adaptive
    keepalive: { max: 1h }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:8: rules[0].match: unknown field "instance"',
      'warden.config.yaml:10: rules[0]: unknown field "keepalive"',
    ]);
  });

  it('requires a name, a match and a mode, and checks their forms', () => {
    // Prepare
    const policy = `rules:
  - name: nlp working hours
    match: team-nlp
    mode: auto
  - mode: fixed
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:7: rules[0].name: must be 1-64 letters, digits, . _ or -',
      'warden.config.yaml:8: rules[0].match: expected object',
      'warden.config.yaml:9: rules[0].mode: must be "adaptive" or "fixed" or "off"',
      'warden.config.yaml:10: rules[1].name: expected string',
      'warden.config.yaml:10: rules[1].match: expected object',
    ]);
  });

  it('rejects bad days, hours, time zones and holiday dates', () => {
    // Prepare
    const policy = `rules:
  - name: nlp
    match: {}
    mode: adaptive
    window:
      days: [Mon-Fre, Sat]
      hours: "8:00-19:00"
      timeZone: Europe/Stokholm
      holidays: [2026-12-24, 2026-02-30, 24.12.2026]
  - name: same-ends
    match: { team: platform }
    mode: adaptive
    window: { days: [], hours: "09:00-09:00" }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:11: rules[0].window.days[0]: is not a day (Mon … Sun) or a range of days (Mon-Fri)',
      'warden.config.yaml:12: rules[0].window.hours: is not HH:MM-HH:MM (e.g. 08:00-19:00; 24:00 may end it)',
      'warden.config.yaml:13: rules[0].window.timeZone: is not an IANA time zone (e.g. Europe/Berlin, America/New_York)',
      'warden.config.yaml:14: rules[0].window.holidays[1]: is not a calendar date',
      'warden.config.yaml:14: rules[0].window.holidays[2]: is not a date written YYYY-MM-DD',
      'warden.config.yaml:18: rules[1].window.days: must be at least 1 item',
      'warden.config.yaml:18: rules[1].window.hours: starts and ends at the same time (00:00-24:00 is all day)',
    ]);
  });

  it('explains what outside accepts, and checks a shrink as a duration', () => {
    // Prepare
    const policy = `rules:
  - name: a
    match: { team: platform }
    mode: adaptive
    window: { hours: "08:00-19:00" }
    outside: relase
  - name: b
    match: { owner: platform }
    mode: adaptive
    window: { hours: "08:00-19:00" }
    outside: { shrink: 5 }
  - name: c
    match: { owner: ml-platform@example.com }
    mode: adaptive
    window: { hours: "08:00-19:00" }
    outside: { shrnk: 5m }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:11: rules[0].outside: must be release or { shrink: DURATION }',
      'warden.config.yaml:16: rules[1].outside.shrink: a bare number is not a duration: add a unit (5s, 5m or 5h)',
      'warden.config.yaml:21: rules[2].outside: unknown field "shrnk" (did you mean "shrink"? it is required)',
    ]);
  });

  it('rejects a budget that is not positive', () => {
    // Prepare
    const policy = `rules:
  - name: a
    match: {}
    mode: adaptive
    budget: { usdPerDay: 0, instanceHoursPerDay: "12" }
`;

    // Act
    const issues = issuesOf(policy);

    // Assess
    expect(issues).toEqual([
      'warden.config.yaml:10: rules[0].budget.usdPerDay: must be more than 0',
      'warden.config.yaml:10: rules[0].budget.instanceHoursPerDay: expected number',
    ]);
  });
});
