import type { ParkedEvent, ParkedEvents } from '../../domain/ports/parked-events.js';

class MemoryParkedEvents implements ParkedEvents {
  readonly entries: ParkedEvent[] = [];

  async park(entry: ParkedEvent): Promise<void> {
    this.entries.push(entry);
  }
}

export { MemoryParkedEvents };
