import type { WardenConfig } from '../config/warden-config.js';
import { formatTimeInZone } from '../notice/format.js';
import { ownValue } from '../objects.js';
import { matchingRule } from '../policy/decide.js';
import type { Policy, PoolRule } from '../policy/policy.js';
import { keepAliveForTarget } from '../pool/keep-alive.js';
import { isGone, type PoolRecord, type PoolState, withDecision } from '../pool/pool-record.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { Metrics } from '../ports/metrics.js';
import type { NonceStore } from '../ports/nonce-store.js';
import type { AuditEntry, PoolStore } from '../ports/pool-store.js';
import type { PoolGateway } from '../ports/sagemaker-gateway.js';
import { hourlyPrice } from '../pricing/price-table.js';
import { auditEntry } from '../steward/audit-entry.js';
import { addRetainedSpend, recordGone, refresh } from '../steward/evaluate-pool.js';
import { budgetDay, committedSpend } from '../steward/team-spend.js';
import { type Actor, actorLabel, slackRole } from './action-actor.js';
import type { ActionGrant } from './action-grant.js';
import { boundExtension, extensionTarget } from './extension-bounds.js';

/** What acting on a pool from a notice needs; the actions handler and `warden actions serve` wire it. */
interface ActionDeps {
  readonly config: WardenConfig;
  readonly policy: Policy;
  readonly clock: Pick<Clock, 'now'>;
  readonly sageMaker: PoolGateway;
  readonly store: PoolStore;
  readonly nonces: NonceStore;
  readonly log: Log;
  readonly metrics: Metrics;
}

/** A verified token's grant and nonce, and who presented it. */
interface ActionRequest {
  readonly grant: ActionGrant;
  readonly nonce: string;
  readonly actor: Actor;
}

/** What became of a request, for the reply page or the Slack message. */
type ActionOutcome =
  | {
      readonly kind: 'extended';
      readonly pool: PoolRecord;
      readonly by: string;
      readonly until: number;
      readonly requested: number;
      /** Plain words for what cut the request short, when something did. */
      readonly limitText?: string;
    }
  | { readonly kind: 'released'; readonly pool: PoolRecord; readonly by: string }
  /** Nothing to do: the pool is already kept as long as asked, or as long as it may be. */
  | {
      readonly kind: 'unchanged';
      readonly pool: PoolRecord;
      readonly by: string;
      readonly until: number;
      readonly limitText?: string;
    }
  | {
      readonly kind: 'dry-run';
      readonly pool: PoolRecord;
      readonly by: string;
      readonly action: 'extend' | 'release';
      readonly until: number;
    }
  /** An admin paused Warden's actions, or the circuit breaker is open. */
  | { readonly kind: 'paused'; readonly pool: PoolRecord }
  | {
      readonly kind: 'gone';
      readonly jobName: string;
      readonly state: PoolState;
      readonly reusedByJob?: string;
    }
  | { readonly kind: 'unknown-pool'; readonly jobName: string }
  /** The token was sent to someone other than the pool's owner. */
  | { readonly kind: 'not-owner'; readonly pool: PoolRecord }
  /** A Slack member who is not the owner, on the owner's team, or an admin. */
  | { readonly kind: 'not-allowed'; readonly pool: PoolRecord; readonly by: string }
  | { readonly kind: 'replayed'; readonly pool: PoolRecord }
  | { readonly kind: 'failed'; readonly pool: PoolRecord; readonly why: string };

/** Only so many re-reads when another writer keeps changing the record under us. */
const PUT_ATTEMPTS = 3;
/** An extension that moves the expiry by less than this changes nothing worth an update. */
const NO_CHANGE_MS = 60_000;

