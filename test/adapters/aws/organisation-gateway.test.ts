import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { organisationSageMaker } from '../../../src/adapters/aws/organisation-gateway.js';
import { MemoryCallerRegistry } from '../../../src/adapters/memory/memory-caller-registry.js';
import { MemoryEventPublisher } from '../../../src/adapters/memory/memory-event-publisher.js';
import { MemoryNoticeLedger } from '../../../src/adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../../../src/adapters/memory/memory-parked-events.js';
import { MemoryPoolStore } from '../../../src/adapters/memory/memory-pool-store.js';
import { compilePolicy } from '../../../src/domain/config/compile-policy.js';
import { notifyOnFinish } from '../../../src/domain/finish/notify-on-finish.js';
import { noActionLinks } from '../../../src/domain/ports/action-links.js';
import type { PoolGateway } from '../../../src/domain/ports/sagemaker-gateway.js';
import { evaluateDuePools } from '../../../src/domain/steward/evaluate-due-pools.js';
import type { StewardDeps } from '../../../src/domain/steward/steward-deps.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { stateChangeEvent } from '../../../src/sim/service-sim/job-events.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import {
  configFrom,
  recordingLog,
  recordingMetrics,
  recordingSenders,
  subscribedOnly,
  T0,
  TEAM_CONFIG_YAML,
} from '../../helpers/factories.js';
import { LoopbackSageMaker } from '../../helpers/loopback-sagemaker.js';
import { accessKeyOf, LoopbackSts } from '../../helpers/loopback-sts.js';

const HUB = '111122223333';
const MEMBER = '444455556666';
const STRANGER = '999988887777';
const MEMBER_ROLE = `arn:aws:iam::${MEMBER}:role/pool-warden-member-eu-west-1`;
const MEMBER_KEY = 'ASIAMEMBERSESSION01';
const HUB_KEY = 'AKIAHUBFUNCTION0001';
const MINUTE = 60_000;

/** The hub's config: the team, a policy that acts on member pools only, and one member. */
const CONFIG_YAML = `${TEAM_CONFIG_YAML}settings:
  dryRun: false
  leadTime: 10m
  safetyMargin: 2m
  maxKeepAlive: 1h
rules:
  - name: research-account
    match: { account: '${MEMBER}' }
    mode: fixed
    keepAlive: { fixed: 20m }
accounts:
  hub: '${HUB}'
  members:
    - id: '${MEMBER}'
      name: research
      externalId: pool-warden-research-7f3a
      regions: [eu-west-1]
`;

let clock: VirtualClock;
let hub: LoopbackSageMaker;
let member: LoopbackSageMaker;
let stranger: LoopbackSageMaker;
let sts: LoopbackSts;

beforeAll(async () => {
  clock = new VirtualClock(T0);
  hub = await LoopbackSageMaker.start({ clock, account: HUB, region: 'us-east-1' });
  member = await LoopbackSageMaker.start({ clock, account: MEMBER, region: 'eu-west-1' });
  stranger = await LoopbackSageMaker.start({ clock, account: STRANGER, region: 'us-east-1' });
  sts = await LoopbackSts.start(
    { [MEMBER_ROLE]: { externalId: 'pool-warden-research-7f3a', accessKeyId: MEMBER_KEY } },
    clock
  );
});

afterAll(async () => {
  await Promise.all([hub.stop(), member.stop(), stranger.stop(), sts.stop()]);
});

beforeEach(() => {
  for (const s of [hub, member, stranger]) s.service.reset();
  sts.calls.length = 0;
});

/** The hub's gateway as deployed, each account's SageMaker on its own loopback endpoint. */
function hubGateway(): PoolGateway {
  const config = configFrom(CONFIG_YAML);
  const endpoints: Record<string, string> = {
    [HUB]: hub.endpoint,
    [MEMBER]: member.endpoint,
    [STRANGER]: stranger.endpoint,
  };
  return organisationSageMaker(config, {
    region: 'us-east-1',
    sessionName: 'pool-warden-dev-us-east-1-evaluate',
    log: recordingLog(),
    clock,
    sageMakerClient: (location, credentials) =>
      new SageMakerClient({
        endpoint: endpoints[location.account],
        region: location.region,
        maxAttempts: 1,
        credentials: credentials ?? { accessKeyId: HUB_KEY, secretAccessKey: 'hub' },
      }),
    stsClient: new STSClient({
      endpoint: sts.endpoint,
      region: 'us-east-1',
      maxAttempts: 1,
      credentials: { accessKeyId: HUB_KEY, secretAccessKey: 'hub' },
    }),
  });
}

/** Hub deps over in-memory stores and recording senders, with the routed SageMaker. */
function hubDeps() {
  const config = configFrom(CONFIG_YAML);
  const senders = recordingSenders();
  const parked = new MemoryParkedEvents();
  const deps: StewardDeps = {
    config,
    policy: compilePolicy(config),
    clock,
    sageMaker: hubGateway(),
    store: new MemoryPoolStore(clock),
    callers: new MemoryCallerRegistry(),
    parked,
    ledger: new MemoryNoticeLedger(),
    email: senders.email,
    slack: senders.slack,
    events: new MemoryEventPublisher(),
    actionLinks: noActionLinks,
    log: recordingLog(),
    metrics: recordingMetrics(),
  };
  const finish = { ...deps, emailReach: subscribedOnly('alice@example.com') };
  return { deps, finish, senders, parked };
}

