import { describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/domain/errors.js';
import type { PoolGateway } from '../../../src/domain/ports/sagemaker-gateway.js';
import type { SlackSender } from '../../../src/domain/ports/senders.js';
import { hourlyPrice } from '../../../src/domain/pricing/price-table.js';
import { evaluateDuePools } from '../../../src/domain/steward/evaluate-due-pools.js';
import { evaluatePool, newRun } from '../../../src/domain/steward/evaluate-pool.js';
import { reconcilePools } from '../../../src/domain/steward/reconcile-pools.js';
import { countDecision, idleUsdReleased } from '../../../src/domain/steward/steward-metrics.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { recordingMetrics, stateChangeEvent } from '../../helpers/factories.js';
import {
  DEFAULT_SETTINGS,
  fixedRules,
  HOUR,
  INSTANCE_TYPE,
  MINUTE,
  stewardWorld,
  type WorldOptions,
} from '../../helpers/steward-world.js';

const DRY_RUN = DEFAULT_SETTINGS.replace('dryRun: false', 'dryRun: true');
const PRICE = { usdPerHour: 2, source: 'config' } as const;

/** A world whose job "a" ended with a 30-minute keep-alive, its pool tracked, `after` ms ago. */
async function trackedPool(options: WorldOptions & { after?: number }) {
  const world = stewardWorld(options);
  const { terminal, end } = world.runJob('a');
  await trackPoolEvent(terminal, world.deps);
  world.clock.advanceTo(end + (options.after ?? 0));
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  return { world, pool, end };
}

/** A world whose jobs (one per name) all ended now, each pool tracked and due for 45 min. */
async function endedTogether(names: readonly string[], settings = DEFAULT_SETTINGS) {
  const world = stewardWorld({ settings, rules: fixedRules('45m') });
  await world.runTogether(names);
  // Only what the sweep counts: tracking counted its own.
  world.metrics.counts.length = 0;
  return world;
}

function poolExpiring(expiresAt: number, instanceCount: number) {
  return { expiresAt, instanceCount };
}

describe('steward metrics', () => {
  describe('idleUsdReleased', () => {
    it('prices the idle time between the new expiry and the previous one, per instance', () => {
      // Act
      const usd = idleUsdReleased(3 * HOUR, poolExpiring(HOUR, 2), PRICE);

      // Assess: 2 h × 2 instances × $2
      expect(usd).toBe(8);
    });

    it('is nothing for an extension, or without a price', () => {
      // Act
      const extended = idleUsdReleased(HOUR, poolExpiring(2 * HOUR, 1), PRICE);
      const unpriced = idleUsdReleased(3 * HOUR, poolExpiring(HOUR, 1), undefined);

      // Assess
      expect(extended).toBe(0);
      expect(unpriced).toBe(0);
    });
  });

  describe('countDecision', () => {
    it('counts the decision, the action and the dollars of a release that took effect', () => {
      // Prepare
      const metrics = recordingMetrics();

      // Act
      countDecision(metrics, {
        action: 'release',
        outcome: 'applied',
        stoppedByBreaker: false,
        previousExpiry: HOUR,
        pool: poolExpiring(HOUR / 2, 1),
        price: PRICE,
      });

      // Assess
      expect(metrics.counts).toEqual([
        { name: 'PoolDecision', value: 1, dimensions: { action: 'release' } },
        { name: 'PoolAction', value: 1, dimensions: { action: 'release' } },
        { name: 'IdleUsdReleased', value: 1, dimensions: { action: 'release' } },
      ]);
    });

    it('counts an action the breaker held back as stopped, not as an action', () => {
      // Prepare
      const metrics = recordingMetrics();

      // Act
      countDecision(metrics, {
        action: 'shrink',
        outcome: 'skipped',
        stoppedByBreaker: true,
        previousExpiry: HOUR,
        pool: poolExpiring(HOUR, 1),
        price: PRICE,
      });

      // Assess
      expect(metrics.counts.map((c) => c.name)).toEqual(['PoolDecision', 'ActionStoppedByBreaker']);
    });
  });

  describe('evaluatePool', () => {
    it('counts an extension that took effect, with no dollars released', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRules('45m') });

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(world.metrics.total('PoolDecision', { action: 'extend' })).toBe(1);
      expect(world.metrics.total('PoolAction', { action: 'extend' })).toBe(1);
      expect(world.metrics.total('IdleUsdReleased')).toBe(0);
    });

    it('counts the idle time a release saved against the previous expiry, in dollars', async () => {
      // Prepare: a 5-minute rule, decided 10 minutes into a 30-minute keep-alive
      const { world, pool } = await trackedPool({ rules: fixedRules('5m'), after: 10 * MINUTE });
      const price = hourlyPrice(INSTANCE_TYPE, world.config.prices);

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess: 20 minutes no longer billed
      expect(world.metrics.total('PoolAction', { action: 'release' })).toBe(1);
      expect(world.metrics.total('IdleUsdReleased', { action: 'release' })).toBeCloseTo(
        ((price?.usdPerHour ?? Number.NaN) * 20) / 60,
        3
      );
    });

    it('counts a dry-run decision as skipped by dry run, and no action', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ settings: DRY_RUN, rules: fixedRules('45m') });

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(world.metrics.total('PoolDecision', { action: 'extend' })).toBe(1);
      expect(world.metrics.total('ActionSkippedDryRun', { action: 'extend' })).toBe(1);
      expect(world.metrics.total('PoolAction')).toBe(0);
    });

    it('counts a keep once, not again each time it is only confirmed', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRules('30m') });
      const first = await evaluatePool(pool, world.deps, newRun());
      const saved = await world.store.getPool(pool.jobArn, pool.creationTime);
      if (saved === undefined) throw new Error('pool not saved');

      // Act
      const again = await evaluatePool(saved, world.deps, newRun());

      // Assess
      expect(first).toMatchObject({ outcome: 'no-op', decision: { action: 'keep' } });
      expect(again).toMatchObject({ repeated: true });
      expect(world.metrics.total('PoolDecision', { action: 'keep' })).toBe(1);
    });

    it('counts a pool reused before its evaluation as ended, and no decision', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRules('45m') });
      world.submit('b');
      world.sim.start('b');

      // Act
      await evaluatePool(pool, world.deps, newRun());

      // Assess
      expect(world.metrics.total('PoolEnded', { state: 'Reused' })).toBe(1);
      expect(world.metrics.total('PoolDecision')).toBe(0);
    });

    it('counts pool notices sent per channel, and a revoked Slack token as a permanent failure', async () => {
      // Prepare: Slack answers invalid_auth, which no retry cures
      const { world, pool } = await trackedPool({ rules: fixedRules('45m') });
      const revoked: SlackSender = {
        send: async () => {
          throw new DeliveryError('slack', 'invalid_auth');
        },
      };

      // Act
      await evaluatePool(pool, { ...world.deps, slack: revoked }, newRun());

      // Assess
      expect(world.metrics.total('NoticeSent', { channel: 'email' })).toBe(1);
      expect(world.metrics.total('NoticeSent', { channel: 'slack' })).toBe(0);
      expect(world.metrics.total('ChannelFailedPermanent', { channel: 'slack' })).toBe(1);
      expect(world.log.lines).toContainEqual(expect.objectContaining({ level: 'error' }));
    });

    it('counts a Slack failure a retry may cure as retried, not permanent', async () => {
      // Prepare
      const { world, pool } = await trackedPool({ rules: fixedRules('45m') });
      const down: SlackSender = {
        send: async () => {
          throw new DeliveryError('slack', 'timed out', { retryable: true });
        },
      };

      // Act
      await evaluatePool(pool, { ...world.deps, slack: down }, newRun());

      // Assess
      expect(world.metrics.total('ChannelFailedRetried', { channel: 'slack' })).toBe(1);
      expect(world.metrics.total('ChannelFailedPermanent')).toBe(0);
    });
  });

  describe('evaluateDuePools', () => {
    it('counts the actions the circuit breaker stopped, and its tripping once', async () => {
      // Prepare: two actions per run, three pools to extend
      const settings = DEFAULT_SETTINGS.replace('maxActionsPerRun: 50', 'maxActionsPerRun: 2');
      const world = await endedTogether(['a', 'b', 'c'], settings);

      // Act
      await evaluateDuePools(world.deps);

      // Assess
      expect(world.metrics.total('PoolDecision', { action: 'extend' })).toBe(3);
      expect(world.metrics.total('PoolAction', { action: 'extend' })).toBe(2);
      expect(world.metrics.total('ActionStoppedByBreaker', { action: 'extend' })).toBe(1);
      expect(world.metrics.total('BreakerTripped')).toBe(1);
    });

    it('counts each pool whose evaluation failed', async () => {
      // Prepare
      const world = await endedTogether(['a', 'b']);
      const failing: PoolGateway = {
        ...world.deps.sageMaker,
        describeTrainingJob: async (name) => {
          if (name === 'a') throw new Error('boom');
          return world.sim.describeTrainingJob(name);
        },
      };

      // Act
      await evaluateDuePools({ ...world.deps, sageMaker: failing });

      // Assess
      expect(world.metrics.total('PoolEvaluationFailed')).toBe(1);
      expect(world.metrics.total('PoolAction')).toBe(1);
    });
  });

  describe('trackPoolEvent and reconcilePools', () => {
    it('counts a pool tracked from its event once, however often the event comes', async () => {
      // Prepare
      const world = stewardWorld();
      const { terminal } = world.runJob('a');

      // Act
      await trackPoolEvent(terminal, world.deps);
      await trackPoolEvent(terminal, world.deps);

      // Assess
      expect(world.metrics.counts).toEqual([
        { name: 'PoolTracked', value: 1, dimensions: { via: 'event' } },
      ]);
    });

    it('counts an event it cannot read as rejected', async () => {
      // Prepare
      const world = stewardWorld();

      // Act
      await trackPoolEvent(stateChangeEvent({ detail: { TrainingJobName: '' } }), world.deps);

      // Assess
      expect(world.metrics.total('EventRejected', { stage: 'parse' })).toBe(1);
    });

    it('counts a pool adopted by reconciliation apart from those tracked from events', async () => {
      // Prepare: the event of "a" never arrived
      const world = stewardWorld();
      world.runJob('a');

      // Act
      await reconcilePools(world.deps, {
        deadline: world.clock.now() + MINUTE,
        region: 'us-east-1',
      });

      // Assess
      expect(world.metrics.total('PoolTracked', { via: 'reconciliation' })).toBe(1);
      expect(world.metrics.total('PoolTracked', { via: 'event' })).toBe(0);
    });
  });
});
