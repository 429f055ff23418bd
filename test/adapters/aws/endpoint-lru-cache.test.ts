import { createRequire } from 'node:module';
import fc from 'fast-check';
import type MnemonistLru from 'mnemonist/lru-cache.js';
import { describe, expect, it } from 'vitest';
import LruCache from '../../../src/adapters/aws/endpoint-lru-cache.js';

// The cache the SDK's endpoint cache itself resolves (mnemonist is its dependency, not ours).
const sdkRequire = createRequire(createRequire(import.meta.url).resolve('@aws-sdk/endpoint-cache'));
const MnemonistLruCache = sdkRequire('mnemonist/lru-cache') as typeof MnemonistLru.default;

type Op =
  | { op: 'set'; key: string; value: number }
  | { op: 'get' | 'peek' | 'has'; key: string }
  | { op: 'clear' };

describe('endpoint-lru-cache (mnemonist/lru-cache in bundles)', () => {
  it('answers as mnemonist does to any sequence of the calls the endpoint cache makes', () => {
    // The SDK's keys are JSON text
    const key = fc.integer({ min: 0, max: 6 }).map((n) => `{"k":${n}}`);
    // Clearing is rare, so that sequences fill the cache past its capacity
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        arbitrary: fc.record({ op: fc.constant('set' as const), key, value: fc.integer() }),
        weight: 10,
      },
      {
        arbitrary: fc.record({
          op: fc.constantFrom('get' as const, 'peek' as const, 'has' as const),
          key,
        }),
        weight: 10,
      },
      { arbitrary: fc.record({ op: fc.constant('clear' as const) }), weight: 1 }
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { maxLength: 80 }),
        (capacity, ops) => {
          const ours = new LruCache<string, number>(capacity);
          const theirs = new MnemonistLruCache<string, number>(capacity);
          for (const step of ops) {
            if (step.op === 'set') {
              ours.set(step.key, step.value);
              theirs.set(step.key, step.value);
            } else if (step.op === 'clear') {
              ours.clear();
              theirs.clear();
            } else {
              expect(ours[step.op](step.key)).toEqual(theirs[step.op](step.key));
            }
          }
          for (let k = 0; k <= 6; k++) {
            expect(ours.peek(`{"k":${k}}`)).toEqual(theirs.peek(`{"k":${k}}`));
          }
        }
      ),
      // Cheap, and an eviction after a use is a narrow sequence: many runs find it surely
      { numRuns: 1_000 }
    );
  });

  it('refuses a capacity that is no positive number, as mnemonist does', () => {
    for (const capacity of [0, -1, Number.NaN, '5' as unknown as number]) {
      expect(() => new LruCache(capacity)).toThrow(/capacity/);
      expect(() => new MnemonistLruCache(capacity)).toThrow();
    }
  });
});
