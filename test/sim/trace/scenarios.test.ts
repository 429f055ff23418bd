import { describe, expect, it } from 'vitest';
import {
  generateBatch,
  generateHpo,
  generateInteractive,
  generateLargeTrace,
  generateMixed,
  generateScenario,
  SCENARIOS,
} from '../../../src/sim/trace/scenarios.js';
import type { TraceJob } from '../../../src/sim/trace/trace.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Gaps between a key's consecutive jobs in one stream: next submit − previous end, per key. */
function gapsByKey(jobs: readonly TraceJob[]): number[] {
  const lastEnd = new Map<string, number[]>();
  const gaps: number[] = [];
  for (const job of jobs) {
    // Streams of one key run side by side: pair each job with the latest stream already free.
    const ends = lastEnd.get(job.key) ?? [];
    const free = ends.filter((end) => end <= job.submitTime);
    if (free.length > 0) {
      const end = Math.max(...free);
      gaps.push(job.submitTime - end);
      ends.splice(ends.indexOf(end), 1);
    }
    ends.push(job.submitTime + job.durationMs);
    lastEnd.set(job.key, ends);
  }
  return gaps;
}

function share(values: readonly number[], test: (v: number) => boolean): number {
  return values.filter(test).length / values.length;
}

function localHour(time: number, zone: string): number {
  return Number(
    new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' }).format(
      time
    )
  );
}

