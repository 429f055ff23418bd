import {
  buildPoolNotice,
  type PoolNotice,
  type PoolNoticeInputs,
  type PoolNoticeKind,
} from '../../src/domain/notice/pool-notice.js';
import type { ResolvedOwner } from '../../src/domain/owner/resolve-owner.js';
import type { HourlyPrice } from '../../src/domain/pricing/price-table.js';
import { aliceOwner, G5_2XLARGE, jobArn } from './domain-notices.js';
import { T0 } from './factories.js';

const MINUTE = 60_000;

interface PoolNoticeOptions {
  readonly kind?: PoolNoticeKind;
  readonly jobName?: string;
  readonly instanceCount?: number;
  readonly owner?: Partial<ResolvedOwner>;
  /** `null` builds a notice without a price. */
  readonly price?: HourlyPrice | null;
  readonly previousExpiry?: number;
  readonly newExpiry?: number;
  readonly reason?: string;
  readonly rule?: string | null;
  readonly dryRun?: boolean;
  readonly now?: number;
}

/** The new expiry each kind gets by default, from a pool that was to expire at T0 + 30 min. */
const DEFAULT_NEW_EXPIRY: Readonly<Record<PoolNoticeKind, number>> = {
  extended: T0 + 90 * MINUTE,
  shrunk: T0 + 10 * MINUTE,
  released: T0 + 5 * MINUTE,
  'release-warning': T0 + 20 * MINUTE,
};

/**
 * A pool notice built by the real `buildPoolNotice`, five minutes after T0 (11:05 CET): Alice's
 * pool of resnet-sweep-017 (1 × ml.g5.2xlarge) was to expire at T0 + 30 min (11:30 CET).
 */
function poolNoticeFor(options: PoolNoticeOptions = {}): PoolNotice {
  const kind = options.kind ?? 'extended';
  const jobName = options.jobName ?? 'resnet-sweep-017';
  const price = options.price === null ? undefined : (options.price ?? G5_2XLARGE);
  const rule = options.rule === null ? undefined : (options.rule ?? 'vision-adaptive');
  const inputs: PoolNoticeInputs = {
    kind,
    pool: {
      jobName,
      jobArn: jobArn(jobName),
      region: 'us-east-1',
      instanceType: 'ml.g5.2xlarge',
      instanceCount: options.instanceCount ?? 1,
    },
    owner: aliceOwner(options.owner),
    previousExpiry: options.previousExpiry ?? T0 + 30 * MINUTE,
    newExpiry: options.newExpiry ?? DEFAULT_NEW_EXPIRY[kind],
    reason: options.reason ?? 'A matching job usually starts within 40 minutes on weekdays.',
    dryRun: options.dryRun ?? false,
    now: options.now ?? T0 + 5 * MINUTE,
    ...(price === undefined ? {} : { price }),
    ...(rule === undefined ? {} : { rule }),
  };
  return buildPoolNotice(inputs);
}

export { MINUTE, poolNoticeFor };
