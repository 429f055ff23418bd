import { AssumeRoleCommand, type AssumeRoleCommandOutput, STSClient } from '@aws-sdk/client-sts';
import { DependencyError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import { AWS_CLIENT_OPTIONS } from './client-options.js';

/** Temporary credentials of an assumed role, in the shape SDK clients take. */
interface RoleCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** The role to assume, and how the member account knows it is this hub asking. */
interface RoleToAssume {
  readonly roleArn: string;
  /** The member stack's `externalId` parameter (sts:ExternalId in the role's trust policy). */
  readonly externalId: string;
  /** Shown in the member account's CloudTrail as the caller's session. */
  readonly sessionName: string;
  /** For messages: `research (444455556666)`. */
  readonly account: string;
}

/** A session lasts an hour; a new one is taken this long before the old one ends. */
const REFRESH_BEFORE_MS = 5 * 60_000;
const SESSION_SECONDS = 3600;
/** Refusals that no retry cures: the role is missing, or does not trust this hub. */
const REFUSED = new Set(['AccessDenied', 'AccessDeniedException', 'ValidationError']);

/**
 * Credentials of a member account's role, assumed with its external id through STS and kept
 * until shortly before they expire; concurrent callers share one AssumeRole call. A role that
 * does not exist or does not trust this hub is a permanent error naming the account and role;
 * throttling and faults stay retryable.
 *
 * @example
 * const role = new StsRoleCredentials(sts, { roleArn, externalId, sessionName: 'warden', account: '444455556666' }, systemClock);
 * new SageMakerClient({ region: 'eu-west-1', credentials: role.provide });
 */
class StsRoleCredentials {
  private cached: RoleCredentials | undefined;
  private pending: Promise<RoleCredentials> | undefined;

  constructor(
    private readonly sts: STSClient,
    private readonly role: RoleToAssume,
    private readonly clock: Pick<Clock, 'now'>
  ) {}

  /** A credential provider: pass it as an SDK client's `credentials`. */
  readonly provide = (): Promise<RoleCredentials> => {
    const cached = this.cached;
    if (
      cached !== undefined &&
      cached.expiration.getTime() - REFRESH_BEFORE_MS > this.clock.now()
    ) {
      return Promise.resolve(cached);
    }
    this.pending ??= this.assume().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  };

  private async assume(): Promise<RoleCredentials> {
    const { roleArn, externalId, sessionName, account } = this.role;
    let output: AssumeRoleCommandOutput;
    try {
      output = await this.sts.send(
        new AssumeRoleCommand({
          RoleArn: roleArn,
          ExternalId: externalId,
          RoleSessionName: sessionName,
          DurationSeconds: SESSION_SECONDS,
        })
      );
    } catch (error) {
      const refused = error instanceof Error && REFUSED.has(error.name);
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DependencyError(
        'STS',
        `AssumeRole of ${roleArn} for account ${account} failed: ${message}` +
          (refused
            ? ' (is serverless.member.yml deployed there, with this hub and this externalId?)'
            : ''),
        { cause: error, retryable: !refused }
      );
    }
    const c = output.Credentials;
    if (
      c?.AccessKeyId === undefined ||
      c.SecretAccessKey === undefined ||
      c.SessionToken === undefined ||
      !(c.Expiration instanceof Date)
    ) {
      throw new DependencyError('STS', `AssumeRole of ${roleArn} answered without credentials`);
    }
    this.cached = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    return this.cached;
  }
}

const clients = new Map<string, STSClient>();

/** The hub's STS client in its region (regional endpoint), one per container. */
function stsClientFor(region: string): STSClient {
  let client = clients.get(region);
  if (client === undefined) {
    client = new STSClient({ ...AWS_CLIENT_OPTIONS, region });
    clients.set(region, client);
  }
  return client;
}

export type { RoleCredentials, RoleToAssume };
export { REFRESH_BEFORE_MS, StsRoleCredentials, stsClientFor };
