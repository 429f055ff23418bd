import { parseTimestamp } from '../event/timestamp.js';
import { dropUndefined, isRecord } from '../objects.js';

interface WarmPoolSnapshot {
  readonly status: string;
  readonly retainedBillableSeconds?: number;
  readonly reusedByJob?: string;
}

/**
 * What Pool Warden knows about a training job at one moment, from an event's `detail` or a
 * `DescribeTrainingJob` answer (both use the same PascalCase field names). Times are epoch ms.
 */
interface TrainingJobSnapshot {
  readonly name: string;
  readonly arn: string;
  readonly status: string;
  readonly secondaryStatus?: string;
  readonly failureReason?: string;
  readonly roleArn?: string;
  readonly instanceType?: string;
  readonly instanceCount?: number;
  readonly keepAliveSeconds?: number;
  /** The rest of the warm-pool match configuration (see `domain/pool/match-key`). */
  readonly volumeSizeGb?: number;
  readonly volumeKmsKeyId?: string;
  readonly subnets?: readonly string[];
  readonly securityGroupIds?: readonly string[];
  readonly networkIsolation?: boolean;
  readonly interContainerEncryption?: boolean;
  readonly managedSpot?: boolean;
  readonly warmPool?: WarmPoolSnapshot;
  readonly creationTime?: number;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly lastModifiedTime?: number;
  readonly trainingSeconds?: number;
  readonly billableSeconds?: number;
}

type SnapshotResult =
  | { readonly ok: true; readonly job: TrainingJobSnapshot; readonly warnings: readonly string[] }
  | { readonly ok: false; readonly reason: string };

const JOB_ARN = /^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:training-job\/.+$/;
/** Decimal digits without a sign, exponent, radix prefix, padding or leading zero. */
const DECIMAL_INTEGER = /^(?:0|[1-9]\d{0,15})$/;
/** SageMaker's keep-alive range (the API model's maximum); 0 means "no warm pool". */
const MAX_KEEP_ALIVE_SECONDS = 21_600;
/** More than any account's instance quota: a larger count is not one SageMaker ran. */
const MAX_INSTANCE_COUNT = 10_000;
/** A year: training runs at most 28 days, so a longer time is not a real reading. */
const MAX_JOB_SECONDS = 366 * 86_400;

/**
 * Reads a DescribeTrainingJob-shaped record (`prefix` names it in messages, e.g. `detail`).
 * Name, ARN and status are required; every other field is optional, and one that is present but
 * malformed is dropped with a warning instead of failing the whole record.
 */
function readTrainingJob(record: unknown, prefix: string): SnapshotResult {
  if (!isRecord(record)) return { ok: false, reason: `${prefix} is not an object` };
  const name = record.TrainingJobName;
  const arn = record.TrainingJobArn;
  const status = record.TrainingJobStatus;
  if (typeof name !== 'string' || name.trim() === '') {
    return { ok: false, reason: `${prefix}.TrainingJobName is missing or not a string` };
  }
  if (typeof arn !== 'string' || !JOB_ARN.test(arn)) {
    return { ok: false, reason: `${prefix}.TrainingJobArn is missing or not a training-job ARN` };
  }
  if (typeof status !== 'string' || status.trim() === '') {
    return { ok: false, reason: `${prefix}.TrainingJobStatus is missing or not a string` };
  }

  const warnings: string[] = [];
  const field = new FieldReader(record, prefix, warnings);
  const resources = field.object('ResourceConfig');
  const warmPool = field.object('WarmPoolStatus');
  const vpc = field.object('VpcConfig');
  const job: TrainingJobSnapshot = {
    name,
    arn,
    status,
    secondaryStatus: field.string('SecondaryStatus'),
    failureReason: field.string('FailureReason'),
    roleArn: field.string('RoleArn'),
    instanceType: resources?.string('InstanceType'),
    instanceCount: resources?.count('InstanceCount', 1, MAX_INSTANCE_COUNT),
    // A value beyond the maximum is not a keep-alive SageMaker accepted: unknown, not clamped.
    keepAliveSeconds: resources?.count('KeepAlivePeriodInSeconds', 0, MAX_KEEP_ALIVE_SECONDS),
    volumeSizeGb: resources?.count('VolumeSizeInGB', 0),
    volumeKmsKeyId: resources?.string('VolumeKmsKeyId'),
    subnets: vpc?.strings('Subnets'),
    securityGroupIds: vpc?.strings('SecurityGroupIds'),
    networkIsolation: field.boolean('EnableNetworkIsolation'),
    interContainerEncryption: field.boolean('EnableInterContainerTrafficEncryption'),
    managedSpot: field.boolean('EnableManagedSpotTraining'),
    warmPool: readWarmPool(warmPool),
    creationTime: field.time('CreationTime'),
    startTime: field.time('TrainingStartTime'),
    endTime: field.time('TrainingEndTime'),
    lastModifiedTime: field.time('LastModifiedTime'),
    trainingSeconds: field.count('TrainingTimeInSeconds', 0, MAX_JOB_SECONDS),
    billableSeconds: field.count('BillableTimeInSeconds', 0, MAX_JOB_SECONDS),
  };
  return { ok: true, job: dropUndefined(job), warnings };
}

