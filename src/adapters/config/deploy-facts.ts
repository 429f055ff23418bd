import type { WardenConfig } from '../../domain/config/warden-config.js';

/** A CloudFormation string: literal, or a template `Fn::Sub` fills in at deploy time. */
type CfnString = string | { readonly 'Fn::Sub': string };

/**
 * What serverless.yml needs to know of the config to grant exactly what its functions will do:
 * the email transport the bundles were built for, the SES identities they send as, and the
 * member roles they assume. Read at package time from the same checked config that is inlined
 * into the bundles, so the stack and the code cannot disagree.
 */
interface DeployFacts {
  readonly emailTransport: 'sns' | 'ses';
  /** Whether the hourly check of the topic's email subscriptions has anything to check. */
  readonly emailBySns: boolean;
  /** What `ses:SendEmail` may be called on; unused with SNS. */
  readonly sesSendResources: readonly CfnString[];
  /** The member accounts, comma-separated ('' for none): the hub's bus admits their events. */
  readonly memberAccounts: string;
  /** Each member role the functions may assume: `<roleName>-<region>` per member and region. */
  readonly memberRoleArns: readonly CfnString[];
}

/** The address of a From value (`Name <a@b>` or `a@b`), as the config checked it. */
function fromAddress(from: string): string {
  const bracketed = /<([^<>]+)>\s*$/.exec(from);
  return (bracketed?.[1] ?? from).trim();
}

/**
 * The SES identities a From address may be sent as: the address itself, its domain, and the
 * domain's parents (SES lets a verified domain send from its subdomains).
 */
function identitiesOf(address: string): string[] {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const labels = domain.split('.');
  const domains = labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
  return [address, ...domains];
}

function sesSendResources(config: WardenConfig): CfnString[] {
  const email = config.notices.email;
  const configurationSet = email?.configurationSet;
  if (email?.identityArn !== undefined) {
    // Another account's identity (sending authorisation) is named as it is; SES is called in
    // the identity's region, where the configuration set must then be too, in this account.
    const region = email.identityArn.split(':')[3];
    return [
      email.identityArn,
      ...(configurationSet === undefined
        ? []
        : [
            {
              'Fn::Sub': `arn:\${AWS::Partition}:ses:${region}:\${AWS::AccountId}:configuration-set/${configurationSet}`,
            },
          ]),
    ];
  }
  const here = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}`;
  return [
    ...identitiesOf(fromAddress(config.notices.emailFrom)).map((identity) => ({
      'Fn::Sub': `${here}:identity/${identity}`,
    })),
    ...(configurationSet === undefined
      ? []
      : [{ 'Fn::Sub': `${here}:configuration-set/${configurationSet}` }]),
  ];
}

function memberRoleArns(config: WardenConfig): CfnString[] {
  const accounts = config.accounts;
  if (accounts === undefined) return [];
  return accounts.members.flatMap((member) =>
    member.regions.map((region) => ({
      'Fn::Sub': `arn:\${AWS::Partition}:iam::${member.id}:role/${member.roleName ?? accounts.roleName}-${region}`,
    }))
  );
}

function deployFacts(config: WardenConfig): DeployFacts {
  const emailTransport = config.notices.email?.transport ?? 'sns';
  return {
    emailTransport,
    emailBySns: emailTransport === 'sns',
    sesSendResources: sesSendResources(config),
    memberAccounts: (config.accounts?.members ?? []).map((member) => member.id).join(','),
    memberRoleArns: memberRoleArns(config),
  };
}

export type { CfnString, DeployFacts };
export { deployFacts };
