import { keepAliveForTarget } from '../../domain/pool/keep-alive.js';
import type { Trace, TraceJob } from '../trace/trace.js';
import { startLatencySeconds } from './cost-model.js';
import { EventHeap } from './event-heap.js';
import { type PolicyResult, Tally } from './metrics.js';
import type { SimDecision, SimPolicy, SimPool, SimRunSettings } from './sim-policy.js';

/**
 * Policy mode: a discrete-event backtest of warm pools per match key.
 *
 * Primary course, per job of the trace (sorted by submit time):
 *  1. At submit the job takes the most recently freed Available pool of its key (LIFO, one job
 *     per pool) and starts warm, or starts cold; either way it asks for the policy's
 *     `keepAliveAtSubmit` (whole seconds, rounded up, capped at the maximum).
 *  2. It ends at submit + start latency + duration. With a keep-alive > 0 (and room under the
 *     instance type's quota) its pool becomes Available until end + keep-alive.
 *  3. A policy with `onAvailable`/`onRevisit` may then move the expiry through the domain's
 *     `keepAliveForTarget`, as the steward does; each decision costs API calls.
 *  4. The pool ends when a job reuses it, when it expires, or when a decision releases it.
 *
 * Events at the same millisecond run in this order: job ends, arrivals, revisits, expiries. So a
 * pool freed at t serves a job submitted at t, and a pool expiring at t still serves a job
 * submitted at t. Equal events run in the order they were scheduled (ends in trace order).
 */

const END = 0;
const ARRIVAL = 1;
const REVISIT = 2;
const EXPIRY = 3;

/** A pool is shown to policies as it is (no copy per decision: a backtest makes millions). */
class Pool implements SimPool {
  alive = true;
  expiresAt: number;
  /**
   * Taken when the expiry was last set: pools expiring the same millisecond end in the order
   * their expiries were set, however often they were looked at meanwhile.
   */
  expirySeq: number;

  constructor(
    readonly id: number,
    readonly job: TraceJob,
    readonly usdPerHour: number,
    readonly endTime: number,
    expiresAt: number,
    expirySeq: number
  ) {
    this.expiresAt = expiresAt;
    this.expirySeq = expirySeq;
  }

  get key(): string {
    return this.job.key;
  }

  get instanceType(): string {
    return this.job.instanceType;
  }

  get instanceCount(): number {
    return this.job.instanceCount;
  }
}

interface KeyPools {
  /** Sorted by end time; dead entries are skipped and compacted away now and then. */
  stack: Pool[];
  live: number;
}

/**
 * What an event carries: an END its job (aux: the keep-alive it was submitted with); a REVISIT
 * or an EXPIRY its pool. A pool has one event in the heap at a time, taken before the next is
 * scheduled, so an event of a pool that is still alive is always current.
 */
type SimEventPayload = TraceJob | Pool;

interface RunOptions {
  /** Called every few thousand arrivals and at the end, for a progress bar. */
  readonly onProgress?: (done: number, total: number) => void;
  /** USD per instance-hour by instance type, from `tracePrices`. */
  readonly prices: ReadonlyMap<string, number>;
}

const PROGRESS_EVERY = 1 << 15;

/**
 * The keep-alive a job is actually submitted with: rounded to the millisecond (so float noise
 * such as 1200000.0000000002 stays 1200 s), then up to whole seconds (the API takes seconds),
 * at most the maximum; anything not positive is none.
 *
 * @example submittedKeepAliveMs(90_500, 3_600_000) // 91_000
 */
function submittedKeepAliveMs(requestedMs: number, maxKeepAliveMs: number): number {
  if (!(requestedMs > 0)) return 0;
  const ms = Math.ceil(Math.round(requestedMs) / 1000) * 1000;
  return Math.min(ms, Math.floor(maxKeepAliveMs / 1000) * 1000);
}

/**
 * Runs `policy` over the trace and returns its costs (ratio to the oracle is filled in later).
 *
 * @example runPolicy(trace, fixedPolicy('fixed:10m', 600_000), settings, { prices }).totalCostUsd
 */
