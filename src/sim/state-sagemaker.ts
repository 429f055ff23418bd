import type { Tags } from '../domain/event/tags.js';
import type { TrainingJobSnapshot } from '../domain/job/training-job.js';
import { type PoolRecord, poolId } from '../domain/pool/pool-record.js';
import type { Clock } from '../domain/ports/clock.js';
import type {
  PoolGateway,
  TrainingJobPage,
  UpdateOutcome,
} from '../domain/ports/sagemaker-gateway.js';

/**
 * SageMaker for `warden actions serve`: the jobs and warm pools a saved state records, as
 * Describe would answer for them, with UpdateTrainingJob applied to that world. A replay's state
 * holds the pools but not the simulator behind them, so the pool records are the world: a
 * keep-alive update changes what the next Describe says, a 0 ends the pool.
 */
class StateSageMaker implements PoolGateway {
  /** Updates applied since the state was loaded, by pool id. */
  private readonly updates = new Map<string, { keepAliveSeconds: number; ended: boolean }>();

  constructor(
    private readonly pools: () => readonly PoolRecord[],
    private readonly clock: Pick<Clock, 'now'>
  ) {}

  async describeTrainingJob(name: string): Promise<TrainingJobSnapshot | undefined> {
    const pool = this.newest(name);
    if (pool === undefined) return undefined;
    const update = this.updates.get(poolId(pool));
    const keepAliveSeconds = update?.keepAliveSeconds ?? pool.keepAliveSeconds;
    const expired = pool.state === 'Available' && pool.expiresAt <= this.clock.now();
    const state = update?.ended === true || expired ? 'Terminated' : pool.state;
    return {
      name: pool.jobName,
      arn: pool.jobArn,
      status: 'Completed',
      creationTime: pool.creationTime,
      endTime: pool.endTime,
      lastModifiedTime: pool.updatedAt ?? pool.endTime,
      instanceType: pool.instanceType,
      instanceCount: pool.instanceCount,
      keepAliveSeconds,
      warmPool: {
        status: state,
        ...(pool.reusedByJob === undefined ? {} : { reusedByJob: pool.reusedByJob }),
      },
    };
  }

  async listTags(jobArn: string): Promise<Tags> {
    return this.pools().find((p) => p.jobArn === jobArn)?.tags ?? {};
  }

  async listTrainingJobs(): Promise<TrainingJobPage> {
    // The served world only answers for the pools it was given; it adopts no strays.
    return { jobs: [] };
  }

  async updateKeepAlive(name: string, keepAliveSeconds: number): Promise<UpdateOutcome> {
    const described = await this.describeTrainingJob(name);
    const pool = this.newest(name);
    if (pool === undefined || described?.warmPool?.status !== 'Available') {
      return { kind: 'not-updatable', reason: `the warm pool of ${name} is not Available` };
    }
    this.updates.set(poolId(pool), { keepAliveSeconds, ended: keepAliveSeconds === 0 });
    return { kind: 'updated' };
  }

  /** The newest job of that name: a name used again after DeleteTrainingJob names the new job. */
  private newest(name: string): PoolRecord | undefined {
    let found: PoolRecord | undefined;
    for (const pool of this.pools()) {
      if (pool.jobName !== name) continue;
      if (found === undefined || pool.creationTime > found.creationTime) found = pool;
    }
    return found;
  }
}

export { StateSageMaker };
