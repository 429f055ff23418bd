import { WardenError } from '../errors.js';
import { ownerOfJob } from '../owner/owner-of-job.js';
import { locationOfArn, poolId } from '../pool/pool-record.js';
import type { TrainingJobSummary } from '../ports/sagemaker-gateway.js';
import { auditEntry } from './audit-entry.js';
import { endFacts, recordEnd } from './key-history.js';
import { poolFromJob } from './pool-from-job.js';
import type { IntakeDeps } from './steward-deps.js';
import { updateHistory } from './update-history.js';

/** No pool chain outlives 28 days (reference §3.2), so 29 days back covers every live pool. */
const LOOKBACK_MS = 29 * 86_400_000;
/** ListTrainingJobs is the scarcest call (about 2/s per account, not adjustable): stay at 1/s. */
const PAGE_INTERVAL_MS = 1000;
const PAGE_SIZE = 100;

interface ReconcileOptions {
  /** Stop paging at this time and keep the token for the next run. */
  readonly deadline: number;
  readonly region: string;
}

interface ReconcileOutcome {
  readonly pages: number;
  readonly available: number;
  readonly adopted: readonly string[];
  /** True when the whole list was read; false when the deadline cut it and a token was kept. */
  readonly complete: boolean;
}

/**
 * Finds warm pools Warden does not know (their events were lost, or Warden was deployed after
 * they started) and adopts them, so every pool gets a decision.
 *
 * 1. Page `ListTrainingJobs(WarmPoolStatusEquals=Available, CreationTimeAfter=now − 29 d)` to
 *    the last page at ≤ 1 request/s. The filter applies after paging, so a page may be empty
 *    while a token remains: keep going.
 * 2. A pool that has no record is described, given its owner, tracked and made due at once.
 * 3. When time runs short, keep the NextToken (and the pass's cut-off) for the next run.
 */
async function reconcilePools(
  deps: IntakeDeps,
  options: ReconcileOptions
): Promise<ReconcileOutcome> {
  const now = deps.clock.now();
  const cursor = await deps.store.getReconcileCursor();
  const createdAfter = cursor?.createdAfter ?? now - LOOKBACK_MS;
  let nextToken = cursor?.nextToken;
  let pages = 0;
  let available = 0;
  const adopted: string[] = [];
  for (;;) {
    let page: Awaited<ReturnType<typeof deps.sageMaker.listTrainingJobs>>;
    try {
      page = await deps.sageMaker.listTrainingJobs({
        warmPoolStatus: 'Available',
        createdAfter,
        maxResults: PAGE_SIZE,
        ...(nextToken === undefined ? {} : { nextToken }),
      });
    } catch (error) {
      // A kept token SageMaker no longer accepts (expired, or from another list) must not stop
      // reconciliation for good: start the pass over next run.
      if (nextToken !== undefined && error instanceof WardenError && !error.retryable) {
        deps.log.warn('reconciliation token rejected; starting over', { error: error.message });
        await deps.store.putReconcileCursor(undefined);
        return { pages, available, adopted, complete: false };
      }
      throw error;
    }
    pages += 1;
    for (const summary of page.jobs) {
      if (summary.warmPoolStatus !== 'Available') continue;
      available += 1;
      if ((await deps.store.getPool(summary.arn, summary.creationTime)) !== undefined) continue;
      const name = await adopt(summary, options.region, deps);
      if (name !== undefined) adopted.push(name);
    }
    nextToken = page.nextToken;
    if (nextToken === undefined) {
      await deps.store.putReconcileCursor(undefined);
      return { pages, available, adopted, complete: true };
    }
    if (deps.clock.now() + PAGE_INTERVAL_MS > options.deadline) {
      await deps.store.putReconcileCursor({ nextToken, createdAfter, updatedAt: deps.clock.now() });
      return { pages, available, adopted, complete: false };
    }
    await deps.clock.sleep(PAGE_INTERVAL_MS);
  }
}

/** A pool found by listing: described and tracked in its own account and region. */
async function adopt(
  summary: TrainingJobSummary,
  hubRegion: string,
  deps: IntakeDeps
): Promise<string | undefined> {
  const job = await deps.sageMaker.describeTrainingJob(summary.name, summary.arn);
  const region = locationOfArn(summary.arn)?.region ?? hubRegion;
  if (job === undefined) return undefined;
  const { owner, tags } = await ownerOfJob(job, undefined, deps);
  const now = deps.clock.now();
  const made = poolFromJob(
    job,
    region,
    owner,
    tags,
    deps.config,
    deps.policy.settings.keepAliveAnchor,
    now
  );
  if (!made.ok) return undefined;
  const { pool } = made;
  // History first, as the intake does: writing the pool wakes the evaluator (the table's
  // stream), which must decide on the key's history with this end in it.
  if (job.endTime !== undefined) {
    const end = job.endTime;
    const facts = endFacts(job, deps.policy.settings);
    await updateHistory(pool.matchKey, (h) => recordEnd(h, end, owner.id, facts), deps);
  }
  if ((await deps.store.putPool(pool)) === 'conflict') return undefined;
  await deps.store.audit(
    auditEntry(pool, {
      at: now,
      kind: 'adopted',
      until: pool.expiresAt,
      keepAliveSeconds: pool.keepAliveSeconds,
      reason: 'found by reconciliation: its job event never reached Warden',
      outcome: 'observed',
    }),
    deps.policy.settings.auditRetentionDays
  );
  // Adopted pools are events Warden missed: a steady count means the event rules need a look.
  deps.metrics.count('PoolTracked', 1, { via: 'reconciliation' });
  deps.log.info('pool adopted by reconciliation', { pool: poolId(pool) });
  return pool.jobName;
}

export type { ReconcileOptions, ReconcileOutcome };
export { LOOKBACK_MS, PAGE_INTERVAL_MS, reconcilePools };
