import type { Channel, Claim, NoticeLedger } from '../../domain/ports/notice-ledger.js';

interface Entry {
  state: 'pending' | 'sent';
  leaseUntil: number;
  delivered: Set<Channel>;
  attempted?: Set<Channel>;
  status?: string;
}

/** The notice ledger in memory, with the same lease semantics as the DynamoDB one. */
class MemoryNoticeLedger implements NoticeLedger {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly leaseMs = 5 * 60_000) {}

  async claim(key: string, now: number): Promise<Claim> {
    const entry = this.entries.get(key);
    const status = entry?.status === undefined ? {} : { status: entry.status };
    if (entry?.state === 'sent') return { kind: 'done', ...status };
    if (entry !== undefined && entry.leaseUntil > now) return { kind: 'busy' };
    const delivered = entry?.delivered ?? new Set<Channel>();
    this.entries.set(key, {
      ...entry,
      state: 'pending',
      leaseUntil: now + this.leaseMs,
      delivered,
    });
    const attempted = [...(entry?.attempted ?? [])].filter((c) => !delivered.has(c));
    return {
      kind: 'claimed',
      delivered: [...delivered],
      ...status,
      ...(attempted.length === 0 ? {} : { attempted }),
    };
  }

  async recordAttempt(key: string, channel: Channel): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.attempted ??= new Set<Channel>();
    entry.attempted.add(channel);
  }

  async recordDelivery(key: string, channel: Channel, status?: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.delivered.add(channel);
    entry.status ??= status;
  }

  async complete(key: string, _now: number, status?: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    entry.state = 'sent';
    entry.status ??= status;
  }

  async release(key: string): Promise<void> {
    const entry = this.entries.get(key);
    if (entry?.state === 'pending') entry.leaseUntil = 0;
  }
}

export { MemoryNoticeLedger };
