import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';

/** One ListTrainingJobs summary, as far as warm pools are concerned. */
interface TrainingJobSummary {
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly status: string;
  readonly endTime?: number;
  readonly warmPoolStatus?: string;
}

interface TrainingJobPage {
  readonly jobs: readonly TrainingJobSummary[];
  /** Absent on the last page. Pages may be empty while a token remains (filters apply after paging). */
  readonly nextToken?: string;
}

interface ListTrainingJobsQuery {
  readonly warmPoolStatus?: 'Available' | 'InUse' | 'Reused' | 'Terminated';
  readonly createdAfter?: number;
  readonly createdBefore?: number;
  readonly nextToken?: string;
  /** 1–100. */
  readonly maxResults?: number;
}

/** The result of UpdateTrainingJob on a warm pool. */
type UpdateOutcome =
  | { readonly kind: 'updated' }
  /** The pool is no longer Available (reused, terminated, or the job is gone): not an error. */
  | { readonly kind: 'not-updatable'; readonly reason: string };

/**
 * The SageMaker calls the finish notice needs. Calls on a job take its ARN where they can
 * (`jobArn`): one Warden serves several accounts, and the ARN says which account and region a
 * job lives in; a name alone means the hub's own account and region.
 */
interface SageMakerGateway {
  /** `undefined` when SageMaker no longer knows the job (deleted, or a wrong name). */
  describeTrainingJob(name: string, jobArn?: string): Promise<TrainingJobSnapshot | undefined>;
  /** All tags of a training job (DescribeTrainingJob does not return them). */
  listTags(jobArn: string): Promise<Tags>;
}

/** The SageMaker calls the warm-pool steward makes on top of those. */
interface PoolGateway extends SageMakerGateway {
  /** One page of ListTrainingJobs. */
  listTrainingJobs(query: ListTrainingJobsQuery): Promise<TrainingJobPage>;
  /** UpdateTrainingJob with a new KeepAlivePeriodInSeconds (0 terminates the pool). */
  updateKeepAlive(name: string, keepAliveSeconds: number, jobArn?: string): Promise<UpdateOutcome>;
}

export type {
  ListTrainingJobsQuery,
  PoolGateway,
  SageMakerGateway,
  TrainingJobPage,
  TrainingJobSummary,
  UpdateOutcome,
};
