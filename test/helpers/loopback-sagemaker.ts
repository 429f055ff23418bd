import { parseTimestamp } from '../../src/domain/event/timestamp.js';
import { isRecord } from '../../src/domain/objects.js';
import {
  type SimOperation,
  SimulatedSageMaker,
  type SimulatedSageMakerOptions,
} from '../../src/sim/simulated-sagemaker.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { type AwsJsonReply, awsError, LoopbackAwsJson } from './loopback-aws-json.js';

interface Tag {
  readonly Key: string;
  readonly Value: string;
}

const OPERATIONS: readonly SimOperation[] = [
  'DescribeTrainingJob',
  'ListTags',
  'ListTrainingJobs',
  'UpdateTrainingJob',
];

/** SageMaker's answer for an unknown training job, word for word. */
function notFound(): AwsJsonReply {
  return awsError(400, 'ValidationException', 'Requested resource not found.');
}

/**
 * The SageMaker control plane on loopback, in the AWS JSON 1.1 wire format (timestamps are
 * epoch seconds): an HTTP shell over the project's one simulator, so the SDK adapter and the
 * in-process path get the same answers. Time is a VirtualClock the test moves; faults can be
 * scripted per operation through `service` ahead of the simulator's answers.
 */
class LoopbackSageMaker {
  private constructor(
    readonly service: LoopbackAwsJson,
    readonly simulator: SimulatedSageMaker,
    readonly clock: VirtualClock
  ) {}

  static async start(
    options: Partial<Omit<SimulatedSageMakerOptions, 'clock'>> & { clock?: VirtualClock } = {}
  ): Promise<LoopbackSageMaker> {
    const clock = options.clock ?? new VirtualClock();
    const simulator = new SimulatedSageMaker({ ...options, clock });
    const service = await LoopbackAwsJson.start(
      'SageMaker',
      Object.fromEntries(
        OPERATIONS.map((operation) => [
          operation,
          (input: Record<string, unknown>) => simulator.handle(operation, input),
        ])
      )
    );
    return new LoopbackSageMaker(service, simulator, clock);
  }

  get endpoint(): string {
    return this.service.endpoint;
  }

  /**
   * Loads a job as its DescribeTrainingJob answer says, with the tags ListTags returns for it.
   * The clock moves to when that answer was true (its LastModifiedTime, or end + retained time
   * for a pool that is still Available), so the shell answers it back as it was recorded.
   */
  addJob(describe: Record<string, unknown>, tags: readonly Tag[] = []): void {
    this.clock.advanceTo(answeredAt(describe));
    this.simulator.load(describe, tags);
  }

  async stop(): Promise<void> {
    await this.service.stop();
  }
}

function answeredAt(describe: Record<string, unknown>): number {
  const time = (key: string) => parseTimestamp(describe[key]) ?? 0;
  const pool = isRecord(describe.WarmPoolStatus) ? describe.WarmPoolStatus : {};
  const retained = Number(pool.ResourceRetainedBillableTimeInSeconds ?? 0);
  const freedAt = time('TrainingEndTime');
  const poolTime =
    pool.Status === 'Available' && freedAt > 0 && Number.isFinite(retained)
      ? freedAt + retained * 1000
      : 0;
  return Math.max(time('LastModifiedTime'), freedAt, poolTime);
}

export type { Tag };
export { LoopbackSageMaker, notFound };
