import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/policy/decision.js';
import { notifyPoolChange, type PoolChange } from '../../../src/domain/steward/pool-notices.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { MINUTE, stewardWorld } from '../../helpers/steward-world.js';

/** A world with alice's pool of job "a" tracked, and a change to it by `decision`. */
async function changed(decision: (end: number) => Decision) {
  const world = stewardWorld();
  const { terminal, end } = world.runJob('a');
  await trackPoolEvent(terminal, world.deps);
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  const change: PoolChange = { pool, previousExpiry: pool.expiresAt, decision: decision(end) };
  return { world, change, end };
}

const extend = (end: number): Decision => ({
  action: 'extend',
  until: end + 45 * MINUTE,
  reason: 'fixed keep-alive of 45m after the job ended',
  rule: 'everyone',
});

describe('notifyPoolChange', () => {
  it("tells the pool's owner by email and Slack DM", async () => {
    // Prepare
    const { world, change } = await changed(extend);

    // Act
    await notifyPoolChange(change, world.deps);

    // Assess
    expect(world.senders.emails).toEqual([
      expect.objectContaining({
        message: expect.objectContaining({ to: 'alice@example.com' }),
        ref: { jobName: 'a', status: 'pool-extended' },
      }),
    ]);
    expect(world.senders.slacks).toEqual([
      expect.objectContaining({
        target: { kind: 'user', id: 'U0ALICE01' },
        ref: { jobName: 'a', status: 'pool-extended' },
      }),
    ]);
  });

  it('tells the owner of one change once, however often it is retried', async () => {
    // Prepare
    const { world, change } = await changed(extend);

    // Act
    await notifyPoolChange(change, world.deps);
    await notifyPoolChange(change, world.deps);

    // Assess
    expect(world.senders.emails).toHaveLength(1);
    expect(world.senders.slacks).toHaveLength(1);
  });

  it('tells the owner again of a new change', async () => {
    // Prepare
    const { world, change, end } = await changed(extend);
    await notifyPoolChange(change, world.deps);

    // Act
    await notifyPoolChange(
      { ...change, decision: { ...change.decision, until: end + 55 * MINUTE } },
      world.deps
    );

    // Assess
    expect(world.senders.emails).toHaveLength(2);
  });

  it('re-sends only the channel that failed, and logs the failure instead of raising', async () => {
    // Prepare
    const { world, change } = await changed(extend);
    world.senders.failures.slack = 1;

    // Act
    await notifyPoolChange(change, world.deps);
    const afterFailure = {
      emails: world.senders.emails.length,
      slacks: world.senders.slacks.length,
    };
    await notifyPoolChange(change, world.deps);

    // Assess
    expect(afterFailure).toEqual({ emails: 1, slacks: 0 });
    expect(world.log.lines.map((l) => l.message)).toContain(
      'pool notice not delivered on every channel'
    );
    expect(world.senders.emails).toHaveLength(1);
    expect(world.senders.slacks).toHaveLength(1);
  });

  it('says nothing of a keep', async () => {
    // Prepare
    const { world, change } = await changed((end) => ({
      action: 'keep',
      until: end + 30 * MINUTE,
      reason: 'the current expiry already fits',
    }));

    // Act
    await notifyPoolChange(change, world.deps);

    // Assess
    expect(world.senders.emails).toEqual([]);
    expect(world.senders.slacks).toEqual([]);
  });

  it('tells of a release as released now', async () => {
    // Prepare
    const { world, change } = await changed(() => ({
      action: 'release',
      until: 0,
      reason: 'outside working hours',
    }));

    // Act
    await notifyPoolChange(change, world.deps);

    // Assess
    expect(world.senders.emails.map((e) => e.ref.status)).toEqual(['pool-released']);
  });
});
