import type { StateChangeEvent } from '../domain/event/state-change-event.js';
import type { Tags } from '../domain/event/tags.js';
import { isTerminalStatus } from '../domain/job/job-status.js';
import type { TrainingJobSnapshot } from '../domain/job/training-job.js';
import type { SageMakerGateway } from '../domain/ports/sagemaker-gateway.js';

/** A recorded DescribeTrainingJob answer, plus the job's tags for ListTags. */
interface DescribeFixture {
  readonly job: TrainingJobSnapshot;
  readonly tags?: Tags;
}

/**
 * SageMaker for `warden replay`: it answers from describe fixtures when it has one for the job,
 * otherwise from the newest event seen for it, so a replay needs nothing but the events.
 */
class ReplaySageMaker implements SageMakerGateway {
  private readonly seen = new Map<string, { job: TrainingJobSnapshot; tags?: Tags }>();

  constructor(private readonly fixtures: ReadonlyMap<string, DescribeFixture> = new Map()) {}

  /** Records what an event says about its job, as SageMaker would know it by then. */
  observe(event: StateChangeEvent): void {
    const previous = this.seen.get(event.job.name)?.job;
    // A late non-terminal event must not roll a finished job back, here as in SageMaker.
    const regresses =
      previous !== undefined &&
      isTerminalStatus(previous.status) &&
      !isTerminalStatus(event.job.status);
    const older = (previous?.lastModifiedTime ?? 0) > (event.job.lastModifiedTime ?? 0);
    if (!regresses && !older) {
      this.seen.set(event.job.name, {
        job: event.job,
        ...(event.tags ? { tags: event.tags } : {}),
      });
    }
  }

  async describeTrainingJob(name: string): Promise<TrainingJobSnapshot | undefined> {
    return this.fixtures.get(name)?.job ?? this.seen.get(name)?.job;
  }

  async listTags(jobArn: string): Promise<Tags> {
    for (const source of [this.fixtures, this.seen]) {
      for (const entry of source.values()) {
        if (entry.job.arn === jobArn && entry.tags) return entry.tags;
      }
    }
    return {};
  }
}

export type { DescribeFixture };
export { ReplaySageMaker };
