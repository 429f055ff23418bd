import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import { createAuditCommand } from '../../src/cli/audit-command.js';
import { loopbackTargetDeps, runCli, seedTable } from '../helpers/admin-cli.js';
import { LoopbackDynamo } from '../helpers/loopback-dynamodb.js';
import { EXAMPLE_CONFIG, replayExamples } from '../helpers/replayed-state.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const HOUR = 3_600_000;

let state: string;
let replayed: MemoryPoolStore;

beforeAll(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'warden-audit-'));
  replayed = await replayExamples(dir, { drain: true });
  state = join(dir, 'state');
});

/** `warden audit --json` on the replayed state, entries parsed. */
async function auditJson(...argv: string[]) {
  const result = await runCli(['audit', '--state', state, '--json', ...argv]);
  return { ...result, entries: result.lines.map((l) => JSON.parse(l)) };
}

describe('warden audit --state', () => {
  it('prints the replayed day oldest first, aligned, in the config zone', async () => {
    // Act
    const { code, lines } = await runCli(['audit', '--state', state, '--config', EXAMPLE_CONFIG]);

    // Assess
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^TIME +JOB +OWNER +KIND +UNTIL +OUTCOME +RULE +REASON$/);
    expect(lines[1]).toMatch(
      /^2026-11-24 10:41 +resnet-sweep-001 +alice +tracked +2026-11-24 11:11 +observed +- +warm pool Available/
    );
    expect(lines[2]).toMatch(
      /^2026-11-24 10:41 +resnet-sweep-001 +alice +extend +2026-11-24 11:41 +applied +vision-gpu-working-hours +adaptive: /
    );
    const n = replayed.snapshot().audit.length;
    expect(lines).toHaveLength(n + 2);
    expect(lines[n + 1]).toBe(`${n} entries in state ${state}; times in Europe/Berlin`);
  });

  it('shows one job with --job, and its newest entries with --limit', async () => {
    // Act
    const job = await auditJson('--job', 'resnet-sweep-001');
    const newest = await auditJson('--job', 'resnet-sweep-001', '--limit', '2');

    // Assess
    expect(job.entries.map((e) => e.kind)).toEqual(['tracked', 'extend', 'keep', 'reused']);
    expect(job.entries[1]).toEqual({
      at: '2026-11-24T09:41:00.000Z',
      job: 'resnet-sweep-001',
      jobArn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/resnet-sweep-001',
      owner: 'alice',
      team: 'vision',
      kind: 'extend',
      until: '2026-11-24T10:41:00.000Z',
      keepAliveSeconds: 3600,
      outcome: 'applied',
      rule: 'vision-gpu-working-hours',
      reason:
        'adaptive: too little history for this key, and break-even, 2h 12m 31s of idle pool, costs what one cold start does: kept to the 1h maximum',
    });
    expect(newest.entries.map((e) => e.kind)).toEqual(['keep', 'reused']);
    expect(newest.stderr).toBe(`2 entries in state ${state}; times in UTC\n`);
  });

  it('counts --since 2h back from the end of the replay, and reads ISO 8601 as given', async () => {
    // Prepare
    const { takenAt } = replayed.snapshot();

    // Act
    const relative = await auditJson('--since', '2h');
    const iso = await auditJson('--since', '2026-11-24T15:00Z');

    // Assess
    const times = relative.entries.map((e) => Date.parse(e.at));
    expect(times.length).toBeGreaterThan(0);
    expect(Math.min(...times)).toBeGreaterThanOrEqual(takenAt - 2 * HOUR);
    const all = replayed.snapshot().audit.map((r) => r.entry.at);
    expect(times).toHaveLength(all.filter((at) => at >= takenAt - 2 * HOUR).length);
    expect(iso.entries.map((e) => e.job)).toEqual(
      replayed
        .snapshot()
        .audit.filter((r) => r.entry.at >= Date.parse('2026-11-24T15:00Z'))
        .map((r) => r.entry.jobName)
    );
    expect(iso.entries.length).toBeGreaterThan(0);
  });

  it('says so when a job has no entries', async () => {
    const { code, stdout } = await runCli(['audit', '--state', state, '--job', 'nope']);

    expect(code).toBe(0);
    expect(stdout).toBe(`no audit entries in state ${state} for nope\n`);
  });

  it('exits 2 for a bad --limit or --since, before reading the store', async () => {
    const cases = await Promise.all(
      [
        ['--limit', '0'],
        ['--limit', '1001'],
        ['--limit', '5x'],
        ['--since', 'yesterday'],
        ['--job', ''],
      ].map((argv) => runCli(['audit', '--state', join(state, 'absent'), ...argv]))
    );

    expect(cases.map((c) => c.code)).toEqual([2, 2, 2, 2, 2]);
    expect(cases[0]?.stderr).toContain('--limit must be a whole number from 1 to 1000, got "0"');
    expect(cases[2]?.stderr).toContain('got "5x"');
    expect(cases[3]?.stderr).toContain(
      '--since "yesterday" is neither an ISO 8601 time (2026-11-24T09:00Z) nor a duration (24h, 7d)'
    );
    expect(cases[4]?.stderr).toContain('--job needs a training job name');
  });
});

describe('warden audit --stage', () => {
  let dynamo: LoopbackDynamo;

  beforeAll(async () => {
    dynamo = await LoopbackDynamo.start();
    await dynamo.createWardenTable('pool-warden-test');
    await seedTable(dynamo.client, 'pool-warden-test', replayed);
  });

  afterAll(async () => {
    await dynamo.stop();
  });

  it('reads the same audit from the table as from the state', async () => {
    // Prepare
    const audit = createAuditCommand(
      loopbackTargetDeps(dynamo.endpoint, replayed.snapshot().takenAt)
    );

    // Act
    const table = await runCli(['--stage', 'test', '--json', '--since', '1d'], audit).then((r) => ({
      ...r,
      entries: r.lines.map((l) => JSON.parse(l)),
    }));
    const local = await auditJson('--since', '1d');

    // Assess
    expect(table.code).toBe(0);
    // The table orders entries of one job in one millisecond by a random id, not by arrival.
    expect([...table.lines].sort()).toEqual([...local.lines].sort());
    expect(table.entries.map((e) => e.at)).toEqual(local.entries.map((e) => e.at));
    expect(table.lines.length).toBe(replayed.snapshot().audit.length);
  });
});