function readWarmPool(field: FieldReader | undefined): WarmPoolSnapshot | undefined {
  const status = field?.string('Status');
  if (field === undefined || status === undefined) return undefined;
  return dropUndefined({
    status,
    retainedBillableSeconds: field.count(
      'ResourceRetainedBillableTimeInSeconds',
      0,
      MAX_JOB_SECONDS
    ),
    reusedByJob: field.string('ReusedByJob'),
  });
}

/** Typed, forgiving access to optional fields, collecting a warning for each bad one. */
class FieldReader {
  constructor(
    private readonly record: Record<string, unknown>,
    private readonly prefix: string,
    private readonly warnings: string[]
  ) {}

  string(key: string): string | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'string') return value === '' ? undefined : value;
    return this.drop(key, 'a string');
  }

  /**
   * An integer as SageMaker sends one: a JSON number, or a string of decimal digits (the
   * documentation sample quotes them). `"1e3"`, `"0x10"`, `" 5"`, `"007"` and `16.5` are not
   * integers SageMaker sent, so they are dropped (unknown) rather than read as 1000 or 16.
   */
  count(key: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    const n = typeof value === 'string' && DECIMAL_INTEGER.test(value) ? Number(value) : value;
    if (typeof n === 'number' && Number.isSafeInteger(n) && n >= min && n <= max) {
      return n === 0 ? 0 : n;
    }
    return this.drop(
      key,
      max === Number.MAX_SAFE_INTEGER
        ? `a decimal integer ≥ ${min}`
        : `a decimal integer from ${min} to ${max}`
    );
  }

  boolean(key: string): boolean | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean') return value;
    if (value === 'true' || value === 'false') return value === 'true';
    return this.drop(key, 'a boolean');
  }

  strings(key: string): readonly string[] | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
    return this.drop(key, 'a list of strings');
  }

  time(key: string): number | undefined {
    const value = this.record[key];
    if (value === undefined || value === null || value === '') return undefined;
    return parseTimestamp(value) ?? this.drop(key, 'a timestamp');
  }

  object(key: string): FieldReader | undefined {
    const value = this.record[key];
    if (value === undefined || value === null) return undefined;
    if (isRecord(value)) return new FieldReader(value, `${this.prefix}.${key}`, this.warnings);
    return this.drop(key, 'an object');
  }

  private drop(key: string, expected: string): undefined {
    this.warnings.push(`${this.prefix}.${key} ignored: expected ${expected}`);
    return undefined;
  }
}

export type { SnapshotResult, TrainingJobSnapshot, WarmPoolSnapshot };
export { MAX_INSTANCE_COUNT, MAX_JOB_SECONDS, MAX_KEEP_ALIVE_SECONDS, readTrainingJob };
