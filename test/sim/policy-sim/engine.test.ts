import { describe, expect, it } from 'vitest';
import {
  breakevenPolicy,
  fixedPolicy,
  requestedPolicy,
} from '../../../src/sim/policy-sim/baselines.js';
import { runPolicy, submittedKeepAliveMs } from '../../../src/sim/policy-sim/engine.js';
import type { SimPolicy, SimRunSettings } from '../../../src/sim/policy-sim/sim-policy.js';
import { job, PRICES, S, SETTINGS, T0, trace, traceA } from './sim-fixtures.js';

const run = (policy: SimPolicy, t = traceA(), settings: SimRunSettings = SETTINGS) =>
  runPolicy(t, policy, settings, { prices: PRICES });

describe('policy-mode engine', () => {
  it('pays one cold-start penalty per job when no pool is kept', () => {
    // Prepare: B = 117 s × $0.01 + 30 s × $0.001 = $1.20 per cold start.
    // Act
    const r = run(fixedPolicy('none', 0));
    // Assess
    expect(r).toMatchObject({ jobs: 3, coldStarts: 3, warmStarts: 0, pools: 0, apiCalls: 0 });
    expect(r.waitSeconds).toBe(351);
    expect(r.idleInstanceSeconds).toBe(0);
    expect(r.coldStartBilledUsd).toBeCloseTo(0.09, 10);
    expect(r.waitCostUsd).toBeCloseTo(3.51, 10);
    expect(r.totalCostUsd).toBeCloseTo(3.6, 10);
  });

  it('reuses a pool within a fixed keep-alive and lets it expire after', () => {
    // Prepare: j1 ends 236 s, pool to 836 s; j2 reuses it at 536 s (idle 300 s), ends 655 s,
    // pool to 1255 s (idle 600 s); j3 at 2455 s starts cold, its pool idles 600 s.
    // Act
    const r = run(fixedPolicy('fixed:10m', 600 * S));
    // Assess
    expect(r).toMatchObject({ coldStarts: 2, warmStarts: 1, pools: 3, waitSeconds: 234 });
    expect(r.idleInstanceSeconds).toBe(1500);
    expect(r.idleCostUsd).toBeCloseTo(1.5, 10);
    expect(r.totalCostUsd).toBeCloseTo(3.9, 10);
    const bins = Object.fromEntries(r.idleHistogram.map((b) => [b.label, b.pools]));
    expect(bins).toMatchObject({ '1–5m': 1, '5–10m': 2, '10–20m': 0 });
  });

  it('keeps each pool for B / r under breakeven', () => {
    // Prepare: T* = 1.20 / 0.001 = 1200 s. Idle: 300 (reused) + 1200 + 1200 (expired).
    // Act
    const r = run(breakevenPolicy('breakeven', SETTINGS, PRICES));
    // Assess
    expect(r).toMatchObject({ coldStarts: 2, warmStarts: 1, idleInstanceSeconds: 2700 });
    expect(r.totalCostUsd).toBeCloseTo(2.7 + 2.4, 10);
  });

  it('submits each job with its own keep_alive_s under requested, and none without one', () => {
    // Prepare: j1 keeps 60 s (gone at 296 s), j2 starts cold at 536 s, ends 772 s and keeps 1 h;
    // j3 reuses it at 2455 s (idle 1683 s) and keeps nothing.
    // Act
    const r = run(requestedPolicy('requested'), traceA([60, 3600, undefined]));
    // Assess
    expect(r).toMatchObject({ coldStarts: 2, warmStarts: 1, pools: 2, idleInstanceSeconds: 1743 });
    expect(r.totalCostUsd).toBeCloseTo(1.743 + 2.4, 10);
  });

  it('gives an arriving job the most recently freed pool of its key (LIFO)', () => {
    // Prepare: j1 ends 236 s, j2 ends 346 s; j3 at 400 s takes j2's pool (idle 54 s), j1's
    // pool expires after 1 h, and j3's own pool too: 54 + 3600 + 3600.
    const t = trace(job(0, 100), job(10, 200), job(400, 100));
    // Act
    const r = run(fixedPolicy('fixed:1h', 3600 * S), t);
    // Assess
    expect(r.warmStarts).toBe(1);
    expect(r.idleInstanceSeconds).toBe(7254);
  });

  it('serves one job per pool and never a pool of another key', () => {
    // Prepare: two jobs arrive together after one pool was freed; another key arrives too.
    const t = trace(job(0, 100), job(300, 10), job(300, 10), job(300, 10, { key: 'other' }));
    // Act
    const r = run(fixedPolicy('fixed:1h', 3600 * S), t);
    // Assess
    expect(r).toMatchObject({ warmStarts: 1, coldStarts: 3 });
  });

  it('lets a job ending at the same millisecond serve an arrival, and an expiring pool too', () => {
    // Prepare: j1 ends at 236 s; j2 arrives at 236 s exactly; j3 arrives when j2's 60 s pool
    // expires (j2 ends 236 + 19 + 100 = 355 s, pool to 415 s).
    const t = trace(job(0, 100), job(236, 100), job(415, 100));
    // Act
    const r = run(fixedPolicy('fixed:1m', 60 * S), t);
    // Assess
    expect(r).toMatchObject({ warmStarts: 2, coldStarts: 1 });
    expect(r.idleInstanceSeconds).toBe(0 + 60 + 60);
  });

  it('keeps no pool beyond the instance type quota', () => {
    // Prepare: quota 1 instance; j2's pool is refused while j1's is retained.
    const t = trace(job(0, 100), job(10, 200), job(400, 100));
    const settings = { ...SETTINGS, quota: { 'ml.m5.xlarge': 1 } };
    // Act
    const r = run(fixedPolicy('fixed:1h', 3600 * S), t, settings);
    // Assess: j3 reuses j1's pool (idle 164 s); its own pool then fits the quota again.
    expect(r).toMatchObject({ quotaDenied: 1, pools: 2, warmStarts: 1 });
    expect(r.idleInstanceSeconds).toBe(164 + 3600);
  });

  it("gives a pool's instances back to the quota when it ends", () => {
    // Prepare: quota 1 instance. j1's pool expires at 536 s; j2 and j3 then end together at
    // 1236 s: one of them gets the freed room, the other is refused.
    const t = trace(job(0, 100), job(1000, 100), job(1000, 100, { key: 'other' }));
    const settings = { ...SETTINGS, quota: { 'ml.m5.xlarge': 1 } };
    // Act
    const r = run(fixedPolicy('fixed:5m', 300 * S), t, settings);
    // Assess
    expect(r).toMatchObject({ quotaDenied: 1, pools: 2 });
  });

  it('reports progress every 32,768 arrivals and at the end, and runs without a listener', () => {
    // Prepare
    const t = trace(...Array.from({ length: 70_000 }, (_, i) => job(i, 1)));
    const seen: [number, number][] = [];
    // Act
    const withBar = runPolicy(t, fixedPolicy('none', 0), SETTINGS, {
      prices: PRICES,
      onProgress: (done, total) => seen.push([done, total]),
    });
    const without = run(fixedPolicy('none', 0), t);
    // Assess
    expect(seen).toEqual([
      [32_768, 70_000],
      [65_536, 70_000],
      [70_000, 70_000],
    ]);
    expect(without).toEqual(withBar);
  });

  it('counts idle time per instance and charges it to the team that left the pool', () => {
    // Prepare: a 4-instance job keeps its pool 10 min; nobody comes back.
    const t = trace(job(0, 100, { instanceCount: 4, team: 'nlp' }), job(5000, 1, { key: 'x' }));
    // Act
    const r = run(fixedPolicy('fixed:10m', 600 * S), t);
    // Assess
    expect(r.idleInstanceSeconds).toBe(2400 + 600);
    const nlp = r.teams.find((team) => team.team === 'nlp');
    expect(nlp?.idleInstanceSeconds).toBe(2400);
    // cold: 1.17 wait + 30 s × 4 instances × $0.001 = 1.29; idle 2.40.
    expect(nlp?.totalCostUsd).toBeCloseTo(2.4 + 1.29, 10);
  });

  it('refuses a job whose instance type has no price, naming the type, rather than costing it NaN', () => {
    // Prepare: the second job runs on a type the price list lacks
    const t = trace(job(0, 100), job(10, 100, { instanceType: 'ml.p5.48xlarge' }));
    // Act
    const act = () => run(fixedPolicy('fixed:10m', 600 * S), t);
    // Assess
    expect(act).toThrow(new TypeError('no price for ml.p5.48xlarge'));
  });

  it('is deterministic: the same trace and policy give the same result', () => {
    // Prepare
    const t = trace(...Array.from({ length: 200 }, (_, i) => job(i * 97, 30 + (i % 7) * 50)));
    // Act
    const a = run(fixedPolicy('fixed:5m', 300 * S), t);
    const b = run(fixedPolicy('fixed:5m', 300 * S), t);
    // Assess
    expect(a).toEqual(b);
  });
});

