import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { noticeKey } from '../../src/domain/notice/notice.js';
import type { Claim, NoticeLedger } from '../../src/domain/ports/notice-ledger.js';
import { jobArn } from '../helpers/domain-notices.js';
import { T0 } from '../helpers/factories.js';

interface LedgerUnderTest {
  readonly ledger: NoticeLedger;
  /** The lease the ledger was built with. */
  readonly leaseMs: number;
}

/**
 * The lease semantics every NoticeLedger shares, run against each implementation, so the
 * in-memory ledger used by replay and handler tests behaves like the DynamoDB one.
 */
function noticeLedgerContract(makeLedger: () => LedgerUnderTest): void {
  describe('notice ledger contract', () => {
    let ledger: NoticeLedger;
    let leaseMs: number;
    let key: string;

    beforeEach(() => {
      ({ ledger, leaseMs } = makeLedger());
      key = `${jobArn('resnet-sweep-017')}#${randomUUID()}`;
    });

    it('claims with nothing delivered when the notice is claimed first', async () => {
      // Act
      const claim = await ledger.claim(key, T0);

      // Assess
      expect(claim).toEqual({ kind: 'claimed', delivered: [] });
    });

    it('answers busy when another invocation holds a live lease', async () => {
      // Prepare
      await ledger.claim(key, T0);

      // Act
      const second = await ledger.claim(key, T0 + 1_000);

      // Assess
      expect(second).toEqual({ kind: 'busy' });
    });

    it('answers busy when the lease ends one millisecond later', async () => {
      // Prepare
      await ledger.claim(key, T0);

      // Act
      const claim = await ledger.claim(key, T0 + leaseMs - 1);

      // Assess
      expect(claim).toEqual({ kind: 'busy' });
    });

    it('claims again when now reaches the end of the lease', async () => {
      // Prepare
      await ledger.claim(key, T0);

      // Act
      const claim = await ledger.claim(key, T0 + leaseMs);

      // Assess
      expect(claim).toEqual({ kind: 'claimed', delivered: [] });
    });

    it('claims again when the lease has long expired', async () => {
      // Prepare
      await ledger.claim(key, T0);

      // Act
      const claim = await ledger.claim(key, T0 + 10 * leaseMs);

      // Assess
      expect(claim.kind).toBe('claimed');
    });

    it('answers done when the notice was completed', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.complete(key, T0 + 2_000);

      // Act
      const duplicate = await ledger.claim(key, T0 + 3_000);
      const lateDuplicate = await ledger.claim(key, T0 + 10 * leaseMs);

      // Assess
      expect(duplicate).toEqual({ kind: 'done' });
      expect(lateDuplicate).toEqual({ kind: 'done' });
    });

    it('claims again at once when the lease was released', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.release(key);

      // Act
      const retry = await ledger.claim(key, T0 + 1_000);

      // Assess
      expect(retry).toEqual({ kind: 'claimed', delivered: [] });
    });

    it('returns the delivered channels when a partial failure is retried', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.recordDelivery(key, 'email');
      await ledger.release(key);

      // Act
      const retry = await ledger.claim(key, T0 + 1_000);

      // Assess
      expect(retry).toEqual({ kind: 'claimed', delivered: ['email'] });
    });

    it('returns every delivered channel once when deliveries are recorded repeatedly', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.recordDelivery(key, 'slack');
      await ledger.recordDelivery(key, 'email');
      await ledger.recordDelivery(key, 'slack');

      // Act
      const retry = await ledger.claim(key, T0 + leaseMs + 1);

      // Assess
      expect(retry.kind).toBe('claimed');
      expect(retry.kind === 'claimed' && [...retry.delivered].sort()).toEqual(['email', 'slack']);
    });

    it('keeps the notice done when release follows complete', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.complete(key, T0 + 1_000);

      // Act
      await ledger.release(key);
      const duplicate = await ledger.claim(key, T0 + 2_000);

      // Assess
      expect(duplicate).toEqual({ kind: 'done' });
    });

    it('ignores a release when the notice was never claimed', async () => {
      // Act
      await ledger.release(key);
      const claim = await ledger.claim(key, T0);

      // Assess
      expect(claim).toEqual({ kind: 'claimed', delivered: [] });
    });

    it('keeps notices apart when their keys differ', async () => {
      // Prepare
      const other = `${key}-other`;
      await ledger.claim(key, T0);
      await ledger.complete(key, T0);

      // Act
      const claim = await ledger.claim(other, T0);

      // Assess
      expect(claim).toEqual({ kind: 'claimed', delivered: [] });
    });

    it('answers done with the status the notice said when it was completed with one', async () => {
      // Prepare
      await ledger.claim(key, T0);

      // Act
      await ledger.complete(key, T0 + 1_000, 'Failed');
      const duplicate = await ledger.claim(key, T0 + 2_000);

      // Assess
      expect(duplicate).toEqual({ kind: 'done', status: 'Failed' });
    });

    it('returns the status of earlier deliveries when a partial failure is retried', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.recordDelivery(key, 'slack', 'Stopped');
      await ledger.release(key);

      // Act
      const retry = await ledger.claim(key, T0 + 1_000);

      // Assess
      expect(retry).toEqual({ kind: 'claimed', delivered: ['slack'], status: 'Stopped' });
    });

    it('keeps the first status when a later delivery or the completion names another', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.recordDelivery(key, 'email', 'Failed');
      await ledger.recordDelivery(key, 'slack', 'Completed');

      // Act
      await ledger.complete(key, T0 + 1_000, 'Stopped');
      const duplicate = await ledger.claim(key, T0 + 2_000);

      // Assess
      expect(duplicate).toEqual({ kind: 'done', status: 'Failed' });
    });

    it('claims without a status when no delivery said one', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.recordDelivery(key, 'email');
      await ledger.release(key);

      // Act
      const retry = await ledger.claim(key, T0 + 1_000);

      // Assess
      expect(retry).toEqual({ kind: 'claimed', delivered: ['email'] });
      expect(retry).not.toHaveProperty('status');
    });

    it('records fallback deliveries apart from the owner channels', async () => {
      // Prepare
      await ledger.claim(key, T0);
      await ledger.recordDelivery(key, 'fallback-email', 'Completed');
      await ledger.recordDelivery(key, 'fallback-slack');
      await ledger.release(key);

      // Act
      const retry = await ledger.claim(key, T0 + 1_000);

      // Assess
      expect(retry.kind === 'claimed' && [...retry.delivered].sort()).toEqual([
        'fallback-email',
        'fallback-slack',
      ]);
    });

    it('answers done for a later terminal status of the same job under its per-job key', async () => {
      // Prepare
      const job = { arn: jobArn(`resnet-${randomUUID()}`), creationTime: T0 - 3_900_000 };
      await ledger.claim(noticeKey(job), T0);
      await ledger.complete(noticeKey(job), T0 + 1_000, 'Failed');

      // Act
      const later = await ledger.claim(
        noticeKey({ ...job, arn: job.arn.toUpperCase() }),
        T0 + 60_000
      );

      // Assess
      expect(later).toEqual({ kind: 'done', status: 'Failed' });
    });

    it('claims afresh for a new job under a reused name when its creation time differs', async () => {
      // Prepare
      const old = { arn: jobArn(`resnet-${randomUUID()}`), creationTime: T0 - 3_900_000 };
      await ledger.claim(noticeKey(old), T0);
      await ledger.complete(noticeKey(old), T0 + 1_000, 'Completed');

      // Act
      const reused = await ledger.claim(
        noticeKey({ ...old, creationTime: T0 + 60_000 }),
        T0 + 2_000
      );

      // Assess
      expect(reused).toEqual({ kind: 'claimed', delivered: [] });
    });

    it('lets exactly one of two concurrent claims win when duplicates race', async () => {
      // Act
      const claims: Claim[] = await Promise.all([ledger.claim(key, T0), ledger.claim(key, T0)]);

      // Assess
      expect(claims.map((c) => c.kind).sort()).toEqual(['busy', 'claimed']);
    });
  });
}

export type { LedgerUnderTest };
export { noticeLedgerContract };
