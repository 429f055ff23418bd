import { poolNoticeActions } from '../actions/notice-actions.js';
import { DeliveryError, WardenError } from '../errors.js';
import { deliveryTargets } from '../notice/delivery-targets.js';
import { buildPoolNotice, poolNoticeKey, poolNoticeKindOf } from '../notice/pool-notice.js';
import { renderPoolEmail } from '../notice/render-pool-email.js';
import { renderPoolSlack } from '../notice/render-pool-slack.js';
import { ownerById } from '../owner/resolve-owner.js';
import type { Decision } from '../policy/decision.js';
import type { PoolRecord } from '../pool/pool-record.js';
import type { Channel } from '../ports/notice-ledger.js';
import type { HourlyPrice } from '../pricing/price-table.js';
import type { StewardDeps } from './steward-deps.js';

interface PoolChange {
  readonly pool: PoolRecord;
  readonly previousExpiry: number;
  readonly decision: Decision;
  readonly price?: HourlyPrice;
}

/**
 * Tells a pool's owner what Warden did to it (extended, shrunk, released) or is about to do (a
 * release warning), through the finish notice's channels and its exactly-once ledger: a retry
 * of the evaluation re-sends only what did not arrive. A delivery failure is logged, not
 * raised: the action already happened, and the audit and the event bus still record it.
 */
async function notifyPoolChange(change: PoolChange, deps: StewardDeps): Promise<void> {
  const kind = poolNoticeKindOf(change.decision);
  if (kind === undefined) return;
  const now = deps.clock.now();
  const { pool, decision } = change;
  const newExpiry = kind === 'released' ? now : decision.until;
  const key = poolNoticeKey(pool.jobArn, pool.creationTime, kind, newExpiry);
  const claim = await deps.ledger.claim(key, now);
  if (claim.kind === 'done') return;
  if (claim.kind === 'busy') {
    deps.log.warn('pool notice is being sent by another invocation', { key });
    return;
  }

  // The person the finish notice went to, found the same way then.
  const owner = ownerById(pool.owner, pool.ownerVia ?? 'the finish notice', deps.config);
  // A warning leaves the owner time to change their mind: it offers to keep the pool or end it.
  const actions =
    kind === 'release-warning'
      ? await poolNoticeActions(pool, deps.policy, owner.timeZone, now, deps)
      : [];
  const notice = buildPoolNotice({
    kind,
    pool,
    owner,
    previousExpiry: change.previousExpiry,
    newExpiry,
    reason: decision.reason,
    ...(decision.rule === undefined ? {} : { rule: decision.rule }),
    ...(change.price === undefined ? {} : { price: change.price }),
    dryRun: deps.policy.settings.dryRun,
    now,
    ...(actions.length === 0 ? {} : { actions }),
  });
  const targets = deliveryTargets(owner, deps.config.notices.slackDmByEmail);
  const ref = { jobName: pool.jobName, status: `pool-${kind}` };
  const sends: [Channel, () => Promise<void>][] = [];
  if (targets.email !== undefined) {
    const message = renderPoolEmail(notice, targets.email);
    sends.push(['email', () => deps.email.send(message, ref)]);
  }
  if (targets.slack !== undefined) {
    const target = targets.slack;
    const message = renderPoolSlack(notice);
    sends.push(['slack', () => deps.slack.send(target, message, ref)]);
  }
  const failures: string[] = [];
  for (const [channel, send] of sends) {
    if (claim.delivered.includes(channel)) continue;
    try {
      await send();
      await deps.ledger.recordDelivery(key, channel);
      deps.metrics.count('NoticeSent', 1, { channel });
    } catch (error) {
      const reason =
        error instanceof DeliveryError ? error.message : `${channel}: ${String(error)}`;
      failures.push(reason);
      countFailure(channel, error, key, reason, deps);
    }
  }
  if (failures.length === 0) {
    await deps.ledger.complete(key, deps.clock.now());
    return;
  }
  await deps.ledger.release(key).catch(() => undefined);
  deps.log.warn('pool notice not delivered on every channel', { key, failures });
}

/**
 * A channel that fails for good (a revoked Slack token) fails every later notice the same way:
 * it is an error with the metric operators alarm on, not a quiet warning.
 */
function countFailure(
  channel: Channel,
  error: unknown,
  key: string,
  reason: string,
  deps: Pick<StewardDeps, 'metrics' | 'log'>
): void {
  if (error instanceof WardenError && !error.retryable) {
    deps.metrics.count('ChannelFailedPermanent', 1, { channel, kind: 'rejected' });
    deps.log.error('pool notice channel failed permanently; fix it', { key, channel, reason });
    return;
  }
  deps.metrics.count('ChannelFailedRetried', 1, { channel });
}

export type { PoolChange };
export { notifyPoolChange };
