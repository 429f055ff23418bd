import { describe, expect, it } from 'vitest';
import { DependencyError } from '../../src/domain/errors.js';
import type { IntakeDeps } from '../../src/domain/steward/steward-deps.js';
import { createHandler, createQueueHandler } from '../../src/handlers/pool-intake.js';
import { createTrainingJobCall } from '../helpers/domain-cloudtrail.js';
import { lambdaContext, stateChangeEvent } from '../helpers/factories.js';
import { sqsEvent } from '../helpers/sqs-records.js';
import { FlushCounter, stewardWorld } from '../helpers/steward-world.js';

const WARDEN_ARN = 'arn:aws:sts::111122223333:assumed-role/pool-warden-steward/evaluator';

function setup() {
  const world = stewardWorld();
  let loads = 0;
  const sink = new FlushCounter();
  const handler = createHandler(
    async (): Promise<IntakeDeps> => {
      loads += 1;
      return world.deps;
    },
    (arn) => arn === WARDEN_ARN,
    undefined,
    sink
  );
  const invoke = (event: unknown) => handler(event, lambdaContext());
  return { world, invoke, loads: () => loads, sink };
}

describe('pool-intake handler', () => {
  it('tracks the pool of a job that ended, loading its deps once', async () => {
    // Prepare
    const { world, invoke, loads } = setup();
    const { terminal } = world.runJob('a');

    // Act
    const first = await invoke(terminal);
    const second = await invoke(terminal);

    // Assess
    expect(first).toMatchObject({ kind: 'tracked', job: 'a' });
    expect(second).toMatchObject({ kind: 'ignored' });
    expect(loads()).toBe(1);
  });

  it('parks an event it cannot read and answers rejected, without failing the invocation', async () => {
    // Prepare
    const { world, invoke } = setup();

    // Act
    const outcome = await invoke(stateChangeEvent({ detail: { TrainingJobName: '' } }));

    // Assess
    expect(outcome).toMatchObject({ kind: 'rejected' });
    expect(world.parked.entries).toHaveLength(1);
  });

  it("routes CloudTrail's UpdateTrainingJob calls to the manual-update use case", async () => {
    // Prepare
    const { world, invoke } = setup();
    const { terminal } = world.runJob('a');
    await invoke(terminal);
    const call = (arn: string) =>
      createTrainingJobCall({
        jobName: 'a',
        userIdentity: { type: 'AssumedRole', arn },
        detail: {
          eventName: 'UpdateTrainingJob',
          eventTime: new Date(world.clock.now()).toISOString(),
          requestParameters: {
            trainingJobName: 'a',
            resourceConfig: { keepAlivePeriodInSeconds: 900 },
          },
        },
      });

    // Act
    const own = await invoke(call(WARDEN_ARN));
    const person = await invoke(
      call('arn:aws:sts::111122223333:assumed-role/VisionTraining/bob@example.com')
    );

    // Assess
    expect(own).toEqual({ kind: 'ignored', reason: "Warden's own update" });
    expect(person).toEqual({
      kind: 'override',
      job: 'a',
      by: 'VisionTraining/bob@example.com',
      keepAliveSeconds: 900,
    });
  });

  it("writes out each invocation's metrics when it ends, a rejected event's too", async () => {
    // Prepare
    const { world, invoke, sink } = setup();
    const { terminal } = world.runJob('a');

    // Act
    await invoke(terminal);
    await invoke(stateChangeEvent({ detail: { TrainingJobName: '' } }));

    // Assess
    expect(sink.flushes).toBe(2);
    expect(world.metrics.total('PoolTracked', { via: 'event' })).toBe(1);
    expect(world.metrics.total('EventRejected', { stage: 'parse' })).toBe(1);
  });
});

describe('pool-intake queue handler', () => {
  it('tracks good records, parks a malformed one and reports the one SageMaker failed', async () => {
    // Prepare
    const world = stewardWorld();
    // Three keys and short jobs: no pool is reused or expired before the batch arrives.
    const a = world.runJob('a', { instanceType: 'ml.g5.xlarge', minutes: 5 }).terminal;
    const b = world.runJob('b', { instanceType: 'ml.g5.2xlarge', minutes: 5 }).terminal;
    const c = world.runJob('c', { instanceType: 'ml.g5.4xlarge', minutes: 5 }).terminal;
    const failing = new Set(['b']);
    const { sageMaker } = world.deps;
    const deps: IntakeDeps = {
      ...world.deps,
      sageMaker: {
        ...sageMaker,
        listTags: (arn) => sageMaker.listTags(arn),
        listTrainingJobs: (query) => sageMaker.listTrainingJobs(query),
        updateKeepAlive: (name, seconds, arn) => sageMaker.updateKeepAlive(name, seconds, arn),
        describeTrainingJob: async (name, arn) => {
          if (failing.delete(name))
            throw new DependencyError('SageMaker', 'throttled', { retryable: true });
          return sageMaker.describeTrainingJob(name, arn);
        },
      },
    };
    const sink = new FlushCounter();
    const handler = createQueueHandler(
      async () => deps,
      () => false,
      undefined,
      sink
    );

    // Act
    const first = await handler(sqsEvent([a, b, '{"truncated":', c]), lambdaContext());
    const again = await handler(sqsEvent([b], 2), lambdaContext());

    // Assess
    expect(first).toEqual({ batchItemFailures: [{ itemIdentifier: 'm2' }] });
    expect(again).toEqual({ batchItemFailures: [] });
    expect(world.parked.entries.map((e) => e.event)).toEqual(['{"truncated":']);
    const tracked = await world.deps.store.livePools();
    expect(tracked.map((p) => p.jobName).sort()).toEqual(['a', 'b', 'c']);
    expect(sink.flushes).toBe(2);
  });
});
