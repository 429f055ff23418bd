import { DependencyError } from '../domain/errors.js';
import { normalizeTags, type Tags } from '../domain/event/tags.js';
import { parseTimestamp } from '../domain/event/timestamp.js';
import type { TerminalStatus } from '../domain/job/job-status.js';
import { readTrainingJob, type TrainingJobSnapshot } from '../domain/job/training-job.js';
import { dropUndefined, isRecord } from '../domain/objects.js';
import type { KeepAliveAnchor } from '../domain/policy/policy.js';
import { type MatchKey, matchKeyOf } from '../domain/pool/match-key.js';
import type { PoolState } from '../domain/pool/pool-record.js';
import type { Clock } from '../domain/ports/clock.js';
import type {
  ListTrainingJobsQuery,
  PoolGateway,
  TrainingJobPage,
  TrainingJobSummary,
  UpdateOutcome,
} from '../domain/ports/sagemaker-gateway.js';

/** The SageMaker operations the simulator answers, in-process and on the JSON wire. */
type SimOperation = 'DescribeTrainingJob' | 'ListTags' | 'ListTrainingJobs' | 'UpdateTrainingJob';

/** A CreateTrainingJob request, as far as warm pools care. */
interface SimJobSpec {
  readonly name: string;
  /** Defaults to an ARN in the simulator's region and account. */
  readonly arn?: string;
  /** Epoch ms; defaults to now. */
  readonly creationTime?: number;
  /** Required by SageMaker; optional here because replayed events may lack them. */
  readonly roleArn?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly volumeSizeGb?: number;
  readonly volumeKmsKeyId?: string;
  readonly subnets?: readonly string[];
  readonly securityGroupIds?: readonly string[];
  readonly networkIsolation?: boolean;
  readonly interContainerEncryption?: boolean;
  /** ResourceConfig.KeepAlivePeriodInSeconds; absent means no warm pool. */
  readonly keepAliveSeconds?: number;
  readonly managedSpot?: boolean;
  readonly inputMode?: string;
  readonly trainingImage?: string;
  readonly tags?: Tags;
}

interface SimEndOptions {
  readonly failureReason?: string;
  /** Defaults to the status itself (e.g. `MaxRuntimeExceeded` for a Stopped job). */
  readonly secondaryStatus?: string;
  /** As SageMaker reported them; by default both are end − start. Spot jobs bill less. */
  readonly trainingSeconds?: number;
  readonly billableSeconds?: number;
  /**
   * What SageMaker is known to have done (a recorded describe answer): `true` keeps a pool
   * and `false` none, whatever quota, spot or failure rules would say. Keep-alive still needed.
   */
  readonly retainPool?: boolean;
}

interface SimulatedSageMakerOptions {
  readonly clock: Clock;
  readonly region?: string;
  readonly account?: string;
  /** What an UpdateTrainingJob keep-alive counts from (undocumented; reference §3.4). */
  readonly keepAliveAnchor?: KeepAliveAnchor;
  /** Largest KeepAlivePeriodInSeconds accepted: 3600 per the docs, 21600 per the API model. */
  readonly maxKeepAliveSeconds?: number;
  /** Warm-pool quota per instance type, in instances; types not listed are unlimited. */
  readonly warmPoolQuota?: Readonly<Record<string, number>>;
  /** Requests per second per operation (token bucket); operations not listed are never throttled. */
  readonly rateLimits?: Readonly<Partial<Record<SimOperation, number>>>;
  /** Tags per ListTags page, at most 100. */
  readonly tagPageSize?: number;
}

/** A warm pool as seen from one job, with the times the simulator derives its answers from. */
interface SimWarmPool {
  readonly status: PoolState;
  /** When the job ended and the pool became Available. */
  readonly freedAt?: number;
  readonly expiresAt?: number;
  /** When the pool was reused or terminated. */
  readonly closedAt?: number;
  readonly reusedByJob?: string;
  readonly retainedSeconds?: number;
}

/** What the simulate command reads about a job: match key, warm or cold start, pool. */
interface SimJobView {
  readonly name: string;
  readonly arn: string;
  readonly matchKey: MatchKey;
  readonly instanceType: string;
  readonly instanceCount: number;
  readonly status: string;
  readonly creationTime: number;
  readonly startTime?: number;
  readonly endTime?: number;
  /** Whether the job started on a warm pool; absent until it starts (or when loaded). */
  readonly start?: 'warm' | 'cold';
  readonly keepAliveSeconds?: number;
  readonly warmPool?: SimWarmPool;
}

/** An AWS JSON 1.1 answer: a body, or an error body with `__type`. */
interface SimReply {
  readonly status: number;
  readonly body: object;
}

/** The answer for an AWS error: `type` is the `__type` a client sees. */
interface SimFault {
  readonly status: number;
  readonly type: string;
  readonly message: string;
}

type Result<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly fault: SimFault };

interface Pool {
  status: PoolState;
  /** When the first job of a chain of reuses launched the cluster. */
  readonly chainStart: number;
  freedAt?: number;
  expiresAt?: number;
  closedAt?: number;
  reusedByJob?: string;
}

