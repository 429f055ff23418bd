import { describe, expect, it } from 'vitest';
import { MemoryNonceStore } from '../../../src/adapters/memory/memory-nonce-store.js';
import type { Actor } from '../../../src/domain/actions/action-actor.js';
import type { ActionGrant } from '../../../src/domain/actions/action-grant.js';
import { grantSecondsFor } from '../../../src/domain/actions/extension-bounds.js';
import { type ActionDeps, performAction } from '../../../src/domain/actions/perform-action.js';
import type { WardenConfig } from '../../../src/domain/config/warden-config.js';
import type { PoolRecord } from '../../../src/domain/pool/pool-record.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import {
  DEFAULT_SETTINGS,
  HOUR,
  MINUTE,
  stewardWorld,
  type WorldOptions,
} from '../../helpers/steward-world.js';

const NONCE = 'nonce-1';

/** A rule for every pool, with the keep-alive bounds given. */
function everyone(max = '1h', extra = ''): string {
  return `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: ${max}, fixed: 30m }
${extra}`;
}

/** Job "a" of alice ended 5 minutes ago with a 30-minute keep-alive; its pool is tracked. */
async function clickWorld(
  options: WorldOptions & { config?: (c: WardenConfig) => WardenConfig } = {}
) {
  const world = stewardWorld({ rules: everyone(), ...options });
  const { terminal, end } = world.runJob('a', { instanceCount: 1 });
  await trackPoolEvent(terminal, world.deps);
  world.clock.advanceTo(end + 5 * MINUTE);
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  const nonces = new MemoryNonceStore();
  const config = options.config?.(world.config) ?? world.config;
  const deps: ActionDeps = { ...world.deps, config, nonces };
  return { world, pool, end, deps, nonces };
}

function extendGrant(pool: PoolRecord, until: number, owner = pool.owner): ActionGrant {
  return {
    jobArn: pool.jobArn,
    creationTime: pool.creationTime,
    action: { kind: 'extend', keepAliveSeconds: grantSecondsFor(pool.endTime, until) },
    owner,
    expiresAt: pool.expiresAt,
  };
}

function releaseGrant(pool: PoolRecord): ActionGrant {
  return { ...extendGrant(pool, pool.expiresAt), action: { kind: 'release' } };
}

const LINK: Actor = { kind: 'link' };

