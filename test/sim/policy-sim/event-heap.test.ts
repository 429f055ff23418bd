import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventHeap } from '../../../src/sim/policy-sim/event-heap.js';

interface HeapEvent {
  readonly time: number;
  readonly kind: number;
  readonly seq: number;
}

/** Pushes `e` with its own keys, its seq as the aux number too. */
function push(heap: EventHeap<HeapEvent>, e: HeapEvent): void {
  heap.push(e.time, e.kind, e.seq, e, e.seq);
}

/** Pops the next event after checking that its keys and aux number came back with it. */
function pop(heap: EventHeap<HeapEvent>): HeapEvent | undefined {
  const time = heap.peekTime();
  const kind = heap.peekKind();
  const aux = heap.peekAux();
  const e = heap.pop();
  if (e === undefined) {
    expect([time, kind, aux]).toEqual([Number.POSITIVE_INFINITY, -1, Number.NaN]);
  } else {
    expect([time, kind, aux]).toEqual([e.time, e.kind, e.seq]);
  }
  return e;
}

const order = (a: HeapEvent, b: HeapEvent) => a.time - b.time || a.kind - b.kind || a.seq - b.seq;

describe('EventHeap', () => {
  it('pops by time, then kind, then the order events were pushed, however they were pushed', () => {
    const event = fc.record({
      time: fc.integer({ min: 0, max: 50 }),
      kind: fc.integer({ min: 0, max: 3 }),
    });
    fc.assert(
      fc.property(
        fc.array(event, { maxLength: 600 }),
        fc.integer({ min: 0, max: 2 ** 40 }),
        (es, base) => {
          const heap = new EventHeap<HeapEvent>();
          const pushed = es.map((e, i) => ({ ...e, seq: base + i }));
          for (const e of pushed) push(heap, e);
          expect(heap.size).toBe(pushed.length);
          const popped: HeapEvent[] = [];
          for (let e = pop(heap); e !== undefined; e = pop(heap)) popped.push(e);
          expect(popped).toEqual([...pushed].sort(order));
          expect(heap.size).toBe(0);
          expect(heap.peekTime()).toBe(Number.POSITIVE_INFINITY);
        }
      )
    );
  });

  it('interleaves pushes and pops as a priority queue does', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.integer({ min: 0, max: 1e6 }), { nil: undefined })),
        (ops) => {
          const heap = new EventHeap<HeapEvent>();
          const model: HeapEvent[] = [];
          let seq = 0;
          for (const op of ops) {
            if (op === undefined) {
              model.sort(order);
              expect(pop(heap)).toEqual(model.shift());
            } else {
              const e = { time: op, kind: op % 4, seq: seq++ };
              push(heap, e);
              model.push(e);
            }
            const first = [...model].sort(order)[0];
            expect([heap.peekTime(), heap.peekKind()]).toEqual(
              first === undefined ? [Number.POSITIVE_INFINITY, -1] : [first.time, first.kind]
            );
          }
        }
      )
    );
  });

  it('refuses a time, kind or seq its ordering key cannot hold exactly, and takes the largest it can', () => {
    const heap = new EventHeap<HeapEvent>();
    expect(() => push(heap, { time: 0, kind: 0, seq: 2 ** 44 })).toThrow(/seq 17592186044416/);
    expect(() => push(heap, { time: 0, kind: -1, seq: 0 })).toThrow(/kind -1/);
    expect(() => push(heap, { time: 0, kind: 512, seq: 0 })).toThrow(/kind 512/);
    expect(() => push(heap, { time: 0, kind: 0.5, seq: 0 })).toThrow(/kind 0.5/);
    expect(() => push(heap, { time: 0, kind: 1, seq: 0.5 })).toThrow(/seq 0.5/);
    expect(() => push(heap, { time: Number.NaN, kind: 0, seq: 0 })).toThrow(/time NaN/);
    expect(heap.size).toBe(0);
    // 511 · 2^44 + (2^44 − 1) is 2^53 − 1, the largest exact double: still ordered by seq
    const last = { time: 0, kind: 511, seq: 2 ** 44 - 1 };
    const before = { time: 0, kind: 511, seq: 2 ** 44 - 2 };
    push(heap, last);
    push(heap, before);
    expect([pop(heap), pop(heap)]).toEqual([before, last]);
  });

  it('grows past its first allocation without losing or reordering an event', () => {
    // Prepare: far more events than the heap starts with, pushed in reverse time order.
    const heap = new EventHeap<HeapEvent>();
    const events = Array.from({ length: 5000 }, (_, i) => ({
      time: 5000 - i,
      kind: i % 3,
      seq: i,
    }));
    // Act
    for (const e of events) push(heap, e);
    const popped: HeapEvent[] = [];
    for (let e = pop(heap); e !== undefined; e = pop(heap)) popped.push(e);
    // Assess
    expect(popped).toEqual([...events].sort(order));
  });
});
