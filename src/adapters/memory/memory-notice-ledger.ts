import type { Channel, Claim, NoticeLedger } from '../../domain/ports/notice-ledger.js';

interface Entry {
  state: 'pending' | 'sent';
  leaseUntil: number;
  delivered: Set<Channel>;
}

/** The notice ledger in memory, with the same lease semantics as the DynamoDB one. */
class MemoryNoticeLedger implements NoticeLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly leaseMs = 5 * 60_000) {}

  async claim(key: string, now: number): Promise<Claim> {
    const entry = this.entries.get(key);
    if (entry?.state === 'sent') return { kind: 'done' };
    if (entry !== undefined && entry.leaseUntil > now) return { kind: 'busy' };
    const delivered = entry?.delivered ?? new Set<Channel>();
    this.entries.set(key, { state: 'pending', leaseUntil: now + this.leaseMs, delivered });
    return { kind: 'claimed', delivered: [...delivered] };
  }

  async recordDelivery(key: string, channel: Channel): Promise<void> {
    this.entries.get(key)?.delivered.add(channel);
  }

  async complete(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry !== undefined) entry.state = 'sent';
  }

  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry?.state === 'pending') entry.leaseUntil = 0;
  }
}

export { MemoryNoticeLedger };
