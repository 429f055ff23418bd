import { describe, expect, it } from 'vitest';
import { WardenError } from '../../../src/domain/errors.js';
import {
  coldExtraSeconds,
  coldStartPenalty,
  idleRate,
  startLatencySeconds,
  tracePrices,
} from '../../../src/sim/policy-sim/cost-model.js';
import { job, trace } from './sim-fixtures.js';

describe('cost model', () => {
  it('prices a cold start as extra wait × value of time + billed seconds × instances × price', () => {
    // Prepare: fsx (136 → 19 s), 2 instances at $3.60/h, $100/h, 30 billed seconds.
    const j = job(0, 1, { instanceCount: 2 });
    // Act
    const b = coldStartPenalty(j, 3.6, { valueOfTimeUsdPerHour: 100, coldStartBilledSeconds: 30 });
    // Assess: 117 × 100 / 3600 + 30 × 2 × 3.6 / 3600 = 3.25 + 0.06.
    expect(b).toBeCloseTo(3.31, 12);
    expect(idleRate(j, 3.6)).toBeCloseTo(0.002, 15);
  });

  it('uses the AWS benchmark P90s per input mode, and file mode without one', () => {
    expect(coldExtraSeconds(job(0, 1, { inputMode: 'fsx' }))).toBe(117);
    expect(coldExtraSeconds(job(0, 1, { inputMode: 'ffm' }))).toBe(122);
    expect(coldExtraSeconds(job(0, 1, { inputMode: 'file' }))).toBe(106);
    const { inputMode: _, ...noMode } = job(0, 1);
    expect(coldExtraSeconds(noMode)).toBe(106);
  });

  it('returns the constants by default and seeded draws with the P90 at the constant', () => {
    // Prepare
    const j = job(0, 1, { inputMode: 'ffm' });
    const seeded = { kind: 'seeded', seed: 7 } as const;
    // Act
    const draws = Array.from({ length: 20_000 }, (_, i) => startLatencySeconds(seeded, j, i, true));
    const below = draws.filter((d) => d <= 143).length / draws.length;
    // Assess
    expect(startLatencySeconds({ kind: 'p90' }, j, 5, true)).toBe(143);
    expect(startLatencySeconds({ kind: 'p90' }, j, 5, false)).toBe(21);
    expect(below).toBeGreaterThan(0.88);
    expect(below).toBeLessThan(0.92);
  });

  it('draws the same latency for the same job and seed, and another for another seed', () => {
    // Prepare
    const j = job(0, 1);
    // Act
    const a = startLatencySeconds({ kind: 'seeded', seed: 1 }, j, 42, true);
    const b = startLatencySeconds({ kind: 'seeded', seed: 1 }, j, 42, true);
    const c = startLatencySeconds({ kind: 'seeded', seed: 2 }, j, 42, true);
    // Assess
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('draws exactly what a port of the documented recipe draws, bit for bit', () => {
    // An independent port in BigInt arithmetic (no Math.imul, no int32 coercion), so the
    // 32-bit semantics a port in another language must follow are pinned here.
    const M = 2n ** 32n;
    const u32 = (v: bigint) => ((v % M) + M) % M;
    const mul = (a: bigint, b: bigint) => u32(a * b);
    const hash = (seed: number, index: number, salt: bigint) => {
      let z = u32(
        mul(u32(BigInt(seed)) ^ 0x9e3779b9n, 0x85ebca6bn) + mul(BigInt(index), 0xc2b2ae35n) + salt
      );
      z = mul(z ^ (z >> 16n), 0x85ebca6bn);
      z = mul(z ^ (z >> 13n), 0xc2b2ae35n);
      z ^= z >> 16n;
      return (Number(z) + 0.5) / 2 ** 32;
    };
    const port = (p90: number, seed: number, index: number, cold: boolean) => {
      // The salts: cold 0x1b873593, warm 0x68e31da4; the second uniform uses the salt's NOT.
      const salt = cold ? 0x1b873593n : 0x68e31da4n;
      const u1 = hash(seed, index, salt);
      const u2 = hash(seed, index, u32(~salt));
      const z = Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
      return p90 * Math.exp(0.25 * (z - 1.281551565545));
    };
    const j = job(0, 1, { inputMode: 'file' });
    // Act / Assess: seeds and indices at the edges of 32 bits, cold and warm
    for (const seed of [0, 1, 7, 2 ** 31 - 1, 2 ** 32 - 1]) {
      for (const index of [0, 1, 42, 999_999, 2 ** 31]) {
        expect(startLatencySeconds({ kind: 'seeded', seed }, j, index, true)).toBe(
          port(176, seed, index, true)
        );
        expect(startLatencySeconds({ kind: 'seeded', seed }, j, index, false)).toBe(
          port(70, seed, index, false)
        );
      }
    }
  });

  it('refuses to guess a price, naming the instance type and its first line', () => {
    // Prepare
    const t = trace(job(0, 1, { instanceType: 'ml.zz9.mega', line: 7 }));
    // Act
    const read = () => tracePrices(t, {});
    // Assess
    expect(read).toThrow(WardenError);
    expect(read).toThrow(/ml\.zz9\.mega \(first at line 7\) has no price/);
  });

  it('names the first line of the file with the type, whatever the submit order, and how to fix it', () => {
    // Prepare: rows are sorted by submit time, so the earliest job need not be the first line.
    const later = trace(
      job(0, 1, { instanceType: 'ml.zz9.mega', line: 9 }),
      job(1, 1, { instanceType: 'ml.zz9.mega', line: 3 })
    );
    const earlier = trace(
      job(0, 1, { instanceType: 'ml.zz9.mega', line: 3 }),
      job(1, 1, { instanceType: 'ml.zz9.mega', line: 9 })
    );
    const noLines = trace(job(0, 1, { instanceType: 'ml.zz9.mega' }));
    // Act
    const message = (t: ReturnType<typeof trace>) => {
      try {
        tracePrices(t, {});
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    // Assess
    expect(message(later)).toContain('ml.zz9.mega (first at line 3) has no price');
    expect(message(earlier)).toContain('ml.zz9.mega (first at line 3) has no price');
    expect(
      message(
        trace(
          job(0, 1, { instanceType: 'ml.zz9.mega', line: 2 }),
          job(1, 1, { instanceType: 'ml.zz8.giga', line: 4 })
        )
      )
    ).toBe(
      'test: instance type ml.zz9.mega (first at line 2) has no price\n  test: instance type ml.zz8.giga (first at line 4) has no price\n  add them under "prices:" in a --config file (USD per instance-hour); the simulator does not guess prices'
    );
    expect(message(noLines)).toBe(
      'test: instance type ml.zz9.mega has no price\n  add it under "prices:" in a --config file (USD per instance-hour); the simulator does not guess prices'
    );
  });

  it('draws seeded latencies log-normally: median and P10 where σ = 0.25 puts them', () => {
    // Prepare: P90 = c, so the median is c·e^(−1.2816σ) ≈ 0.726c and the P10 c·e^(−2.5631σ) ≈ 0.527c.
    const j = job(0, 1, { inputMode: 'fsx' });
    const seeded = { kind: 'seeded', seed: 11 } as const;
    // Act
    const draws = Array.from({ length: 20_000 }, (_, i) =>
      startLatencySeconds(seeded, j, i, false)
    );
    const share = (limit: number) => draws.filter((d) => d <= limit).length / draws.length;
    // Assess: warm fsx, c = 19 s.
    expect(share(19 * 0.726)).toBeCloseTo(0.5, 1);
    expect(share(19 * 0.527)).toBeCloseTo(0.1, 1);
    expect(Math.min(...draws)).toBeGreaterThan(0);
  });

  it('takes a config price over the built-in one', () => {
    // Prepare
    const t = trace(
      job(0, 1, { instanceType: 'ml.g5.xlarge' }),
      job(1, 1, { instanceType: 'ml.zz9.mega' })
    );
    // Act
    const prices = tracePrices(t, { 'ml.g5.xlarge': 2, 'ml.zz9.mega': 9 });
    // Assess
    expect(Object.fromEntries(prices)).toEqual({ 'ml.g5.xlarge': 2, 'ml.zz9.mega': 9 });
  });
});
