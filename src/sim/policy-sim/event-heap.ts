/**
 * A binary min-heap of simulator events ordered by (time, kind, seq): at the same millisecond,
 * a lower kind comes first, and equal kinds come in the order they were scheduled. That makes
 * every run of the same trace and policy identical.
 */

interface HeapEvent {
  readonly time: number;
  readonly kind: number;
  readonly seq: number;
}

/** kind and seq share one exactly representable number: kind · 2^44 + seq. */
const KIND_SHIFT = 2 ** 44;
const MAX_KIND = 2 ** (53 - 44) - 1;

/**
 * Min-heap on (time, kind, seq). The keys live in typed arrays beside the events, so a sift
 * compares numbers that sit together in memory instead of chasing an object per comparison:
 * a million-job backtest sifts tens of millions of times over a heap of many thousand events.
 */
class EventHeap<E extends HeapEvent> {
  private times = new Float64Array(256);
  private ranks = new Float64Array(256);
  private readonly events: (E | undefined)[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  peek(): E | undefined {
    return this.count > 0 ? this.events[0] : undefined;
  }

  push(event: E): void {
    const { time, kind, seq } = event;
    if (!(kind >= 0 && kind <= MAX_KIND && seq >= 0 && seq < KIND_SHIFT)) {
      throw new RangeError(`event kind ${kind} or seq ${seq} out of range`);
    }
    if (this.count === this.times.length) this.grow();
    const times = this.times;
    const ranks = this.ranks;
    const events = this.events;
    const rank = kind * KIND_SHIFT + seq;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (ranks[parent] as number) < rank)) break;
      times[i] = parentTime;
      ranks[i] = ranks[parent] as number;
      events[i] = events[parent];
      i = parent;
    }
    times[i] = time;
    ranks[i] = rank;
    events[i] = event;
  }

  pop(): E | undefined {
    if (this.count === 0) return undefined;
    const times = this.times;
    const ranks = this.ranks;
    const events = this.events;
    const top = events[0];
    const n = --this.count;
    const lastTime = times[n] as number;
    const lastRank = ranks[n] as number;
    const last = events[n];
    events[n] = undefined;
    if (n === 0) return top;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (
        right < n &&
        ((times[right] as number) < (times[left] as number) ||
          (times[right] === times[left] && (ranks[right] as number) < (ranks[left] as number)))
      ) {
        child = right;
      }
      const childTime = times[child] as number;
      if (lastTime < childTime || (lastTime === childTime && lastRank < (ranks[child] as number))) {
        break;
      }
      times[i] = childTime;
      ranks[i] = ranks[child] as number;
      events[i] = events[child];
      i = child;
    }
    times[i] = lastTime;
    ranks[i] = lastRank;
    events[i] = last;
    return top;
  }

  private grow(): void {
    const times = new Float64Array(this.times.length * 2);
    times.set(this.times);
    const ranks = new Float64Array(this.ranks.length * 2);
    ranks.set(this.ranks);
    this.times = times;
    this.ranks = ranks;
  }
}

export type { HeapEvent };
export { EventHeap };
