import { memberRoleArn } from '../../domain/config/accounts.js';
import { checksEmailSubscriptions, emailTransportOf } from '../../domain/config/email-transport.js';
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
  /**
   * Whether the actions function checks the topic's email subscriptions every hour: it does
   * only when emails go through the topic and carry action links.
   */
  readonly checksSubscriptions: boolean;
  /** `actions.baseUrl`, '' for none: CloudFormation conditions compare strings. */
  readonly actionsBaseUrl: string;
  /** What `ses:SendEmail` may be called on; unused with SNS. */
  readonly sesSendResources: readonly CfnString[];
  /** The member accounts, comma-separated ('' for none): the hub's bus admits their events. */
  readonly memberAccounts: string;
  /** The member roles the functions may assume: `<roleName>-<any region>` per member. */
  readonly memberRoleArns: readonly CfnString[];
}

/** `text` as a literal inside an `Fn::Sub` template, where `${` would start a substitution. */
function subLiteral(text: string): string {
  return text.replaceAll('${', '${!');
}

/** The address of a From value (`Name <a@b>` or `a@b`), as the config checked it. */
function fromAddress(from: string): string {
  const bracketed = /<([^<>]+)>\s*$/.exec(from);
  return (bracketed?.[1] ?? from).trim();
}

/**
 * The SES identities a From address may be sent as: the address itself (as written, and in
 * lower case, since IAM compares ARNs case by case), its domain, and the domain's parents (SES
 * lets a verified domain send from its subdomains).
 */
function identitiesOf(address: string): string[] {
  const domain = address.slice(address.lastIndexOf('@') + 1).toLowerCase();
  const labels = domain.split('.');
  const domains = labels.slice(0, -1).map((_, i) => labels.slice(i).join('.'));
  return [...new Set([address, address.toLowerCase(), ...domains])];
}

/**
 * Every configuration set of this account in the sending region, not only the one the config
 * names: SES also checks the default configuration set an identity may have attached, which
 * the config cannot know of.
 */
function sesSendResources(config: WardenConfig): CfnString[] {
  const identityArn = config.notices.email?.identityArn;
  if (identityArn !== undefined) {
    // Another account's identity (sending authorisation) is named as it is; SES is called in
    // the identity's region, and the configuration sets are the sender's own.
    const region = identityArn.split(':')[3] ?? '';
    return [
      identityArn,
      {
        'Fn::Sub': `arn:\${AWS::Partition}:ses:${subLiteral(region)}:\${AWS::AccountId}:configuration-set/*`,
      },
    ];
  }
  const here = `arn:\${AWS::Partition}:ses:\${AWS::Region}:\${AWS::AccountId}`;
  return [
    ...identitiesOf(fromAddress(config.notices.emailFrom)).map((identity) => ({
      'Fn::Sub': `${here}:identity/${subLiteral(identity)}`,
    })),
    { 'Fn::Sub': `${here}:configuration-set/*` },
  ];
}

/**
 * One ARN per member, for the role in any of its regions: the member stack makes the role only
 * where it is deployed, and one per member and region would outgrow IAM's 10 KB of inline
 * policy per role at about 150 pairs.
 */
function memberRoleArns(config: WardenConfig): CfnString[] {
  const accounts = config.accounts;
  if (accounts === undefined) return [];
  // Account ids and role names (letters, digits and +=,.@_-) hold no `${`.
  const arns = accounts.members.map((member) =>
    memberRoleArn(accounts, member, '*', `\${AWS::Partition}`)
  );
  return [...new Set(arns)].map((arn) => ({ 'Fn::Sub': arn }));
}

function deployFacts(config: WardenConfig): DeployFacts {
  return {
    emailTransport: emailTransportOf(config),
    checksSubscriptions: checksEmailSubscriptions(config),
    actionsBaseUrl: config.actions?.baseUrl ?? '',
    sesSendResources: sesSendResources(config),
    memberAccounts: (config.accounts?.members ?? []).map((member) => member.id).join(','),
    memberRoleArns: memberRoleArns(config),
  };
}

export type { CfnString, DeployFacts };
export { deployFacts };
