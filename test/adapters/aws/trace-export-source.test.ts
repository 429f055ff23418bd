import { describe, expect, it } from 'vitest';
import { Pacer } from '../../../src/adapters/aws/trace-export-source.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';

describe('Pacer', () => {
  it('lets the first call through at once and spaces the next ones 1/rate apart', async () => {
    // Prepare
    const clock = new VirtualClock(1_000);
    const pacer = new Pacer(clock, 2);
    const times: number[] = [];

    // Act
    for (let i = 0; i < 4; i++) {
      await pacer.turn();
      times.push(clock.now());
    }

    // Assess
    expect(times).toEqual([1_000, 1_500, 2_000, 2_500]);
  });

  it('does not wait when the caller was slower than the rate anyway', async () => {
    const clock = new VirtualClock(0);
    const pacer = new Pacer(clock, 8);

    await pacer.turn();
    clock.advanceTo(10_000);
    await pacer.turn();

    expect(clock.now()).toBe(10_000);
  });
});
