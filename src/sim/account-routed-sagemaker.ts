import { AccountRoutingGateway } from '../adapters/aws/account-routing-gateway.js';
import type { JobLocation } from '../domain/config/accounts.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import { WardenError } from '../domain/errors.js';
import type { Log } from '../domain/ports/log.js';
import type { PoolGateway } from '../domain/ports/sagemaker-gateway.js';

/** What a simulated member role hands out: nothing checks it, but the routing waits for it. */
const SIM_CREDENTIALS = {
  accessKeyId: 'ASIASIMULATED',
  secretAccessKey: 'simulated',
  sessionToken: 'simulated',
  expiration: new Date(8.64e15),
};

/**
 * Several simulated accounts behind the hub's own routing (AccountRoutingGateway, the code
 * that runs in Lambda): `accounts` holds one simulated SageMaker per account id, each in the
 * region its jobs' ARNs name. Calls go where each job's ARN points; an account not listed
 * under the config's `accounts:` is refused exactly as deployed.
 *
 * @example
 * const sageMaker = accountRoutedSageMaker(config, 'us-east-1', new Map([[hubId, hubSim], [memberId, memberSim]]), log);
 */
function accountRoutedSageMaker(
  config: Pick<WardenConfig, 'accounts'>,
  hubRegion: string,
  accounts: ReadonlyMap<string, PoolGateway>,
  log: Pick<Log, 'warn'>
): PoolGateway {
  const hub = config.accounts?.hub;
  if (hub === undefined) {
    throw new WardenError(
      'SIM_SETUP',
      'a simulation of several accounts needs accounts: in the config'
    );
  }
  const open = (location: JobLocation): PoolGateway => {
    const gateway = accounts.get(location.account);
    if (gateway === undefined) {
      throw new WardenError('SIM_SETUP', `no simulated SageMaker for account ${location.account}`);
    }
    return gateway;
  };
  return new AccountRoutingGateway(
    config,
    { account: hub, region: hubRegion },
    { open, assume: () => () => Promise.resolve(SIM_CREDENTIALS), log }
  );
}

export { accountRoutedSageMaker };
