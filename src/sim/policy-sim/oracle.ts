import type { Trace, TraceJob } from '../trace/trace.js';
import { coldStartPenalty, idleRate, startLatencySeconds } from './cost-model.js';
import type { RunOptions } from './engine.js';
import { EventHeap } from './event-heap.js';
import { type PolicyResult, Tally } from './metrics.js';
import type { SimRunSettings } from './sim-policy.js';

/**
 * The offline optimum (`oracle`): it knows every future arrival, and obeys the same maximum.
 *
 *  1. Pairing, as if every pool were kept forever: an arriving job takes the most recently
 *     freed, not yet paired pool of its key (LIFO) that ended at or before its submit time.
 *  2. A pool paired after a gap g (submit − end) is kept exactly until that submit iff
 *     g ≤ maximum keep-alive and r·g < B (r = instanceCount × price / 3600 of the pool, B the
 *     arriving job's cold-start penalty, as for `breakeven`); the job then starts warm and the
 *     pool idled g. Otherwise the pool is released at its job's end (idle 0) and the job starts
 *     cold. A job with no pool to pair with starts cold; a pool never paired idles 0.
 *  3. Job ends follow from the start (warm or cold latency), so pairing runs in event order,
 *     with the engine's tie order (ends before arrivals at the same millisecond).
 *
 * It ignores warm-pool quotas (the optimum under a quota is a knapsack problem) and makes no
 * API calls: it is a bound to compare against, not a policy one could run.
 */

const ORACLE_NAME = 'oracle';

interface FreePool {
  readonly job: TraceJob;
  readonly endTime: number;
}

/**
 * The oracle's costs on `trace`.
 *
 * @example runOracle(trace, settings, { prices }).totalCostUsd
 */
function runOracle(trace: Trace, settings: SimRunSettings, options: RunOptions): PolicyResult {
  const tally = new Tally();
  // Job ends, each carrying its job.
  const heap = new EventHeap<TraceJob>();
  const free = new Map<string, FreePool[]>();
  const jobs = trace.jobs;
  const priceOf = (job: TraceJob): number => options.prices.get(job.instanceType) ?? Number.NaN;
  let seq = 0;

  const unpaired = (pool: FreePool): void => {
    tally.pools += 1;
    tally.pool(pool.job, 0, priceOf(pool.job));
  };

  const arrive = (job: TraceJob, index: number): void => {
    const now = job.submitTime;
    const stack = free.get(job.key);
    const pool = stack?.pop();
    const usdPerHour = priceOf(job);
    let warm = false;
    if (pool !== undefined) {
      const gap = now - pool.endTime;
      const rent = idleRate(pool.job, priceOf(pool.job)) * (gap / 1000);
      warm = gap <= settings.maxKeepAliveMs && rent < coldStartPenalty(job, usdPerHour, settings);
      tally.pools += 1;
      tally.pool(pool.job, warm ? gap : 0, priceOf(pool.job));
    }
    // Every pool below the top ended earlier still, so once the top is out of reach, all are.
    if (stack !== undefined && stack.length > 0) {
      const top = stack[stack.length - 1] as FreePool;
      if (now - top.endTime > settings.maxKeepAliveMs) {
        for (const stale of stack) unpaired(stale);
        free.delete(job.key);
      }
    }
    if (warm) {
      tally.warm(job);
    } else {
      tally.cold(job, index, usdPerHour, settings);
    }
    const latencyMs = Math.round(startLatencySeconds(settings.latency, job, index, !warm) * 1000);
    heap.push(now + latencyMs + job.durationMs, 0, seq++, job);
  };

  let next = 0;
  for (;;) {
    const time = heap.peekTime();
    const arrival = jobs[next];
    if (arrival !== undefined && arrival.submitTime < time) {
      arrive(arrival, next);
      next += 1;
      continue;
    }
    const job = heap.pop();
    if (job === undefined) break;
    let stack = free.get(job.key);
    if (stack === undefined) {
      stack = [];
      free.set(job.key, stack);
    }
    stack.push({ job, endTime: time });
  }
  for (const stack of free.values()) for (const pool of stack) unpaired(pool);
  options.onProgress?.(jobs.length, jobs.length);
  return tally.result(ORACLE_NAME);
}

export { ORACLE_NAME, runOracle };
