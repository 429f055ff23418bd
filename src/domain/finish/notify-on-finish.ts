import type { WardenConfig } from '../config/warden-config.js';
import { DeliveryError, NoticeInProgressError, WardenError } from '../errors.js';
import { parseStateChangeEvent, type StateChangeEvent } from '../event/state-change-event.js';
import { describeUntilPoolKnown } from '../job/describe-job.js';
import { isTerminalStatus, type TerminalStatus } from '../job/job-status.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import { deliveryTargets } from '../notice/delivery-targets.js';
import { buildNotice, type Notice, noticeKey } from '../notice/notice.js';
import { renderEmail } from '../notice/render-email.js';
import { renderSlack } from '../notice/render-slack.js';
import { ownerOfJob } from '../owner/owner-of-job.js';
import type { CallerRegistry } from '../ports/caller-registry.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { Channel, NoticeLedger } from '../ports/notice-ledger.js';
import type { ParkedEvents } from '../ports/parked-events.js';
import type { SageMakerGateway } from '../ports/sagemaker-gateway.js';
import type { EmailSender, SlackSender } from '../ports/senders.js';
import { hourlyPrice } from '../pricing/price-table.js';

interface FinishNoticeDeps {
  readonly config: WardenConfig;
  readonly clock: Clock;
  readonly sageMaker: SageMakerGateway;
  readonly ledger: NoticeLedger;
  readonly callers: CallerRegistry;
  readonly parked: ParkedEvents;
  readonly email: EmailSender;
  readonly slack: SlackSender;
  readonly log: Log;
}

type FinishOutcome =
  | {
      readonly kind: 'notice';
      readonly job: string;
      readonly status: TerminalStatus;
      readonly owner: string;
      /**
       * Every channel the notice reached, including ones an earlier attempt delivered; a
       * channel that can never be reached (see `deliver`) is missing from it.
       */
      readonly channels: readonly Channel[];
    }
  | { readonly kind: 'ignored'; readonly job: string; readonly reason: string }
  | { readonly kind: 'rejected'; readonly reason: string };

/**
 * Turns one EventBridge event into at most one notice per job and terminal status.
 *
 * 1. Parse the event; park and reject what cannot be read.
 * 2. Ignore non-terminal statuses (a late `InProgress` never undoes a finish).
 * 3. Claim the notice in the ledger; a duplicate finds it done.
 * 4. Enrich from SageMaker: warm pool, keep-alive, billable time; tags if the event had none.
 * 5. Resolve the owner and build the notice.
 * 6. Deliver on each channel not yet reached, recording each, then mark the notice sent.
 *
 * A failure after the claim releases it and rethrows, so Lambda's retry (and in the end its
 * on-failure destination) keeps the event; channels that already got through are not repeated.
 */
async function notifyOnFinish(input: unknown, deps: FinishNoticeDeps): Promise<FinishOutcome> {
  const parsed = parseStateChangeEvent(input);
  if (!parsed.ok) {
    await deps.parked.park({ reason: parsed.reason, receivedAt: deps.clock.now(), event: input });
    return { kind: 'rejected', reason: parsed.reason };
  }
  const { event } = parsed;
  if (event.warnings.length > 0)
    deps.log.warn('event fields ignored', { warnings: event.warnings });
  const status = event.job.status;
  if (!isTerminalStatus(status)) {
    return { kind: 'ignored', job: event.job.name, reason: `non-terminal status ${status}` };
  }

  const key = noticeKey(event.job, status);
  const claim = await deps.ledger.claim(key, deps.clock.now());
  if (claim.kind === 'done') {
    return {
      kind: 'ignored',
      job: event.job.name,
      reason: `duplicate: ${status} notice already sent`,
    };
  }
  if (claim.kind === 'busy') throw new NoticeInProgressError(key);

  try {
    const notice = await composeNotice(event, status, deps);
    const channels = await deliver(notice, key, claim.delivered, deps);
    await deps.ledger.complete(key, deps.clock.now());
    return { kind: 'notice', job: notice.jobName, status, owner: notice.owner.id, channels };
  } catch (error) {
    await deps.ledger.release(key).catch((releaseError: unknown) => {
      // The lease expires on its own; the original error is the one worth surfacing.
      deps.log.warn('notice lease not released', { key, error: String(releaseError) });
    });
    throw error;
  }
}

async function composeNotice(
  event: StateChangeEvent,
  status: TerminalStatus,
  deps: FinishNoticeDeps
): Promise<Notice> {
  const described = await describeUntilPoolKnown(event.job, deps, { warn: true });
  // SageMaker's answer is fresher than the event, but the event decides which notice this is.
  const job: TrainingJobSnapshot = { ...event.job, ...described, status };
  const { owner } = await ownerOfJob(job, event.tags, deps);
  const price = hourlyPrice(job.instanceType, deps.config.prices);
  return buildNotice({
    job,
    status,
    region: event.region,
    owner,
    now: deps.clock.now(),
    ...(price === undefined ? {} : { price }),
  });
}

/**
 * Sends on every channel not yet reached. A failing channel does not stop the others: they are
 * recorded as delivered, and the failure is rethrown afterwards so the retry sends only it.
 * A failure no retry can cure (a Slack channel that does not exist, a missing webhook) is
 * logged and accepted when another channel reached the owner, so it does not hold the notice
 * back; when no channel got through it fails the invocation like any other, so the event ends
 * in the failed-events queue instead of vanishing.
 */
async function deliver(
  notice: Notice,
  key: string,
  alreadyDelivered: readonly Channel[],
  deps: FinishNoticeDeps
): Promise<Channel[]> {
  const { email, slack } = deliveryTargets(notice.owner, deps.config.notices.slackDmByEmail);
  const ref = { jobName: notice.jobName, status: notice.status };
  // Rendered up front: a rendering fault is a bug to surface, not a delivery failure to retry.
  const sends: [Channel, () => Promise<void>][] = [];
  if (email !== undefined) {
    const message = renderEmail(notice, email);
    sends.push(['email', () => deps.email.send(message, ref)]);
  }
  if (slack !== undefined) {
    const message = renderSlack(notice);
    sends.push(['slack', () => deps.slack.send(slack, message, ref)]);
  }

  const delivered: Channel[] = [];
  const failures: Error[] = [];
  for (const [channel, send] of sends) {
    if (alreadyDelivered.includes(channel)) {
      delivered.push(channel);
      continue;
    }
    try {
      await send();
    } catch (error) {
      failures.push(error instanceof Error ? error : new DeliveryError(channel, String(error)));
      continue;
    }
    await deps.ledger.recordDelivery(key, channel);
    delivered.push(channel);
  }
  const [first, ...rest] = failures;
  if (first === undefined) return delivered;
  const permanent = failures.every((f) => f instanceof WardenError && !f.retryable);
  if (permanent && delivered.length > 0) {
    deps.log.warn('channel cannot be reached; the notice went out on the others', {
      key,
      delivered,
      errors: failures.map((f) => f.message),
    });
    return delivered;
  }
  if (rest.length === 0) throw first;
  throw new DeliveryError('all channels', failures.map((f) => f.message).join('; '), {
    cause: new AggregateError(failures),
    retryable: !permanent,
  });
}

export type { FinishNoticeDeps, FinishOutcome };
export { notifyOnFinish };
