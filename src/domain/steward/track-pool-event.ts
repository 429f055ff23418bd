import { eventAccountRefusal } from '../config/accounts.js';
import { parseStateChangeEvent } from '../event/state-change-event.js';
import { describeUntilPoolKnown } from '../job/describe-job.js';
import { isTerminalStatus } from '../job/job-status.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import { ownerOfJob } from '../owner/owner-of-job.js';
import { resolveOwner } from '../owner/resolve-owner.js';
import { matchKeyOf } from '../pool/match-key.js';
import { poolId } from '../pool/pool-record.js';
import { RECENT_GAPS_KEPT } from '../ports/pool-store.js';
import { auditEntry } from './audit-entry.js';
import { recordGone, refresh } from './evaluate-pool.js';
import { endFacts, recordArrival, recordEnd } from './key-history.js';
import { poolFromJob } from './pool-from-job.js';
import type { IntakeDeps } from './steward-deps.js';
import { updateHistory } from './update-history.js';

type IntakeOutcome =
  | { readonly kind: 'rejected'; readonly reason: string }
  | { readonly kind: 'ignored'; readonly job: string; readonly reason: string }
  /** A job of a key started: its gap was learnt and older pools of the key checked for reuse. */
  | {
      readonly kind: 'arrival';
      readonly job: string;
      readonly checked: number;
      readonly gone: number;
    }
  /** A job ended without an Available pool. */
  | { readonly kind: 'no-pool'; readonly job: string; readonly reason: string }
  /** A pool is now tracked and due: its write wakes the evaluator, else the next sweep takes it. */
  | { readonly kind: 'tracked'; readonly job: string; readonly expiresAt: number };

/** How many of a key's pools an arrival re-describes, newest first (bounds the API calls). */
const REUSE_CHECKS = 3;

/**
 * The pool intake: every training-job status change, on its own rule and function so pool
 * tracking never waits behind Slack retries.
 *
 * 1. Parse; park and reject what cannot be read, or comes from an account not served.
 * 2. A job starting (InProgress) is an arrival on its match key: learn the gap since the key's
 *    newest pool became free, and check the key's Available pools, since no event says one
 *    was reused.
 * 3. A job that ended: describe it (same job only), record the end on its key, and if its warm
 *    pool is Available, track the pool, due at once: writing it wakes the evaluator (the
 *    table's stream; the minute's sweep otherwise), which decides on it, so this function
 *    needs no notice or event-bus clients and stays small.
 */