interface Job {
  readonly seq: number;
  readonly name: string;
  readonly arn: string;
  readonly creationTime: number;
  readonly config: TrainingJobSnapshot;
  readonly key: MatchKey;
  readonly inputMode: string;
  readonly trainingImage: string;
  keepAliveSeconds?: number;
  tags: Tags;
  status: string;
  secondaryStatus: string;
  failureReason?: string;
  startTime?: number;
  endTime?: number;
  lastModifiedTime: number;
  trainingSeconds?: number;
  billableSeconds?: number;
  start?: 'warm' | 'cold';
  pool?: Pool;
}

/** Rate-limit presets near SageMaker's own (ListTrainingJobs is 2 rps and not adjustable). */
const SAGEMAKER_RATE_LIMITS: Readonly<Record<SimOperation, number>> = {
  ListTrainingJobs: 2,
  DescribeTrainingJob: 10,
  ListTags: 10,
  UpdateTrainingJob: 10,
};

const OPERATIONS: readonly SimOperation[] = [
  'DescribeTrainingJob',
  'ListTags',
  'ListTrainingJobs',
  'UpdateTrainingJob',
];
const POOL_STATES: readonly PoolState[] = ['Available', 'Terminated', 'Reused', 'InUse'];
/** A pool may move from job to job for at most 28 days (reference §3.2). */
const CHAIN_LIMIT_MS = 28 * 86_400_000;
/** How late a start may be learnt and still take a pool that expired since (replay). */
const LATE_START_HORIZON_MS = 86_400_000;
const DEFAULT_PAGE = 10;
const MAX_PAGE = 100;
const NOT_FOUND = 'Requested resource not found.';
/** Pools survive failures the customer caused; anything else may have harmed the cluster. */
const POOL_SAFE_FAILURE = /^(AlgorithmError|ClientError)\b/;

/**
 * The one simulated SageMaker of the project: training jobs and their warm pools in memory,
 * driven by a Clock, answering the PoolGateway port in-process and the AWS JSON wire through
 * `handle` (the loopback HTTP shell in tests). No timers: pool expiry is settled lazily against
 * the clock whenever the simulator is asked anything, so virtual time may jump freely.
 *
 * Pools follow reference §2 and §5: a job that ends with keep-alive leaves an `Available` pool
 * (quota permitting); a matching job that starts takes the most recently freed one, which turns
 * `Reused`; a pool expires at its anchor + keep-alive and turns `Terminated`.
 *
 * @example
 * const sim = new SimulatedSageMaker({ clock });
 * sim.submit({ name: 'a', roleArn, instanceType: 'ml.g5.2xlarge', keepAliveSeconds: 1800 });
 * sim.start('a'); clock.advanceTo(end); sim.end('a', 'Completed');
 */
class SimulatedSageMaker implements PoolGateway {
  private readonly clock: Clock;
  private readonly region: string;
  private readonly account: string;
  private readonly anchor: KeepAliveAnchor;
  private readonly maxKeepAlive: number;
  private readonly quota: Readonly<Record<string, number>>;
  private readonly tagPageSize: number;
  private readonly jobs = new Map<string, Job>();
  private readonly arns = new Map<string, Job>();
  /** Every job by (CreationTime, seq), as ListTrainingJobs pages through them. */
  private readonly ordered: Job[] = [];
  /** Jobs whose pool is Available, by match key: the only ones settle and start look at. */
  private readonly available = new Map<MatchKey, Set<Job>>();
  /** Pools that expired lately: a job whose start is learnt late may still have taken one. */
  private readonly expired = new Map<MatchKey, Set<Job>>();
  private readonly buckets = new Map<SimOperation, TokenBucket>();
  private readonly calls = new Map<SimOperation, number>();
  private readonly throttled = new Map<SimOperation, number>();
  private seq = 0;

  constructor(options: SimulatedSageMakerOptions) {
    this.clock = options.clock;
    this.region = options.region ?? 'us-east-1';
    this.account = options.account ?? '111122223333';
    this.anchor = options.keepAliveAnchor ?? 'job-end';
    this.maxKeepAlive = options.maxKeepAliveSeconds ?? 3600;
    this.quota = options.warmPoolQuota ?? {};
    this.tagPageSize = Math.min(MAX_PAGE, Math.max(1, options.tagPageSize ?? MAX_PAGE));
    for (const [operation, rate] of Object.entries(options.rateLimits ?? {})) {
      if (rate !== undefined && rate > 0) {
        this.buckets.set(operation as SimOperation, new TokenBucket(rate, this.clock.now()));
      }
    }
  }

  /** CreateTrainingJob: the job is InProgress (Starting) from its creation time. */
  submit(spec: SimJobSpec): SimJobView {
    if (this.jobs.has(spec.name)) {
      throw new Error(`training job ${spec.name} already exists; names are unique`);
    }
    const creationTime = spec.creationTime ?? this.clock.now();
    const arn =
      spec.arn ?? `arn:aws:sagemaker:${this.region}:${this.account}:training-job/${spec.name}`;
    const config: TrainingJobSnapshot = dropUndefined({
      name: spec.name,
      arn,
      status: 'InProgress',
      roleArn: spec.roleArn,
      instanceType: spec.instanceType,
      instanceCount: spec.instanceCount,
      volumeSizeGb: spec.volumeSizeGb,
      volumeKmsKeyId: spec.volumeKmsKeyId,
      subnets: spec.subnets,
      securityGroupIds: spec.securityGroupIds,
      networkIsolation: spec.networkIsolation ?? false,
      interContainerEncryption: spec.interContainerEncryption ?? false,
      managedSpot: spec.managedSpot ?? false,
    });
    const job: Job = {
      seq: this.seq++,
      name: spec.name,
      arn,
      creationTime,
      config,
      key: matchKeyOf(config),
      inputMode: spec.inputMode ?? 'File',
      trainingImage: spec.trainingImage ?? 'simulated-training-image:latest',
      keepAliveSeconds: spec.keepAliveSeconds,
      tags: spec.tags ?? {},
      status: 'InProgress',
      secondaryStatus: 'Starting',
      lastModifiedTime: creationTime,
    };
    this.insert(job);
    return this.view(job);
  }

