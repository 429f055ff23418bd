import { describe, expect, it } from 'vitest';
import { managingRule } from '../../../src/domain/policy/managing-rule.js';
import { aliceOwner, finishedJob } from '../../helpers/domain-notices.js';
import { configFrom } from '../../helpers/factories.js';

/** Alice is on vision; rules on her team, a type nobody manages, and everything else. */
function config(settings = 'dryRun: false'): ReturnType<typeof configFrom> {
  return configFrom(`version: 1
owners:
  fallback: platform
directory:
  platform: { email: platform@example.com }
  vision: { email: vision@example.com }
  alice: { email: alice@example.com, team: vision }
settings:
  ${settings}
rules:
  - name: hands-off
    match: { instanceType: "ml.p5.*" }
    mode: off
  - name: vision-gpu
    match: { team: vision }
    mode: adaptive
  - name: rest
    match: {}
    mode: adaptive
`);
}

describe('managingRule', () => {
  it("names the rule the steward will decide the finished job's pool under", () => {
    expect(managingRule(config(), finishedJob(), aliceOwner(), {})).toBe('vision-gpu');
    expect(
      managingRule(config(), finishedJob(), aliceOwner({ id: 'bob', team: undefined }), {})
    ).toBe('rest');
  });

  it('names none when the steward will leave the pool alone', () => {
    // Dry run; a job that opted out; a rule that is off.
    expect(managingRule(config('dryRun: true'), finishedJob(), aliceOwner(), {})).toBeUndefined();
    expect(
      managingRule(config(), finishedJob(), aliceOwner(), { 'warden:manage': 'FALSE' })
    ).toBeUndefined();
    expect(
      managingRule(config(), finishedJob({ instanceType: 'ml.p5.48xlarge' }), aliceOwner(), {})
    ).toBeUndefined();
  });
});
