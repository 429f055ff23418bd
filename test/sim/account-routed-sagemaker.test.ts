import { describe, expect, it } from 'vitest';
import { MemoryCallerRegistry } from '../../src/adapters/memory/memory-caller-registry.js';
import { MemoryEventPublisher } from '../../src/adapters/memory/memory-event-publisher.js';
import { MemoryNoticeLedger } from '../../src/adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../../src/adapters/memory/memory-parked-events.js';
import { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import { compilePolicy } from '../../src/domain/config/compile-policy.js';
import { noActionLinks } from '../../src/domain/ports/action-links.js';
import { evaluateDuePools } from '../../src/domain/steward/evaluate-due-pools.js';
import { reconcilePools } from '../../src/domain/steward/reconcile-pools.js';
import type { StewardDeps } from '../../src/domain/steward/steward-deps.js';
import { trackPoolEvent } from '../../src/domain/steward/track-pool-event.js';
import { accountRoutedSageMaker } from '../../src/sim/account-routed-sagemaker.js';
import { stateChangeEvent } from '../../src/sim/service-sim/job-events.js';
import { SimulatedSageMaker } from '../../src/sim/simulated-sagemaker.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  configFrom,
  recordingLog,
  recordingMetrics,
  recordingSenders,
  T0,
  TEAM_CONFIG_YAML,
} from '../helpers/factories.js';

const HUB = '111122223333';
const MEMBER = '444455556666';
const MINUTE = 60_000;

/** The hub keeps its pools 40 minutes and the research account's 10: one rule per account. */
const CONFIG_YAML = `${TEAM_CONFIG_YAML}settings:
  dryRun: false
  leadTime: 10m
  safetyMargin: 2m
rules:
  - name: research
    match: { account: '${MEMBER}' }
    mode: fixed
    keepAlive: { fixed: 10m }
  - name: platform
    match: { account: '${HUB}' }
    mode: fixed
    keepAlive: { fixed: 40m }
accounts:
  hub: '${HUB}'
  members:
    - { id: '${MEMBER}', externalId: ext-research, regions: [eu-west-1] }
`;

/** Two accounts, one simulated SageMaker each, the same job run in both, and the hub's deps. */
function twoAccounts() {
  const clock = new VirtualClock(T0);
  const hub = new SimulatedSageMaker({ clock, account: HUB, region: 'us-east-1' });
  const member = new SimulatedSageMaker({ clock, account: MEMBER, region: 'eu-west-1' });
  const config = configFrom(CONFIG_YAML);
  const senders = recordingSenders();
  const deps: StewardDeps = {
    config,
    policy: compilePolicy(config),
    clock,
    sageMaker: accountRoutedSageMaker(
      config,
      'us-east-1',
      new Map([
        [HUB, hub],
        [MEMBER, member],
      ]),
      recordingLog()
    ),
    store: new MemoryPoolStore(clock),
    callers: new MemoryCallerRegistry(),
    parked: new MemoryParkedEvents(),
    ledger: new MemoryNoticeLedger(),
    email: senders.email,
    slack: senders.slack,
    events: new MemoryEventPublisher(),
    actionLinks: noActionLinks,
    log: recordingLog(),
    metrics: recordingMetrics(),
  };
  // Same name in both accounts: only the ARN tells them apart.
  const events = [
    { sim: hub, account: HUB, region: 'us-east-1' },
    { sim: member, account: MEMBER, region: 'eu-west-1' },
  ].map(({ sim, account, region }) => {
    sim.submit({
      name: 'nightly-eval',
      roleArn: `arn:aws:iam::${account}:role/Training`,
      instanceType: 'ml.g5.2xlarge',
      keepAliveSeconds: 3600,
      tags: { 'warden:owner': 'alice' },
    });
    sim.start('nightly-eval', T0);
    return { sim, region };
  });
  clock.advanceTo(T0 + 30 * MINUTE);
  const terminal = events.map(({ sim, region }) => {
    sim.end('nightly-eval', 'Completed');
    const raw = sim.describeRaw('nightly-eval') ?? {};
    return stateChangeEvent(raw, { 'warden:owner': 'alice' }, clock.now(), region);
  });
  return { clock, hub, member, deps, terminal };
}

describe('the simulator with two accounts', () => {
  it('keeps two same-named jobs of two accounts apart, each decided by its account’s rule', async () => {
    // Prepare
    const { hub, member, deps, terminal } = twoAccounts();

    // Act
    for (const event of terminal) await trackPoolEvent(event, deps);
    const sweep = await evaluateDuePools(deps);

    // Assess
    expect(sweep).toMatchObject({ kind: 'swept', applied: 2 });
    expect(hub.job('nightly-eval')?.keepAliveSeconds).toBe(40 * 60);
    expect(member.job('nightly-eval')?.keepAliveSeconds).toBe(10 * 60);
    const pools = await deps.store.livePools();
    expect(pools.map((p) => [p.jobArn, p.region, p.decisions.at(-1)?.rule]).sort()).toEqual([
      [`arn:aws:sagemaker:eu-west-1:${MEMBER}:training-job/nightly-eval`, 'eu-west-1', 'research'],
      [`arn:aws:sagemaker:us-east-1:${HUB}:training-job/nightly-eval`, 'us-east-1', 'platform'],
    ]);
  });

  it('reconciles the pools of every account, each in its own region', async () => {
    // Prepare: the events never reached the hub
    const { deps, clock } = twoAccounts();

    // Act
    const outcome = await reconcilePools(deps, {
      deadline: clock.now() + 10 * MINUTE,
      region: 'us-east-1',
    });

    // Assess
    expect(outcome).toMatchObject({ adopted: ['nightly-eval', 'nightly-eval'], complete: true });
    const pools = await deps.store.livePools();
    expect(pools.map((p) => `${p.region} ${p.jobArn.split(':')[4]}`).sort()).toEqual([
      `eu-west-1 ${MEMBER}`,
      `us-east-1 ${HUB}`,
    ]);
  });
});