describe('performAction', () => {
  it('keeps the pool warm until the time asked when it is within bounds', async () => {
    // Prepare
    const { world, pool, end, deps } = await clickWorld();

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'extended', until: end + 50 * MINUTE });
    expect(outcome).not.toHaveProperty('limitText');
    expect(world.updates).toMatchObject([{ name: 'a', seconds: 3000 }]);
    expect(world.sim.job('a')?.warmPool?.expiresAt).toBe(end + 50 * MINUTE);
    const stored = await world.store.getPool(pool.jobArn, pool.creationTime);
    expect(stored).toMatchObject({
      keepAliveSeconds: 3000,
      expiresAt: end + 50 * MINUTE,
      humanOverride: { by: 'alice (email link)', keepAliveSeconds: 3000 },
      version: pool.version + 1,
    });
    expect(stored?.decisions.at(-1)).toMatchObject({ action: 'extend', outcome: 'applied' });
    const audit = await world.auditOf('a');
    expect(audit.at(-1)).toMatchObject({
      kind: 'extend',
      outcome: 'applied',
      until: end + 50 * MINUTE,
      keepAliveSeconds: 3000,
    });
    expect(audit.at(-1)?.reason).toContain('alice (email link) kept it warm');
  });

  it("clips an extension beyond the rule's maximum and says so", async () => {
    // Prepare
    const { world, pool, end, deps } = await clickWorld({ rules: everyone('45m') });

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 5 * HOUR), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({
      kind: 'extended',
      until: end + 45 * MINUTE,
      requested: end + 5 * HOUR,
      limitText: expect.stringContaining('the most rule everyone allows'),
    });
    expect(world.sim.job('a')?.warmPool?.expiresAt).toBe(end + 45 * MINUTE);
  });

  it('clips an extension to the latest SageMaker allows when no rule bounds it', async () => {
    // Prepare
    const nobody = `rules:
  - name: other-team
    match: { instanceType: ml.p4d.* }
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: 30m }
`;
    const { world, pool, end, deps } = await clickWorld({ rules: nobody });

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 5 * HOUR), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({
      kind: 'extended',
      until: end + HOUR,
      limitText: 'the latest SageMaker allows',
    });
    expect(world.updates).toMatchObject([{ seconds: 3600 }]);
  });

  it("clips an extension to what is left of the team's daily budget", async () => {
    // Prepare: 45 instance-minutes a day; the pool already commits 30 of them.
    const { world, pool, deps } = await clickWorld({
      rules: everyone('1h', '    budget: { instanceHoursPerDay: 0.75, onExceeded: release }\n'),
    });

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, pool.endTime + HOUR), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({
      kind: 'extended',
      limitText: expect.stringContaining('daily warm-pool budget'),
    });
    expect(outcome).toMatchObject({ until: pool.expiresAt + 15 * MINUTE });
    expect(world.updates).toHaveLength(1);
  });

  it('changes nothing when the pool is already kept as long as asked', async () => {
    // Prepare
    const { world, pool, deps } = await clickWorld();

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, pool.expiresAt - 10 * MINUTE), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'unchanged', until: pool.expiresAt });
    expect(world.updates).toEqual([]);
  });

  it('releases the pool and records it as ended', async () => {
    // Prepare
    const { world, pool, deps } = await clickWorld();

    // Act
    const outcome = await performAction(
      { grant: releaseGrant(pool), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'released' });
    expect(world.updates).toMatchObject([{ seconds: 0 }]);
    expect(world.sim.job('a')?.warmPool?.status).toBe('Terminated');
    const stored = await world.store.getPool(pool.jobArn, pool.creationTime);
    expect(stored?.state).toBe('Terminated');
    expect(stored?.nextDecisionAt).toBeUndefined();
    expect((await world.auditOf('a')).at(-1)).toMatchObject({
      kind: 'release',
      outcome: 'applied',
    });
  });

  it('refuses a replayed token: the second click changes nothing', async () => {
    // Prepare
    const { world, pool, end, deps } = await clickWorld();
    const request = { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK };
    await performAction(request, deps);

    // Act
    const second = await performAction(request, deps);

    // Assess
    expect(second).toMatchObject({ kind: 'replayed' });
    expect(world.updates).toHaveLength(1);
  });

  it('refuses a token sent to another owner, and leaves the link unused', async () => {
    // Prepare
    const { world, pool, end, deps, nonces } = await clickWorld();

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE, 'mallory'), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'not-owner' });
    expect(world.updates).toEqual([]);
    expect(await nonces.claim(NONCE, pool.expiresAt)).toBe('claimed');
    expect((await world.auditOf('a')).at(-1)).toMatchObject({ outcome: 'skipped' });
  });

  it('finds no pool for a token of another job (same name, another creation time)', async () => {
    // Prepare
    const { world, pool, end, deps } = await clickWorld();
    const grant = { ...extendGrant(pool, end + 50 * MINUTE), creationTime: pool.creationTime + 1 };

    // Act
    const outcome = await performAction({ grant, nonce: NONCE, actor: LINK }, deps);

    // Assess
    expect(outcome).toEqual({ kind: 'unknown-pool', jobName: 'a' });
    expect(world.updates).toEqual([]);
  });

  describe('from Slack', () => {
    /** Carol is on alice's team; dana is an admin; mallory is neither. */
    const withPeople = (config: WardenConfig): WardenConfig => ({
      ...config,
      directory: {
        ...config.directory,
        carol: { slack: 'U0CAROL01', team: 'vision' },
        dana: { slack: 'U0DANA001' },
        mallory: { slack: 'U0MALLORY' },
      },
      actions: { maxLinkLifetime: '24h', admins: ['dana'] },
    });

    it.each([
      ['the owner', 'U0ALICE01'],
      ["a member of the owner's team", 'U0CAROL01'],
      ['an admin', 'U0DANA001'],
    ])('lets %s act', async (_who, userId) => {
      // Prepare
      const { world, pool, end, deps } = await clickWorld({ config: withPeople });

      // Act
      const outcome = await performAction(
        {
          grant: extendGrant(pool, end + 50 * MINUTE),
          nonce: NONCE,
          actor: { kind: 'slack', userId },
        },
        deps
      );

      // Assess
      expect(outcome).toMatchObject({ kind: 'extended', by: expect.stringContaining(userId) });
      expect(world.updates).toHaveLength(1);
    });

    it('refuses a click by someone who is not the owner, on the team or an admin', async () => {
      // Prepare
      const { world, pool, end, deps, nonces } = await clickWorld({ config: withPeople });

      // Act
      const outcome = await performAction(
        {
          grant: extendGrant(pool, end + 50 * MINUTE),
          nonce: NONCE,
          actor: { kind: 'slack', userId: 'U0MALLORY' },
        },
        deps
      );

      // Assess
      expect(outcome).toMatchObject({ kind: 'not-allowed', by: 'mallory (Slack U0MALLORY)' });
      expect(world.updates).toEqual([]);
      // The owner's button still works.
      expect(await nonces.claim(NONCE, pool.expiresAt)).toBe('claimed');
    });
  });

  it('explains a pool reused between the notice and the click', async () => {
    // Prepare: a matching job starts and takes the pool before the owner clicks.
    const { world, pool, end, deps } = await clickWorld();
    world.submit('b');
    world.sim.start('b');

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toEqual({ kind: 'gone', jobName: 'a', state: 'Reused', reusedByJob: 'b' });
    expect(world.updates).toEqual([]);
    expect((await world.store.getPool(pool.jobArn, pool.creationTime))?.state).toBe('Reused');
  });

  it('explains a pool reused between the describe and the update, and frees the link', async () => {
    // Prepare
    const { world, pool, end, deps, nonces } = await clickWorld();
    world.onUpdate(() => {
      world.submit('b');
      world.sim.start('b');
    });

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'gone', state: 'Reused' });
    expect(await nonces.claim(NONCE, pool.expiresAt)).toBe('claimed');
  });

  it('changes nothing in dry run, and says what it would have done', async () => {
    // Prepare
    const { world, pool, end, deps } = await clickWorld({
      settings: DEFAULT_SETTINGS.replace('dryRun: false', 'dryRun: true'),
    });

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'dry-run', action: 'extend', until: end + 50 * MINUTE });
    expect(world.updates).toEqual([]);
  });

  it('changes nothing while an admin has paused the steward', async () => {
    // Prepare
    const { world, pool, end, deps } = await clickWorld();
    await world.store.putControl({ paused: true, pausedBy: 'ops' });

    // Act
    const outcome = await performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK },
      deps
    );

    // Assess
    expect(outcome).toMatchObject({ kind: 'paused' });
    expect(world.updates).toEqual([]);
  });

  it('gives the nonce back when SageMaker fails, so the link can be tried again', async () => {
    // Prepare
    const { pool, end, deps, nonces } = await clickWorld();
    const failing: ActionDeps = {
      ...deps,
      sageMaker: {
        ...deps.sageMaker,
        describeTrainingJob: (name) => deps.sageMaker.describeTrainingJob(name),
        updateKeepAlive: async () => {
          throw new Error('ThrottlingException');
        },
      },
    };

    // Act
    const attempt = performAction(
      { grant: extendGrant(pool, end + 50 * MINUTE), nonce: NONCE, actor: LINK },
      failing
    );

    // Assess
    await expect(attempt).rejects.toThrow('ThrottlingException');
    expect(await nonces.claim(NONCE, pool.expiresAt)).toBe('claimed');
  });
});
