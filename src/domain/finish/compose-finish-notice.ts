import { finishNoticeActions } from '../actions/notice-actions.js';
import type { StateChangeEvent } from '../event/state-change-event.js';
import { describeUntilPoolKnown } from '../job/describe-job.js';
import { isTerminalStatus, type TerminalStatus } from '../job/job-status.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';
import { buildNotice, type Notice } from '../notice/notice.js';
import { ownerOfJob } from '../owner/owner-of-job.js';
import { managingRule } from '../policy/managing-rule.js';
import { hourlyPrice } from '../pricing/price-table.js';
import type { FinishNoticeDeps } from './finish-deps.js';
import { deterministic } from './poison-event.js';

/**
 * The finish notice of the event's job, enriched from DescribeTrainingJob when SageMaker still
 * answers for this very job; otherwise from the event alone, marked `detailsUnavailable`, so a
 * reused name never lends the notice another job's duration, instance or pool.
 *
 * The status is, in order: the one an earlier attempt already delivered (`recorded`), the one
 * Describe reports for this job, the event's. A job finishes once, and SageMaker's own record
 * beats a late or contradictory event.
 */
async function composeFinishNotice(
  event: StateChangeEvent,
  eventStatus: TerminalStatus,
  recorded: string | undefined,
  deps: FinishNoticeDeps
): Promise<Notice> {
  const described = await describeUntilPoolKnown(event.job, deps, { warn: true });
  const status = firstTerminal([recorded, described?.status]) ?? eventStatus;
  if (status !== eventStatus) {
    deps.log.warn('event status differs from the job’s; the notice says the job’s', {
      job: event.job.name,
      eventStatus,
      status,
    });
  }
  // SageMaker's answer is fresher than the event wherever it speaks for the same job.
  const job: TrainingJobSnapshot = { ...event.job, ...described, status };
  const { owner, tags } = await ownerOfJob(job, event.tags, deps);
  const price = hourlyPrice(job.instanceType, deps.config.prices);
  const now = deps.clock.now();
  const notice = deterministic('building the notice', () =>
    buildNotice({
      job,
      status,
      region: event.region,
      owner,
      now,
      ...(price === undefined ? {} : { price }),
    })
  );
  if (described === undefined) return { ...notice, detailsUnavailable: true };
  if (notice.pool.kind !== 'available') return notice;
  // Only a pool SageMaker itself describes for this very job is offered for action.
  const finished = { job, region: event.region, owner, tags, now };
  const actions = await finishNoticeActions(finished, deps);
  const rule = managingRule(finished, deps.config);
  return {
    ...notice,
    ...(actions.length === 0 ? {} : { actions }),
    ...(rule === undefined ? {} : { managedByRule: rule }),
  };
}

function firstTerminal(statuses: readonly (string | undefined)[]): TerminalStatus | undefined {
  return statuses.find((s): s is TerminalStatus => s !== undefined && isTerminalStatus(s));
}

export { composeFinishNotice };
