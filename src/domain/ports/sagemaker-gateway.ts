import type { Tags } from '../event/tags.js';
import type { TrainingJobSnapshot } from '../job/training-job.js';

/** The SageMaker calls the finish notice needs. */
interface SageMakerGateway {
  /** `undefined` when SageMaker no longer knows the job (deleted, or a wrong name). */
  describeTrainingJob(name: string): Promise<TrainingJobSnapshot | undefined>;
  /** All tags of a training job (DescribeTrainingJob does not return them). */
  listTags(jobArn: string): Promise<Tags>;
}

export type { SageMakerGateway };
