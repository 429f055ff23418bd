import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SortedKeys } from '../../../src/adapters/memory/sorted-keys.js';

type Step = { readonly op: 'add' | 'delete'; readonly key: string };

const steps = fc.array(
  fc.record({
    op: fc.constantFrom<'add' | 'delete'>('add', 'add', 'delete'),
    key: fc.string({ maxLength: 4 }),
  }),
  { maxLength: 3_000 }
);

/** The same steps applied to a plain Set, sorted at the end: what SortedKeys must equal. */
function expected(run: readonly Step[]): string[] {
  const keys = new Set<string>();
  for (const { op, key } of run) {
    if (op === 'add') keys.add(key);
    else keys.delete(key);
  }
  return [...keys].sort();
}

describe('SortedKeys', () => {
  it('holds exactly the keys added and not deleted, in ascending order', () => {
    fc.assert(
      fc.property(steps, (run) => {
        // Prepare
        const keys = new SortedKeys();

        // Act
        for (const { op, key } of run) {
          if (op === 'add') keys.add(key);
          else keys.delete(key);
        }

        // Assess
        const want = expected(run);
        expect([...keys]).toEqual(want);
        expect(keys.size).toBe(want.length);
      }),
      { numRuns: 60 }
    );
  });

  it('returns the smallest keys up to a bound and a limit', () => {
    fc.assert(
      fc.property(steps, fc.string({ maxLength: 4 }), fc.nat(50), (run, bound, limit) => {
        // Prepare
        const keys = new SortedKeys();
        for (const { op, key } of run) {
          if (op === 'add') keys.add(key);
          else keys.delete(key);
        }

        // Act
        const upTo = keys.upTo(bound, limit);

        // Assess
        expect(upTo).toEqual(
          expected(run)
            .filter((k) => k <= bound)
            .slice(0, limit)
        );
      }),
      { numRuns: 60 }
    );
  });

  it('keeps order across chunk splits when thousands of keys arrive in reverse', () => {
    // Prepare
    const keys = new SortedKeys();
    const all = Array.from({ length: 5_000 }, (_, i) => String(i).padStart(5, '0'));

    // Act
    for (const key of [...all].reverse()) keys.add(key);
    for (const key of all.filter((_, i) => i % 3 === 0)) keys.delete(key);

    // Assess
    expect([...keys]).toEqual(all.filter((_, i) => i % 3 !== 0));
  });
});