  /**
   * The job's instances are taken at `at`: the most recently freed Available pool of its match
   * key if there is one (that pool turns Reused), otherwise a cold cluster. Training starts
   * (TrainingStartTime) `startupMs(start)` later, at `at` by default.
   */
  start(
    name: string,
    at = this.clock.now(),
    startupMs?: (start: 'warm' | 'cold') => number
  ): 'warm' | 'cold' {
    this.settle();
    const job = this.running(name);
    if (job.startTime !== undefined) throw new Error(`training job ${name} has already started`);
    const start = this.take(job, at);
    job.startTime = at + (startupMs?.(start) ?? 0);
    return start;
  }

  private take(job: Job, at: number): 'warm' | 'cold' {
    const name = job.name;
    job.secondaryStatus = 'Training';
    job.lastModifiedTime = Math.max(job.lastModifiedTime, at);
    const taken = job.config.managedSpot ? undefined : this.takePool(job.key, at);
    if (taken?.pool !== undefined) {
      taken.pool.status = 'Reused';
      taken.pool.reusedByJob = name;
      taken.pool.closedAt = at;
      job.pool = { status: 'InUse', chainStart: taken.pool.chainStart };
      job.start = 'warm';
      return 'warm';
    }
    if (this.keepsPools(job) && this.quotaOf(job.config.instanceType) !== 0) {
      job.pool = { status: 'InUse', chainStart: at };
    }
    job.start = 'cold';
    return 'cold';
  }

  /** The job ends at `at`; with keep-alive (and quota) its cluster stays as an Available pool. */
  end(
    name: string,
    status: TerminalStatus,
    at = this.clock.now(),
    options: SimEndOptions = {}
  ): SimJobView {
    this.settle();
    const job = this.running(name);
    job.status = status;
    job.secondaryStatus = options.secondaryStatus ?? status;
    if (status === 'Failed') job.failureReason = options.failureReason ?? 'InternalServerError';
    job.endTime = Math.max(at, job.startTime ?? at);
    job.lastModifiedTime = Math.max(job.lastModifiedTime, job.endTime);
    job.trainingSeconds = options.trainingSeconds;
    job.billableSeconds = options.billableSeconds;
    const started = job.startTime !== undefined;
    const healthy = status !== 'Failed' || POOL_SAFE_FAILURE.test(job.failureReason ?? '');
    const wanted =
      started &&
      (job.keepAliveSeconds ?? 0) > 0 &&
      (options.retainPool ?? (this.keepsPools(job) && healthy && this.quotaAllows(job)));
    if (wanted) {
      job.pool = {
        status: 'Available',
        chainStart: job.pool?.chainStart ?? job.startTime ?? job.endTime,
        freedAt: job.endTime,
        expiresAt: job.endTime + (job.keepAliveSeconds ?? 0) * 1000,
      };
      this.indexAvailable(job);
    } else if (job.pool !== undefined && !healthy) {
      job.pool.status = 'Terminated';
      job.pool.closedAt = job.endTime;
    } else if (job.pool !== undefined && (job.keepAliveSeconds ?? 0) === 0) {
      // A job without keep-alive that ran on a reused pool ends that pool with it.
      job.pool.status = 'Terminated';
      job.pool.closedAt = job.endTime;
    } else {
      job.pool = undefined;
    }
    this.settle();
    return this.view(job);
  }

  /**
   * Adds (or replaces) a job exactly as a DescribeTrainingJob answer describes it, e.g. a
   * recorded fixture. Times are taken as given; an Available pool expires at end + keep-alive.
   */
  load(describe: Record<string, unknown>, tags?: unknown): SimJobView {
    const read = readTrainingJob(describe, 'DescribeTrainingJob');
    if (!read.ok) throw new Error(`cannot load a job: ${read.reason}`);
    const snapshot = read.job;
    const existing = this.jobs.get(snapshot.name);
    if (existing !== undefined) this.remove(existing);
    const algorithm = isRecord(describe.AlgorithmSpecification)
      ? describe.AlgorithmSpecification
      : {};
    const creationTime =
      snapshot.creationTime ?? snapshot.startTime ?? snapshot.endTime ?? this.clock.now();
    const config: TrainingJobSnapshot = dropUndefined({
      ...configOf(snapshot),
      name: snapshot.name,
      arn: snapshot.arn,
      status: 'InProgress',
      instanceCount: snapshot.instanceCount,
      networkIsolation: snapshot.networkIsolation ?? false,
      interContainerEncryption: snapshot.interContainerEncryption ?? false,
      managedSpot: snapshot.managedSpot ?? false,
    });
    const job: Job = {
      seq: this.seq++,
      name: snapshot.name,
      arn: snapshot.arn,
      creationTime,
      config,
      key: matchKeyOf(config),
      inputMode:
        typeof algorithm.TrainingInputMode === 'string' ? algorithm.TrainingInputMode : 'File',
      trainingImage:
        typeof algorithm.TrainingImage === 'string'
          ? algorithm.TrainingImage
          : 'simulated-training-image:latest',
      keepAliveSeconds: snapshot.keepAliveSeconds,
      tags: normalizeTags(tags) ?? normalizeTags(describe.Tags) ?? {},
      status: snapshot.status,
      secondaryStatus: snapshot.secondaryStatus ?? snapshot.status,
      failureReason: snapshot.failureReason,
      startTime: snapshot.startTime,
      endTime: snapshot.endTime,
      lastModifiedTime: snapshot.lastModifiedTime ?? snapshot.endTime ?? creationTime,
      trainingSeconds: snapshot.trainingSeconds,
      billableSeconds: snapshot.billableSeconds,
      pool: loadedPool(snapshot),
    };
    this.insert(job);
    if (job.pool?.status === 'Available') this.indexAvailable(job);
    this.settle();
    return this.view(job);
  }

