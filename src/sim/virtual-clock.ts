import type { Clock } from '../domain/ports/clock.js';

/**
 * Simulated time: it moves only when told to, and `sleep` advances it instantly, so retries
 * and backoff cost nothing in replay, simulation and tests.
 */
class VirtualClock implements Clock {
  private current: number;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  async sleep(ms: number): Promise<void> {
    this.current += Math.max(0, ms);
  }

  /** Moves forward to `time`; never backwards, as real time does not. */
  advanceTo(time: number): void {
    if (time > this.current) this.current = time;
  }
}

export { VirtualClock };
