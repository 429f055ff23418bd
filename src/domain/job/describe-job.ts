import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { SageMakerGateway } from '../ports/sagemaker-gateway.js';
import type { TrainingJobSnapshot } from './training-job.js';

/** First wait between DescribeTrainingJob attempts while the pool status is missing; doubles. */
const DESCRIBE_BACKOFF_MS = 1000;

interface DescribeDeps {
  readonly config: { readonly notices: { readonly describeAttempts: number } };
  readonly sageMaker: SageMakerGateway;
  readonly clock: Clock;
  readonly log: Log;
}

interface DescribeOptions {
  /**
   * Drop an answer about another job of the same name (the name was reused after
   * DeleteTrainingJob): it says nothing about this job's pool.
   */
  readonly sameJobOnly?: boolean;
  /** Log a job that is gone, or a pool status still missing after every attempt. */
  readonly warn?: boolean;
}

/**
 * DescribeTrainingJob briefly omits WarmPoolStatus right after a job ends, so a job that asked
 * for keep-alive is described again, with backoff, a bounded number of times. Used by the
 * finish notice and the pool intake alike.
 */
async function describeUntilPoolKnown(
  job: TrainingJobSnapshot,
  deps: DescribeDeps,
  options: DescribeOptions = {}
): Promise<TrainingJobSnapshot | undefined> {
  const attempts = deps.config.notices.describeAttempts;
  let described: TrainingJobSnapshot | undefined;
  for (let attempt = 1; attempt <= attempts; attempt++) {
    described = await deps.sageMaker.describeTrainingJob(job.name);
    if (described === undefined) {
      if (options.warn) {
        deps.log.warn('training job not found; notice uses event data only', { job: job.name });
      }
      return undefined;
    }
    if (
      options.sameJobOnly &&
      (described.arn !== job.arn ||
        (job.creationTime !== undefined && described.creationTime !== job.creationTime))
    ) {
      deps.log.warn('DescribeTrainingJob answered for another job of the same name', {
        job: job.name,
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

export { DESCRIBE_BACKOFF_MS, describeUntilPoolKnown };
