import type { WardenConfig } from '../../domain/config/warden-config.js';
import { isRecord } from '../../domain/objects.js';
import { resolveOwner } from '../../domain/owner/resolve-owner.js';
import { type MatchFields, matchKeyId, parseMatchKey } from '../../domain/pool/match-key.js';
import { teamOf } from '../../domain/steward/pool-from-job.js';
import type { TraceJob } from '../trace/trace.js';

/** The tag every team can set on a job to name its owner (resolve-owner.ts). */
const OWNER_TAG = 'warden:owner';
const DEFAULT_ACCOUNT = '111122223333';
const ACCOUNT = /^\d{12}$/;
/** Volume of a job whose trace key is not a canonical match key: any fixed value will do. */
const DERIVED_VOLUME_GB = 30;
const TIME_FIELDS = ['CreationTime', 'TrainingStartTime', 'TrainingEndTime', 'LastModifiedTime'];

/**
 * The match configuration of a trace job. A canonical key (what the service and the built-in
 * scenarios write) is read back field by field, so `matchKeyOf` of the job gives the trace's
 * key exactly; any other key gets a role named after its hash, so equal keys still match and
 * different keys never do.
 *
 * @example matchConfigOf(job).roleArn // 'arn:aws:iam::111122223333:role/vision-training'
 */
function matchConfigOf(job: TraceJob): MatchFields {
  const canonical = parseMatchKey(job.key);
  if (canonical !== undefined) return canonical;
  const account = job.account !== undefined && ACCOUNT.test(job.account) ? job.account : undefined;
  return {
    roleArn: `arn:aws:iam::${account ?? DEFAULT_ACCOUNT}:role/warden-sim-${matchKeyId(job.key)}`,
    instanceType: job.instanceType,
    instanceCount: job.instanceCount,
    volumeSizeGb: DERIVED_VOLUME_GB,
    networkIsolation: false,
    interContainerEncryption: false,
  };
}

/**
 * The `warden:owner` tag a job of this owner carries: the directory id whose email is the
 * owner's address (so notices reach the person's channels and team), else the owner as given.
 */
function ownerTagValue(owner: string, directory: WardenConfig['directory']): string {
  const address = owner.toLowerCase();
  for (const [id, entry] of Object.entries(directory)) {
    if (entry.email?.toLowerCase() === address) return id;
  }
  return owner;
}

/** A SageMaker job name (letters, digits, hyphens; at most 63) unique to the trace index. */
function jobNameOf(job: TraceJob, index: number): string {
  const stem = (job.team ?? 'job').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${(stem || 'job').slice(0, 48)}-${String(index).padStart(6, '0')}`;
}

/** Tags of the job: the trace's, with `warden:owner` when the trace names an owner. */
function tagsOf(job: TraceJob, config: WardenConfig): Record<string, string> {
  return {
    ...(job.tags ?? {}),
    ...(job.owner === undefined ? {} : { [OWNER_TAG]: ownerTagValue(job.owner, config.directory) }),
  };
}

/** What the steward records on a trace job's pool: its owner, team and tags. */
interface PoolOwner {
  readonly owner: string;
  readonly team?: string;
  /** The job's tags as service mode submits them (`warden:owner` included). */
  readonly tags: Readonly<Record<string, string>>;
}

/**
 * The owner, team and tags the steward records on a trace job's pool under `config`: the
 * job's tags and role (as service mode submits it) through the finish notice's owner chain.
 * Policy mode matches rules on these, so both modes match alike; the trace's `team` column,
 * which production never sees, only groups the report's cost per team.
 *
 * @example poolOwnerOf({ ...job, owner: 'alice@example.com' }, config).owner // 'alice'
 */
function poolOwnerOf(job: TraceJob, config: WardenConfig): PoolOwner {
  const tags = tagsOf(job, config);
  const owner = resolveOwner({ tags, roleArn: matchConfigOf(job).roleArn }, config);
  const team = teamOf(owner, config);
  return team === undefined ? { owner: owner.id, tags } : { owner: owner.id, team, tags };
}

/**
 * {@link poolOwnerOf}, remembered per owner, key, account and tags: the chain walks the
 * directory, and a backtest asks for every pool of a million jobs from a few hundred owners.
 */
function poolOwners(config: WardenConfig): (job: TraceJob) => PoolOwner {
  const known = new Map<string, PoolOwner>();
  return (job) => {
    const id = `${job.owner ?? ''}\u0000${job.key}\u0000${job.account ?? ''}\u0000${job.tags === undefined ? '' : JSON.stringify(job.tags)}`;
    let found = known.get(id);
    if (found === undefined) {
      found = poolOwnerOf(job, config);
      known.set(id, found);
    }
    return found;
  };
}

/**
 * The "SageMaker Training Job State Change" event EventBridge delivers for a job described as
 * `describe` (the simulator's DescribeTrainingJob answer): times in epoch ms as SageMaker sends
 * them, tags as a map, the event time in whole seconds.
 */
function stateChangeEvent(
  describe: Record<string, unknown>,
  tags: Readonly<Record<string, string>>,
  at: number,
  region: string
): Record<string, unknown> {
  const detail: Record<string, unknown> = { ...describe, Tags: { ...tags } };
  for (const field of TIME_FIELDS) {
    const value = detail[field];
    if (typeof value === 'number') detail[field] = Math.round(value * 1000);
  }
  const arn = typeof detail.TrainingJobArn === 'string' ? detail.TrainingJobArn : '';
  const account = arn.split(':')[4] ?? DEFAULT_ACCOUNT;
  const status = isRecord(describe) ? String(describe.TrainingJobStatus) : 'Unknown';
  return {
    version: '0',
    id: `sim-${String(describe.TrainingJobName)}-${status}-${at}`,
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account,
    time: new Date(Math.floor(at / 1000) * 1000).toISOString().replace('.000Z', 'Z'),
    region,
    resources: [arn],
    detail,
  };
}

export type { PoolOwner };
export { jobNameOf, matchConfigOf, ownerTagValue, poolOwners, stateChangeEvent, tagsOf };
