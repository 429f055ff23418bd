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

function before(a: HeapEvent, b: HeapEvent): boolean {
  if (a.time !== b.time) return a.time < b.time;
  if (a.kind !== b.kind) return a.kind < b.kind;
  return a.seq < b.seq;
}

/** Min-heap on (time, kind, seq). */
class EventHeap<E extends HeapEvent> {
  private readonly items: E[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): E | undefined {
    return this.items[0];
  }

  push(event: E): void {
    const items = this.items;
    let i = items.length;
    items.push(event);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const p = items[parent] as E;
      if (!before(event, p)) break;
      items[i] = p;
      i = parent;
    }
    items[i] = event;
  }

  pop(): E | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (top === undefined || last === undefined || items.length === 0) return top;
    const n = items.length;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= n) break;
      const right = left + 1;
      let child = left;
      if (right < n && before(items[right] as E, items[left] as E)) child = right;
      const c = items[child] as E;
      if (!before(c, last)) break;
      items[i] = c;
      i = child;
    }
    items[i] = last;
    return top;
  }
}

export type { HeapEvent };
export { EventHeap };
