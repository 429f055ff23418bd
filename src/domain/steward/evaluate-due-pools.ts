import { WardenError } from '../errors.js';
import { type PoolAction, type PoolRecord, poolId } from '../pool/pool-record.js';
import { auditEntry } from './audit-entry.js';
import { type EvaluationRun, evaluatePool } from './evaluate-pool.js';
import type { StewardDeps } from './steward-deps.js';
import { openRun } from './steward-run.js';

/** Which pool: its job's ARN and creation time (a job name can be used again). */
type PoolRef = Pick<PoolRecord, 'jobArn' | 'creationTime'>;

/** The sweep runs every minute; a pool due within that minute is decided now. */
const DUE_SLACK_MS = 60_000;
/** How long a pool whose evaluation failed waits before it is tried again. */
const FAILURE_BACKOFF_MS = 5 * 60_000;

/** Pools one run may take on; the rest wait a minute. */
const MAX_POOLS_PER_RUN = 200;

/** What a run that was not paused did. */
interface Swept {
  readonly kind: 'swept';
  readonly due: number;
  readonly decided: Readonly<Record<PoolAction, number>>;
  readonly applied: number;
  readonly gone: number;
  readonly failed: number;
  /** Why the circuit breaker is open, when it is. */
  readonly breaker?: string;
  /** Each decision taken, in order, for logs and replay. */
  readonly decisions: readonly SweepDecision[];
}

type SweepOutcome = { readonly kind: 'paused' } | Swept;

/** One decision of a sweep, as logs and `warden replay` show it. */
interface SweepDecision {
  readonly job: string;
  readonly owner: string;
  readonly action: PoolAction;
  /** Target expiry, epoch ms. */
  readonly until: number;
  readonly keepAliveSeconds?: number;
  readonly outcome: string;
  readonly reason: string;
  readonly rule?: string;
}

/**
 * The evaluator's periodic run: every pool whose decision time has come is decided and acted
 * on, so every tracked pool gets a decision before it expires even when its event or an
 * earlier run was lost.
 *
 * 1. Stop at once when an admin paused the steward (`warden steward pause`).
 * 2. Take the due pools from the store's index, oldest first.
 * 3. Evaluate each; one pool's failure is logged and retried next minute (its decision time
 *    is unchanged), never blocking the others.
 * 4. If the run tripped the circuit breaker, persist it: it stays open until an admin resumes.
 */
async function evaluateDuePools(deps: StewardDeps, deadline?: number): Promise<SweepOutcome> {
  const run = await openRun(deps);
  if (run === undefined) return { kind: 'paused' };
  const due = await deps.store.poolsDue(deps.clock.now() + DUE_SLACK_MS, MAX_POOLS_PER_RUN);
  const outcome = await evaluatePools(due, run, deps, deadline);
  if (outcome.failed > 0 && outcome.failed === due.length) {
    // Every pool failed: surface it as a failed invocation so alarms see it. (A wake does not:
    // its pools stay due for the sweep.)
    throw new WardenError('SWEEP_FAILED', `all ${outcome.failed} due pools failed to evaluate`, {
      retryable: true,
    });
  }
  return outcome;
}

/**
 * The evaluator woken by the pools just tracked (the table's stream of new pool items): each
 * still waiting for its first decision is decided now, not at the next minute's sweep, since a
 * pool the policy would release costs its idle instances for every second it waits. A pool a
 * sweep got to first, or that is gone, is left alone, so a late or repeated wake changes nothing.
 */
async function evaluateNewPools(
  refs: readonly PoolRef[],
  deps: StewardDeps,
  deadline?: number
): Promise<SweepOutcome> {
  const run = await openRun(deps);
  if (run === undefined) return { kind: 'paused' };
  const now = deps.clock.now();
  const waiting: PoolRecord[] = [];
  let unread = 0;
  const named = new Map(refs.map((ref) => [poolId(ref), ref]));
  for (const ref of [...named.values()].slice(0, MAX_POOLS_PER_RUN)) {
    try {
      const pool = await deps.store.getPool(ref.jobArn, ref.creationTime);
      // Only a first decision: a revisit that has come due is the sweep's, on its minute.
      if (
        pool?.nextDecisionAt !== undefined &&
        pool.nextDecisionAt <= now &&
        pool.decisions.length === 0
      ) {
        waiting.push(pool);
      }
    } catch (error) {
      // An unreadable item or a store error: the pool stays due, and the sweep takes it.
      unread += 1;
      const message = error instanceof Error ? error.message : String(error);
      deps.log.warn('new pool not read; the sweep decides it', {
        pool: poolId(ref),
        error: message,
      });
    }
  }
  const outcome = await evaluatePools(waiting, run, deps, deadline);
  return unread > 0 ? { ...outcome, failed: outcome.failed + unread } : outcome;
}

