import type { PoolRecord } from '../pool/pool-record.js';
import type { AuditEntry } from '../ports/pool-store.js';

type AuditFacts = Omit<AuditEntry, 'jobArn' | 'jobName' | 'creationTime' | 'owner' | 'team'>;

/** An audit entry about `pool`: the pool's identity and owner, plus what happened. */
function auditEntry(pool: PoolRecord, facts: AuditFacts): AuditEntry {
  return {
    jobArn: pool.jobArn,
    jobName: pool.jobName,
    creationTime: pool.creationTime,
    owner: pool.owner,
    ...(pool.team === undefined ? {} : { team: pool.team }),
    ...facts,
  };
}

export { auditEntry };
