import { describe, expect, it } from 'vitest';
import { MemoryEventPublisher } from '../../../src/adapters/memory/memory-event-publisher.js';
import type { WardenEvent } from '../../../src/domain/ports/event-publisher.js';
import { T0 } from '../../helpers/factories.js';

function event(detailType: WardenEvent['detailType'], n: number): WardenEvent {
  return { detailType, time: T0 + n, resource: `arn:job-${n}`, detail: { n } };
}

describe('memory-event-publisher', () => {
  it('keeps every event in publishing order across calls, and filters by detail type', async () => {
    // Prepare
    const publisher = new MemoryEventPublisher();

    // Act
    await publisher.publish([event('Warm Pool Decision', 1), event('Warm Pool Action', 2)]);
    await publisher.publish([event('Warm Pool Decision', 3)]);

    // Assess
    expect(publisher.events.map((e) => e.detail.n)).toEqual([1, 2, 3]);
    expect(publisher.ofType('Warm Pool Decision').map((e) => e.detail.n)).toEqual([1, 3]);
  });
});