  /** Adds or replaces tags on a job (AddTags). */
  tag(name: string, tags: Tags): void {
    const job = this.jobs.get(name);
    if (job === undefined) throw new Error(`no training job ${name}`);
    job.tags = { ...job.tags, ...tags };
  }

  /** Terminates every Available pool whose keep-alive has run out by the clock's now. */
  settle(): void {
    const now = this.clock.now();
    for (const [key, jobs] of this.available) {
      for (const job of jobs) {
        const pool = job.pool;
        if (pool?.expiresAt !== undefined && pool.expiresAt <= now) {
          pool.status = 'Terminated';
          pool.closedAt = pool.expiresAt;
          jobs.delete(job);
          addTo(this.expired, job);
        }
      }
      if (jobs.size === 0) this.available.delete(key);
    }
  }

  /** One job as the simulate command reads it, or undefined. */
  job(name: string): SimJobView | undefined {
    this.settle();
    const job = this.jobs.get(name);
    return job === undefined ? undefined : this.view(job);
  }

  /** Every job, oldest first. */
  allJobs(): SimJobView[] {
    this.settle();
    return this.ordered.map((job) => this.view(job));
  }

  /** Requests per operation, throttled ones included, and how many of them were throttled. */
  stats(): {
    readonly calls: Readonly<Record<SimOperation, number>>;
    readonly throttled: Readonly<Record<SimOperation, number>>;
  } {
    const count = (map: Map<SimOperation, number>) =>
      Object.fromEntries(OPERATIONS.map((op) => [op, map.get(op) ?? 0])) as Record<
        SimOperation,
        number
      >;
    return { calls: count(this.calls), throttled: count(this.throttled) };
  }

  /** The DescribeTrainingJob JSON answer (epoch-second times), or undefined for an unknown job. */
  describeRaw(name: string): Record<string, unknown> | undefined {
    this.settle();
    const job = this.jobs.get(name);
    return job === undefined ? undefined : this.rawOf(job);
  }

  async describeTrainingJob(name: string): Promise<TrainingJobSnapshot | undefined> {
    this.admitOrThrow('DescribeTrainingJob');
    const raw = this.describeRaw(name);
    if (raw === undefined) return undefined;
    const read = readTrainingJob(raw, 'DescribeTrainingJob');
    if (!read.ok) throw new Error(`simulated job ${name} cannot be described: ${read.reason}`);
    return read.job;
  }

  async listTags(jobArn: string): Promise<Tags> {
    this.admitOrThrow('ListTags');
    return this.byArn(jobArn)?.tags ?? {};
  }

  async listTrainingJobs(query: ListTrainingJobsQuery): Promise<TrainingJobPage> {
    this.admitOrThrow('ListTrainingJobs');
    const page = unwrap('ListTrainingJobs', this.page(query));
    return {
      jobs: page.jobs.map((job) => summaryOf(this.view(job))),
      ...(page.nextToken === undefined ? {} : { nextToken: page.nextToken }),
    };
  }

  async updateKeepAlive(name: string, keepAliveSeconds: number): Promise<UpdateOutcome> {
    this.admitOrThrow('UpdateTrainingJob');
    return unwrap('UpdateTrainingJob', this.update(name, keepAliveSeconds));
  }

  /** Answers one AWS JSON 1.1 request (`X-Amz-Target: SageMaker.<operation>`). */
  handle(operation: string, input: Record<string, unknown>): SimReply {
    if (!isOperation(operation)) {
      return errorReply(fault(400, 'UnknownOperationException', `Unknown operation ${operation}`));
    }
    const throttle = this.admit(operation);
    if (throttle !== undefined) return errorReply(throttle);
    this.settle();
    switch (operation) {
      case 'DescribeTrainingJob':
        return this.wireDescribe(input);
      case 'ListTags':
        return this.wireListTags(input);
      case 'ListTrainingJobs':
        return this.wireList(input);
      case 'UpdateTrainingJob':
        return this.wireUpdate(input);
    }
  }

  private wireDescribe(input: Record<string, unknown>): SimReply {
    const name = input.TrainingJobName;
    if (typeof name !== 'string') return errorReply(notNull('trainingJobName'));
    const job = this.jobs.get(name);
    return job === undefined
      ? errorReply(fault(400, 'ValidationException', NOT_FOUND))
      : { status: 200, body: this.rawOf(job) };
  }