/** Runs a job on one account's simulator; returns the Completed event SageMaker sends. */
function runJob(account: LoopbackSageMaker, name: string, region: string) {
  account.simulator.submit({
    name,
    roleArn: 'arn:aws:iam::444455556666:role/ResearchTraining',
    instanceType: 'ml.g5.2xlarge',
    volumeSizeGb: 100,
    keepAliveSeconds: 3600,
    tags: { 'warden:owner': 'alice' },
  });
  clock.advanceTo(clock.now() + MINUTE);
  account.simulator.start(name);
  clock.advanceTo(clock.now() + 30 * MINUTE);
  account.simulator.end(name, 'Completed');
  const raw = account.simulator.describeRaw(name) ?? {};
  return stateChangeEvent(raw, { 'warden:owner': 'alice' }, clock.now(), region);
}

describe('one Warden for an organisation', () => {
  it('drives a member account’s job to a notice and a decision, calling that account with the assumed role', async () => {
    // Prepare
    const { deps, finish, senders } = hubDeps();
    const event = runJob(member, 'research-bert-1', 'eu-west-1');

    // Act
    const notice = await notifyOnFinish(event, finish);
    const intake = await trackPoolEvent(event, deps);
    const sweep = await evaluateDuePools(deps);

    // Assess
    expect(notice).toMatchObject({ kind: 'notice', job: 'research-bert-1', owner: 'alice' });
    expect(senders.emails.map((e) => e.message.to)).toContain('alice@example.com');
    expect(intake).toMatchObject({ kind: 'tracked', job: 'research-bert-1' });
    expect(sweep).toMatchObject({ kind: 'swept', applied: 1 });
    const updates = member.service.callsTo('UpdateTrainingJob');
    expect(updates.map((c) => c.input)).toEqual([
      { TrainingJobName: 'research-bert-1', ResourceConfig: { KeepAlivePeriodInSeconds: 1200 } },
    ]);
    expect(member.service.calls.length).toBeGreaterThan(0);
    expect(new Set(member.service.calls.map((c) => accessKeyOf(c.headers)))).toEqual(
      new Set([MEMBER_KEY])
    );
    expect(member.service.calls.every((c) => c.headers['x-amz-security-token'] !== undefined)).toBe(
      true
    );
    expect(hub.service.calls).toEqual([]);
    expect(sts.calls.map((c) => c.params)).toEqual([
      expect.objectContaining({
        RoleArn: MEMBER_ROLE,
        ExternalId: 'pool-warden-research-7f3a',
        RoleSessionName: 'pool-warden-dev-us-east-1-evaluate',
      }),
    ]);
    expect(accessKeyOf(sts.calls[0]?.headers ?? {})).toBe(HUB_KEY);
  });

  it('calls the hub’s own account with the functions’ own credentials and no role', async () => {
    // Prepare
    const { finish } = hubDeps();
    const event = runJob(hub, 'platform-etl-1', 'us-east-1');

    // Act
    const notice = await notifyOnFinish(event, finish);

    // Assess
    expect(notice).toMatchObject({ kind: 'notice', job: 'platform-etl-1' });
    expect(hub.service.calls.length).toBeGreaterThan(0);
    expect(new Set(hub.service.calls.map((c) => accessKeyOf(c.headers)))).toEqual(
      new Set([HUB_KEY])
    );
    expect(member.service.calls).toEqual([]);
    expect(sts.calls).toEqual([]);
  });

  it('parks an event from an account not listed, with the reason, and calls nobody', async () => {
    // Prepare
    const { deps, finish, parked, senders } = hubDeps();
    const event = runJob(stranger, 'stranger-job-1', 'us-east-1');

    // Act
    const notice = await notifyOnFinish(event, finish);
    const intake = await trackPoolEvent(event, deps);

    // Assess
    const reason = expect.stringContaining(`account ${STRANGER} is not listed under accounts:`);
    expect(notice).toEqual({ kind: 'rejected', reason });
    expect(intake).toEqual({ kind: 'rejected', reason });
    expect(parked.entries.map((e) => e.reason)).toEqual([reason, reason]);
    expect(senders.emails).toEqual([]);
    expect(stranger.service.calls).toEqual([]);
    expect(sts.calls).toEqual([]);
  });

  it('refuses a SageMaker call on a job of an account not listed, naming the account', async () => {
    // Prepare
    const gateway = hubGateway();
    const arn = `arn:aws:sagemaker:us-east-1:${STRANGER}:training-job/x`;

    // Act
    const call = gateway.describeTrainingJob('x', arn);

    // Assess
    await expect(call).rejects.toMatchObject({
      code: 'ACCOUNT_NOT_SERVED',
      retryable: false,
      message: expect.stringContaining(STRANGER),
    });
    expect(stranger.service.calls).toEqual([]);
  });
});
