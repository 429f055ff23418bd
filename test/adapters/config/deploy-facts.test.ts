import { describe, expect, it } from 'vitest';
import { deployFacts } from '../../../src/adapters/config/deploy-facts.js';
import { wardenConfig } from '../../../src/domain/config/warden-config.js';

function configWith(extra: object) {
  return wardenConfig.parse({ version: 1, owners: { fallback: 'ops@example.com' }, ...extra });
}

describe('deployFacts', () => {
  it('says SNS, no SES identity worth naming and no member, for a config that names neither', () => {
    // Act
    const facts = deployFacts(configWith({}));

    // Assess
    expect(facts).toMatchObject({
      emailTransport: 'sns',
      emailBySns: true,
      memberAccounts: '',
      memberRoleArns: [],
    });
  });

  it('names the From address, its domain and the domain’s parents as the SES identities, in this region', () => {
    // Act
    const facts = deployFacts(
      configWith({
        notices: {
          emailFrom: 'Pool Warden <Warden@ML.Example.com>',
          email: { transport: 'ses', configurationSet: 'warden-events' },
        },
      })
    );

    // Assess
    const here = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}`;
    expect(facts.emailTransport).toBe('ses');
    expect(facts.emailBySns).toBe(false);
    expect(facts.sesSendResources).toEqual([
      { 'Fn::Sub': `${here}:identity/Warden@ML.Example.com` },
      { 'Fn::Sub': `${here}:identity/ml.example.com` },
      { 'Fn::Sub': `${here}:identity/example.com` },
      { 'Fn::Sub': `${here}:configuration-set/warden-events` },
    ]);
  });

  it('names an identityArn as it is, and its configuration set in the identity’s region', () => {
    // Act
    const facts = deployFacts(
      configWith({
        notices: {
          emailFrom: 'warden@example.com',
          email: {
            transport: 'ses',
            identityArn: 'arn:aws:ses:eu-west-1:999988887777:identity/example.com',
            configurationSet: 'warden-events',
          },
        },
      })
    );

    // Assess: sending authorisation; the configuration set is the sender's own
    expect(facts.sesSendResources).toEqual([
      'arn:aws:ses:eu-west-1:999988887777:identity/example.com',
      {
        'Fn::Sub': `arn:\${AWS::Partition}:ses:eu-west-1:\${AWS::AccountId}:configuration-set/warden-events`,
      },
    ]);
  });

  it('lists each member’s role in each of its regions, under its own role name or the default', () => {
    // Act
    const facts = deployFacts(
      configWith({
        accounts: {
          hub: '111122223333',
          roleName: 'warden-member',
          members: [
            {
              id: '444455556666',
              name: 'research',
              externalId: 'ext-research-1',
              regions: ['eu-west-1', 'us-west-2'],
            },
            {
              id: '777788889999',
              name: 'vision',
              roleName: 'vision-warden',
              externalId: 'ext-vision-1',
              regions: ['us-east-1'],
            },
          ],
        },
      })
    );

    // Assess
    const iam = `arn:\${AWS::Partition}:iam:`;
    expect(facts.memberAccounts).toBe('444455556666,777788889999');
    expect(facts.memberRoleArns).toEqual([
      { 'Fn::Sub': `${iam}:444455556666:role/warden-member-eu-west-1` },
      { 'Fn::Sub': `${iam}:444455556666:role/warden-member-us-west-2` },
      { 'Fn::Sub': `${iam}:777788889999:role/vision-warden-us-east-1` },
    ]);
  });
});