function jobNameOf(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

/** The owner's time zone, for replies and audit reasons. */
function ownerZone(config: WardenConfig, pool: Pick<PoolRecord, 'owner' | 'team'>): string {
  const entry = ownValue(config.directory, pool.owner);
  const team = pool.team ?? entry?.team;
  return (
    entry?.timeZone ??
    (team === undefined ? undefined : ownValue(config.directory, team)?.timeZone) ??
    config.defaults.timeZone
  );
}

/**
 * Performs one click on a notice's action: keep the pool warm until a time, or release it.
 *
 * 1. Find the pool by the grant's job ARN and creation time (a reused job name is another pool).
 * 2. Authorise: the grant must be for the pool's owner (a link acts only for the person it was
 *    sent to); in Slack the clicking member must be the owner, on the owner's team, or an admin.
 * 3. Claim the nonce (single use); a failure from here on gives it back, so the link can be tried
 *    again (an extension sent twice lands on the same time; a release finds the pool gone).
 * 4. Describe the job again: a pool reused or gone since the notice gets a plain explanation.
 * 5. Clip an extension to the rule's maximum, the team's budget and what SageMaker allows; an
 *    extension never shortens a pool. Dry run stops here, with what would have happened.
 * 6. UpdateTrainingJob, then save the pool (an extension is a person's choice: the steward keeps
 *    it), audit who did what and the outcome, and count it.
 *
 * @example
 * const outcome = await performAction({ grant, nonce, actor: { kind: 'link' } }, deps);
 */
async function performAction(request: ActionRequest, deps: ActionDeps): Promise<ActionOutcome> {
  const { grant, actor } = request;
  const now = deps.clock.now();
  const settings = deps.policy.settings;
  const asked = grant.action.kind;
  const tracked = await deps.store.getPool(grant.jobArn, grant.creationTime);
  if (tracked === undefined)
    return count(deps, asked, { kind: 'unknown-pool', jobName: jobNameOf(grant.jobArn) });
  const by = actorLabel(actor, grant.owner, deps.config.directory);
  const audit = (facts: AuditFacts, pool = tracked) =>
    deps.store.audit(auditEntry(pool, { at: now, ...facts }), settings.auditRetentionDays);

  if (grant.owner !== tracked.owner) {
    await audit({
      kind: asked,
      reason: `refused a link sent to ${grant.owner}: the pool belongs to ${tracked.owner}`,
      outcome: 'skipped',
    });
    return count(deps, asked, { kind: 'not-owner', pool: tracked });
  }
  if (actor.kind === 'slack' && slackRole(deps.config, tracked, actor.userId) === undefined) {
    await audit({
      kind: asked,
      reason: `refused ${by}: not the owner, on the owner's team, or an admin`,
      outcome: 'skipped',
    });
    return count(deps, asked, { kind: 'not-allowed', pool: tracked, by });
  }
  if (isGone(tracked.state)) {
    return count(deps, asked, gone(tracked));
  }
  const control = await deps.store.getControl();
  if (control.paused || control.breakerTrippedAt !== undefined) {
    await audit({
      kind: asked,
      reason: `${by} asked, but Warden's actions are paused or stopped by the circuit breaker`,
      outcome: 'skipped',
    });
    return count(deps, asked, { kind: 'paused', pool: tracked });
  }

  // Claimed once the click is known to be allowed (a stranger's click must not use up the
  // owner's button), and before anything else, so a replay is always called a replay.
  if ((await deps.nonces.claim(request.nonce, grant.expiresAt)) === 'used') {
    await audit({
      kind: asked,
      reason: `refused ${by}: the link or button was already used`,
      outcome: 'skipped',
    });
    return count(deps, asked, { kind: 'replayed', pool: tracked });
  }
  try {
    return await actClaimed(request, deps, { tracked, by, now, audit });
  } catch (error) {
    await deps.nonces.release(request.nonce);
    throw error;
  }
}

interface Claimed {
  readonly tracked: PoolRecord;
  readonly by: string;
  readonly now: number;
  readonly audit: (facts: AuditFacts, pool?: PoolRecord) => Promise<void>;
}

type AuditFacts = Omit<AuditEntry, 'jobArn' | 'jobName' | 'creationTime' | 'owner' | 'team' | 'at'>;

/** Steps 4 to 6, once the nonce is claimed. */
async function actClaimed(
  request: ActionRequest,
  deps: ActionDeps,
  { tracked, by, now, audit }: Claimed
): Promise<ActionOutcome> {
  const { grant } = request;
  const settings = deps.policy.settings;
  const asked = grant.action.kind;
  const described = await deps.sageMaker.describeTrainingJob(tracked.jobName, tracked.jobArn);
  const pool = refresh(tracked, described, settings.keepAliveAnchor, now);
  if (isGone(pool.state)) {
    await recordGone(tracked, pool, deps, now);
    return count(deps, asked, gone(pool));
  }
  if (pool.state !== 'Available') return count(deps, asked, gone(pool));

  const zone = ownerZone(deps.config, pool);
  const at = (ms: number) => formatTimeInZone(ms, zone);
  let target: number;
  let requested: number;
  let limitText: string | undefined;
  if (grant.action.kind === 'release') {
    target = now;
    requested = now;
  } else {
    requested = extensionTarget(pool.endTime, grant.action.keepAliveSeconds);
    const rule = matchingRule(deps.policy.rules, pool);
    const bound = boundExtension(
      pool,
      requested,
      await budgetContext(pool, rule, deps, now),
      settings,
      now
    );
    target = bound.until;
    limitText = bound.limitText;
    if (target < pool.expiresAt + NO_CHANGE_MS || target <= now + settings.safetyMarginMs) {
      await audit(
        {
          kind: 'extend',
          until: pool.expiresAt,
          reason: `${by} asked to keep it warm until ${at(requested)}; it is already kept until ${at(pool.expiresAt)}${limitText === undefined ? '' : `, ${limitText}`}`,
          outcome: 'no-op',
        },
        pool
      );
      return count(deps, asked, {
        kind: 'unchanged',
        pool,
        by,
        until: pool.expiresAt,
        ...(limitText === undefined ? {} : { limitText }),
      });
    }
  }
  const update = keepAliveForTarget(pool.endTime, target, now, settings);
  if (update.kind === 'unreachable') {
    return count(deps, asked, {
      kind: 'unchanged',
      pool,
      by,
      until: pool.expiresAt,
      limitText: update.reason,
    });
  }
  const action = update.kind === 'release' ? 'release' : 'extend';
  const what =
    action === 'release'
      ? `${by} released it from a notice`
      : `${by} kept it warm from a notice until ${at(update.expiresAt)}${limitText === undefined ? '' : ` (asked for ${at(requested)}; ${limitText})`}`;

  if (settings.dryRun) {
    // The link stays usable for when dry run is switched off.
    await deps.nonces.release(request.nonce);
    await audit(
      {
        kind: action,
        until: update.expiresAt,
        keepAliveSeconds: update.seconds,
        reason: `${what}; dry run: not applied`,
        outcome: 'dry-run',
      },
      pool
    );
    return count(deps, asked, { kind: 'dry-run', pool, by, action, until: update.expiresAt });
  }
  const result = await deps.sageMaker.updateKeepAlive(pool.jobName, update.seconds, pool.jobArn);
  if (result.kind === 'not-updatable') {
    await deps.nonces.release(request.nonce);
    const again = refresh(
      pool,
      await deps.sageMaker.describeTrainingJob(pool.jobName, pool.jobArn),
      settings.keepAliveAnchor
    );
    if (isGone(again.state)) {
      await recordGone(tracked, again, deps, now);
      return count(deps, asked, gone(again));
    }
    await audit(
      {
        kind: action,
        reason: `${what}; UpdateTrainingJob refused: ${result.reason}`,
        outcome: 'failed',
      },
      pool
    );
    return count(deps, asked, { kind: 'failed', pool, why: result.reason });
  }

  const saved = await save(
    tracked,
    deps,
    (current) => {
      const base = { ...current, keepAliveSeconds: update.seconds, updatedAt: now };
      if (action === 'release') {
        const { nextDecisionAt: _gone, ...rest } = base;
        return { ...rest, state: 'Terminated' as const, expiresAt: now };
      }
      const { releaseWarnedFor: _cleared, ...rest } = base;
      return {
        ...rest,
        expiresAt: update.expiresAt,
        // A person chose this: the steward keeps it rather than deciding over it.
        humanOverride: { at: now, by, keepAliveSeconds: update.seconds },
      };
    },
    { at: now, action, until: update.expiresAt, reason: what, outcome: 'applied' }
  );
  if (saved === undefined) {
    deps.log.warn('action applied but the pool record kept changing; the next look corrects it', {
      jobName: pool.jobName,
    });
  }
  const after = saved ?? pool;
  if (action === 'release') await addRetainedSpend(after, now, deps, now);
  await audit(
    {
      kind: action,
      until: update.expiresAt,
      keepAliveSeconds: update.seconds,
      reason: what,
      outcome: 'applied',
    },
    after
  );
  if (action === 'release') return count(deps, asked, { kind: 'released', pool: after, by });
  return count(deps, asked, {
    kind: 'extended',
    pool: after,
    by,
    until: update.expiresAt,
    requested,
    ...(limitText === undefined ? {} : { limitText }),
  });
}

function gone(pool: PoolRecord): ActionOutcome {
  return {
    kind: 'gone',
    jobName: pool.jobName,
    state: pool.state,
    ...(pool.reusedByJob === undefined ? {} : { reusedByJob: pool.reusedByJob }),
  };
}

/** Writes the change onto the freshest record, re-reading on conflicts; `undefined` if it never landed. */
async function save(
  tracked: PoolRecord,
  deps: ActionDeps,
  change: (current: PoolRecord) => PoolRecord,
  decision: Parameters<typeof withDecision>[1]
): Promise<PoolRecord | undefined> {
  let current: PoolRecord | undefined = tracked;
  for (let attempt = 0; attempt < PUT_ATTEMPTS && current !== undefined; attempt++) {
    const next = withDecision({ ...change(current), version: current.version + 1 }, decision);
    if ((await deps.store.putPool(next)) === 'ok') return next;
    current = await deps.store.getPool(tracked.jobArn, tracked.creationTime);
  }
  return undefined;
}

/** The team's spend today as the steward counts it: recorded spend plus what live pools commit. */
async function budgetContext(
  pool: PoolRecord,
  rule: PoolRule | undefined,
  deps: ActionDeps,
  now: number
): Promise<Parameters<typeof boundExtension>[2]> {
  const price = hourlyPrice(pool.instanceType, deps.config.prices);
  const usd = price === undefined ? {} : { usdPerHour: price.usdPerHour };
  if (rule?.budget === undefined || pool.team === undefined)
    return { ...(rule === undefined ? {} : { rule }), ...usd };
  const day = budgetDay(rule.budget, now);
  const spendToday = committedSpend(
    await deps.store.spend(pool.team, day.date),
    await deps.store.livePools(),
    pool.team,
    day.start,
    deps.config.prices
  );
  return { rule, spendToday, ...usd };
}

function count(
  deps: ActionDeps,
  action: 'extend' | 'release',
  outcome: ActionOutcome
): ActionOutcome {
  deps.metrics.count('OwnerAction', 1, { action, outcome: outcome.kind });
  deps.log.info('owner action', {
    outcome: outcome.kind,
    ...('pool' in outcome ? { jobName: outcome.pool.jobName } : {}),
  });
  return outcome;
}

export type { ActionDeps, ActionOutcome, ActionRequest };
export { ownerZone, performAction };
