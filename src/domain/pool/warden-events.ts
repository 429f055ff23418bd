import { dropUndefined } from '../objects.js';
import type { Decision } from '../policy/decision.js';
import type { WardenEvent } from '../ports/event-publisher.js';
import type { UpdateOutcome } from '../ports/sagemaker-gateway.js';
import type { DecisionOutcome, PoolRecord } from './pool-record.js';

/** What the events of one decision say; the steward has all of it once the pool is written. */
interface DecisionEventInputs {
  /** The pool as written after the decision (`expiresAt` is the expiry the update gave it). */
  readonly pool: Pick<
    PoolRecord,
    | 'jobName'
    | 'jobArn'
    | 'creationTime'
    | 'owner'
    | 'team'
    | 'matchKey'
    | 'instanceType'
    | 'instanceCount'
    | 'expiresAt'
  >;
  readonly decision: Pick<Decision, 'action' | 'until' | 'reason' | 'rule'>;
  readonly outcome: DecisionOutcome;
  /** When the decision was taken, epoch ms: the events' time. */
  readonly at: number;
  /** The pool's expiry before the decision, epoch ms. */
  readonly previousExpiry: number;
  /** The KeepAlivePeriodInSeconds the decision sent (or would send in a dry run). */
  readonly keepAliveSeconds?: number;
  readonly dryRun: boolean;
  /** What UpdateTrainingJob answered; an applied outcome implies `updated`. */
  readonly update?: UpdateOutcome;
}

/**
 * The events one decision yields, in publishing order: always a `Warm Pool Decision` (keep and
 * dry run too), then a `Warm Pool Action` when an extend, shrink or release was applied.
 *
 * @example decisionEvents({ pool, decision, outcome: 'applied', at, previousExpiry, keepAliveSeconds: 0, dryRun: false }).map((e) => e.detailType) // ['Warm Pool Decision', 'Warm Pool Action']
 */
function decisionEvents(inputs: DecisionEventInputs): WardenEvent[] {
  const detail = decisionDetail(inputs);
  const decision: WardenEvent = {
    detailType: 'Warm Pool Decision',
    time: inputs.at,
    resource: inputs.pool.jobArn,
    detail,
  };
  const applied =
    inputs.decision.action !== 'keep' && inputs.outcome === 'applied' && !inputs.dryRun;
  if (!applied) return [decision];
  const update = inputs.update ?? { kind: 'updated' as const };
  const action: WardenEvent = {
    detailType: 'Warm Pool Action',
    time: inputs.at,
    resource: inputs.pool.jobArn,
    detail: {
      ...detail,
      update: dropUndefined({
        status: update.kind,
        keepAliveSeconds: inputs.keepAliveSeconds,
        expiresAt: update.kind === 'updated' ? isoTime(inputs.pool.expiresAt) : undefined,
        reason: update.kind === 'not-updatable' ? update.reason : undefined,
      }),
    },
  };
  return [decision, action];
}

function decisionDetail(inputs: DecisionEventInputs): Readonly<Record<string, unknown>> {
  const { pool, decision } = inputs;
  return dropUndefined({
    jobName: pool.jobName,
    jobArn: pool.jobArn,
    creationTime: isoTime(pool.creationTime),
    owner: pool.owner,
    team: pool.team,
    matchKey: pool.matchKey,
    instanceType: pool.instanceType,
    instanceCount: pool.instanceCount,
    action: decision.action,
    until: isoTime(decision.until),
    previousExpiry: isoTime(inputs.previousExpiry),
    keepAliveSeconds: inputs.keepAliveSeconds,
    reason: decision.reason,
    rule: decision.rule,
    dryRun: inputs.dryRun,
    outcome: inputs.outcome,
  });
}

/**
 * Epoch ms as ISO-8601 UTC (`2026-11-26T10:00:00.000Z`), computed without `Date`, which the
 * domain never constructs (days-to-civil after H. Hinnant, valid for the proleptic Gregorian calendar).
 */
function isoTime(epochMs: number): string {
  const ms = Math.round(epochMs);
  const days = Math.floor(ms / 86_400_000);
  const inDay = ms - days * 86_400_000;
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const time = [
    pad(Math.floor(inDay / 3_600_000)),
    pad(Math.floor(inDay / 60_000) % 60),
    pad(Math.floor(inDay / 1000) % 60),
  ].join(':');
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}.${pad(inDay % 1000, 3)}Z`;
}

export type { DecisionEventInputs };
export { decisionEvents, isoTime };
