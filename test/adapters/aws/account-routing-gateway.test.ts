import { describe, expect, it } from 'vitest';
import {
  AccountNotServedError,
  AccountRoutingGateway,
} from '../../../src/adapters/aws/account-routing-gateway.js';
import type { JobLocation } from '../../../src/domain/config/accounts.js';
import { DependencyError } from '../../../src/domain/errors.js';
import type {
  PoolGateway,
  TrainingJobSummary,
} from '../../../src/domain/ports/sagemaker-gateway.js';
import { SimulatedSageMaker } from '../../../src/sim/simulated-sagemaker.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { configFrom, recordingLog, T0, TEAM_CONFIG_YAML } from '../../helpers/factories.js';

const HUB = '111122223333';
const RESEARCH = '444455556666';
const VISION = '777788889999';
const MINUTE = 60_000;

const CONFIG = configFrom(`${TEAM_CONFIG_YAML}accounts:
  hub: '${HUB}'
  members:
    - { id: '${RESEARCH}', name: research, externalId: ext-research, regions: [eu-west-1, us-west-2] }
    - { id: '${VISION}', externalId: ext-vision, regions: [us-east-1] }
`);

/** One simulated SageMaker per account and region, each with one Available pool. */
function organisation() {
  const clock = new VirtualClock(T0);
  const sims = new Map<string, SimulatedSageMaker>();
  const places: JobLocation[] = [
    { account: HUB, region: 'us-east-1' },
    { account: RESEARCH, region: 'eu-west-1' },
    { account: RESEARCH, region: 'us-west-2' },
    { account: VISION, region: 'us-east-1' },
  ];
  for (const place of places) {
    const sim = new SimulatedSageMaker({ clock, ...place });
    const name = `job-${place.account}-${place.region}`;
    sim.submit({
      name,
      roleArn: `arn:aws:iam::${place.account}:role/T`,
      instanceType: 'ml.g5.xlarge',
      keepAliveSeconds: 600,
    });
    sim.start(name);
    sims.set(`${place.account}/${place.region}`, sim);
  }
  clock.advanceTo(T0 + 10 * MINUTE);
  for (const [key, sim] of sims) sim.end(`job-${key.replace('/', '-')}`, 'Completed');
  return { clock, sims };
}

interface Options {
  /** Accounts whose role cannot be assumed. */
  readonly refusing?: readonly string[];
}

function gateway(sims: Map<string, SimulatedSageMaker>, options: Options = {}) {
  const log = recordingLog();
  const opened: string[] = [];
  const assumed: string[] = [];
  const routing = new AccountRoutingGateway(
    CONFIG,
    { account: HUB, region: 'us-east-1' },
    {
      open: (location, credentials) => {
        opened.push(`${location.account}/${location.region}${credentials ? ' (role)' : ''}`);
        return sims.get(`${location.account}/${location.region}`) as PoolGateway;
      },
      assume: (member) => async () => {
        assumed.push(member.roleArn);
        if (options.refusing?.includes(member.account)) {
          throw new DependencyError('STS', `AssumeRole of ${member.roleArn} failed: AccessDenied`);
        }
        return {
          accessKeyId: 'A',
          secretAccessKey: 'S',
          sessionToken: 'T',
          expiration: new Date(T0 + 3_600_000),
        };
      },
      log,
    }
  );
  return { routing, log, opened, assumed };
}

async function listAll(
  routing: PoolGateway
): Promise<{ jobs: TrainingJobSummary[]; pages: number }> {
  const jobs: TrainingJobSummary[] = [];
  let nextToken: string | undefined;
  let pages = 0;
  do {
    const page = await routing.listTrainingJobs({
      warmPoolStatus: 'Available',
      ...(nextToken === undefined ? {} : { nextToken }),
    });
    jobs.push(...page.jobs);
    nextToken = page.nextToken;
    pages += 1;
  } while (nextToken !== undefined);
  return { jobs, pages };
}

