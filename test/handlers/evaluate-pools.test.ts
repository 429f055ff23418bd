import { Logger } from '@aws-lambda-powertools/logger';
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { newPoolsStreamEvent } from '../../src/adapters/aws/pool-stream.js';
import type { PoolGateway } from '../../src/domain/ports/sagemaker-gateway.js';
import type { StewardDeps } from '../../src/domain/steward/steward-deps.js';
import { createHandler } from '../../src/handlers/evaluate-pools.js';
import { lambdaContext } from '../helpers/factories.js';
import { logLines } from '../helpers/log-lines.js';
import { FlushCounter, stewardWorld } from '../helpers/steward-world.js';

const EXTEND_TO_45M = `rules:
  - name: everyone
    match: {}
    mode: fixed
    keepAlive: { min: 0s, max: 1h, fixed: 45m }
`;

function contextWith(remainingMs: number): Context {
  return { ...lambdaContext(), getRemainingTimeInMillis: () => remainingMs };
}

/** Three pools ended together, tracked and due. */
async function threePools() {
  const world = stewardWorld({ rules: EXTEND_TO_45M });
  await world.runTogether(['a', 'b', 'c']);
  return world;
}

/** A DynamoDB stream record as Lambda delivers it (KEYS_ONLY view), for item key `pk`/`sk`. */
function streamRecord(eventName: string, pk: string, sk = 'POOL') {
  return {
    eventID: `id-${pk.length}-${eventName}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      ApproximateCreationDateTime: 1_772_443_800,
      Keys: { pk: { S: pk }, sk: { S: sk } },
      SequenceNumber: '111',
      SizeBytes: 120,
      StreamViewType: 'KEYS_ONLY',
    },
    eventSourceARN:
      'arn:aws:dynamodb:us-east-1:111122223333:table/pool-warden-dev/stream/2026-11-27T00:00:00.000',
  };
}

describe('evaluate-pools handler', () => {
  it('decides at once the new pools a stream batch names, and skips what names no pool', async () => {
    // Prepare: a, b and c are due; the batch names a, an update of b, another item and garbage
    const world = await threePools();
    const [a] = (await world.deps.store.livePools()).filter((p) => p.jobArn.endsWith('/a'));
    const log = new Logger({ serviceName: 'pool-warden', logLevel: 'INFO' });
    const handler = createHandler(async () => world.deps, log);
    const batch = {
      Records: [
        streamRecord('INSERT', `POOL#${a?.jobArn}#${a?.creationTime}`),
        streamRecord('MODIFY', `POOL#${a?.jobArn.replace('/a', '/b')}#${a?.creationTime}`),
        streamRecord('INSERT', 'KEY#abc', 'HISTORY'),
        streamRecord('INSERT', 'POOL#not-an-arn#12'),
        streamRecord('INSERT', `POOL#${a?.jobArn}#1e3`),
        {
          eventSource: 'aws:dynamodb',
          eventName: 'INSERT',
          dynamodb: { Keys: { sk: { S: 'POOL' } } },
        },
        'garbage',
      ],
    };
    let outcome: unknown;

    // Act
    const lines = await logLines(async () => {
      outcome = await handler(batch, contextWith(60_000));
    });

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 1, applied: 1 });
    expect(world.sim.stats().calls.UpdateTrainingJob).toBe(1);
    const warning = lines.find(
      (l) => l.message === 'stream records that name no pool were skipped'
    );
    expect(warning?.count).toBe(3);
    expect(warning?.records).toEqual([
      expect.stringMatching(/^record 3 \(id-.*\): Keys.pk is not POOL#<job ARN>#<creation ms>$/),
      expect.stringMatching(/^record 4 /),
      expect.stringMatching(/^record 5: /),
    ]);
  });

  it('decides and acts on the due pools', async () => {
    // Prepare
    const world = await threePools();
    const handler = createHandler(async () => world.deps);

    // Act
    const outcome = await handler({}, contextWith(60_000));

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 3, applied: 3 });
  });

  it.each([
    ['a sweep', async () => ({})],
    [
      'a stream wake',
      async (world: Awaited<ReturnType<typeof threePools>>) =>
        newPoolsStreamEvent(await world.store.livePools()),
    ],
  ])('stops taking pools 20 s before the function times out, in %s', async (_, eventOf) => {
    // Prepare: each DescribeTrainingJob takes 30 s of virtual time (SageMaker barely answers)
    const world = await threePools();
    const event = await eventOf(world);
    const slow: PoolGateway = {
      describeTrainingJob: async (name) => {
        await world.clock.sleep(30_000);
        return world.sim.describeTrainingJob(name);
      },
      listTags: (arn) => world.sim.listTags(arn),
      listTrainingJobs: (query) => world.sim.listTrainingJobs(query),
      updateKeepAlive: (name, seconds) => world.sim.updateKeepAlive(name, seconds),
    };
    const deps: StewardDeps = { ...world.deps, sageMaker: slow };
    const handler = createHandler(async () => deps);

    // Act: 60 s left, so pools are taken on for 40 s; an applied change is described twice
    // (before, and after to check the pool is still there), so the first pool takes 60 s
    const outcome = await handler(event, contextWith(60_000));

    // Assess
    expect(outcome).toMatchObject({ kind: 'swept', due: 3, applied: 1 });
    expect((await world.store.poolsDue(world.clock.now(), 10)).map((p) => p.jobName)).toEqual([
      'b',
      'c',
    ]);
  });

  it('answers paused while an admin paused the steward', async () => {
    // Prepare
    const world = await threePools();
    await world.store.putControl({ paused: true });
    const handler = createHandler(async () => world.deps);

    // Act
    const outcome = await handler({}, contextWith(60_000));

    // Assess
    expect(outcome).toEqual({ kind: 'paused' });
  });

  it("writes out the invocation's metrics when it ends, and when it fails", async () => {
    // Prepare: one evaluator that works, one whose SageMaker is down (every due pool fails)
    const world = await threePools();
    const sink = new FlushCounter();
    const down: PoolGateway = {
      ...world.deps.sageMaker,
      describeTrainingJob: async () => {
        throw new Error('SageMaker down');
      },
    };
    const failing = createHandler(
      async () => ({ ...world.deps, sageMaker: down }),
      undefined,
      sink
    );
    const working = createHandler(async () => world.deps, undefined, sink);

    // Act
    const failed = failing({}, contextWith(60_000));
    await expect(failed).rejects.toThrow(/due pools failed/);
    const afterFailure = sink.flushes;
    await working({}, contextWith(60_000));

    // Assess
    expect(afterFailure).toBe(1);
    expect(sink.flushes).toBe(2);
  });
});
