import { describe, expect, it } from 'vitest';
import { defaultPolicyList, parsePolicyList } from '../../../src/sim/policy-sim/policies.js';

const HOUR = 3_600_000;

describe('policy registry', () => {
  it('lists every baseline, fixed keep-alives up to the maximum, adaptive and the oracle', () => {
    expect(defaultPolicyList(HOUR)).toBe(
      'none,fixed:5m,fixed:10m,fixed:20m,fixed:30m,fixed:1h,requested,breakeven,histogram,adaptive,oracle'
    );
    expect(defaultPolicyList(6 * HOUR)).toContain('fixed:1h,fixed:6h,');
    expect(defaultPolicyList(15 * 60_000)).toContain('none,fixed:5m,fixed:10m,fixed:15m,requested');
    // A maximum of mixed units is written as one word, as a user would type it
    expect(defaultPolicyList(90 * 60_000)).toContain(',fixed:1h,fixed:1h30m,requested');
  });

  it('keeps each name as written and knows the keep-alive of fixed ones', () => {
    // Act
    const parsed = parsePolicyList('none, fixed:600s,oracle', HOUR);
    // Assess
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    expect(parsed.specs.map((s) => s.name)).toEqual(['none', 'fixed:600s', 'oracle']);
    expect(parsed.specs.map((s) => (s.kind === 'engine' ? s.fixedMs : 'oracle'))).toEqual([
      0,
      600_000,
      'oracle',
    ]);
  });

  it('reports every bad entry at once, with a suggestion for a typo', () => {
    // Act
    const parsed = parsePolicyList('histgram,fixed:2h,fixed:soon,none,none,', HOUR);
    // Assess
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.issues).toEqual([
      expect.stringContaining('unknown policy "histgram" (did you mean "histogram"?)'),
      expect.stringContaining('"fixed:2h" is above the maximum keep-alive 1h'),
      expect.stringContaining('"soon" is not a duration'),
      '--policies: "none" is listed twice',
      expect.stringContaining('empty policy name'),
    ]);
  });

  it('refuses two spellings of one keep-alive, and keep-alives that are not whole seconds', () => {
    // Act
    const parsed = parsePolicyList('fixed:60m,fixed:1h,none,fixed:0,fixed:0.4s,fixed:90s', HOUR);

    // Assess
    expect(parsed).toEqual({
      ok: false,
      issues: [
        '--policies: "fixed:1h" is the same keep-alive as "fixed:60m"',
        '--policies: "fixed:0" is the same keep-alive as "none"',
        '--policies: "fixed:0.4s": keep-alives are whole seconds, as SageMaker takes them',
      ],
    });
  });

  it('creates a fresh policy per run, so state never leaks between runs', () => {
    // Prepare
    const parsed = parsePolicyList('histogram', HOUR);
    if (!parsed.ok || parsed.specs[0]?.kind !== 'engine') throw new TypeError('expected a spec');
    const spec = parsed.specs[0];
    // Act
    const settings = {
      maxKeepAliveMs: HOUR,
      keepAliveAnchor: 'job-end',
      safetyMarginMs: 0,
      leadTimeMs: 0,
      valueOfTimeUsdPerHour: 100,
      coldStartBilledSeconds: 30,
      prices: {},
      quota: {},
      latency: { kind: 'p90' },
    } as const;
    // Assess
    expect(spec.create(settings, new Map())).not.toBe(spec.create(settings, new Map()));
  });
});