  private wireListTags(input: Record<string, unknown>): SimReply {
    const job = typeof input.ResourceArn === 'string' ? this.byArn(input.ResourceArn) : undefined;
    if (job === undefined) return errorReply(fault(400, 'ValidationException', NOT_FOUND));
    const max = input.MaxResults === undefined ? 50 : input.MaxResults;
    if (typeof max !== 'number' || !Number.isInteger(max) || max < 1 || max > MAX_PAGE) {
      return errorReply(outOfRange('maxResults', max, 1, MAX_PAGE));
    }
    const tags = Object.entries(job.tags).map(([Key, Value]) => ({ Key, Value }));
    const start = input.NextToken === undefined ? 0 : tagOffset(input.NextToken);
    if (start === undefined || start > tags.length) {
      return errorReply(fault(400, 'ValidationException', 'Invalid pagination token'));
    }
    const end = Math.min(start + Math.min(max, this.tagPageSize), tags.length);
    return {
      status: 200,
      body: {
        Tags: tags.slice(start, end),
        ...(end < tags.length ? { NextToken: encodeToken(['tags', end]) } : {}),
      },
    };
  }

  private wireList(input: Record<string, unknown>): SimReply {
    const status = input.WarmPoolStatusEquals;
    if (status !== undefined && !POOL_STATES.includes(status as PoolState)) {
      return errorReply(
        fault(
          400,
          'ValidationException',
          `1 validation error detected: Value '${String(status)}' at 'warmPoolStatusEquals' failed to satisfy constraint: Member must satisfy enum value set: [${POOL_STATES.join(', ')}]`
        )
      );
    }
    const time = (field: string) => {
      const value = input[field];
      return value === undefined ? undefined : (parseTimestamp(value) ?? Number.NaN);
    };
    const query: ListTrainingJobsQuery = dropUndefined({
      warmPoolStatus: status as PoolState | undefined,
      createdAfter: time('CreationTimeAfter'),
      createdBefore: time('CreationTimeBefore'),
      nextToken: input.NextToken as string | undefined,
      maxResults: input.MaxResults as number | undefined,
    });
    const page = this.page(query);
    if (!page.ok) return errorReply(page.fault);
    return {
      status: 200,
      body: {
        TrainingJobSummaries: page.value.jobs.map((job) => this.rawSummaryOf(job)),
        ...(page.value.nextToken === undefined ? {} : { NextToken: page.value.nextToken }),
      },
    };
  }

  private wireUpdate(input: Record<string, unknown>): SimReply {
    const name = input.TrainingJobName;
    if (typeof name !== 'string') return errorReply(notNull('trainingJobName'));
    const resources = input.ResourceConfig;
    if (resources === undefined) {
      // Profiler and remote-debug updates are not simulated; they leave pools alone.
      const job = this.jobs.get(name);
      return job === undefined
        ? errorReply(fault(400, 'ValidationException', NOT_FOUND))
        : { status: 200, body: { TrainingJobArn: job.arn } };
    }
    const seconds = isRecord(resources) ? resources.KeepAlivePeriodInSeconds : undefined;
    if (seconds === undefined || seconds === null) {
      return errorReply(notNull('resourceConfig.keepAlivePeriodInSeconds'));
    }
    const outcome = this.update(name, seconds);
    if (!outcome.ok) return errorReply(outcome.fault);
    if (outcome.value.kind === 'not-updatable') {
      return errorReply(fault(400, 'ValidationException', outcome.value.reason));
    }
    return { status: 200, body: { TrainingJobArn: this.jobs.get(name)?.arn } };
  }

  /** One ListTrainingJobs page: paged by creation time first, filtered by pool status after. */
  private page(query: ListTrainingJobsQuery): Result<{ jobs: Job[]; nextToken?: string }> {
    this.settle();
    const max = query.maxResults ?? DEFAULT_PAGE;
    if (!Number.isInteger(max) || max < 1 || max > MAX_PAGE) {
      return { ok: false, fault: outOfRange('maxResults', max, 1, MAX_PAGE) };
    }
    for (const field of ['createdAfter', 'createdBefore'] as const) {
      const value = query[field];
      if (value !== undefined && !Number.isFinite(value)) {
        return { ok: false, fault: fault(400, 'ValidationException', `${field} is not a time`) };
      }
    }
    let after: readonly [number, number] | undefined;
    if (query.nextToken !== undefined) {
      after = listPosition(query.nextToken);
      if (after === undefined) {
        return { ok: false, fault: fault(400, 'ValidationException', 'Invalid pagination token') };
      }
    }
    const inRange = (job: Job) =>
      (query.createdAfter === undefined || job.creationTime > query.createdAfter) &&
      (query.createdBefore === undefined || job.creationTime < query.createdBefore) &&
      (after === undefined || compareOrder(job, after) > 0);
    const taken: Job[] = [];
    let more = false;
    for (const job of this.ordered) {
      if (!inRange(job)) continue;
      if (taken.length === max) {
        more = true;
        break;
      }
      taken.push(job);
    }
    const last = taken.at(-1);
    const jobs =
      query.warmPoolStatus === undefined
        ? taken
        : taken.filter((job) => job.pool?.status === query.warmPoolStatus);
    return {
      ok: true,
      value: {
        jobs,
        ...(more && last !== undefined
          ? { nextToken: encodeToken(['jobs', last.creationTime, last.seq]) }
          : {}),
      },
    };
  }

