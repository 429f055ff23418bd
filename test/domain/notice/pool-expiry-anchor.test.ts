import { describe, expect, it } from 'vitest';
import { noticeFor } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';

describe('pool expiry anchor (seeded mutant)', () => {
  it('counts the keep-alive from the training end, not from a later LastModifiedTime', () => {
    // Prepare: SageMaker touched the job ten minutes after it ended (the factory makes the two
    // times equal, which hides the difference).
    const job = { endTime: T0, lastModifiedTime: T0 + 600_000, keepAliveSeconds: 1800 };

    // Act
    const notice = noticeFor({ job, now: T0 + 60_000 });

    // Assess
    expect(notice.pool).toMatchObject({ kind: 'available', expiresAt: T0 + 1_800_000 });
  });

  it('falls back to LastModifiedTime only when the job has no end time', () => {
    // Act
    const notice = noticeFor({
      job: { endTime: undefined, lastModifiedTime: T0 + 600_000, keepAliveSeconds: 1800 },
      now: T0 + 60_000,
    });

    // Assess
    expect(notice.pool).toMatchObject({ kind: 'available', expiresAt: T0 + 2_400_000 });
  });
});
