import type { NoticeAction } from '../actions/action-grant.js';
import { dropUndefined } from '../objects.js';
import type { ResolvedOwner } from '../owner/resolve-owner.js';
import type { Decision } from '../policy/decision.js';
import type { PoolRecord } from '../pool/pool-record.js';
import { costOf, type HourlyPrice, isUsablePrice } from '../pricing/price-table.js';
import { consoleUrl } from './notice.js';
import { printable, TEXT_LIMITS } from './plain-text.js';

/**
 * What Warden did, or is about to do, to a warm pool: `release-warning` goes out ahead of a
 * planned release (the rule's `warnBeforeRelease` lead), the others once the change is applied.
 */
type PoolNoticeKind = 'extended' | 'shrunk' | 'released' | 'release-warning';

/** Everything a pool notice says, independent of channel. */
interface PoolNotice {
  readonly kind: PoolNoticeKind;
  readonly jobName: string;
  readonly jobArn: string;
  readonly region: string;
  readonly consoleUrl: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly owner: ResolvedOwner;
  /** The expiry before the change, epoch ms. */
  readonly previousExpiry: number;
  /** The expiry after the change; the release time for `released` and `release-warning`. */
  readonly newExpiry: number;
  /** The policy's one-sentence reason. */
  readonly reason: string;
  readonly rule?: string;
  readonly price?: HourlyPrice;
  /** Retained time removed × instances × price: what a shrink or release saves at most. */
  readonly savedUsd?: number;
  /** Retained time added × instances × price: what an extension costs at most. */
  readonly extraUsd?: number;
  /** Nothing was changed: the notice says "would have". */
  readonly dryRun: boolean;
  readonly createdAt: number;
  /** Keep-warm and release actions the owner may take (a release warning offers them). */
  readonly actions?: readonly NoticeAction[];
}

interface PoolNoticeInputs {
  readonly kind: PoolNoticeKind;
  readonly pool: Pick<
    PoolRecord,
    'jobName' | 'jobArn' | 'region' | 'instanceType' | 'instanceCount'
  >;
  readonly owner: ResolvedOwner;
  readonly previousExpiry: number;
  readonly newExpiry: number;
  readonly reason: string;
  readonly rule?: string;
  readonly price?: HourlyPrice;
  readonly dryRun: boolean;
  readonly now: number;
  readonly actions?: readonly NoticeAction[];
}

/**
 * Builds the channel-independent notice about a change to a warm pool. Money counts only the
 * retained time that moved, since a reuse would end the pool (and its billing) earlier.
 *
 * @example buildPoolNotice({ kind: 'extended', pool, owner, previousExpiry, newExpiry, reason, dryRun: false, now })
 */
function buildPoolNotice(inputs: PoolNoticeInputs): PoolNotice {
  const { kind, pool } = inputs;
  // An unusable price (say 1.79e308 from a config) is no price: never `$∞` in a notice.
  const price =
    inputs.price !== undefined && isUsablePrice(inputs.price.usdPerHour) ? inputs.price : undefined;
  const movedSeconds = Math.abs(inputs.newExpiry - inputs.previousExpiry) / 1000;
  const grows = kind === 'extended';
  const cost =
    price === undefined
      ? undefined
      : costOf(
          // A change the wrong way round (extended to earlier) moves no money in its direction.
          grows === inputs.newExpiry > inputs.previousExpiry ? movedSeconds : 0,
          pool.instanceCount,
          price
        );
  const dollars = cost !== undefined && Number.isFinite(cost) && cost >= 0 ? cost : undefined;
  return dropUndefined({
    kind,
    // Safe for every reader, SNS message attributes included; no real SageMaker name changes.
    jobName: printable(pool.jobName, TEXT_LIMITS.jobName),
    jobArn: pool.jobArn,
    region: pool.region,
    consoleUrl: consoleUrl(pool.region, pool.jobName),
    instanceType: pool.instanceType,
    instanceCount: pool.instanceCount,
    owner: inputs.owner,
    previousExpiry: inputs.previousExpiry,
    newExpiry: inputs.newExpiry,
    reason: inputs.reason,
    rule: inputs.rule,
    price,
    savedUsd: grows ? undefined : dollars,
    extraUsd: grows ? dollars : undefined,
    dryRun: inputs.dryRun,
    createdAt: inputs.now,
    actions:
      inputs.actions === undefined || inputs.actions.length === 0 ? undefined : inputs.actions,
  });
}

/**
 * The notice a decision calls for, or `undefined` for `keep` (owners hear only of changes).
 * A shrink that announces a planned release is a `release-warning`.
 */
function poolNoticeKindOf(
  decision: Pick<Decision, 'action' | 'warning'>
): PoolNoticeKind | undefined {
  switch (decision.action) {
    case 'keep':
      return undefined;
    case 'extend':
      return 'extended';
    case 'shrink':
      return decision.warning === true ? 'release-warning' : 'shrunk';
    case 'release':
      return 'released';
  }
}

/**
 * The exactly-once ledger key of a pool notice: one per pool (ARN + creation time, as a name can
 * be used again), kind and new expiry. A release happens once per pool, and its time is the
 * moment of the attempt, so `released` leaves the time out: a retry must find the same key.
 *
 * @example poolNoticeKey(arn, creationTime, 'extended', newExpiry) // '<arn>#<created>#pool:extended#<newExpiry>'
 */
function poolNoticeKey(
  jobArn: string,
  creationTime: number,
  kind: PoolNoticeKind,
  newExpiry: number
): string {
  const base = `${jobArn.toLowerCase()}#${creationTime}#pool:${kind}`;
  return kind === 'released' ? base : `${base}#${newExpiry}`;
}

export type { PoolNotice, PoolNoticeInputs, PoolNoticeKind };
export { buildPoolNotice, poolNoticeKey, poolNoticeKindOf };
