/**
 * A binary min-heap of simulator events ordered by (time, kind, seq): at the same millisecond,
 * a lower kind comes first, and equal kinds come in the order they were scheduled. That makes
 * every run of the same trace and policy identical.
 */

/** kind and seq share one exactly representable number: kind · 2^44 + seq. */
const KIND_SHIFT = 2 ** 44;
const MAX_KIND = 2 ** (53 - 44) - 1;

/**
 * Min-heap of events on (time, kind, seq), each carrying a payload and one number (`aux`).
 * Keys and numbers live in typed arrays beside the payloads, so a sift compares numbers that sit
 * together in memory instead of chasing an object per comparison, and scheduling an event
 * allocates nothing: a million-job backtest schedules and sifts millions of them.
 */
class EventHeap<P> {
  private times = new Float64Array(256);
  private ranks = new Float64Array(256);
  private auxes = new Float64Array(256);
  private readonly payloads: (P | undefined)[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The next event's time; +Infinity when the heap is empty. */
  peekTime(): number {
    return this.count > 0 ? (this.times[0] as number) : Number.POSITIVE_INFINITY;
  }

  /** The next event's kind; -1 when the heap is empty. */
  peekKind(): number {
    return this.count > 0 ? Math.floor((this.ranks[0] as number) / KIND_SHIFT) : -1;
  }

  /** The next event's number; NaN when the heap is empty. */
  peekAux(): number {
    return this.count > 0 ? (this.auxes[0] as number) : Number.NaN;
  }

  push(time: number, kind: number, seq: number, payload: P, aux = 0): void {
    if (!Number.isFinite(time)) throw new RangeError(`event time ${time} is not a time`);
    if (!(Number.isInteger(kind) && kind >= 0 && kind <= MAX_KIND)) {
      throw new RangeError(`event kind ${kind} out of range 0–${MAX_KIND}`);
    }
    if (!(Number.isInteger(seq) && seq >= 0 && seq < KIND_SHIFT)) {
      throw new RangeError(`event seq ${seq} out of range 0–2^44`);
    }
    if (this.count === this.times.length) this.grow();
    const { times, ranks, auxes, payloads } = this;
    const rank = kind * KIND_SHIFT + seq;
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const parentTime = times[parent] as number;
      if (parentTime < time || (parentTime === time && (ranks[parent] as number) < rank)) break;
      this.move(parent, i);
      i = parent;
    }
    times[i] = time;
    ranks[i] = rank;
    auxes[i] = aux;
    payloads[i] = payload;
  }

  /** Removes the next event and returns its payload (read its time, kind and aux first). */
  pop(): P | undefined {
    if (this.count === 0) return undefined;
    const { times, ranks, auxes, payloads } = this;
    const top = payloads[0];
    const n = --this.count;
    const lastTime = times[n] as number;
    const lastRank = ranks[n] as number;
    const lastAux = auxes[n] as number;
    const last = payloads[n];
    payloads[n] = undefined;
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
      this.move(child, i);
      i = child;
    }
    times[i] = lastTime;
    ranks[i] = lastRank;
    auxes[i] = lastAux;
    payloads[i] = last;
    return top;
  }

  private move(from: number, to: number): void {
    this.times[to] = this.times[from] as number;
    this.ranks[to] = this.ranks[from] as number;
    this.auxes[to] = this.auxes[from] as number;
    this.payloads[to] = this.payloads[from];
  }

  private grow(): void {
    const bigger = (a: Float64Array) => {
      const b = new Float64Array(a.length * 2);
      b.set(a);
      return b;
    };
    this.times = bigger(this.times);
    this.ranks = bigger(this.ranks);
    this.auxes = bigger(this.auxes);
  }
}

export { EventHeap };