describe('AccountRoutingGateway', () => {
  it('describes each job in the account and region its ARN names, members through their role', async () => {
    // Prepare
    const { sims } = organisation();
    const { routing, opened, assumed } = gateway(sims);
    const arn = `arn:aws:sagemaker:us-west-2:${RESEARCH}:training-job/job-${RESEARCH}-us-west-2`;

    // Act
    const job = await routing.describeTrainingJob(`job-${RESEARCH}-us-west-2`, arn);
    const own = await routing.describeTrainingJob(`job-${HUB}-us-east-1`);

    // Assess
    expect(job?.arn).toBe(arn);
    expect(own?.name).toBe(`job-${HUB}-us-east-1`);
    expect(opened).toEqual([`${RESEARCH}/us-west-2 (role)`, `${HUB}/us-east-1`]);
    expect(assumed).toEqual([`arn:aws:iam::${RESEARCH}:role/pool-warden-member-us-west-2`]);
  });

  it('lists the hub, then every member region, as one paged list', async () => {
    // Prepare
    const { sims } = organisation();
    const { routing } = gateway(sims);

    // Act
    const { jobs, pages } = await listAll(routing);

    // Assess
    expect(jobs.map((j) => j.name)).toEqual([
      `job-${HUB}-us-east-1`,
      `job-${RESEARCH}-eu-west-1`,
      `job-${RESEARCH}-us-west-2`,
      `job-${VISION}-us-east-1`,
    ]);
    expect(pages).toBe(4);
  });

  it('skips a member whose role cannot be assumed while listing, with a warning', async () => {
    // Prepare
    const { sims } = organisation();
    const { routing, log } = gateway(sims, { refusing: [RESEARCH] });

    // Act
    const { jobs } = await listAll(routing);

    // Assess
    expect(jobs.map((j) => j.name)).toEqual([`job-${HUB}-us-east-1`, `job-${VISION}-us-east-1`]);
    expect(log.lines.filter((l) => l.level === 'warn').map((l) => l.extra)).toEqual([
      expect.objectContaining({ account: RESEARCH, region: 'eu-west-1' }),
      expect.objectContaining({ account: RESEARCH, region: 'us-west-2' }),
    ]);
  });

  it('fails a describe for good when the member role cannot be assumed', async () => {
    // Prepare
    const { sims } = organisation();
    const { routing } = gateway(sims, { refusing: [RESEARCH] });
    const arn = `arn:aws:sagemaker:eu-west-1:${RESEARCH}:training-job/x`;

    // Act
    const call = routing.describeTrainingJob('x', arn);

    // Assess
    await expect(call).rejects.toMatchObject({ dependency: 'STS', retryable: false });
  });

  it('refuses a page token of another list of accounts, so reconciliation starts over', async () => {
    // Prepare
    const { sims } = organisation();
    const { routing } = gateway(sims);

    // Act
    const call = routing.listTrainingJobs({ nextToken: `1.${VISION}.eu-west-1.` });

    // Assess
    await expect(call).rejects.toMatchObject({
      retryable: false,
      message: expect.stringMatching(/another list of accounts/),
    });
  });

  it.each([
    [
      `arn:aws:sagemaker:us-east-1:999988887777:training-job/x`,
      'account 999988887777 is not listed',
    ],
    [
      `arn:aws:sagemaker:ap-south-1:${RESEARCH}:training-job/x`,
      'region ap-south-1 is not listed for account research',
    ],
    [
      `arn:aws:sagemaker:eu-west-1:${HUB}:training-job/x`,
      "region eu-west-1 of the hub's own account is not served",
    ],
    ['not-an-arn', 'not-an-arn is not a SageMaker training job ARN'],
  ])('refuses %s without calling anyone', async (arn, reason) => {
    // Prepare
    const { sims } = organisation();
    const { routing, opened } = gateway(sims);

    // Act
    const call = routing.updateKeepAlive('x', 0, arn);

    // Assess
    await expect(call).rejects.toBeInstanceOf(AccountNotServedError);
    await expect(call).rejects.toThrow(reason);
    expect(opened).toEqual([]);
  });
});
