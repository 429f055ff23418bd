import { locationOfArn } from '../pool/pool-record.js';
import type { WardenConfig } from './warden-config.js';

type AccountsConfig = NonNullable<WardenConfig['accounts']>;
type MemberAccount = AccountsConfig['members'][number];

/** Where a training job lives: SageMaker calls on it must go to this account and region. */
interface JobLocation {
  readonly account: string;
  readonly region: string;
}

/** A member account in one of its regions, with the role the hub assumes there. */
interface MemberLocation extends JobLocation {
  readonly member: MemberAccount;
  readonly roleArn: string;
  readonly externalId: string;
}

/**
 * Why an event from `account` in `region` must not be acted on, or `undefined` when the hub
 * serves it: its own account in its own region, or a listed member in a listed region. Without
 * an `accounts:` section the hub serves whatever reaches its bus (its own account only, since
 * the bus admits no other).
 *
 * @example accountRefusal(config, '999988887777', 'us-east-1', 'us-east-1'); // 'account 999988887777 is not listed under accounts: …'
 */
function accountRefusal(
  config: Pick<WardenConfig, 'accounts'>,
  account: string | undefined,
  region: string | undefined,
  /** The region the hub runs in; unchecked when absent (the domain does not know it). */
  hubRegion?: string
): string | undefined {
  const accounts = config.accounts;
  if (accounts === undefined) return undefined;
  if (account === undefined) return 'the event names no account, and accounts: are configured';
  if (account === accounts.hub) {
    return region === undefined || hubRegion === undefined || region === hubRegion
      ? undefined
      : `region ${region} of the hub's own account is not served (the hub runs in ${hubRegion})`;
  }
  const member = accounts.members.find((m) => m.id === account);
  if (member === undefined) {
    return `account ${account} is not listed under accounts: (hub ${accounts.hub}, members ${accounts.members.map((m) => m.id).join(', ') || 'none'})`;
  }
  if (region !== undefined && !member.regions.includes(region)) {
    return `region ${region} is not listed for account ${describeMember(member)} under accounts:`;
  }
  return undefined;
}

/**
 * Why a training-job event must be parked rather than acted on, or `undefined`. The job's ARN
 * says where it lives; the event's own `account` (set by EventBridge, not by the sender) must
 * agree with it, so one member cannot speak for another's jobs.
 *
 * @example eventAccountRefusal(config, event); // 'account 999988887777 is not listed under accounts: …'
 */
function eventAccountRefusal(
  config: Pick<WardenConfig, 'accounts'>,
  event: { readonly account?: string; readonly job: { readonly arn: string } }
): string | undefined {
  if (config.accounts === undefined) return undefined;
  const location = locationOfArn(event.job.arn);
  if (location === undefined) return `the job ARN ${event.job.arn} names no account and region`;
  if (event.account !== undefined && event.account !== location.account) {
    return `the event came from account ${event.account} but names a job of account ${location.account}`;
  }
  return accountRefusal(config, location.account, location.region);
}

/** The member's role in `region`: `<roleName>-<region>`, as serverless.member.yml names it. */
function memberRoleArn(
  accounts: AccountsConfig,
  member: MemberAccount,
  region: string,
  partition = 'aws'
): string {
  const prefix = member.roleName ?? accounts.roleName;
  return `arn:${partition}:iam::${member.id}:role/${prefix}-${region}`;
}

/** A member in one region, ready to assume its role; `undefined` for an account not listed. */
function memberLocation(
  config: Pick<WardenConfig, 'accounts'>,
  location: JobLocation,
  partition = 'aws'
): MemberLocation | undefined {
  const accounts = config.accounts;
  const member = accounts?.members.find((m) => m.id === location.account);
  if (accounts === undefined || member === undefined) return undefined;
  return {
    ...location,
    member,
    roleArn: memberRoleArn(accounts, member, location.region, partition),
    externalId: member.externalId,
  };
}

/** Every account and region whose jobs the hub lists: its own first, then each member's. */
function servedLocations(config: Pick<WardenConfig, 'accounts'>, hub: JobLocation): JobLocation[] {
  const members = config.accounts?.members ?? [];
  return [hub, ...members.flatMap((m) => m.regions.map((region) => ({ account: m.id, region })))];
}

/** `research (444455556666)`, or the bare id. */
function describeMember(member: MemberAccount): string {
  return member.name === undefined ? member.id : `${member.name} (${member.id})`;
}

export type { AccountsConfig, JobLocation, MemberAccount, MemberLocation };
export {
  accountRefusal,
  describeMember,
  eventAccountRefusal,
  memberLocation,
  memberRoleArn,
  servedLocations,
};
