import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { T0 } from '../helpers/factories.js';

describe('VirtualClock', () => {
  it('advances by the slept time at once, so backoff costs no real time', async () => {
    const clock = new VirtualClock(T0);

    await clock.sleep(1500);
    await clock.sleep(-10);

    expect(clock.now()).toBe(T0 + 1500);
  });

  it('moves forward to a later time and never backwards', () => {
    const clock = new VirtualClock(T0);

    clock.advanceTo(T0 + 60_000);
    clock.advanceTo(T0);

    expect(clock.now()).toBe(T0 + 60_000);
  });
});
