import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE, stewardWorld } from '../helpers/steward-world.js';

const EXTEND_TO_45M = `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: 45m }
`;

describe('StewardDriver', () => {
  it('tracks a pool through the real intake and decides on it at once, as the stream wakes the evaluator', async () => {
    // Prepare: the job ends 30 s past a minute
    const world = stewardWorld({ rules: EXTEND_TO_45M });
    const driver = world.driver();
    const { terminal, end } = world.runJob('a', { minutes: 59.5 });

    // Act
    const outcome = await driver.intake(terminal);
    const decisions = await driver.runUntil(end + 5 * MINUTE);

    // Assess
    expect(outcome).toMatchObject({ kind: 'tracked', job: 'a' });
    expect(decisions).toEqual([
      expect.objectContaining({
        job: 'a',
        action: 'extend',
        outcome: 'applied',
        keepAliveSeconds: 2700,
        at: end,
      }),
    ]);
    expect(world.sim.job('a')?.warmPool?.expiresAt).toBe(end + 45 * MINUTE);
    expect(driver.events.ofType('Warm Pool Action')).toHaveLength(1);
  });

  it('sweeps only on minutes when a pool is due, and never moves time past the target', async () => {
    // Prepare
    const world = stewardWorld({ rules: EXTEND_TO_45M });
    const driver = world.driver();
    const { terminal, end } = world.runJob('a');
    await driver.intake(terminal);

    // Act
    await driver.runUntil(end + 20 * MINUTE);
    const describes = world.sim.stats().calls.DescribeTrainingJob;

    // Assess: one describe by the intake, two by the sweep at the end (before the update, and
    // after it to check the pool is still there); the next is at 35 min
    expect(describes).toBe(3);
    expect(world.clock.now()).toBeLessThanOrEqual(end + 20 * MINUTE);
    expect((await driver.store.livePools())[0]?.nextDecisionAt).toBe(end + 35 * MINUTE);
  });

  it('follows every pool to its end when drained', async () => {
    // Prepare
    const world = stewardWorld({ rules: EXTEND_TO_45M });
    const driver = world.driver();
    const { terminal, end } = world.runJob('a');
    await driver.intake(terminal);

    // Act
    const decisions = await driver.drain();

    // Assess
    expect(decisions.map((d) => d.action)).toEqual(['extend', 'keep']);
    expect(await driver.store.livePools()).toEqual([]);
    const audit = await driver.store.auditLog({ jobName: 'a', since: 0 });
    // Due a minute after the expiry, so the sweep on the minute of the expiry takes it.
    expect(audit.at(-1)).toMatchObject({ kind: 'terminated', at: end + 45 * MINUTE });
  });

  it('adopts a pool whose events were lost when reconciling, then decides on it', async () => {
    // Prepare
    const world = stewardWorld({ rules: EXTEND_TO_45M });
    const driver = world.driver();
    const { end } = world.runJob('a');
    world.clock.advanceTo(end + 10 * MINUTE);

    // Act
    const outcome = await driver.reconcile();
    const decisions = await driver.runUntil(end + 12 * MINUTE);

    // Assess
    expect(outcome).toMatchObject({ adopted: ['a'], complete: true });
    expect(decisions.map((d) => [d.job, d.action])).toEqual([['a', 'extend']]);
  });

  it('stops sweeping while the steward is paused', async () => {
    // Prepare
    const world = stewardWorld({ rules: EXTEND_TO_45M });
    const driver = world.driver();
    const { terminal, end } = world.runJob('a');
    await driver.store.putControl({ paused: true });

    // Act
    await driver.intake(terminal);
    const decisions = await driver.runUntil(end + HOUR);

    // Assess: neither the wake nor a sweep acted; the pool waits for resume
    expect(decisions).toEqual([]);
    expect(world.sim.stats().calls.UpdateTrainingJob).toBe(0);
    expect((await driver.store.livePools())[0]?.decisions).toEqual([]);
  });
});