  /** UpdateTrainingJob's keep-alive: range errors fail; a pool that is not Available is no error. */
  private update(name: string, seconds: unknown): Result<UpdateOutcome> {
    if (typeof seconds !== 'number' || !Number.isInteger(seconds)) {
      return {
        ok: false,
        fault: fault(
          400,
          'ValidationException',
          `1 validation error detected: Value '${String(seconds)}' at 'resourceConfig.keepAlivePeriodInSeconds' failed to satisfy constraint: Member must be an integer`
        ),
      };
    }
    if (seconds < 0 || seconds > this.maxKeepAlive) {
      return {
        ok: false,
        fault: outOfRange('resourceConfig.keepAlivePeriodInSeconds', seconds, 0, this.maxKeepAlive),
      };
    }
    this.settle();
    const job = this.jobs.get(name);
    if (job === undefined) return { ok: true, value: { kind: 'not-updatable', reason: NOT_FOUND } };
    const pool = job.pool;
    if (pool?.status !== 'Available' || pool.freedAt === undefined) {
      return {
        ok: true,
        value: {
          kind: 'not-updatable',
          reason: `The warm pool of training job ${name} cannot be updated: its status is ${pool?.status ?? 'absent'}, and only an Available warm pool can be updated.`,
        },
      };
    }
    const now = this.clock.now();
    job.keepAliveSeconds = seconds;
    const from = this.anchor === 'update-time' ? now : pool.freedAt;
    pool.expiresAt = from + seconds * 1000;
    if (seconds === 0 || pool.expiresAt <= now) {
      pool.status = 'Terminated';
      pool.closedAt = now;
      pool.expiresAt = now;
      this.unindexAvailable(job);
    }
    return { ok: true, value: { kind: 'updated' } };
  }

  /**
   * The most recently freed pool of `key` that was Available at `at`. When `at` is in the past
   * (a start learnt from a late event), a pool that expired after `at` counts: it was reused.
   */
  private takePool(key: MatchKey, at: number): Job | undefined {
    let best: Job | undefined;
    const horizon = this.clock.now() - LATE_START_HORIZON_MS;
    const expired = this.expired.get(key);
    for (const candidate of [...(this.available.get(key) ?? []), ...(expired ?? [])]) {
      const pool = candidate.pool;
      if (pool === undefined || pool.freedAt === undefined) continue;
      if (pool.status === 'Terminated' && (pool.closedAt ?? 0) < horizon) {
        expired?.delete(candidate);
        continue;
      }
      const until = pool.status === 'Available' ? pool.expiresAt : pool.closedAt;
      if (pool.freedAt > at || (until !== undefined && until <= at)) continue;
      if (at - pool.chainStart >= CHAIN_LIMIT_MS) continue;
      const bestFreed = best?.pool?.freedAt ?? Number.NEGATIVE_INFINITY;
      if (
        pool.freedAt > bestFreed ||
        (pool.freedAt === bestFreed && candidate.seq > (best?.seq ?? -1))
      ) {
        best = candidate;
      }
    }
    if (best !== undefined) {
      this.unindexAvailable(best);
      expired?.delete(best);
    }
    return best;
  }

  private keepsPools(job: Job): boolean {
    // Managed spot training cannot use warm pools (reference §5).
    return (job.keepAliveSeconds ?? 0) > 0 && job.config.managedSpot !== true;
  }

  private quotaOf(instanceType: string | undefined): number | undefined {
    if (instanceType === undefined || !Object.hasOwn(this.quota, instanceType)) return undefined;
    return this.quota[instanceType];
  }

  /** Available pools count against the per-type quota; a pool that would exceed it is not kept. */
  private quotaAllows(job: Job): boolean {
    const quota = this.quotaOf(job.config.instanceType);
    if (quota === undefined) return true;
    let used = 0;
    for (const jobs of this.available.values()) {
      for (const other of jobs) {
        if (other.config.instanceType === job.config.instanceType) {
          used += other.config.instanceCount ?? 1;
        }
      }
    }
    return used + (job.config.instanceCount ?? 1) <= quota;
  }

  private running(name: string): Job {
    const job = this.jobs.get(name);
    if (job === undefined) throw new Error(`no training job ${name}`);
    if (job.status !== 'InProgress') {
      throw new Error(`training job ${name} is ${job.status}, not InProgress`);
    }
    return job;
  }

  private byArn(arn: string): Job | undefined {
    return this.arns.get(arn);
  }