describe('policy decisions after a job ends', () => {
  /** Submits 10 min, asks for 2 h at the end, then on revisits extends once and releases. */
  function steward(): SimPolicy {
    let revisits = 0;
    return {
      name: 'steward',
      keepAliveAtSubmit: () => 600 * S,
      onAvailable: (pool) => ({ until: pool.endTime + 7200 * S }),
      onRevisit: (pool, now) => {
        revisits += 1;
        return revisits === 1 ? { until: now + 3600 * S } : { until: pool.endTime };
      },
    };
  }

  it('cannot push past end + maximum under the job-end anchor', () => {
    // Prepare: one job ending at E = 236 s.
    const t = trace(job(0, 100));
    // Act
    const r = run(steward(), t);
    // Assess: set E + 1 h (2 calls); revisit at E + 55 min cannot move it (1 call); expires.
    expect(r.apiCalls).toBe(3);
    expect(r.idleInstanceSeconds).toBe(3600);
  });

  it('leaves the expiry as it is when a decision comes too late to meet (within the margin of end + maximum)', () => {
    // Prepare: kept to E + 1 h (the maximum), looked at again 1 min before, asking for 10 min
    // more: end + maximum is closer than the 2 min safety margin, so no update can be sent.
    const late: SimPolicy = {
      name: 'late-look',
      keepAliveAtSubmit: () => 600 * S,
      onAvailable: (pool) => ({
        until: pool.endTime + 3600 * S,
        revisitAt: pool.endTime + 3540 * S,
      }),
      onRevisit: (_, now) => ({ until: now + 600 * S }),
    };
    // Act
    const r = run(late, trace(job(0, 100)));
    // Assess: set E + 1 h (2 calls), the late look (1 call), then it expires at E + 1 h.
    expect(r).toMatchObject({ apiCalls: 3, idleInstanceSeconds: 3600, pools: 1 });
  });

  it('extends from the update time under the update-time anchor', () => {
    // Prepare
    const t = trace(job(0, 100));
    // Act
    const r = run(steward(), t, { ...SETTINGS, keepAliveAnchor: 'update-time' });
    // Assess: E + 1 h (2), at E + 55 min extend to E + 1 h 55 min (2), at E + 1 h 50 min
    // release (2): idle 6600 s.
    expect(r.apiCalls).toBe(6);
    expect(r.idleInstanceSeconds).toBe(6600);
  });

  it('leaves a pool alone when a decision keeps its expiry, even within the safety margin of it', () => {
    // Prepare: kept 10 min after E = 236 s; looked at every minute from E + 8 min, each time
    // keeping the expiry as it is (an update to that target would be held to now + margin).
    const keepAsIs: SimPolicy = {
      name: 'keep',
      keepAliveAtSubmit: () => 600 * S,
      onAvailable: (pool, now) => ({ until: pool.expiresAt, revisitAt: now + 480 * S }),
      onRevisit: (pool, now) => ({ until: pool.expiresAt, revisitAt: now + 60 * S }),
    };
    // Act
    const r = run(keepAsIs, trace(job(0, 100)));
    // Assess: looks at E, E + 8 min and E + 9 min, one Describe each; expires at E + 10 min
    expect(r.idleInstanceSeconds).toBe(600);
    expect(r.apiCalls).toBe(3);
  });

  it('releases a pool at once when the decision says so', () => {
    // Prepare
    const release: SimPolicy = {
      name: 'release',
      keepAliveAtSubmit: () => 600 * S,
      onAvailable: (_, now) => ({ until: now }),
    };
    // Act
    const r = run(release);
    // Assess
    expect(r).toMatchObject({ pools: 3, apiCalls: 6, coldStarts: 3, idleInstanceSeconds: 0 });
  });

  it('acts only on pools that exist: no keep-alive at submit, no decision', () => {
    // Prepare
    let asked = 0;
    const policy: SimPolicy = {
      name: 'late',
      keepAliveAtSubmit: () => 0,
      onAvailable: (pool) => {
        asked += 1;
        return { until: pool.endTime + 600 * S };
      },
    };
    // Act
    const r = run(policy);
    // Assess
    expect(asked).toBe(0);
    expect(r.apiCalls).toBe(0);
  });
});

