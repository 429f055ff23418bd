import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import type { STSClient } from '@aws-sdk/client-sts';
import { describeMember, type JobLocation } from '../../domain/config/accounts.js';
import type { WardenConfig } from '../../domain/config/warden-config.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { Log } from '../../domain/ports/log.js';
import type { PoolGateway } from '../../domain/ports/sagemaker-gateway.js';
import { systemClock } from '../clock/system-clock.js';
import { AccountRoutingGateway, type CredentialProvider } from './account-routing-gateway.js';
import { AWS_CLIENT_OPTIONS } from './client-options.js';
import { SdkSageMakerGateway } from './sagemaker-gateway.js';
import { type RoleCredentials, StsRoleCredentials, stsClientFor } from './sts-credentials.js';

interface OrganisationOptions {
  /** The region the hub runs in (Lambda's AWS_REGION). */
  readonly region: string;
  /** The session name member accounts see in CloudTrail for the hub's calls. */
  readonly sessionName: string;
  readonly log: Pick<Log, 'warn'>;
  readonly clock?: Pick<Clock, 'now'>;
  /** SDK client settings for tests (endpoints, static credentials); the deployed ones by default. */
  readonly sageMakerClient?: (
    location: JobLocation,
    credentials?: CredentialProvider
  ) => SageMakerClient;
  readonly stsClient?: STSClient;
}

/**
 * The SageMaker gateway of a deployed function. Without `accounts:` in the config it is the
 * plain SDK gateway of the hub's own account, as before; with it, calls are routed to each
 * job's account and region, members through their role (see AccountRoutingGateway).
 *
 * @example sageMaker: organisationSageMaker(config, { region: 'us-east-1', sessionName: 'pool-warden', log: logger })
 */
function organisationSageMaker(
  config: Pick<WardenConfig, 'accounts'>,
  options: OrganisationOptions
): PoolGateway {
  const client =
    options.sageMakerClient ??
    ((location: JobLocation, credentials?: CredentialProvider) =>
      new SageMakerClient({
        ...AWS_CLIENT_OPTIONS,
        region: location.region,
        ...(credentials === undefined ? {} : { credentials }),
      }));
  const hub = { account: config.accounts?.hub ?? '', region: options.region };
  if (config.accounts === undefined) return new SdkSageMakerGateway(client(hub));
  const clock = options.clock ?? systemClock;
  return new AccountRoutingGateway(config, hub, {
    open: (location, credentials) => new SdkSageMakerGateway(client(location, credentials)),
    // The STS client is made on the first member call. Its module is imported statically
    // (it loads at cold start in a function whose config lists accounts): imported lazily, its
    // bundle kept every STS operation, 15 KB more per function.
    assume: (member) =>
      onFirstCall(
        () =>
          new StsRoleCredentials(
            options.stsClient ?? stsClientFor(options.region),
            {
              roleArn: member.roleArn,
              externalId: member.externalId,
              sessionName: options.sessionName,
              account: describeMember(member.member),
            },
            clock
          ).provide
      ),
    log: options.log,
  });
}

/** A provider built on its first call, then reused. */
function onFirstCall(make: () => CredentialProvider): CredentialProvider {
  let made: CredentialProvider | undefined;
  // Async, so that a provider that cannot be made fails as a rejected call, as the SDK expects
  return async (): Promise<RoleCredentials> => {
    made ??= make();
    return made();
  };
}

/**
 * The deployed functions' gateway: the hub's region from Lambda's environment, and the
 * evaluator's role name as the session name in member accounts, so the intake recognises
 * Warden's own UpdateTrainingJob calls there too (see isWardenCaller).
 */
function deployedSageMaker(
  config: Pick<WardenConfig, 'accounts'>,
  log: Pick<Log, 'warn'>,
  env: NodeJS.ProcessEnv = process.env
): PoolGateway {
  return organisationSageMaker(config, {
    region: env.AWS_REGION ?? 'us-east-1',
    sessionName: env.WARDEN_STEWARD_ROLE || 'pool-warden',
    log,
  });
}

export type { OrganisationOptions };
export { deployedSageMaker, organisationSageMaker };
