import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/admin-cli.js';
import { EXAMPLE_CONFIG, EXAMPLE_DESCRIBE } from '../helpers/replayed-state.js';

const EVENTS = join(
  import.meta.dirname,
  '..',
  '..',
  'examples',
  'events',
  '2026-11-24.vision-team.jsonl'
);

async function replay(extra: readonly string[]) {
  const dir = await mkdtemp(join(tmpdir(), 'warden-stop-'));
  const state = join(dir, 'state');
  const replayed = await runCli([
    'replay',
    '--config',
    EXAMPLE_CONFIG,
    '--describe',
    EXAMPLE_DESCRIBE,
    '--outbox',
    join(dir, 'outbox'),
    '--state',
    state,
    ...extra,
    EVENTS,
  ]);
  const pools = await runCli(['pools', 'list', '--state', state, '--config', EXAMPLE_CONFIG]);
  return { replayed, pools };
}

describe('warden replay --stop-at-last-event', () => {
  it('leaves the pools still warm at the last event live in the saved state', async () => {
    // Act
    const stopped = await replay(['--stop-at-last-event']);
    const drained = await replay([]);

    // Assess: followed to their end, no pool is live; stopped at the last event, some are
    expect(stopped.replayed.code).toBe(0);
    expect(drained.pools.stdout).toContain('no live pools');
    expect(stopped.pools.stdout).toMatch(/\([1-9]\d* live\)/);
    expect(stopped.pools.stdout).toContain('Available');
  });
});