describe('the end of a pool', () => {
  it('is told to the policy once per pool, however it ended (taken, expired, released)', () => {
    // Prepare: traceA: j2 takes j1's pool, j2's pool expires before j3, j3's is released.
    const ended: number[] = [];
    const policy: SimPolicy = {
      name: 'counting',
      keepAliveAtSubmit: () => 600 * S,
      onAvailable: (pool, now) => ({ until: pool.id === 2 ? now : pool.endTime + 600 * S }),
      onPoolEnd: (pool) => {
        ended.push(pool.id);
      },
    };
    // Act
    const r = run(policy);
    // Assess: one warm start (taken), 600 s idle for the expired pool, none for the released.
    expect(r).toMatchObject({ pools: 3, warmStarts: 1, idleInstanceSeconds: 300 + 600 });
    expect([...ended].sort()).toEqual([0, 1, 2]);
  });

  it('ends pools that were kept at submit and expire the same millisecond in the order they became Available', () => {
    // Prepare: a ends at 236 s and is kept 600 s, b ends at 296 s and is kept 540 s, c ends at
    // 306 s and is kept 530 s: all three expire at 836 s.
    const t = trace(
      job(0, 100, { key: 'a', keepAliveMs: 600 * S }),
      job(60, 100, { key: 'b', keepAliveMs: 540 * S }),
      job(70, 100, { key: 'c', keepAliveMs: 530 * S })
    );
    const ended: [string, number][] = [];
    const policy: SimPolicy = {
      ...requestedPolicy('requested'),
      onPoolEnd: (pool) => {
        ended.push([pool.key, pool.expiresAt - T0]);
      },
    };
    // Act
    run(policy, t);
    // Assess
    expect(ended).toEqual([
      ['a', 836 * S],
      ['b', 836 * S],
      ['c', 836 * S],
    ]);
  });

  it('ends pools expiring the same millisecond in the order their expiries were set', () => {
    // Prepare: three keys, ended a second apart, all set to expire at T0 + 2000 s. b and c are
    // looked at again at expiry − lead time, a later still; every look keeps the expiry (a look
    // is not a new expiry).
    const t = trace(
      job(0, 100, { key: 'a' }),
      job(1, 100, { key: 'b' }),
      job(2, 100, { key: 'c' })
    );
    const ended: string[] = [];
    const policy: SimPolicy = {
      name: 'tie',
      keepAliveAtSubmit: () => 3600 * S,
      onAvailable: (pool) => ({
        until: T0 + 2000 * S,
        ...(pool.key === 'a' ? { revisitAt: T0 + 1850 * S } : {}),
      }),
      onRevisit: () => ({ until: T0 + 2000 * S }),
      onPoolEnd: (pool) => {
        ended.push(pool.key);
      },
    };
    // Act
    run(policy, t);
    // Assess
    expect(ended).toEqual(['a', 'b', 'c']);
  });

  it('asks a policy with only onRevisit at expiry − lead time, and acts on its answer', () => {
    // Prepare: submitted with the job's own 30 min (a policy without keepAliveAtSubmit keeps
    // what the job asks for); at 25 min the policy releases.
    const asked: number[] = [];
    const policy: SimPolicy = {
      name: 'late-look',
      onRevisit: (pool, now) => {
        asked.push((now - pool.endTime) / S);
        return { until: now };
      },
    };
    // Act
    const r = run(policy, trace(job(0, 100, { keepAliveMs: 1800 * S })));
    // Assess
    expect(asked).toEqual([1500]);
    expect(r.idleInstanceSeconds).toBe(1500);
  });
});

describe('submittedKeepAliveMs', () => {
  it('rounds up to whole seconds and caps at the maximum', () => {
    expect(submittedKeepAliveMs(90_500, 3_600_000)).toBe(91_000);
    expect(submittedKeepAliveMs(9_000_000, 3_600_000)).toBe(3_600_000);
    expect(submittedKeepAliveMs(-5, 3_600_000)).toBe(0);
    expect(submittedKeepAliveMs(Number.NaN, 3_600_000)).toBe(0);
  });
});
