import { eventAccountRefusal } from '../config/accounts.js';
import { NoticeInProgressError } from '../errors.js';
import { parseStateChangeEvent } from '../event/state-change-event.js';
import { isTerminalStatus, type TerminalStatus } from '../job/job-status.js';
import { noticeKey } from '../notice/notice.js';
import type { Channel } from '../ports/notice-ledger.js';
import { composeFinishNotice } from './compose-finish-notice.js';
import { deliverWithFallback } from './deliver-with-fallback.js';
import type { FinishNoticeDeps } from './finish-deps.js';
import { PoisonEventError } from './poison-event.js';

type FinishOutcome =
  | {
      readonly kind: 'notice';
      readonly job: string;
      readonly status: TerminalStatus;
      readonly owner: string;
      /**
       * Every channel the notice reached, including ones an earlier attempt delivered;
       * `fallback-*` when it went to the fallback contact.
       */
      readonly channels: readonly Channel[];
    }
  | { readonly kind: 'ignored'; readonly job: string; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * Turns one EventBridge event into at most one finish notice per job.
 *
 * 1. Parse the event; park and reject what cannot be read, or comes from an account not served.
 * 2. Ignore non-terminal statuses (a late `InProgress` never undoes a finish).
 * 3. Claim the job's notice in the ledger; a duplicate finds it done, and a later event with
 *    another terminal status is logged and counted as a contradiction.
 * 4. Enrich from SageMaker when it still answers for this very job; tags if the event had none.
 * 5. Resolve the owner and build the notice, with the status SageMaker reports.
 * 6. Deliver on each channel not yet reached, falling back when one fails for good, recording
 *    each, then mark the notice sent with its status.
 *
 * A transient failure after the claim releases it and rethrows, so Lambda's retry (and in the
 * end its on-failure destination) keeps the event; channels that already got through are not
 * repeated. A notice that cannot be built or rendered fails the same way every time: the event
 * is parked with the reason and acknowledged.
 */
async function notifyOnFinish(input: unknown, deps: FinishNoticeDeps): Promise<FinishOutcome> {
  const parsed = parseStateChangeEvent(input);
  if (!parsed.ok) return reject(input, parsed.reason, 'parse', deps);
  const { event } = parsed;
  const refused = eventAccountRefusal(deps.config, event);
  if (refused !== undefined) return reject(input, refused, 'account', deps);
  if (event.warnings.length > 0)
    deps.log.warn('event fields ignored', { warnings: event.warnings });
  const status = event.job.status;
  if (!isTerminalStatus(status)) {
    return { kind: 'ignored', job: event.job.name, reason: `non-terminal status ${status}` };
  }

  const key = noticeKey(event.job);
  const claim = await deps.ledger.claim(key, deps.clock.now());
  if (claim.kind === 'done') return alreadySent(event.job.name, status, claim.status, key, deps);
  if (claim.kind === 'busy') throw new NoticeInProgressError(key);
  if (claim.status !== undefined && claim.status !== status) {
    contradiction(event.job.name, status, claim.status, key, deps);
  }

  try {
    const notice = await composeFinishNotice(event, status, claim.status, deps);
    const channels = await deliverWithFallback(
      {
        notice,
        key,
        delivered: claim.delivered,
        ...(claim.attempted === undefined ? {} : { attempted: claim.attempted }),
      },
      deps
    );
    await deps.ledger.complete(key, deps.clock.now(), notice.status);
    return {
      kind: 'notice',
      job: notice.jobName,
      status: notice.status,
      owner: notice.owner.id,
      channels,
    };
  } catch (error) {
    await deps.ledger.release(key).catch((releaseError: unknown) => {
      // The lease expires on its own; the original error is the one worth surfacing.
      deps.log.warn('notice lease not released', { key, error: String(releaseError) });
    });
    if (error instanceof PoisonEventError) return reject(input, error.message, 'render', deps);
    throw error;
  }
}

async function reject(
  input: unknown,
  reason: string,
  stage: 'parse' | 'account' | 'render',
  deps: FinishNoticeDeps
): Promise<FinishOutcome> {
  await deps.parked.park({ reason, receivedAt: deps.clock.now(), event: input });
  deps.metrics.count('EventRejected', 1, { stage });
  return { kind: 'rejected', reason };
}

function alreadySent(
  job: string,
  status: TerminalStatus,
  sent: string | undefined,
  key: string,
  deps: FinishNoticeDeps
): FinishOutcome {
  if (sent === undefined || sent === status) {
    return { kind: 'ignored', job, reason: `duplicate: ${status} notice already sent` };
  }
  contradiction(job, status, sent, key, deps);
  return {
    kind: 'ignored',
    job,
    reason: `contradiction: ${status} after the ${sent} notice was sent`,
  };
}

/** A job finishes once: a second terminal status is SageMaker's or EventBridge's mistake. */
function contradiction(
  job: string,
  status: string,
  sent: string,
  key: string,
  deps: FinishNoticeDeps
): void {
  deps.log.warn('terminal status contradicts the finish notice already sent; not sent again', {
    key,
    job,
    status,
    sent,
  });
  deps.metrics.count('NoticeContradiction', 1);
}

export type { FinishNoticeDeps, FinishOutcome };
export { notifyOnFinish };
