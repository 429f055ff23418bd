import { describe, expect, it } from 'vitest';
import { deployFacts } from '../../../src/adapters/config/deploy-facts.js';
import { wardenConfig } from '../../../src/domain/config/warden-config.js';

function configWith(extra: object) {
  return wardenConfig.parse({ version: 1, owners: { fallback: 'ops@example.com' }, ...extra });
}

describe('deployFacts', () => {
  it('says SNS and no member for a config that names neither', () => {
    // Act
    const facts = deployFacts(configWith({}));

    // Assess
    expect(facts).toMatchObject({
      emailTransport: 'sns',
      checksSubscriptions: false,
      memberAccounts: '',
      memberRoleArns: [],
    });
  });

  it('checks the topic’s subscriptions only when its emails carry action links', () => {
    // Act
    const links = { actions: { baseUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com' } };
    const withLinks = deployFacts(configWith(links));
    const bySes = deployFacts(
      configWith({ ...links, notices: { emailFrom: 'w@example.com', email: { transport: 'ses' } } })
    );

    // Assess
    expect(withLinks.checksSubscriptions).toBe(true);
    expect(bySes.checksSubscriptions).toBe(false);
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
    expect(facts.sesSendResources).toEqual([
      { 'Fn::Sub': `${here}:identity/Warden@ML.Example.com` },
      { 'Fn::Sub': `${here}:identity/warden@ml.example.com` },
      { 'Fn::Sub': `${here}:identity/ml.example.com` },
      { 'Fn::Sub': `${here}:identity/example.com` },
      // An identity's default configuration set is checked too, though the config names none
      { 'Fn::Sub': `${here}:configuration-set/*` },
    ]);
  });

  it('keeps a ${ in the From address literal inside the Fn::Sub', () => {
    // Act
    const facts = deployFacts(
      configWith({
        notices: { emailFrom: `a\${AWS::Region}@example.com`, email: { transport: 'ses' } },
      })
    );

    // Assess
    expect(facts.sesSendResources[0]).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}:identity/a\${!AWS::Region}@example.com`,
    });
  });

  it('names an identityArn as it is, and this account’s configuration sets in its region', () => {
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
        'Fn::Sub': `arn:\${AWS::Partition}:ses:eu-west-1:\${AWS::AccountId}:configuration-set/*`,
      },
    ]);
  });

  it('lists each member’s role, in any region, under its own role name or the default', () => {
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
      { 'Fn::Sub': `${iam}:444455556666:role/warden-member-*` },
      { 'Fn::Sub': `${iam}:777788889999:role/vision-warden-*` },
    ]);
  });
});