async function trackPoolEvent(input: unknown, deps: IntakeDeps): Promise<IntakeOutcome> {
  const parsed = parseStateChangeEvent(input);
  if (!parsed.ok) {
    await deps.parked.park({ reason: parsed.reason, receivedAt: deps.clock.now(), event: input });
    deps.metrics.count('EventRejected', 1, { stage: 'parse' });
    return { kind: 'rejected', reason: parsed.reason };
  }
  const { event } = parsed;
  const refused = eventAccountRefusal(deps.config, event);
  if (refused !== undefined) {
    await deps.parked.park({ reason: refused, receivedAt: deps.clock.now(), event: input });
    deps.metrics.count('EventRejected', 1, { stage: 'account' });
    return { kind: 'rejected', reason: refused };
  }
  const job = event.job;
  if (job.status === 'InProgress') return arrival(job, event.tags, deps);
  if (!isTerminalStatus(job.status)) {
    return {
      kind: 'ignored',
      job: job.name,
      reason: `status ${job.status} says nothing about pools`,
    };
  }

  // A duplicate terminal event costs one read, not a round of DescribeTrainingJob.
  if (
    job.creationTime !== undefined &&
    (await deps.store.getPool(job.arn, job.creationTime)) !== undefined
  ) {
    return { kind: 'ignored', job: job.name, reason: 'duplicate: the pool is already tracked' };
  }
  const described = await describeUntilPoolKnown(job, deps);
  const snapshot: TrainingJobSnapshot = { ...job, ...described, status: job.status };
  const { owner, tags } = await ownerOfJob(snapshot, event.tags, deps);
  const key = matchKeyOf(snapshot);
  if (snapshot.endTime !== undefined) {
    const endTime = snapshot.endTime;
    const facts = endFacts(snapshot, deps.policy.settings);
    await updateHistory(key, (h) => recordEnd(h, endTime, owner.id, facts), deps);
  }
  const now = deps.clock.now();
  const made = poolFromJob(
    snapshot,
    event.region,
    owner,
    tags,
    deps.config,
    deps.policy.settings.keepAliveAnchor,
    now
  );
  if (!made.ok) return { kind: 'no-pool', job: job.name, reason: made.reason };
  const { pool } = made;
  if ((await deps.store.getPool(pool.jobArn, pool.creationTime)) !== undefined) {
    return { kind: 'ignored', job: job.name, reason: 'duplicate: the pool is already tracked' };
  }
  if ((await deps.store.putPool(pool)) === 'conflict') {
    return { kind: 'ignored', job: job.name, reason: 'duplicate: the pool is already tracked' };
  }
  await deps.store.audit(
    auditEntry(pool, {
      at: now,
      kind: 'tracked',
      until: pool.expiresAt,
      keepAliveSeconds: pool.keepAliveSeconds,
      reason: `warm pool Available until the job's keep-alive of ${pool.keepAliveSeconds} s runs out`,
      outcome: 'observed',
    }),
    deps.policy.settings.auditRetentionDays
  );
  deps.metrics.count('PoolTracked', 1, { via: 'event' });
  deps.log.info('pool tracked', { pool: poolId(pool), owner: pool.owner, key });
  return { kind: 'tracked', job: job.name, expiresAt: pool.expiresAt };
}

async function arrival(
  job: TrainingJobSnapshot,
  tags: Readonly<Record<string, string>> | undefined,
  deps: IntakeDeps
): Promise<IntakeOutcome> {
  const key = matchKeyOf(job);
  const at = job.creationTime ?? job.startTime;
  if (at === undefined) return { kind: 'ignored', job: job.name, reason: 'no creation time' };
  // Tags and the role map only: an arrival must stay cheap, and the next owner is a signal.
  const owner = resolveOwner(
    { tags: tags ?? {}, ...(job.roleArn === undefined ? {} : { roleArn: job.roleArn }) },
    deps.config
  );
  // A job sends an InProgress event per secondary status: only its first one is an arrival.
  const known = await deps.store.getHistory(key);
  if (known?.lastArrivalAt !== undefined && at <= known.lastArrivalAt) {
    return { kind: 'ignored', job: job.name, reason: 'a later event of a job already counted' };
  }
  const free = (await deps.store.poolsOfKey(key)).filter(
    (p) => p.state === 'Available' && p.endTime <= at && p.jobArn !== job.arn
  );
  // A job that no free pool of its key awaits starts cold (what chains learn from); so does a
  // managed spot job, which SageMaker never puts on a warm pool.
  const cold = job.managedSpot === true || !free.some((p) => p.expiresAt > at);
  await updateHistory(
    key,
    (h) => recordArrival(h, at, owner.id, RECENT_GAPS_KEPT, { cold, job: job.name }),
    deps,
    known
  );

  const candidates = free.sort((a, b) => b.endTime - a.endTime).slice(0, REUSE_CHECKS);
  let gone = 0;
  const now = deps.clock.now();
  for (const pool of candidates) {
    const described = await deps.sageMaker.describeTrainingJob(pool.jobName, pool.jobArn);
    const refreshed = refresh(pool, described, deps.policy.settings.keepAliveAnchor);
    if (refreshed.state === 'Reused' || refreshed.state === 'Terminated') {
      // The arriving job, if it took the pool, was judged warm just now (the pool was free).
      const judgedWarm = refreshed.reusedByJob === job.name && !cold;
      await recordGone(pool, refreshed, deps, now, judgedWarm ? 'skip' : 'read');
      gone += 1;
    }
  }
  return { kind: 'arrival', job: job.name, checked: candidates.length, gone };
}

export type { IntakeOutcome };
export { trackPoolEvent };
