import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import { STATE_FILE } from '../../src/adapters/memory/state-dir.js';
import { createPoolsCommand } from '../../src/cli/pools-command.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { loopbackTargetDeps, runCli, seedTable } from '../helpers/admin-cli.js';
import { LoopbackDynamo } from '../helpers/loopback-dynamodb.js';
import { EXAMPLE_CONFIG, replayExamples } from '../helpers/replayed-state.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let dir: string;
let state: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-pools-'));
  state = join(dir, 'state');
});

describe('warden pools list --state', () => {
  it('lists the live pools a replay left, times in the config zone, last decision and reason', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });

    // Act
    const { code, lines } = await runCli([
      'pools',
      'list',
      '--state',
      state,
      '--config',
      EXAMPLE_CONFIG,
    ]);

    // Assess
    expect(code).toBe(0);
    expect(lines[0]).toMatch(
      /^JOB +OWNER +TEAM +STATE +INSTANCES +KEY +EXPIRES +NEXT +LAST DECISION$/
    );
    // Soonest next look first; resnet-sweep-002 was decided the moment its job ended (11:41)
    expect(lines[1]).toMatch(
      /^resnet-sweep-001 +alice .* 2026-11-24 11:41 +2026-11-24 11:42 +keep at 10:45 \(no-op, rule vision-gpu-working-hours\): adaptive: too little history/
    );
    expect(lines[2]).toMatch(
      /^resnet-sweep-002 +alice +vision +Available +ml\.g5\.2xlarge×1 +d8302a68 +2026-11-24 12:41 +2026-11-24 11:46 +extend to 12:41 at 11:41 \(applied, rule vision-gpu-working-hours\): adaptive: too little history/
    );
    expect(lines[3]).toBe(`2 pools (2 live) in state ${state}; times in Europe/Berlin`);
    // Columns line up: every row's KEY starts where the header's does.
    const keyAt = lines[0]?.indexOf('KEY');
    expect(lines.slice(1, 3).map((l) => l.indexOf('d8302a68'))).toEqual([keyAt, keyAt]);
  });

  it('prints one JSON object per pool with --json, times in ISO 8601 and the full key', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });

    // Act
    const { code, lines, stderr } = await runCli(['pools', 'list', '--state', state, '--json']);

    // Assess
    expect(code).toBe(0);
    const pools = lines.map((l) => JSON.parse(l));
    expect(pools.map((p) => p.job)).toEqual(['resnet-sweep-001', 'resnet-sweep-002']);
    expect(pools[0]).toMatchObject({
      owner: 'alice',
      team: 'vision',
      state: 'Available',
      instanceType: 'ml.g5.2xlarge',
      instanceCount: 1,
      matchKeyId: 'd8302a686fd8ceb2',
      keepAliveSeconds: 3600,
      expiresAt: '2026-11-24T10:41:00.000Z',
      nextDecisionAt: '2026-11-24T10:42:00.000Z',
      lastDecision: { action: 'keep', outcome: 'no-op', rule: 'vision-gpu-working-hours' },
    });
    expect(pools[0].matchKey).toContain('type=ml.g5.2xlarge|count=1');
    expect(stderr).toBe(`2 pools (2 live) in state ${state}; times in UTC\n`);
  });

  it('lists gone pools too with --all, and none without it, after a drained replay', async () => {
    // Prepare
    await replayExamples(dir, { drain: true });

    // Act
    const live = await runCli(['pools', 'list', '--state', state]);
    const all = await runCli(['pools', 'list', '--state', state, '--all', '--json']);

    // Assess
    expect(live).toMatchObject({ code: 0, stdout: `no live pools in state ${state}\n` });
    expect(all.code).toBe(0);
    const states = all.lines.map((l) => JSON.parse(l)).map((p) => `${p.job} ${p.state}`);
    expect(states).toContain('resnet-sweep-001 Reused');
    expect(states).toContain('llama-8b-sft-v3 Terminated');
    expect(states).toContain('resnet-sweep-004 Terminated');
    expect(states).toHaveLength(8);
  });

  it('reads ./out/state when no store is named', async () => {
    // Prepare
    await replayExamples(join(dir, 'out'), { inputs: 6 });
    const cwd = process.cwd();
    process.chdir(dir);

    // Act
    const result = await runCli(['pools', 'list']).finally(() => process.chdir(cwd));

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 pools (2 live) in state out/state');
  });

  it('exits 2 naming the file and field when the state file is corrupt', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    await writeFile(join(state, STATE_FILE), '{"version": 1, "takenAt": "noon"}');

    // Act
    const { code, stderr } = await runCli(['pools', 'list', '--state', state]);

    // Assess
    expect(code).toBe(2);
    expect(stderr).toBe(`warden pools: ${join(state, STATE_FILE)}: takenAt: expected number\n`);
  });

  it('exits 2 with the usage for bad flags', async () => {
    const cases = await Promise.all(
      [
        ['pools'],
        ['pools', 'show'],
        ['pools', 'list', '--stage', 'prod', '--state', state],
        ['pools', 'list', '--region', 'eu-west-1', '--state', state],
        ['pools', 'list', '--stage', 'prod/x'],
        ['pools', 'list', '--al'],
        ['pools', 'list', 'extra'],
        ['pools', 'list', '--stage', 'prod', '--region', 'x y'],
      ].map((argv) => runCli(argv))
    );

    expect(cases.map((c) => c.code)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(cases[7]?.stderr).toContain('--region "x y" is not an AWS region such as eu-west-1');
    expect(cases[0]?.stderr).toContain('pools needs a subcommand');
    expect(cases[1]?.stderr).toContain('unknown pools subcommand "show"');
    expect(cases[2]?.stderr).toContain('--state is a local state: it cannot go with --stage');
    expect(cases[3]?.stderr).toContain('--region needs --stage or --table');
    expect(cases[4]?.stderr).toContain('--stage "prod/x" is not a stage name');
    expect(cases[5]?.stderr).toContain('unknown flag --al; did you mean --all?');
    expect(cases[6]?.stderr).toContain('unexpected argument "extra"');
    expect(cases[6]?.stderr).toContain('usage: warden pools list');
  });
});