function runPolicy(
  trace: Trace,
  policy: SimPolicy,
  settings: SimRunSettings,
  options: RunOptions
): PolicyResult {
  const tally = new Tally();
  const heap = new EventHeap<SimEventPayload>();
  const keys = new Map<string, KeyPools>();
  const inUse = new Map<string, number>();
  const jobs = trace.jobs;
  const anchor = {
    keepAliveAnchor: settings.keepAliveAnchor,
    maxKeepAliveMs: settings.maxKeepAliveMs,
    safetyMarginMs: settings.safetyMarginMs,
  };
  let seq = 0;
  let poolIds = 0;

  const priceOf = (job: TraceJob): number => {
    const price = options.prices.get(job.instanceType);
    if (price === undefined) throw new TypeError(`no price for ${job.instanceType}`);
    return price;
  };

  const finish = (pool: Pool, at: number, keyPools: KeyPools | undefined): void => {
    pool.alive = false;
    policy.onPoolEnd?.(pool);
    tally.pool(pool.job, at - pool.endTime, pool.usdPerHour);
    const type = pool.job.instanceType;
    inUse.set(type, (inUse.get(type) ?? 0) - pool.job.instanceCount);
    if (keyPools === undefined) return;
    keyPools.live -= 1;
    const stack = keyPools.stack;
    while (stack.length > 0 && !(stack[stack.length - 1] as Pool).alive) stack.pop();
    if (stack.length > 2 * keyPools.live + 16) keyPools.stack = stack.filter((p) => p.alive);
  };

  const apply = (pool: Pool, decision: SimDecision, now: number): void => {
    // Keeping the expiry as it is sends no update, as in the steward: near the expiry an update
    // to the same target would be held to now + the safety margin, extending the pool.
    if (decision.until === pool.expiresAt) {
      tally.apiCalls += 1;
      schedule(pool, decision.revisitAt, now);
      return;
    }
    const update = keepAliveForTarget(pool.endTime, decision.until, now, anchor);
    if (update.kind === 'release') {
      tally.apiCalls += 2;
      finish(pool, now, keys.get(pool.job.key));
      return;
    }
    if (update.kind === 'set' && update.expiresAt !== pool.expiresAt) {
      tally.apiCalls += 2;
      pool.expiresAt = update.expiresAt;
      pool.expirySeq = seq++;
    } else {
      tally.apiCalls += 1;
    }
    schedule(pool, decision.revisitAt, now);
  };

  // One event per pool in the heap at a time: its next revisit if one comes before its expiry,
  // else its expiry (a revisit always schedules what follows it).
  const schedule = (pool: Pool, revisitAt: number | undefined, now: number): void => {
    if (policy.onRevisit !== undefined) {
      const at = revisitAt ?? pool.expiresAt - settings.leadTimeMs;
      if (at > now && at < pool.expiresAt) {
        heap.push(at, REVISIT, seq++, pool);
        return;
      }
    }
    heap.push(pool.expiresAt, EXPIRY, pool.expirySeq, pool);
  };

  const arrive = (job: TraceJob, index: number): void => {
    const now = job.submitTime;
    policy.observeArrival?.(job, now);
    const keyPools = keys.get(job.key);
    let pool: Pool | undefined;
    if (keyPools !== undefined) {
      const stack = keyPools.stack;
      while (stack.length > 0) {
        const top = stack.pop() as Pool;
        if (top.alive) {
          pool = top;
          break;
        }
      }
    }
    let cold = true;
    if (pool !== undefined) {
      cold = false;
      finish(pool, now, keyPools);
      tally.warm(job);
    } else {
      tally.cold(job, index, priceOf(job), settings);
    }
    const latencyMs = Math.round(startLatencySeconds(settings.latency, job, index, cold) * 1000);
    const requested =
      policy.keepAliveAtSubmit === undefined
        ? (job.keepAliveMs ?? 0)
        : policy.keepAliveAtSubmit(job);
    heap.push(
      now + latencyMs + job.durationMs,
      END,
      seq++,
      job,
      submittedKeepAliveMs(requested, settings.maxKeepAliveMs)
    );
  };

  const end = (job: TraceJob, keepAliveMs: number, now: number): void => {
    policy.observeEnd?.(job, now);
    if (keepAliveMs <= 0) return;
    const type = job.instanceType;
    const quota = settings.quota[type];
    const used = inUse.get(type) ?? 0;
    if (quota !== undefined && used + job.instanceCount > quota) {
      tally.quotaDenied += 1;
      return;
    }
    inUse.set(type, used + job.instanceCount);
    const pool = new Pool(poolIds++, job, priceOf(job), now, now + keepAliveMs, seq++);
    tally.pools += 1;
    let keyPools = keys.get(job.key);
    if (keyPools === undefined) {
      keyPools = { stack: [], live: 0 };
      keys.set(job.key, keyPools);
    }
    keyPools.stack.push(pool);
    keyPools.live += 1;
    if (policy.onAvailable !== undefined) apply(pool, policy.onAvailable(pool, now), now);
    else schedule(pool, undefined, now);
  };

  let next = 0;
  const total = jobs.length;
  for (;;) {
    const time = heap.peekTime();
    const arrival = jobs[next];
    if (
      arrival !== undefined &&
      (arrival.submitTime < time || (arrival.submitTime === time && heap.peekKind() > ARRIVAL))
    ) {
      arrive(arrival, next);
      next += 1;
      if (options.onProgress !== undefined && next % PROGRESS_EVERY === 0) {
        options.onProgress(next, total);
      }
      continue;
    }
    if (heap.size === 0) break;
    const kind = heap.peekKind();
    const aux = heap.peekAux();
    // The kind says what the payload is (see SimEventPayload).
    const payload = heap.pop() as SimEventPayload;
    if (kind === END) {
      end(payload as TraceJob, aux, time);
      continue;
    }
    const pool = payload as Pool;
    if (!pool.alive) continue;
    if (kind === REVISIT) {
      if (policy.onRevisit) apply(pool, policy.onRevisit(pool, time), time);
    } else {
      finish(pool, time, keys.get(pool.job.key));
    }
  }
  options.onProgress?.(total, total);
  return tally.result(policy.name);
}

export type { RunOptions };
export { runPolicy, submittedKeepAliveMs };