  private insert(job: Job): void {
    this.jobs.set(job.name, job);
    this.arns.set(job.arn, job);
    // Binary search: jobs mostly arrive in creation order, so this is usually an append.
    let low = 0;
    let high = this.ordered.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      const other = this.ordered[mid] as Job;
      if (compareOrder(other, [job.creationTime, job.seq]) < 0) low = mid + 1;
      else high = mid;
    }
    this.ordered.splice(low, 0, job);
  }

  private remove(job: Job): void {
    this.unindexAvailable(job);
    this.expired.get(job.key)?.delete(job);
    this.jobs.delete(job.name);
    this.arns.delete(job.arn);
    const at = this.ordered.indexOf(job);
    if (at >= 0) this.ordered.splice(at, 1);
  }

  private indexAvailable(job: Job): void {
    addTo(this.available, job);
  }

  private unindexAvailable(job: Job): void {
    const set = this.available.get(job.key);
    set?.delete(job);
    if (set?.size === 0) this.available.delete(job.key);
  }

  /** Counts the call, then takes a token from the operation's bucket; a fault when there is none. */
  private admit(operation: SimOperation): SimFault | undefined {
    this.calls.set(operation, (this.calls.get(operation) ?? 0) + 1);
    const bucket = this.buckets.get(operation);
    if (bucket === undefined || bucket.take(this.clock.now())) return undefined;
    this.throttled.set(operation, (this.throttled.get(operation) ?? 0) + 1);
    return fault(400, 'ThrottlingException', 'Rate exceeded');
  }

  private admitOrThrow(operation: SimOperation): void {
    const throttle = this.admit(operation);
    if (throttle !== undefined) throw failure(operation, throttle, true);
  }

  private view(job: Job): SimJobView {
    return dropUndefined({
      name: job.name,
      arn: job.arn,
      matchKey: job.key,
      instanceType: job.config.instanceType ?? '-',
      instanceCount: job.config.instanceCount ?? 1,
      status: job.status,
      creationTime: job.creationTime,
      startTime: job.startTime,
      endTime: job.endTime,
      start: job.start,
      keepAliveSeconds: job.keepAliveSeconds,
      warmPool: job.pool === undefined ? undefined : this.poolView(job.pool),
    });
  }

  private poolView(pool: Pool): SimWarmPool {
    const until = pool.status === 'Available' ? this.clock.now() : pool.closedAt;
    const retainedSeconds =
      pool.freedAt === undefined || until === undefined
        ? undefined
        : Math.max(0, Math.round((until - pool.freedAt) / 1000));
    return dropUndefined({
      status: pool.status,
      freedAt: pool.freedAt,
      expiresAt: pool.status === 'Available' ? pool.expiresAt : undefined,
      closedAt: pool.closedAt,
      reusedByJob: pool.reusedByJob,
      retainedSeconds,
    });
  }

  private rawOf(job: Job): Record<string, unknown> {
    const c = job.config;
    const ran =
      job.startTime !== undefined && job.endTime !== undefined
        ? Math.max(1, Math.round((job.endTime - job.startTime) / 1000))
        : undefined;
    const pool = job.pool === undefined ? undefined : this.poolView(job.pool);
    return dropUndefined({
      TrainingJobName: job.name,
      TrainingJobArn: job.arn,
      ModelArtifacts: {
        S3ModelArtifacts: `s3://sagemaker-${this.region}-${this.account}/${job.name}/output/model.tar.gz`,
      },
      TrainingJobStatus: job.status,
      SecondaryStatus: job.secondaryStatus,
      FailureReason: job.failureReason,
      AlgorithmSpecification: {
        TrainingImage: job.trainingImage,
        TrainingInputMode: job.inputMode,
      },
      RoleArn: c.roleArn,
      ResourceConfig: dropUndefined({
        InstanceType: c.instanceType,
        InstanceCount: c.instanceCount,
        VolumeSizeInGB: c.volumeSizeGb,
        VolumeKmsKeyId: c.volumeKmsKeyId,
        KeepAlivePeriodInSeconds: job.keepAliveSeconds,
      }),
      VpcConfig:
        c.subnets === undefined && c.securityGroupIds === undefined
          ? undefined
          : { SecurityGroupIds: c.securityGroupIds ?? [], Subnets: c.subnets ?? [] },
      StoppingCondition: { MaxRuntimeInSeconds: 86_400 },
      CreationTime: seconds(job.creationTime),
      TrainingStartTime: seconds(job.startTime),
      TrainingEndTime: seconds(job.endTime),
      LastModifiedTime: seconds(job.lastModifiedTime),
      SecondaryStatusTransitions: transitions(job),
      EnableNetworkIsolation: c.networkIsolation,
      EnableInterContainerTrafficEncryption: c.interContainerEncryption,
      EnableManagedSpotTraining: c.managedSpot,
      TrainingTimeInSeconds: job.trainingSeconds ?? ran,
      BillableTimeInSeconds: job.billableSeconds ?? ran,
      WarmPoolStatus:
        pool === undefined
          ? undefined
          : dropUndefined({
              Status: pool.status,
              ResourceRetainedBillableTimeInSeconds: pool.retainedSeconds,
              ReusedByJob: pool.reusedByJob,
            }),
    });
  }

  private rawSummaryOf(job: Job): Record<string, unknown> {
    const raw = this.rawOf(job);
    return dropUndefined({
      TrainingJobName: raw.TrainingJobName,
      TrainingJobArn: raw.TrainingJobArn,
      CreationTime: raw.CreationTime,
      TrainingEndTime: raw.TrainingEndTime,
      LastModifiedTime: raw.LastModifiedTime,
      TrainingJobStatus: raw.TrainingJobStatus,
      SecondaryStatus: raw.SecondaryStatus,
      WarmPoolStatus: raw.WarmPoolStatus,
    });
  }
}

function addTo(index: Map<MatchKey, Set<Job>>, job: Job): void {
  const set = index.get(job.key) ?? new Set<Job>();
  set.add(job);
  index.set(job.key, set);
}

/** Tokens refill at `rate` per second up to a burst of `rate` (at least one). */
class TokenBucket {
  private tokens: number;
  private readonly burst: number;

  constructor(
    private readonly rate: number,
    private last: number
  ) {
    this.burst = Math.max(1, rate);
    this.tokens = this.burst;
  }

