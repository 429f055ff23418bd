import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoPoolStore } from '../../src/adapters/aws/dynamo-pool-store.js';
import { loadState, saveState } from '../../src/adapters/memory/state-dir.js';
import { createStewardCommand } from '../../src/cli/steward-command.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { loopbackTargetDeps, runCli } from '../helpers/admin-cli.js';
import { LoopbackDynamo } from '../helpers/loopback-dynamodb.js';
import { EXAMPLE_CONFIG, replayExamples } from '../helpers/replayed-state.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const TRIPPED = Date.parse('2026-11-24T12:00:00Z');

let state: string;
let takenAt: number;

beforeEach(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-steward-'));
  takenAt = (await replayExamples(dir, { inputs: 6 })).snapshot().takenAt;
  state = join(dir, 'state');
});

describe('warden steward --state', () => {
  it('pauses: the saved control says paused, by whom and when', async () => {
    // Act
    const { code, stdout } = await runCli(['steward', 'pause', '--state', state, '--by', 'alice']);

    // Assess
    expect(code).toBe(0);
    const { store } = await loadState(state);
    expect(await store.getControl()).toEqual({
      paused: true,
      pausedBy: 'alice',
      pausedAt: takenAt,
    });
    expect(stdout).toBe(
      `paused the steward of state ${state}\n` +
        'steward:         paused by alice at 2026-11-24 10:41 UTC\n' +
        'circuit breaker: closed\n'
    );
  });

  it('resumes: clears the pause and a tripped circuit breaker', async () => {
    // Prepare
    const { store } = await loadState(state);
    await store.putControl({
      paused: false,
      breakerTrippedAt: TRIPPED,
      breakerReason: '51 actions in one run (max 50)',
    });
    await saveState(state, store);
    await runCli(['steward', 'pause', '--state', state, '--by', 'alice']);
    const before = await runCli([
      'steward',
      'status',
      '--state',
      state,
      '--config',
      EXAMPLE_CONFIG,
    ]);

    // Act
    const { code, stdout } = await runCli(['steward', 'resume', '--state', state, '--by', 'bob']);

    // Assess
    expect(before.stdout).toBe(
      `state ${state}\n` +
        'steward:         paused by alice at 2026-11-24 11:41 Europe/Berlin\n' +
        'circuit breaker: TRIPPED at 2026-11-24 13:00 Europe/Berlin: 51 actions in one run (max 50)\n'
    );
    expect(code).toBe(0);
    expect(stdout).toBe(
      `resumed: the steward of state ${state} (by bob)\n` +
        'steward:         running\ncircuit breaker: closed\n'
    );
    expect(await (await loadState(state)).store.getControl()).toMatchObject({
      paused: false,
      resumedAt: expect.any(Number),
    });
  });

  it('leaves a pause as it was when paused again', async () => {
    // Prepare
    await runCli(['steward', 'pause', '--state', state, '--by', 'alice']);

    // Act
    const { code, stdout } = await runCli(['steward', 'pause', '--state', state, '--by', 'bob']);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('already paused; nothing changed\nsteward:         paused by alice');
    expect((await (await loadState(state)).store.getControl()).pausedBy).toBe('alice');
  });

  it('prints the status as one JSON object with --json', async () => {
    // Prepare
    await runCli(['steward', 'pause', '--state', state, '--by', 'alice']);

    // Act
    const { code, stdout } = await runCli(['steward', 'status', '--state', state, '--json']);

    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({
      store: `state ${state}`,
      paused: true,
      pausedBy: 'alice',
      pausedAt: '2026-11-24T10:41:00.000Z',
      breakerTripped: false,
    });
  });

  it('keeps the rest of the state when it writes the control', async () => {
    // Prepare
    const before = (await loadState(state)).store.snapshot();

    // Act
    await runCli(['steward', 'pause', '--state', state, '--by', 'alice']);

    // Assess
    const after = (await loadState(state)).store.snapshot();
    expect({ ...after, control: before.control }).toEqual(before);
  });

  it('exits 2 with the usage for bad flags, and never pauses a store it was not told of', async () => {
    const cases = await Promise.all(
      [
        ['steward'],
        ['steward', 'stop', '--state', state],
        ['steward', 'pause'],
        ['steward', 'status', '--state', state, '--by', 'alice'],
        ['steward', 'pause', '--state', state, '--json'],
        ['steward', 'pause', '--state', state, '--by', ' '],
      ].map((argv) => runCli(argv))
    );

    expect(cases.map((c) => c.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(cases[0]?.stderr).toContain('steward needs pause, resume or status');
    expect(cases[1]?.stderr).toContain('unknown steward subcommand "stop"');
    expect(cases[1]?.stderr).not.toContain('did you mean');
    expect(cases[2]?.stderr).toContain('name the store: --stage S, --table NAME or --state DIR');
    expect(cases[3]?.stderr).toContain('--by goes with pause or resume');
    expect(cases[4]?.stderr).toContain('--json goes with status');
    expect(cases[5]?.stderr).toContain('--by needs a name');
    expect((await (await loadState(state)).store.getControl()).paused).toBe(false);
  });
});

describe('warden steward --stage', () => {
  let dynamo: LoopbackDynamo;
  const saved = { ...process.env };

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable('pool-warden-test');
  });

  afterEach(() => {
    process.env = { ...saved };
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  it('pauses and resumes the deployed steward through the table, breaker included', async () => {
    // Prepare
    const now = Date.parse('2026-11-26T09:30:00Z');
    const steward = createStewardCommand(loopbackTargetDeps(dynamo.endpoint, now));
    const table = new DynamoPoolStore(dynamo.client, {
      tableName: 'pool-warden-test',
      clock: new VirtualClock(now),
    });
    await table.putControl({ paused: false, breakerTrippedAt: TRIPPED, breakerReason: 'too many' });

    // Act
    const paused = await runCli(['pause', '--stage', 'test', '--by', 'alice'], steward);
    const whilePaused = await table.getControl();
    const resumed = await runCli(['resume', '--stage', 'test', '--by', 'alice'], steward);

    // Assess
    expect([paused.code, resumed.code]).toEqual([0, 0]);
    expect(whilePaused).toEqual({
      paused: true,
      pausedBy: 'alice',
      pausedAt: now,
      breakerTrippedAt: TRIPPED,
      breakerReason: 'too many',
    });
    expect(await table.getControl()).toMatchObject({
      paused: false,
      resumedAt: expect.any(Number),
    });
    expect(resumed.stdout).toContain('resumed: the steward of table pool-warden-test (by alice)');
  });

  it('reaches the table through AWS_ENDPOINT_URL_DYNAMODB and the default credential chain', async () => {
    // Prepare
    process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamo.endpoint;
    process.env.AWS_ACCESS_KEY_ID = 'test';
    process.env.AWS_SECRET_ACCESS_KEY = 'test';
    delete process.env.AWS_PROFILE;

    // Act
    const { code, stdout } = await runCli([
      'steward',
      'status',
      '--table',
      'pool-warden-test',
      '--region',
      'us-east-1',
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toMatch(/^table pool-warden-test\nsteward: +(running|paused by)/);
  });

  it('exits 1 with one line when the table does not exist', async () => {
    // Prepare
    const steward = createStewardCommand(loopbackTargetDeps(dynamo.endpoint, 0));

    // Act
    const { code, stderr } = await runCli(['pause', '--stage', 'gone', '--by', 'alice'], steward);

    // Assess
    expect(code).toBe(1);
    expect(stderr.trimEnd().split('\n')).toEqual([
      'warden: DynamoDB: table pool-warden-gone not found in the default region (is the stage deployed there? see --table, --region)',
    ]);
  });
});