describe('scenarios', () => {
  it.each(SCENARIOS)(
    'gives an identical %s trace for the same seed and a different one for another',
    (name) => {
      const a = generateScenario(name, { seed: 11, days: 7 });
      const b = generateScenario(name, { seed: 11, days: 7 });
      const c = generateScenario(name, { seed: 12, days: 7 });

      expect(b).toEqual(a);
      expect(c.jobs).not.toEqual(a.jobs);
    }
  );

  it.each(SCENARIOS)('produces sorted, valid %s jobs', (name) => {
    const trace = generateScenario(name, { seed: 3 });

    expect(trace.jobs.length).toBeGreaterThan(100);
    for (const [i, job] of trace.jobs.entries()) {
      if (i > 0) expect(job.submitTime).toBeGreaterThanOrEqual(trace.jobs[i - 1]?.submitTime ?? 0);
      expect(job.instanceType).toMatch(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/);
      expect(Number.isInteger(job.instanceCount) && job.instanceCount >= 1).toBe(true);
      expect(job.durationMs).toBeGreaterThan(0);
      expect(job.keepAliveMs === undefined || job.keepAliveMs % 1000 === 0).toBe(true);
      expect(job.key).toContain(`type=${job.instanceType}|count=${job.instanceCount}`);
    }
    expect(trace.source).toBe(`scenario:${name}(seed=3,days=14)`);
  });

  it.each([0, -1, 1.5, Number.NaN])('refuses %s days, naming the value', (days) => {
    for (const name of SCENARIOS) {
      expect(() => generateScenario(name, { days })).toThrow(
        new RangeError(`days must be ≥ 1, got ${days}`)
      );
    }
  });

  it('spans the requested days', () => {
    const start = Date.UTC(2026, 2, 2);
    const trace = generateBatch({ days: 3, seed: 1, start, cities: 30 });

    expect(trace.jobs).toHaveLength(90);
    const days = new Set(trace.jobs.map((j) => Math.floor((j.submitTime - start) / 86_400_000)));
    expect([...days]).toEqual([0, 1, 2]);
  });

  describe('interactive', () => {
    it('runs short jobs in each person’s local working hours, on weekdays only', () => {
      const trace = generateInteractive({ seed: 5 });
      const zones: Record<string, string> = {
        'anna@example.com': 'Europe/Berlin',
        'priya@example.com': 'Asia/Kolkata',
        'maria@example.com': 'America/New_York',
      };

      for (const job of trace.jobs) {
        expect(job.durationMs).toBeGreaterThanOrEqual(2 * MINUTE);
        expect(job.durationMs).toBeLessThanOrEqual(15 * MINUTE);
        const zone = zones[job.owner ?? ''];
        if (zone === undefined) continue;
        const hour = localHour(job.submitTime, zone);
        expect(hour).toBeGreaterThanOrEqual(7);
        expect(hour).toBeLessThan(20);
        expect([0, 6]).not.toContain(new Date(job.submitTime).getUTCDay());
      }
      expect(new Set(trace.jobs.map((j) => j.owner)).size).toBe(6);
    });

    it('separates jobs in a session by 1–20 min of think time and sessions by breaks', () => {
      const trace = generateInteractive({ seed: 5, people: 1 });
      const gaps = gapsByKey(trace.jobs).filter((g) => g < 6 * 3_600_000);

      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(MINUTE - 1);
      expect(share(gaps, (g) => g <= 20 * MINUTE)).toBeGreaterThan(0.6);
      expect(gaps.some((g) => g >= 30 * MINUTE)).toBe(true);
    });

    it('asks for the usual keep-alives and mixes input modes', () => {
      const trace = generateInteractive({ seed: 9 });

      for (const job of trace.jobs)
        expect([0, 600, 1800, 3600]).toContain((job.keepAliveMs ?? 0) / 1000);
      expect(new Set(trace.jobs.map((j) => j.inputMode)).size).toBeGreaterThan(1);
    });
  });

  describe('hpo', () => {
    it('runs hundreds of jobs per search, mostly less than a minute apart, a few in parallel', () => {
      const trace = generateHpo({ seed: 2, days: 7, searchesPerWeek: 2 });
      const gaps = gapsByKey(trace.jobs);

      expect(trace.jobs.length).toBeGreaterThanOrEqual(300);
      expect(share(gaps, (g) => g < MINUTE)).toBeGreaterThan(0.9);
      for (const job of trace.jobs) {
        expect(job.durationMs).toBeGreaterThanOrEqual(3 * MINUTE);
        expect(job.durationMs).toBeLessThanOrEqual(20 * MINUTE);
        expect(job.keepAliveMs).toBe(600_000);
      }
      // Some jobs of one search overlap: the search runs streams side by side.
      const first = trace.jobs[0] as TraceJob;
      const second = trace.jobs[1] as TraceJob;
      expect(second.submitTime).toBeLessThan(first.submitTime + first.durationMs);
    });

    it('starts each search on a weekday between 07:00 and 19:00 UTC', () => {
      const trace = generateHpo({ seed: 3, days: 28 });
      const starts = new Map<string, number>();
      for (const job of trace.jobs) {
        const search = job.tags?.search ?? '';
        starts.set(
          search,
          Math.min(starts.get(search) ?? Number.POSITIVE_INFINITY, job.submitTime)
        );
      }

      expect(starts.size).toBe(12);
      for (const start of starts.values()) {
        const day = new Date(start).getUTCDay();
        const sinceMidnight = start % DAY;
        expect(day === 0 || day === 6).toBe(false);
        // Each stream starts within 30 s of the search
        expect(sinceMidnight).toBeGreaterThanOrEqual(7 * 60 * MINUTE);
        expect(sinceMidnight).toBeLessThanOrEqual(19 * 60 * MINUTE + 30_000);
      }
    });
  });

  describe('batch', () => {
    it('trains every city once a day at the scheduled time, on one key', () => {
      const trace = generateBatch({ seed: 4, days: 5, cities: 60, runAtMinute: 180 });

      expect(trace.jobs).toHaveLength(300);
      expect(new Set(trace.jobs.map((j) => j.key)).size).toBe(1);
      for (let d = 0; d < 5; d++) {
        const day = trace.jobs.filter(
          (j) => Math.floor((j.submitTime - Date.UTC(2026, 2, 2)) / 86_400_000) === d
        );
        expect(new Set(day.map((j) => j.tags?.city)).size).toBe(60);
        const first = Math.min(...day.map((j) => j.submitTime));
        expect(Math.abs(first - (Date.UTC(2026, 2, 2 + d) + 180 * MINUTE))).toBeLessThan(
          3 * MINUTE
        );
        // Nothing else all day: the run ends within a few hours.
        expect(Math.max(...day.map((j) => j.submitTime)) - first).toBeLessThan(6 * 3_600_000);
      }
    });
  });

  describe('mixed', () => {
    it('includes large multi-instance GPU jobs and cheap CPU jobs beside the three uses', () => {
      const trace = generateMixed({ seed: 1 });
      const types = new Set(trace.jobs.map((j) => j.instanceType));

      expect(
        trace.jobs.some(
          (j) =>
            ['ml.p4d.24xlarge', 'ml.p5.48xlarge'].includes(j.instanceType) && j.instanceCount >= 4
        )
      ).toBe(true);
      expect(types.has('ml.m5.xlarge')).toBe(true);
      expect(types.has('ml.m5.4xlarge')).toBe(true);
      expect(types.size).toBeGreaterThanOrEqual(5);
      expect(trace.jobs.some((j) => j.tags?.search !== undefined)).toBe(true);
    });
  });

  describe('generateLargeTrace', () => {
    it('makes exactly n sorted jobs over many keys, the same for the same seed', () => {
      const a = generateLargeTrace(20_000, 8);
      const b = generateLargeTrace(20_000, 8);

      expect(a.jobs).toHaveLength(20_000);
      expect(b.jobs).toEqual(a.jobs);
      expect(new Set(a.jobs.map((j) => j.key)).size).toBe(50);
      expect(
        a.jobs.every((j, i) => i === 0 || j.submitTime >= (a.jobs[i - 1]?.submitTime ?? 0))
      ).toBe(true);
    });

    it('shares jobs evenly over its keys, one or two instances a key, bursty keys in working hours', () => {
      // Prepare: 50 keys; key k belongs to user-k, bursty when k is a multiple of 3, and works
      // in UTC + (k mod 24) h
      const jobs = generateLargeTrace(20_003, 9).jobs;
      const byOwner = new Map<string, TraceJob[]>();
      for (const job of jobs) {
        const owner = job.owner ?? '';
        byOwner.set(owner, [...(byOwner.get(owner) ?? []), job]);
      }
      const counts = [...byOwner.values()].map((own) => own.length);

      // Assess
      expect(Math.max(...counts) - Math.min(...counts)).toBe(1);
      expect(new Set(jobs.map((j) => j.instanceCount))).toEqual(new Set([1, 2]));
      for (const [owner, own] of byOwner) {
        const k = Number(owner.replace(/^user-(\d+)@example\.com$/, '$1'));
        expect(new Set(own.map((j) => `${j.key} ${j.instanceCount}`)).size).toBe(1);
        expect(own[0]?.instanceCount).toBe(1 + (k % 2));
        if (k % 3 !== 0) continue;
        // After its random first job, a bursty key submits only from 08:00 to 18:00 local
        for (const job of own.slice(1)) {
          const local = (job.submitTime + (k % 24) * 60 * MINUTE) % DAY;
          expect(local).toBeGreaterThanOrEqual(8 * 60 * MINUTE);
          expect(local).toBeLessThanOrEqual(18 * 60 * MINUTE + 1);
        }
      }
    });

    it('runs its search keys in chains of 200 days apart and its batch keys in nightly chains of 40 at 02:00', () => {
      const jobs = generateLargeTrace(20_000, 10).jobs;
      const ownJobs = (k: number) => jobs.filter((j) => j.owner === `user-${k}@example.com`);

      // A search key (k mod 3 = 1): 5–45 s between jobs, 1–3 days after every 200th
      gapsByKey(ownJobs(1)).forEach((gap, i) => {
        const [low, high] = (i + 1) % 200 === 0 ? [DAY, 3 * DAY] : [5_000, 45_000];
        expect(gap).toBeGreaterThanOrEqual(low - 1);
        expect(gap).toBeLessThanOrEqual(high + 1);
      });
      // A batch key (k mod 3 = 2): 5–30 s between jobs; every 41st job opens a night at 02:00 UTC
      const batch = ownJobs(2);
      gapsByKey(batch).forEach((gap, i) => {
        if ((i + 1) % 40 === 0) {
          expect((batch[i + 1]?.submitTime ?? 0) % DAY).toBe(2 * 60 * MINUTE);
        } else {
          expect(gap).toBeGreaterThanOrEqual(5_000 - 1);
          expect(gap).toBeLessThanOrEqual(30_000 + 1);
        }
      });
    });
  });
});