/** Evaluates `due` in one run; one pool's failure is logged and backed off, never raised. */
async function evaluatePools(
  due: readonly PoolRecord[],
  run: EvaluationRun,
  deps: StewardDeps,
  deadline: number | undefined
): Promise<Swept> {
  const wasTripped = run.tripped !== undefined;
  const decided: Record<PoolAction, number> = { keep: 0, extend: 0, shrink: 0, release: 0 };
  let applied = 0;
  let gone = 0;
  let failed = 0;
  const decisions: SweepDecision[] = [];
  for (const pool of due) {
    if (deadline !== undefined && deps.clock.now() > deadline) break;
    try {
      const result = await evaluatePool(pool, deps, run);
      if (result.kind === 'gone') gone += 1;
      if (result.kind === 'decided' && result.repeated !== true) {
        decided[result.decision.action] += 1;
        if (result.outcome === 'applied') applied += 1;
        decisions.push({
          job: result.pool.jobName,
          owner: result.pool.owner,
          action: result.decision.action,
          until: result.decision.until,
          ...(result.keepAliveSeconds === undefined
            ? {}
            : { keepAliveSeconds: result.keepAliveSeconds }),
          outcome: result.outcome,
          reason: result.decision.reason,
          ...(result.decision.rule === undefined ? {} : { rule: result.decision.rule }),
        });
      }
    } catch (error) {
      failed += 1;
      deps.metrics.count('PoolEvaluationFailed');
      const message = error instanceof Error ? error.message : String(error);
      deps.log.warn('pool evaluation failed; retried later', { job: pool.jobName, error: message });
      await backOff(pool, message, deps).catch(() => undefined);
    }
  }
  if (run.tripped !== undefined && !wasTripped) {
    const control = await deps.store.getControl();
    await deps.store.putControl({
      ...control,
      breakerTrippedAt: deps.clock.now(),
      breakerReason: run.tripped,
    });
    deps.metrics.count('BreakerTripped');
    deps.log.warn('circuit breaker tripped: no more actions until an admin resumes', {
      reason: run.tripped,
    });
  }
  return {
    kind: 'swept',
    due: due.length,
    decided,
    applied,
    gone,
    failed,
    ...(run.tripped === undefined ? {} : { breaker: run.tripped }),
    decisions,
  };
}

/**
 * A pool whose evaluation failed is tried again a few minutes later, not every minute: a
 * failure that repeats (a constraint SageMaker enforces, a dependency down) must neither storm
 * the API nor keep the oldest-first sweep from reaching other pools. The failure is audited.
 */
async function backOff(
  pool: PoolRecord,
  error: string,
  deps: Pick<StewardDeps, 'store' | 'clock' | 'policy'>
): Promise<void> {
  const now = deps.clock.now();
  // A sweep takes pools due within its coming minute: due a minute later, it is retried 5 min on.
  const retryAt = now + FAILURE_BACKOFF_MS + DUE_SLACK_MS;
  if (pool.nextDecisionAt !== undefined && pool.nextDecisionAt >= retryAt) return;
  await deps.store.putPool({ ...pool, nextDecisionAt: retryAt, version: pool.version + 1 });
  await deps.store.audit(
    auditEntry(pool, {
      at: now,
      kind: 'keep',
      until: pool.expiresAt,
      reason: `evaluation failed (${error.slice(0, 300)}); tried again in ${FAILURE_BACKOFF_MS / 60_000} minutes`,
      outcome: 'failed',
    }),
    deps.policy.settings.auditRetentionDays
  );
}

export type { PoolRef, SweepDecision, SweepOutcome };
export { DUE_SLACK_MS, evaluateDuePools, evaluateNewPools, MAX_POOLS_PER_RUN };
