import type { EventPublisher, WardenEvent } from '../../domain/ports/event-publisher.js';

/** Keeps every published event in order, for the simulator, `warden simulate` and tests. */
class MemoryEventPublisher implements EventPublisher {
  readonly events: WardenEvent[] = [];

  async publish(events: readonly WardenEvent[]): Promise<void> {
    this.events.push(...events);
  }

  /** The events of one detail type, in publishing order. */
  ofType(detailType: WardenEvent['detailType']): WardenEvent[] {
    return this.events.filter((e) => e.detailType === detailType);
  }
}

export { MemoryEventPublisher };
