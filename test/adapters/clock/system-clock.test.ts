import { describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/adapters/clock/system-clock.js';

describe('system-clock', () => {
  it('returns the wall-clock time in epoch milliseconds when asked for now', () => {
    // Prepare
    const before = Date.now();

    // Act
    const now = systemClock.now();

    // Assess
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it('resolves when asked to sleep zero milliseconds', async () => {
    // Act & Assess
    await expect(systemClock.sleep(0)).resolves.toBeUndefined();
  });
});
