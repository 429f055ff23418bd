import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryPoolStore } from '../../../src/adapters/memory/memory-pool-store.js';
import {
  loadState,
  STATE_FILE,
  StateFileError,
  saveState,
} from '../../../src/adapters/memory/state-dir.js';
import { OPEN_ENDS_KEPT } from '../../../src/domain/ports/pool-store.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { replayExamples } from '../../helpers/replayed-state.js';

let dir: string;
let stateDir: string;
let file: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-state-'));
  stateDir = join(dir, 'state');
  file = join(stateDir, STATE_FILE);
});

/** The saved file as JSON, changed by `edit`, written back. */
async function editState(edit: (state: Record<string, unknown>) => void): Promise<void> {
  const state = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  edit(state);
  await writeFile(file, JSON.stringify(state));
}

async function loadError(): Promise<StateFileError> {
  const error = await loadState(stateDir).then(
    () => undefined,
    (e: unknown) => e
  );
  if (!(error instanceof StateFileError))
    throw new Error(`expected a StateFileError, got ${error}`);
  return error;
}

describe('saveState and loadState', () => {
  it('gives back a store equal to the replayed one: pools, audit, histories and switches', async () => {
    // Prepare
    const replayed = await replayExamples(dir, { drain: true });
    await replayed.putControl({ paused: true, pausedBy: 'alice', pausedAt: 5 });
    await saveState(stateDir, replayed);

    // Act
    const { store, takenAt } = await loadState(stateDir);

    // Assess
    expect(store.snapshot()).toEqual(replayed.snapshot());
    expect(takenAt).toBe(replayed.snapshot().takenAt);
    expect(await store.auditLog({ limit: 1000 })).toEqual(await replayed.auditLog({ limit: 1000 }));
    expect(await store.getControl()).toEqual({ paused: true, pausedBy: 'alice', pausedAt: 5 });
    expect(store.snapshot().audit.length).toBeGreaterThan(20);
  });

  it("carries the circuit breakers' hour and minute counts over to the next run", async () => {
    // Prepare
    const replayed = await replayExamples(dir, { drain: true });
    const hour = Date.UTC(2026, 10, 27, 8);
    await replayed.countAction(hour, hour + 60_000);
    await saveState(stateDir, replayed);

    // Act
    const { store } = await loadState(stateDir);

    // Assess
    expect(await store.countAction(hour, hour + 60_000)).toEqual({ hour: 2, minute: 2 });
  });

  it('loads a state saved before minute counts were kept, counting minutes afresh', async () => {
    // Prepare
    const replayed = await replayExamples(dir, { drain: true });
    const hour = Date.UTC(2026, 10, 27, 8);
    await replayed.countAction(hour, hour);
    await saveState(stateDir, replayed);
    await editState((state) => {
      delete state.actionsByMinute;
    });

    // Act
    const { store } = await loadState(stateDir);

    // Assess
    expect(await store.countAction(hour, hour)).toEqual({ hour: 2, minute: 1 });
  });

  it('restores live pools in due order and keeps their versions, so writes go on', async () => {
    // Prepare
    const replayed = await replayExamples(dir, { inputs: 6 });
    const live = await replayed.livePools();

    // Act
    const { store } = await loadState(stateDir, new VirtualClock(0));
    const [first] = await store.livePools();

    // Assess
    expect(await store.livePools()).toEqual(live);
    expect(live.length).toBe(2);
    if (first === undefined) throw new Error('no live pool');
    expect(await store.putPool(first)).toBe('conflict');
    expect(await store.putPool({ ...first, version: first.version + 1 })).toBe('ok');
    expect(await store.poolsDue(Number.MAX_SAFE_INTEGER, 10)).toHaveLength(2);
  });

  it('answers relative queries at the time the state was saved when given no clock', async () => {
    // Prepare
    const replayed = await replayExamples(dir, { drain: true });

    // Act
    const { store, takenAt } = await loadState(stateDir);
    const lastDay = await store.auditLog({ since: takenAt - 86_400_000, limit: 1000 });

    // Assess
    expect(lastDay).toEqual(await replayed.auditLog({ limit: 1000 }));
    expect(lastDay.length).toBeGreaterThan(0);
  });

  it('names the file when there is no state', async () => {
    const error = await loadError();

    expect(error.message).toBe(
      `${file}: no state here (a \`warden replay --state DIR\` writes one)`
    );
  });

  it('names the file when it is not JSON', async () => {
    // Prepare
    await saveState(stateDir, new MemoryPoolStore(new VirtualClock(0)));
    await writeFile(file, '{"version": 1,');

    // Act
    const error = await loadError();

    // Assess
    expect(error.message).toMatch(new RegExp(`^${file}: is not JSON: `));
  });

  it('names the file and the field of a hand-edited pool', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    await editState((state) => {
      const pools = state.pools as Record<string, unknown>[];
      (pools[1] as Record<string, unknown>).expiresAt = 'soon';
    });

    // Act
    const error = await loadError();

    // Assess
    expect(error.message).toBe(`${file}: pools[1].expiresAt: expected number`);
  });

  it('names the field of a hand-edited shadow flag, shadow histogram or chain history', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    const original = await readFile(file, 'utf8');
    const load = async (edit: (history: Record<string, unknown>) => void) => {
      await writeFile(file, original);
      await editState((state) => edit((state.histories as Record<string, unknown>[])[0] ?? {}));
      return (await loadError()).message;
    };

    // Act
    const flag = await load((h) => {
      h.openEnds = [{ at: 1, shadowed: 'yes' }];
    });
    const histogram = await load((h) => {
      h.shadowHistogram = { weights: [] };
    });
    const chain = await load((h) => {
      h.chain = { arrivals: 1, linked: 'many' };
    });

    // Assess
    expect(flag).toMatch(/histories\[0\]\.openEnds\[0\]\.shadowed: /);
    expect(histogram).toBe(`${file}: histories[0].shadowHistogram: is not a gap histogram`);
    expect(chain).toBe(`${file}: histories[0].chain: is not a chain history`);
  });

  it('keeps only the newest open ends of a hand-edited history, as the table would', async () => {
    // Prepare: a history with 40 000 open ends, each of which every new end would have to scan
    await replayExamples(dir, { inputs: 6 });
    const ends = Array.from({ length: 40_000 }, (_, i) => ({ at: i + 1, shadowed: true }));
    await editState((state) => {
      const history = (state.histories as Record<string, unknown>[])[0] ?? {};
      history.openEnds = ends;
    });

    // Act
    const { store } = await loadState(stateDir);

    // Assess
    const [history] = store.snapshot().histories;
    expect(history?.openEnds).toEqual(ends.slice(-OPEN_ENDS_KEPT));
  });

  it('refuses a pool state the store does not know, naming it', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    await editState((state) => {
      const pools = state.pools as Record<string, unknown>[];
      (pools[0] as Record<string, unknown>).state = 'Warm';
    });

    // Act
    const error = await loadError();

    // Assess
    expect(error.message).toBe(
      `${file}: pools[0].state: must be "InUse" or "Available" or "Reused" or "Terminated"`
    );
  });

  it('refuses a second record of one pool and an unknown top-level field', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    await editState((state) => {
      const pools = state.pools as unknown[];
      pools.push(pools[0]);
    });

    // Act
    const duplicate = await loadError();
    await editState((state) => {
      (state.pools as unknown[]).pop();
      state.pool = [];
    });
    const unknown = await loadError();

    // Assess
    expect(duplicate.message).toMatch(
      new RegExp(`^${file}: pools\\[2\\]: a second record of pool arn:`)
    );
    expect(unknown.message).toBe(`${file}: pool: is not a field of a state file`);
  });

  it('refuses a next decision time the store could not order', async () => {
    // Prepare
    await replayExamples(dir, { inputs: 6 });
    await editState((state) => {
      const pools = state.pools as Record<string, unknown>[];
      (pools[0] as Record<string, unknown>).nextDecisionAt = 1.5;
    });

    // Act
    const error = await loadError();

    // Assess
    expect(error.message).toBe(`${file}: pools[0].nextDecisionAt: must be a whole epoch-ms time`);
  });

  it('refuses a control item whose paused flag is not a boolean', async () => {
    // Prepare
    await saveState(stateDir, new MemoryPoolStore(new VirtualClock(0)));
    await editState((state) => {
      state.control = { paused: 'yes' };
    });

    // Act
    const error = await loadError();

    // Assess
    expect(error.message).toBe(`${file}: control.paused: expected boolean`);
  });

  it('refuses a hand-edited minute count that is negative, naming the field', async () => {
    // Prepare
    await saveState(stateDir, new MemoryPoolStore(new VirtualClock(0)));
    await editState((state) => {
      state.actionsByMinute = [{ hourStart: 0, minuteStart: 60_000, count: -3 }];
    });

    // Act
    const error = await loadError();

    // Assess
    expect(error.message).toBe(`${file}: actionsByMinute[0].count: must be at least 0`);
  });
});
