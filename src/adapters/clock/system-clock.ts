import { setTimeout as delay } from 'node:timers/promises';
import type { Clock } from '../../domain/ports/clock.js';

/** Wall-clock time; the only place outside tests where the real time is read. */
const systemClock: Clock = {
  now: () => Date.now(),
  sleep: async (ms) => {
    await delay(ms);
  },
};

export { systemClock };
