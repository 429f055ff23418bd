import { describe, expect, it } from 'vitest';
import { MemoryPoolStore } from '../../../src/adapters/memory/memory-pool-store.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { T0 } from '../../helpers/factories.js';
import { next, pool, poolStoreContract } from '../pool-store.contract.js';

describe('memory-pool-store', () => {
  poolStoreContract(async (clock) => new MemoryPoolStore(clock));

  it('answers poolsDue from the front of its order when tens of thousands of pools are live', async () => {
    // Prepare
    const store = new MemoryPoolStore(new VirtualClock(T0));
    const count = 30_000;
    for (let i = 0; i < count; i++) {
      // A scattered order of decision times, so every insert lands mid-list.
      const at = T0 + ((i * 7_919) % count) * 1_000;
      await store.putPool(pool(`sim-${i}`, { nextDecisionAt: at }));
    }
    const first = (await store.poolsDue(T0, 1))[0];
    if (first === undefined) throw new Error('no pool due');

    // Act
    await store.putPool(next(first, { nextDecisionAt: T0 + count * 1_000 }));
    const due = await store.poolsDue(T0 + 2_000, 10);
    const live = await store.livePools();

    // Assess
    expect(due.map((p) => p.nextDecisionAt)).toEqual([T0 + 1_000, T0 + 2_000]);
    expect(live).toHaveLength(count);
    expect(live[count - 1]?.jobName).toBe(first.jobName);
  });

  it('returns the stored record itself, not a copy', async () => {
    // Prepare
    const store = new MemoryPoolStore(new VirtualClock(T0));
    const written = pool('shared');
    await store.putPool(written);

    // Act
    const read = await store.getPool(written.jobArn, written.creationTime);

    // Assess
    expect(read).toBe(written);
  });

  it('forgets circuit-breaker counts two days old, as the table lets them expire', async () => {
    // Prepare
    const store = new MemoryPoolStore(new VirtualClock(T0));
    const hour = T0 - (T0 % 3_600_000);
    const twoDaysOn = hour + 2 * 86_400_000;
    await store.countAction(hour, hour);
    await store.countAction(hour + 3_600_000, hour + 3_600_000);

    // Act
    await store.countAction(twoDaysOn, twoDaysOn);

    // Assess
    expect(store.snapshot().actionsByHour.map((c) => c.hourStart)).toEqual([
      hour + 3_600_000,
      twoDaysOn,
    ]);
    expect(store.snapshot().actionsByMinute?.map((c) => c.minuteStart)).toEqual([
      hour + 3_600_000,
      twoDaysOn,
    ]);
  });
});
