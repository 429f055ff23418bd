import {
  accountRefusal,
  type JobLocation,
  type MemberLocation,
  memberLocation,
  servedLocations,
} from '../../domain/config/accounts.js';
import type { WardenConfig } from '../../domain/config/warden-config.js';
import { DependencyError, WardenError } from '../../domain/errors.js';
import type { Tags } from '../../domain/event/tags.js';
import type { TrainingJobSnapshot } from '../../domain/job/training-job.js';
import type { Log } from '../../domain/ports/log.js';
import type {
  ListTrainingJobsQuery,
  PoolGateway,
  TrainingJobPage,
  UpdateOutcome,
} from '../../domain/ports/sagemaker-gateway.js';
import type { RoleCredentials } from './sts-credentials.js';

/** A credential provider for one member role, as SDK clients take it. */
type CredentialProvider = () => Promise<RoleCredentials>;

interface RoutingParts {
  /** A gateway for one account and region; no credentials means the functions' own. */
  readonly open: (location: JobLocation, credentials?: CredentialProvider) => PoolGateway;
  /** The cached credentials of a member's role in one region. */
  readonly assume: (member: MemberLocation) => CredentialProvider;
  readonly log: Pick<Log, 'warn'>;
}

/** A job in an account or region this hub does not serve: never called, never retried. */
class AccountNotServedError extends WardenError {
  constructor(reason: string) {
    super('ACCOUNT_NOT_SERVED', `SageMaker call refused: ${reason}`);
    this.name = 'AccountNotServedError';
  }
}

interface Route {
  readonly gateway: PoolGateway;
  /** Resolves once credentials are at hand, so an STS refusal surfaces as itself. */
  readonly ready: () => Promise<unknown>;
}

const ARN = /^arn:([a-z-]+):sagemaker:([a-z0-9-]+):(\d{12}):training-job\//;

/**
 * One Warden for an organisation: every SageMaker call on a job goes to the account and region
 * its ARN names, with the credentials of that member's role (assumed with its external id), or
 * with the functions' own for the hub's own account. A call without an ARN is the hub's own.
 * Listing walks every served account and region in turn behind one page token, so the
 * reconciliation pages through all of them as through one list.
 *
 * @example
 * const gateway = new AccountRoutingGateway(config, { account: '111122223333', region: 'us-east-1' }, parts);
 * await gateway.describeTrainingJob('resnet-1', 'arn:aws:sagemaker:eu-west-1:444455556666:training-job/resnet-1');
 */
class AccountRoutingGateway implements PoolGateway {
  private readonly routes = new Map<string, Route>();
  private readonly locations: readonly JobLocation[];

  constructor(
    private readonly config: Pick<WardenConfig, 'accounts'>,
    private readonly hub: JobLocation,
    private readonly parts: RoutingParts
  ) {
    this.locations = servedLocations(config, hub);
  }

  async describeTrainingJob(
    name: string,
    jobArn?: string
  ): Promise<TrainingJobSnapshot | undefined> {
    return (await this.route(jobArn)).describeTrainingJob(name);
  }

  async listTags(jobArn: string): Promise<Tags> {
    return (await this.route(jobArn)).listTags(jobArn);
  }

  async updateKeepAlive(
    name: string,
    keepAliveSeconds: number,
    jobArn?: string
  ): Promise<UpdateOutcome> {
    return (await this.route(jobArn)).updateKeepAlive(name, keepAliveSeconds);
  }

  /**
   * One page of one account and region; the token carries where the walk is. A member whose
   * role cannot be assumed, or refuses the call, is skipped with a warning rather than
   * blocking every account after it.
   */
  async listTrainingJobs(query: ListTrainingJobsQuery): Promise<TrainingJobPage> {
    const { index, inner } = this.readToken(query.nextToken);
    const location = this.locations[index] as JobLocation;
    const { nextToken: _outer, ...rest } = query;
    let page: TrainingJobPage;
    try {
      const gateway = await this.at(location);
      page = await gateway.listTrainingJobs({
        ...rest,
        ...(inner === undefined ? {} : { nextToken: inner }),
      });
    } catch (error) {
      const permanent = error instanceof WardenError && !error.retryable;
      if (!permanent || location.account === this.hub.account) throw error;
      this.parts.log.warn('member account skipped while listing training jobs', {
        account: location.account,
        region: location.region,
        error: error.message,
      });
      page = { jobs: [] };
    }
    const next =
      page.nextToken !== undefined
        ? this.token(index, page.nextToken)
        : index + 1 < this.locations.length
          ? this.token(index + 1, undefined)
          : undefined;
    return { jobs: page.jobs, ...(next === undefined ? {} : { nextToken: next }) };
  }

  private async route(jobArn: string | undefined): Promise<PoolGateway> {
    if (jobArn === undefined) return this.at(this.hub);
    const match = ARN.exec(jobArn);
    if (match?.[2] === undefined || match[3] === undefined) {
      throw new AccountNotServedError(`${jobArn} is not a SageMaker training job ARN`);
    }
    return this.at({ account: match[3], region: match[2] }, match[1]);
  }

  private async at(location: JobLocation, partition = 'aws'): Promise<PoolGateway> {
    const key = `${location.account}/${location.region}`;
    let route = this.routes.get(key);
    if (route === undefined) {
      route = this.open(location, partition);
      this.routes.set(key, route);
    }
    await route.ready();
    return route.gateway;
  }

  private open(location: JobLocation, partition: string): Route {
    const refusal = accountRefusal(this.config, location.account, location.region, this.hub.region);
    if (refusal !== undefined) throw new AccountNotServedError(refusal);
    if (location.account === this.hub.account) {
      return { gateway: this.parts.open(location), ready: () => Promise.resolve() };
    }
    const member = memberLocation(this.config, location, partition);
    if (member === undefined) {
      throw new AccountNotServedError(`account ${location.account} is not listed under accounts:`);
    }
    const credentials = this.parts.assume(member);
    return { gateway: this.parts.open(location, credentials), ready: credentials };
  }

  private token(index: number, inner: string | undefined): string {
    const at = this.locations[index] as JobLocation;
    const tail = inner === undefined ? '' : Buffer.from(inner, 'utf8').toString('base64url');
    return `${index}.${at.account}.${at.region}.${tail}`;
  }

  /** A token of another list of accounts (the config changed) is refused, so the walk restarts. */
  private readToken(token: string | undefined): { index: number; inner?: string } {
    if (token === undefined) return { index: 0 };
    const [index = '', account, region, tail = ''] = token.split('.');
    const at = this.locations[Number(index)];
    if (!/^\d+$/.test(index) || at?.account !== account || at?.region !== region) {
      throw new DependencyError(
        'SageMaker',
        'ListTrainingJobs token belongs to another list of accounts; start over',
        { retryable: false }
      );
    }
    return tail === ''
      ? { index: Number(index) }
      : { index: Number(index), inner: Buffer.from(tail, 'base64url').toString('utf8') };
  }
}

export type { CredentialProvider, RoutingParts };
export { AccountNotServedError, AccountRoutingGateway };
