import { describe, expect, it } from 'vitest';
import { evaluatePool, newRun } from '../../../src/domain/steward/evaluate-pool.js';
import {
  parseKeepAliveCall,
  recordHumanUpdate,
} from '../../../src/domain/steward/record-human-update.js';
import { trackPoolEvent } from '../../../src/domain/steward/track-pool-event.js';
import { createTrainingJobCall, IAM_USER_IDENTITY } from '../../helpers/domain-cloudtrail.js';
import { MINUTE, stewardWorld } from '../../helpers/steward-world.js';

const WARDEN_ARN = 'arn:aws:sts::111122223333:assumed-role/pool-warden-steward/evaluator';
const isWarden = (arn: string) => arn === WARDEN_ARN;

/** CloudTrail's record of an UpdateTrainingJob that set the keep-alive of `jobName`. */
function updateCall(
  jobName: string,
  keepAliveSeconds: number,
  at: number,
  userIdentity: Record<string, unknown> = IAM_USER_IDENTITY
): Record<string, unknown> {
  return createTrainingJobCall({
    jobName,
    userIdentity,
    detail: {
      eventName: 'UpdateTrainingJob',
      eventTime: new Date(at).toISOString(),
      requestParameters: {
        trainingJobName: jobName,
        resourceConfig: { keepAlivePeriodInSeconds: keepAliveSeconds },
      },
    },
  });
}

/** A world with job "a" ended now and its pool tracked (a 30-minute keep-alive). */
async function tracked() {
  const world = stewardWorld();
  const { terminal, end } = world.runJob('a');
  await trackPoolEvent(terminal, world.deps);
  const [pool] = await world.store.livePools();
  if (pool === undefined) throw new Error('pool not tracked');
  return { world, pool, end };
}

describe('recordHumanUpdate', () => {
  it('records a keep-alive a person set, so the policy then keeps the pool and says why', async () => {
    // Prepare: alice extends her pool to 50 minutes herself
    const { world, pool, end } = await tracked();
    const at = end + 2 * MINUTE;
    world.clock.advanceTo(at);
    await world.sim.updateKeepAlive('a', 3000);

    // Act
    const outcome = await recordHumanUpdate(updateCall('a', 3000, at), world.deps, isWarden);
    const [overridden] = await world.store.livePools();
    const evaluation = await evaluatePool(overridden ?? pool, world.deps, newRun());

    // Assess
    expect(outcome).toEqual({ kind: 'override', job: 'a', by: 'alice', keepAliveSeconds: 3000 });
    expect(overridden).toMatchObject({
      keepAliveSeconds: 3000,
      expiresAt: end + 50 * MINUTE,
      humanOverride: { at, by: 'alice', keepAliveSeconds: 3000 },
    });
    expect((await world.auditOf('a')).map((e) => e.kind)).toEqual([
      'tracked',
      'human-override',
      'keep',
    ]);
    expect(evaluation).toMatchObject({
      kind: 'decided',
      decision: { action: 'keep', reason: expect.stringMatching(/alice .* by hand/) },
    });
    expect(world.updates).toEqual([]);
  });

  it("ignores Warden's own UpdateTrainingJob", async () => {
    // Prepare
    const { world, pool, end } = await tracked();
    const session = {
      type: 'AssumedRole',
      arn: WARDEN_ARN,
    };

    // Act
    const outcome = await recordHumanUpdate(
      updateCall('a', 2700, end, session),
      world.deps,
      isWarden
    );

    // Assess
    expect(outcome).toEqual({ kind: 'ignored', reason: "Warden's own update" });
    expect(await world.store.getPool(pool.jobArn, pool.creationTime)).toBe(pool);
  });

  it('records a pool a person released (keep-alive 0) as Terminated and unscheduled', async () => {
    // Prepare
    const { world, pool, end } = await tracked();
    const at = end + 3 * MINUTE;
    world.clock.advanceTo(at);
    await world.sim.updateKeepAlive('a', 0);

    // Act
    const outcome = await recordHumanUpdate(updateCall('a', 0, at), world.deps, isWarden);

    // Assess
    expect(outcome).toMatchObject({ kind: 'override', keepAliveSeconds: 0 });
    const after = await world.store.getPool(pool.jobArn, pool.creationTime);
    expect(after).toMatchObject({ state: 'Terminated', expiresAt: at });
    expect(after?.nextDecisionAt).toBeUndefined();
    expect(await world.store.livePools()).toEqual([]);
    expect((await world.store.spend('vision', '2026-11-26')).instanceHours).toBeCloseTo(3 / 60, 9);
  });

  it('ignores a call for a job Warden does not track', async () => {
    // Prepare
    const world = stewardWorld();
    world.runJob('a');

    // Act
    const outcome = await recordHumanUpdate(
      updateCall('a', 600, world.clock.now()),
      world.deps,
      isWarden
    );

    // Assess
    expect(outcome).toEqual({
      kind: 'ignored',
      reason: 'Warden does not track a pool for this job',
    });
  });

  describe('parseKeepAliveCall', () => {
    it('reads the job, the keep-alive, the time and the caller', () => {
      const at = Date.UTC(2026, 10, 26, 9, 30);
      expect(parseKeepAliveCall(updateCall('a', 600, at))).toEqual({
        ok: true,
        call: {
          jobName: 'a',
          keepAliveSeconds: 600,
          at,
          callerArn: IAM_USER_IDENTITY.arn,
          // Where CloudTrail recorded the call: the job is described in that account.
          jobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/a',
        },
      });
    });

    it('ignores a call that failed', () => {
      const call = updateCall('a', 600, 0);
      const failed = {
        ...call,
        detail: { ...(call.detail as Record<string, unknown>), errorCode: 'ValidationException' },
      };
      expect(parseKeepAliveCall(failed)).toEqual({
        ok: false,
        reason: 'the call failed (ValidationException); nothing changed',
      });
    });

    it('ignores a call that changed no keep-alive', () => {
      const call = updateCall('a', 600, 0);
      const detail = call.detail as Record<string, unknown>;
      const profilerOnly = {
        ...call,
        detail: { ...detail, requestParameters: { trainingJobName: 'a' } },
      };
      expect(parseKeepAliveCall(profilerOnly)).toMatchObject({ ok: false });
    });

    it('ignores other calls', () => {
      expect(parseKeepAliveCall(createTrainingJobCall())).toMatchObject({
        ok: false,
        reason: 'not a sagemaker.amazonaws.com UpdateTrainingJob call',
      });
    });
  });
});
