import { describe, expect, it } from 'vitest';
import {
  accountRefusal,
  eventAccountRefusal,
  memberLocation,
  servedLocations,
} from '../../../src/domain/config/accounts.js';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import { parseConfig } from '../../../src/domain/config/parse-config.js';
import { ruleMatches } from '../../../src/domain/policy/decide.js';
import { explainRules } from '../../../src/domain/policy/explain.js';
import { configFrom, MEMBER_ACCOUNTS_YAML, TEAM_CONFIG_YAML } from '../../helpers/factories.js';

const HUB = '111122223333';
const MEMBER = '444455556666';

function problems(accounts: string): string[] {
  const result = parseConfig(`${TEAM_CONFIG_YAML}${accounts}`, 'warden.config.yaml');
  return result.ok ? [] : [...result.issues];
}

describe('accounts: in the config', () => {
  it('reads the hub and its members, with the default role name', () => {
    // Act
    const config = configFrom(`${TEAM_CONFIG_YAML}${MEMBER_ACCOUNTS_YAML}`);

    // Assess
    expect(config.accounts).toEqual({
      hub: HUB,
      roleName: 'pool-warden-member',
      members: [
        {
          id: MEMBER,
          name: 'research',
          externalId: 'pool-warden-research-7f3a',
          regions: ['eu-west-1', 'us-west-2'],
        },
      ],
    });
  });

  it.each([
    [`accounts:\n  hub: '12345'\n`, 'accounts.hub: must be a 12-digit AWS account id'],
    [
      `accounts:\n  hub: '${HUB}'\n  members:\n    - { id: '${HUB}', externalId: abc, regions: [us-east-1] }\n`,
      'accounts.members[0].id: is the hub itself',
    ],
    [
      `accounts:\n  hub: '${HUB}'\n  members:\n    - { id: '${MEMBER}', externalId: abc, regions: [us-east-1] }\n    - { id: '${MEMBER}', externalId: def, regions: [eu-west-1] }\n`,
      'accounts.members[1].id: is listed twice',
    ],
    [
      `accounts:\n  hub: '${HUB}'\n  members:\n    - { id: '${MEMBER}', externalId: abc, regions: [] }\n`,
      'accounts.members[0].regions: must list at least one region',
    ],
    [
      `accounts:\n  hub: '${HUB}'\n  members:\n    - { id: '${MEMBER}', externalId: abc, regions: [Frankfurt] }\n`,
      'accounts.members[0].regions[0]: is not an AWS region',
    ],
    [
      `accounts:\n  hub: '${HUB}'\n  members:\n    - { id: '${MEMBER}', regions: [us-east-1] }\n`,
      'accounts.members[0].externalId',
    ],
  ])('refuses %j, naming the field', (accounts, message) => {
    expect(problems(accounts).join('\n')).toContain(message);
  });
});

describe('accountRefusal', () => {
  const config = configFrom(`${TEAM_CONFIG_YAML}${MEMBER_ACCOUNTS_YAML}`);

  it('serves everything when no accounts are configured (the bus admits only its own)', () => {
    expect(accountRefusal(configFrom(TEAM_CONFIG_YAML), '999988887777', 'us-east-1')).toBe(
      undefined
    );
  });

  it('serves the hub in its region and each member in its regions', () => {
    expect(accountRefusal(config, HUB, 'us-east-1', 'us-east-1')).toBe(undefined);
    expect(accountRefusal(config, MEMBER, 'us-west-2', 'us-east-1')).toBe(undefined);
  });

  it('names what is not served', () => {
    expect(accountRefusal(config, '999988887777', 'us-east-1')).toMatch(
      /^account 999988887777 is not listed under accounts: \(hub 111122223333, members 444455556666\)$/
    );
    expect(accountRefusal(config, MEMBER, 'ap-south-1')).toBe(
      'region ap-south-1 is not listed for account research (444455556666) under accounts:'
    );
    expect(accountRefusal(config, HUB, 'eu-west-1', 'us-east-1')).toMatch(/hub's own account/);
  });

  it('refuses an event whose account is not the account of its job', () => {
    // Prepare
    const arn = `arn:aws:sagemaker:eu-west-1:${MEMBER}:training-job/x`;

    // Act
    const refusal = eventAccountRefusal(config, { account: HUB, job: { arn } });

    // Assess
    expect(refusal).toBe(`the event came from account ${HUB} but names a job of account ${MEMBER}`);
  });

  it('derives the member role of each region and lists every served place, hub first', () => {
    expect(memberLocation(config, { account: MEMBER, region: 'us-west-2' })?.roleArn).toBe(
      `arn:aws:iam::${MEMBER}:role/pool-warden-member-us-west-2`
    );
    expect(memberLocation(config, { account: HUB, region: 'us-east-1' })).toBe(undefined);
    expect(servedLocations(config, { account: HUB, region: 'us-east-1' })).toEqual([
      { account: HUB, region: 'us-east-1' },
      { account: MEMBER, region: 'eu-west-1' },
      { account: MEMBER, region: 'us-west-2' },
    ]);
  });
});

describe('rules matching on account', () => {
  const policy = compilePolicy(
    configFrom(`${TEAM_CONFIG_YAML}rules:
  - name: research
    match: { account: '4444*' }
    mode: off
`)
  );
  const [rule] = policy.rules;
  const pool = {
    owner: 'alice',
    instanceType: 'ml.g5.xlarge',
    tags: {},
    jobArn: `arn:aws:sagemaker:eu-west-1:${MEMBER}:training-job/x`,
  };

  it('matches the account its job ARN names', () => {
    expect(rule && ruleMatches(rule, pool)).toBe(true);
    expect(rule?.match.text).toBe('{ account: 4444* }');
  });

  it('explains an account that does not match', () => {
    // Act
    const [result] = explainRules(policy, {
      ...pool,
      jobArn: `arn:aws:sagemaker:us-east-1:${HUB}:training-job/x`,
    });

    // Assess
    expect(result?.failed).toEqual({
      criterion: 'account',
      value: HUB,
      why: `account "${HUB}" does not match`,
    });
  });

  it('prefers the account a view sets itself (the simulator has no ARNs)', () => {
    const [result] = explainRules(policy, {
      owner: 'a',
      instanceType: 'ml.m5.large',
      tags: {},
      account: MEMBER,
    });
    expect(result?.matched).toBe(true);
  });
});

describe('rules of different accounts', () => {
  it('are not taken for one shadowing the other', () => {
    // Act
    const issues = problems(`rules:
  - { name: research, match: { account: '${MEMBER}' }, mode: off }
  - { name: platform, match: { account: '${HUB}' }, mode: off }
`);

    // Assess
    expect(issues).toEqual([]);
  });

  it('are shadowed by an earlier rule for every account', () => {
    // Act
    const issues = problems(`rules:
  - { name: all, match: {}, mode: off }
  - { name: research, match: { account: '${MEMBER}' }, mode: off }
`);

    // Assess
    expect(issues.join('\n')).toContain('never matches: rule "all"');
  });
});
