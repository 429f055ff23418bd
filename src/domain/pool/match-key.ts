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

function matchKeyOf(job: TrainingJobSnapshot): MatchKey {
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

export type { MatchKey };
export { matchKeyId, matchKeyOf };