describe('warden pools list --stage / --table', () => {
  let dynamo: LoopbackDynamo;
  let replayed: MemoryPoolStore;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable('pool-warden-test');
    const seedDir = await mkdtemp(join(tmpdir(), 'warden-pools-seed-'));
    replayed = await replayExamples(seedDir, { inputs: 6 });
    await seedTable(dynamo.client, 'pool-warden-test', replayed);
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  it('lists the live pools of the stage table pool-warden-<stage>', async () => {
    // Prepare
    const pools = createPoolsCommand(loopbackTargetDeps(dynamo.endpoint, 0));

    // Act
    const { code, lines, stderr } = await runCli(['list', '--stage', 'test', '--json'], pools);

    // Assess
    expect(code).toBe(0);
    const listed = lines.map((l) => JSON.parse(l));
    expect(listed.map((p) => p.job)).toEqual(['resnet-sweep-001', 'resnet-sweep-002']);
    expect(listed[0].lastDecision.reason).toContain('adaptive: too little history');
    expect(stderr).toBe('2 pools (2 live) in table pool-warden-test; times in UTC\n');
  });

  it('says a table lists live pools only when asked for --all', async () => {
    // Prepare
    const pools = createPoolsCommand(loopbackTargetDeps(dynamo.endpoint, 0));

    // Act
    const { code, lines, stderr } = await runCli(
      ['list', '--table', 'pool-warden-test', '--all'],
      pools
    );

    // Assess
    expect(code).toBe(0);
    expect(lines).toHaveLength(4);
    expect(stderr).toBe(
      'note: --all: table pool-warden-test lists live pools only; see warden audit for the others\n'
    );
  });

  it('exits 1 with one line when the stage has no table', async () => {
    // Prepare
    const pools = createPoolsCommand(loopbackTargetDeps(dynamo.endpoint, 0));

    // Act
    const { code, stdout, stderr } = await runCli(
      ['list', '--stage', 'nope', '--region', 'eu-west-1'],
      pools
    );

    // Assess
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'warden: DynamoDB: table pool-warden-nope not found in eu-west-1 (is the stage deployed there? see --table, --region)\n'
    );
  });

  it('exits 1 with one line when there are no AWS credentials', async () => {
    // Prepare
    const noCredentials = () =>
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: 'us-east-1',
        maxAttempts: 1,
        credentials: async () => {
          const error = new Error('Could not load credentials from any providers');
          error.name = 'CredentialsProviderError';
          throw error;
        },
      });
    const pools = createPoolsCommand({ clock: new VirtualClock(0), dynamoClient: noCredentials });

    // Act
    const { code, stderr } = await runCli(['list', '--stage', 'test'], pools);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toBe(
      'warden: DynamoDB: no AWS credentials (set AWS_PROFILE, or log in with aws sso login): Could not load credentials from any providers\n'
    );
  });
});
