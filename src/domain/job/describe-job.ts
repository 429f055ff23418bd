import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { SageMakerGateway } from '../ports/sagemaker-gateway.js';
import type { TrainingJobSnapshot } from './training-job.js';

/** First wait between DescribeTrainingJob attempts while the pool status is missing; doubles. */
const DESCRIBE_BACKOFF_MS = 1000;

/**
 * Creation times of one job read from two sources may differ by the precision of the coarser
 * one (an ISO time in seconds against Describe's milliseconds). A name reused after
 * DeleteTrainingJob is created after the old job ended, far more than a second later.
 */
const SAME_CREATION_MS = 1000;

interface DescribeDeps {
  readonly config: { readonly notices: { readonly describeAttempts: number } };
  readonly sageMaker: SageMakerGateway;
  readonly clock: Clock;
  readonly log: Log;
}

interface DescribeOptions {
  /** Log a job that is gone, or a pool status still missing after every attempt. */
  readonly warn?: boolean;
}

/**
 * Whether a DescribeTrainingJob answer (asked by name) is about `job`: SageMaker lets a name be
 * used again after DeleteTrainingJob, and then Describe answers for the new job. Same ARN (case
 * aside) and same creation time; without a creation time in the event, a job created after
 * the event's job ended is another one.
 *
 * @example isSameJob(described, event.job) // false after the name was reused
 */
function isSameJob(described: TrainingJobSnapshot, job: TrainingJobSnapshot): boolean {
  if (described.arn.toLowerCase() !== job.arn.toLowerCase()) return false;
  if (job.creationTime !== undefined) {
    return (
      described.creationTime !== undefined &&
      Math.abs(described.creationTime - job.creationTime) < SAME_CREATION_MS
    );
  }
  if (job.endTime !== undefined && described.creationTime !== undefined) {
    return described.creationTime <= job.endTime;
  }
  return true;
}

/**
 * DescribeTrainingJob briefly omits WarmPoolStatus right after a job ends, so a job that asked
 * for keep-alive is described again, with backoff, a bounded number of times. Used by the
 * finish notice and the pool intake alike. `undefined` when SageMaker no longer knows the job
 * or answers for another job of the same name: then only the event speaks for the job.
 *
 * @example const described = await describeUntilPoolKnown(event.job, deps, { warn: true });
 */
async function describeUntilPoolKnown(
  job: TrainingJobSnapshot,
  deps: DescribeDeps,
  options: DescribeOptions = {}
): Promise<TrainingJobSnapshot | undefined> {
  const attempts = deps.config.notices.describeAttempts;
  let described: TrainingJobSnapshot | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    described = await deps.sageMaker.describeTrainingJob(job.name, job.arn);
    if (described === undefined) {
      if (options.warn) {
        deps.log.warn('training job not found; notice uses event data only', { job: job.name });
      }
      return undefined;
    }
    if (!isSameJob(described, job)) {
      // Always logged: a reused name is rare, and the notice says less because of it.
      deps.log.warn('DescribeTrainingJob answered for another job of the same name', {
        job: job.name,
        eventCreationTime: job.creationTime,
        describedCreationTime: described.creationTime,
      });
      return undefined;
    }
    const keepAlive = described.keepAliveSeconds ?? job.keepAliveSeconds ?? 0;
    if (described.warmPool !== undefined || keepAlive === 0) return described;
    if (attempt < attempts) await deps.clock.sleep(DESCRIBE_BACKOFF_MS * 2 ** (attempt - 1));
  }
  if (options.warn) {
    deps.log.warn('warm pool status still missing after retries', { job: job.name, attempts });
  }
  return described;
}

export type { DescribeDeps, DescribeOptions };
export { DESCRIBE_BACKOFF_MS, describeUntilPoolKnown, isSameJob };
