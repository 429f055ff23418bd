import type { StateChangeEvent } from '../domain/event/state-change-event.js';
import type { Tags } from '../domain/event/tags.js';
import { isTerminalStatus } from '../domain/job/job-status.js';
import type { TrainingJobSnapshot } from '../domain/job/training-job.js';
import { dropUndefined } from '../domain/objects.js';
import type { Clock } from '../domain/ports/clock.js';
import type {
  ListTrainingJobsQuery,
  PoolGateway,
  TrainingJobPage,
  UpdateOutcome,
} from '../domain/ports/sagemaker-gateway.js';
import {
  type SimJobSpec,
  SimulatedSageMaker,
  type SimulatedSageMakerOptions,
} from './simulated-sagemaker.js';
import { VirtualClock } from './virtual-clock.js';

/** A recorded DescribeTrainingJob answer, plus the job's tags for ListTags. */
interface DescribeFixture {
  readonly job: TrainingJobSnapshot;
  readonly tags?: Tags;
}

/**
 * SageMaker for `warden replay`: the simulator, fed by the events as they are replayed, so a
 * job that asked for keep-alive leaves a pool with an expiry and billable time even though
 * events carry neither. A describe fixture, when given, is the answer for its job (it is what
 * SageMaker really said); its configuration also fills in what the events leave out.
 */
class ReplaySageMaker implements PoolGateway {
  /** The simulated world behind the replay, for the steward and for reports. */
  readonly simulator: SimulatedSageMaker;
  private readonly clock: Clock;
  private readonly ownClock: VirtualClock | undefined;

  constructor(
    private readonly fixtures: ReadonlyMap<string, DescribeFixture> = new Map(),
    clock?: Clock,
    options: Omit<SimulatedSageMakerOptions, 'clock'> = {}
  ) {
    this.ownClock = clock === undefined ? new VirtualClock() : undefined;
    this.clock = clock ?? (this.ownClock as VirtualClock);
    this.simulator = new SimulatedSageMaker({ ...options, clock: this.clock });
  }

  /**
   * Plays what an event says into the simulator: the job is created, started and ended at the
   * event's times. An event for a job that already ended changes nothing, so late, duplicate
   * and out-of-order events never roll a finished job back.
   */
  observe(event: StateChangeEvent): void {
    const { job } = event;
    const at = eventClockTime(event) ?? this.clock.now();
    this.ownClock?.advanceTo(at);
    const fixture = this.fixtures.get(job.name)?.job;
    const known = this.simulator.job(job.name);
    if (known === undefined) {
      this.simulator.submit(specOf(job, fixture, event.tags ?? this.fixtures.get(job.name)?.tags));
    } else if (event.tags !== undefined) {
      this.simulator.tag(job.name, event.tags);
    }
    if (known !== undefined && known.status !== 'InProgress') return;

    const terminal = isTerminalStatus(job.status);
    if (known?.startTime === undefined && (job.startTime !== undefined || terminal)) {
      const startedAt = job.startTime ?? job.creationTime ?? job.endTime ?? at;
      this.simulator.start(job.name, startedAt);
    }
    if (isTerminalStatus(job.status)) {
      const endedAt = job.endTime ?? job.lastModifiedTime ?? at;
      // A fixture is what SageMaker said about the finished job: whether it kept a pool (a
      // quota of 0 keeps none) and what it billed. The simulated world must agree with it.
      const said = fixture !== undefined && isTerminalStatus(fixture.status) ? fixture : undefined;
      this.simulator.end(
        job.name,
        job.status,
        endedAt,
        dropUndefined({
          failureReason: job.failureReason,
          secondaryStatus: job.secondaryStatus,
          trainingSeconds: job.trainingSeconds ?? said?.trainingSeconds,
          billableSeconds: job.billableSeconds ?? said?.billableSeconds,
          retainPool: said === undefined ? undefined : said.warmPool !== undefined,
        })
      );
    }
  }

  /**
   * A fixture answers for its job, but the pool's life after the fixture was recorded is the
   * simulated world's: Warden's updates, reuse and expiry move it on, as they would in SageMaker.
   */
  async describeTrainingJob(name: string): Promise<TrainingJobSnapshot | undefined> {
    const simulated = await this.simulator.describeTrainingJob(name);
    const fixture = this.fixtures.get(name)?.job;
    if (fixture === undefined) return simulated;
    if (simulated === undefined || simulated.status === 'InProgress') return fixture;
    const { warmPool: _recorded, ...rest } = fixture;
    return dropUndefined({
      ...rest,
      keepAliveSeconds: simulated.keepAliveSeconds ?? fixture.keepAliveSeconds,
      warmPool: simulated.warmPool,
    });
  }

  async listTags(jobArn: string): Promise<Tags> {
    for (const entry of this.fixtures.values()) {
      if (entry.job.arn === jobArn && entry.tags) return entry.tags;
    }
    return this.simulator.listTags(jobArn);
  }

  listTrainingJobs(query: ListTrainingJobsQuery): Promise<TrainingJobPage> {
    return this.simulator.listTrainingJobs(query);
  }

  updateKeepAlive(name: string, keepAliveSeconds: number): Promise<UpdateOutcome> {
    return this.simulator.updateKeepAlive(name, keepAliveSeconds);
  }
}

/** The CreateTrainingJob an event implies; a fixture's configuration wins where it has one. */
function specOf(
  job: TrainingJobSnapshot,
  fixture: TrainingJobSnapshot | undefined,
  tags: Tags | undefined
): SimJobSpec {
  const known = { ...job, ...fixture };
  return dropUndefined({
    name: job.name,
    arn: job.arn,
    creationTime: job.creationTime ?? job.startTime ?? job.endTime ?? known.creationTime,
    roleArn: known.roleArn,
    instanceType: known.instanceType,
    instanceCount: known.instanceCount,
    volumeSizeGb: known.volumeSizeGb,
    volumeKmsKeyId: known.volumeKmsKeyId,
    subnets: known.subnets,
    securityGroupIds: known.securityGroupIds,
    networkIsolation: known.networkIsolation,
    interContainerEncryption: known.interContainerEncryption,
    keepAliveSeconds: known.keepAliveSeconds,
    managedSpot: known.managedSpot,
    tags,
  });
}

export type { DescribeFixture };

/** The last instant of the year 9999. */
const LATEST_CLOCK_MS = Date.UTC(10_000, 0, 1) - 1;

/**
 * The time replay's clock reads for an event: its own time, but never before what it reports.
 * An event's time is when EventBridge sent it, so after the job's end; one dated earlier (AWS's
 * own sample is dated 2018 for a job that ended in 2020; an edited file may say 1970) would have
 * the steward decide on pools before they existed.
 */
function eventClockTime(event: StateChangeEvent): number | undefined {
  const { time, job } = event;
  // A Date may reach the year 275760; a clock there is no time at all (and no store holds it).
  const times = [time, job.lastModifiedTime, job.endTime].filter(
    (t): t is number => t !== undefined && t <= LATEST_CLOCK_MS
  );
  return times.length === 0 ? undefined : Math.max(...times);
}

export { eventClockTime, ReplaySageMaker };
