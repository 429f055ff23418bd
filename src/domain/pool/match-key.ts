import type { TrainingJobSnapshot } from '../job/training-job.js';

/**
 * The configuration SageMaker compares to decide whether a new job may take a warm pool
 * (reference §5): role, instance type and count, volume size and KMS key, subnets and security
 * groups, network isolation and inter-container encryption. The image, hyperparameters and
 * data are NOT part of it, so one pool serves anyone whose job matches, across owners.
 *
 * The key is a readable, canonical text (lists sorted, absent fields explicit), so two jobs
 * match exactly when their keys are equal, and an admin can read in the audit why they did.
 */
type MatchKey = string;

/** The fields of a job that make up its match key. */
type MatchFields = Pick<
  TrainingJobSnapshot,
  | 'roleArn'
  | 'instanceType'
  | 'instanceCount'
  | 'volumeSizeGb'
  | 'volumeKmsKeyId'
  | 'subnets'
  | 'securityGroupIds'
  | 'networkIsolation'
  | 'interContainerEncryption'
>;

/** The canonical text `matchKeyOf` writes, field by field. */
const CANONICAL_KEY =
  /^role=([^|]*)\|type=([^|]*)\|count=(\d+)\|volume=([^|]*)\|kms=([^|]*)\|subnets=([^|]*)\|sgs=([^|]*)\|isolation=(true|false)\|encryption=(true|false)$/;

function matchKeyOf(job: MatchFields): MatchKey {
  const list = (values: readonly string[] | undefined) => [...(values ?? [])].sort().join(',');
  return [
    `role=${job.roleArn ?? '-'}`,
    `type=${job.instanceType ?? '-'}`,
    `count=${job.instanceCount ?? 1}`,
    `volume=${job.volumeSizeGb ?? '-'}`,
    `kms=${job.volumeKmsKeyId ?? '-'}`,
    `subnets=${list(job.subnets)}`,
    `sgs=${list(job.securityGroupIds)}`,
    `isolation=${job.networkIsolation === true}`,
    `encryption=${job.interContainerEncryption === true}`,
  ].join('|');
}

/**
 * The fields a canonical key was written from, or `undefined` for any other text (a trace's
 * own key, or one that only looks canonical: `matchKeyOf` of the fields must give it back).
 *
 * @example parseMatchKey(matchKeyOf(job))?.instanceType === job.instanceType
 */
function parseMatchKey(key: MatchKey): MatchFields | undefined {
  const m = CANONICAL_KEY.exec(key);
  if (m === null) return undefined;
  const [, role, type, count, volume, kms, subnets, sgs, isolation, encryption] = m;
  const list = (text: string | undefined) => (text ? text.split(',') : undefined);
  const fields: MatchFields = {
    ...(role === '-' ? {} : { roleArn: role }),
    ...(type === '-' ? {} : { instanceType: type }),
    instanceCount: Number(count),
    ...(volume === '-' || !/^\d+$/.test(volume ?? '') ? {} : { volumeSizeGb: Number(volume) }),
    ...(kms === '-' ? {} : { volumeKmsKeyId: kms }),
    ...(list(subnets) === undefined ? {} : { subnets: list(subnets) }),
    ...(list(sgs) === undefined ? {} : { securityGroupIds: list(sgs) }),
    networkIsolation: isolation === 'true',
    interContainerEncryption: encryption === 'true',
  };
  return matchKeyOf(fields) === key ? fields : undefined;
}

/**
 * A short, stable id for a key (FNV-1a, 64 bit as two 32-bit halves), for store keys and file
 * names where the full text is too long. Collisions are harmless for correctness: the full key
 * is stored beside it and compared.
 */
function matchKeyId(key: MatchKey): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ c, 0x5bd1e995) >>> 0;
  }
  return h1.toString(16).padStart(8, '0') + h2.toString(16).padStart(8, '0');
}

export type { MatchFields, MatchKey };
export { matchKeyId, matchKeyOf, parseMatchKey };