  take(now: number): boolean {
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
      this.last = now;
    }
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** The match configuration of a described job (the fields `matchKeyOf` reads). */
function configOf(job: TrainingJobSnapshot): Partial<TrainingJobSnapshot> {
  return dropUndefined({
    roleArn: job.roleArn,
    instanceType: job.instanceType,
    instanceCount: job.instanceCount,
    volumeSizeGb: job.volumeSizeGb,
    volumeKmsKeyId: job.volumeKmsKeyId,
    subnets: job.subnets,
    securityGroupIds: job.securityGroupIds,
    networkIsolation: job.networkIsolation,
    interContainerEncryption: job.interContainerEncryption,
    managedSpot: job.managedSpot,
  });
}

/** The pool a described job shows, with times reconstructed from its end and retained time. */
function loadedPool(job: TrainingJobSnapshot): Pool | undefined {
  const status = job.warmPool?.status;
  if (!POOL_STATES.includes(status as PoolState)) return undefined;
  const chainStart = job.startTime ?? job.creationTime ?? 0;
  if (status === 'InUse') return { status, chainStart };
  const freedAt = job.endTime ?? job.lastModifiedTime ?? chainStart;
  const retained = job.warmPool?.retainedBillableSeconds;
  const expiresAt = freedAt + (job.keepAliveSeconds ?? 0) * 1000;
  if (status === 'Available') return { status, chainStart, freedAt, expiresAt };
  return dropUndefined({
    status: status as PoolState,
    chainStart,
    freedAt,
    closedAt: retained === undefined ? expiresAt : freedAt + retained * 1000,
    reusedByJob: job.warmPool?.reusedByJob,
  });
}

function transitions(job: Job): Record<string, unknown>[] {
  const list: Record<string, unknown>[] = [
    dropUndefined({
      Status: 'Starting',
      StartTime: seconds(job.creationTime),
      EndTime: seconds(job.startTime),
    }),
  ];
  if (job.startTime !== undefined) {
    list.push(
      dropUndefined({
        Status: 'Training',
        StartTime: seconds(job.startTime),
        EndTime: seconds(job.endTime),
      })
    );
  }
  if (job.endTime !== undefined) {
    list.push({
      Status: job.secondaryStatus,
      StartTime: seconds(job.endTime),
      EndTime: seconds(job.endTime),
    });
  }
  return list;
}

function summaryOf(view: SimJobView): TrainingJobSummary {
  return dropUndefined({
    name: view.name,
    arn: view.arn,
    creationTime: view.creationTime,
    status: view.status,
    endTime: view.endTime,
    warmPoolStatus: view.warmPool?.status,
  });
}

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function compareOrder(job: Job, position: readonly [number, number]): number {
  return job.creationTime - position[0] || job.seq - position[1];
}

/** Pagination tokens are opaque to callers: base64 of a tagged JSON position. */
function encodeToken(position: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

function decodeToken(token: unknown): unknown[] | undefined {
  if (typeof token !== 'string' || token === '') return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    return Array.isArray(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function listPosition(token: unknown): readonly [number, number] | undefined {
  const [kind, creation, seq] = decodeToken(token) ?? [];
  return kind === 'jobs' && Number.isFinite(creation) && Number.isInteger(seq)
    ? [creation as number, seq as number]
    : undefined;
}

function tagOffset(token: unknown): number | undefined {
  const [kind, offset] = decodeToken(token) ?? [];
  return kind === 'tags' && Number.isInteger(offset) && (offset as number) >= 0
    ? (offset as number)
    : undefined;
}

function isOperation(operation: string): operation is SimOperation {
  return (OPERATIONS as readonly string[]).includes(operation);
}

function fault(status: number, type: string, message: string): SimFault {
  return { status, type, message };
}

function notNull(field: string): SimFault {
  return fault(
    400,
    'ValidationException',
    `1 validation error detected: Value null at '${field}' failed to satisfy constraint: Member must not be null`
  );
}

function outOfRange(field: string, value: unknown, min: number, max: number): SimFault {
  const tooSmall = typeof value === 'number' && value < min;
  const bound = tooSmall
    ? `greater than or equal to ${min}`
    : typeof value === 'number' && Number.isInteger(value)
      ? `less than or equal to ${max}`
      : `an integer from ${min} to ${max}`;
  return fault(
    400,
    'ValidationException',
    `1 validation error detected: Value '${String(value)}' at '${field}' failed to satisfy constraint: Member must have value ${bound}`
  );
}

function errorReply(error: SimFault): SimReply {
  return { status: error.status, body: { __type: error.type, message: error.message } };
}

/** What the SDK adapter would throw for the same answer: throttling may pass, the rest will not. */
function failure(operation: SimOperation, error: SimFault, retryable: boolean): DependencyError {
  return new DependencyError('SageMaker', `${operation} failed: ${error.type}: ${error.message}`, {
    retryable,
  });
}

function unwrap<T>(operation: SimOperation, result: Result<T>): T {
  if (result.ok) return result.value;
  throw failure(operation, result.fault, false);
}

export type {
  SimEndOptions,
  SimJobSpec,
  SimJobView,
  SimOperation,
  SimReply,
  SimulatedSageMakerOptions,
  SimWarmPool,
};
export { SAGEMAKER_RATE_LIMITS, SimulatedSageMaker };
