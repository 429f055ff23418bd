import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import type { Tags } from '../../../src/domain/event/tags.js';
import type { TrainingJobSnapshot } from '../../../src/domain/job/training-job.js';
import type { ResolvedOwner } from '../../../src/domain/owner/resolve-owner.js';
import { decide } from '../../../src/domain/policy/decide.js';
import { emptyHistogram } from '../../../src/domain/policy/gap-history.js';
import { managingRule } from '../../../src/domain/policy/managing-rule.js';
import { poolFromJob } from '../../../src/domain/steward/pool-from-job.js';
import { aliceOwner, finishedJob, jobArn } from '../../helpers/domain-notices.js';
import { configFrom, T0 } from '../../helpers/factories.js';

/** Alice is on vision; rules on a type nobody manages, a tag, an account, her team, the rest. */
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
  - name: llm
    match: { tags: { project: llm } }
    mode: adaptive
  - name: member
    match: { account: "444455556666" }
    mode: adaptive
  - name: vision-gpu
    match: { team: vision }
    mode: adaptive
  - name: rest
    match: {}
    mode: adaptive
`);
}

const NOW = T0 + 60_000;

function ruleFor(
  job: TrainingJobSnapshot = finishedJob(),
  owner: ResolvedOwner = aliceOwner(),
  tags: Tags = {},
  settings?: string
): string | undefined {
  return managingRule({ job, region: 'us-east-1', owner, tags, now: NOW }, config(settings));
}

describe('managingRule', () => {
  it("names the rule the steward will decide the finished job's pool under", () => {
    expect(ruleFor()).toBe('vision-gpu');
    expect(ruleFor(finishedJob(), aliceOwner({ id: 'bob', team: undefined }))).toBe('rest');
    expect(ruleFor(finishedJob(), aliceOwner(), { project: 'llm' })).toBe('llm');
    const member = finishedJob({ arn: jobArn('x').replace('111122223333', '444455556666') });
    expect(ruleFor(member)).toBe('member');
  });

  it('names the rule decide() applies to the pool the steward records', () => {
    const cases: [TrainingJobSnapshot, ResolvedOwner, Tags][] = [
      [finishedJob(), aliceOwner(), {}],
      [finishedJob(), aliceOwner({ id: 'bob', team: undefined }), { project: 'llm' }],
      [finishedJob({ instanceType: 'ml.g5.xlarge' }), aliceOwner({ team: undefined }), {}],
    ];
    const cfg = config();
    for (const [job, owner, tags] of cases) {
      const tracked = poolFromJob(job, 'us-east-1', owner, tags, cfg, 'job-end', NOW);
      if (!tracked.ok) throw new Error(tracked.reason);
      const decision = decide(tracked.pool, { history: emptyHistogram() }, compilePolicy(cfg), NOW);
      expect(ruleFor(job, owner, tags)).toBe(decision.rule);
    }
  });

  it('names none when the steward will leave the pool alone', () => {
    // Dry run; opted out by tag; a rule that is off; no pool the steward can track; expiring.
    expect(ruleFor(finishedJob(), aliceOwner(), {}, 'dryRun: true')).toBeUndefined();
    expect(ruleFor(finishedJob(), aliceOwner(), { 'warden:manage': 'FALSE' })).toBeUndefined();
    expect(ruleFor(finishedJob({ instanceType: 'ml.p5.48xlarge' }))).toBeUndefined();
    expect(ruleFor(finishedJob({ warmPool: { status: 'Terminated' } }))).toBeUndefined();
    expect(ruleFor(finishedJob({ keepAliveSeconds: 60 }))).toBeUndefined();
  });
});
