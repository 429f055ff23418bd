import { describe, expect, it } from 'vitest';
import { MemoryParkedEvents } from '../../../src/adapters/memory/memory-parked-events.js';
import { T0 } from '../../helpers/factories.js';

describe('memory-parked-events', () => {
  it('keeps every parked event in arrival order when several are parked', async () => {
    // Prepare
    const parked = new MemoryParkedEvents();

    // Act
    await parked.park({ reason: 'first', receivedAt: T0, event: { n: 1 } });
    await parked.park({ reason: 'second', receivedAt: T0, event: 'not an object' });

    // Assess
    expect(parked.entries).toEqual([
      { reason: 'first', receivedAt: T0, event: { n: 1 } },
      { reason: 'second', receivedAt: T0, event: 'not an object' },
    ]);
  });
});
