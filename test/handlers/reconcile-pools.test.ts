import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { createHandler } from '../../src/handlers/reconcile-pools.js';
import { lambdaContext } from '../helpers/factories.js';
import { FlushCounter, stewardWorld } from '../helpers/steward-world.js';

function contextWith(remainingMs: number): Context {
  return { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs };
}

describe('reconcile-pools handler', () => {
  it("adopts pools whose events were lost, in the function's region", async () => {
    // Prepare
    const world = stewardWorld();
    world.runJob('a');
    const handler = createHandler(async () => world.deps);

    // Act
    const outcome = await handler({}, contextWith(60_000));

    // Assess
    expect(outcome).toMatchObject({ adopted: ['a'], complete: true });
    expect((await world.store.livePools())[0]?.region).toBe(process.env.AWS_REGION);
  });

  it('keeps the token for the next run when the function is about to time out', async () => {
    // Prepare: 150 jobs make two pages; 30 s left is all reserve
    const world = stewardWorld();
    for (let i = 0; i < 150; i++) world.submit(`job-${i}`, { keepAliveSeconds: 0 });
    const handler = createHandler(async () => world.deps);

    // Act
    const outcome = await handler({}, contextWith(30_000));

    // Assess
    expect(outcome).toMatchObject({ pages: 1, complete: false });
    expect((await world.store.getReconcileCursor())?.nextToken).toEqual(expect.any(String));
  });

  it("writes out the invocation's metrics when it ends", async () => {
    // Prepare
    const world = stewardWorld();
    world.runJob('a');
    const sink = new FlushCounter();
    const handler = createHandler(async () => world.deps, undefined, sink);

    // Act
    await handler({}, contextWith(60_000));

    // Assess
    expect(sink.flushes).toBe(1);
    expect(world.metrics.total('PoolTracked', { via: 'reconciliation' })).toBe(1);
  });
});
