import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventBridgePublisher } from '../../../src/adapters/aws/eventbridge-publisher.js';
import { DependencyError } from '../../../src/domain/errors.js';
import type { WardenEvent } from '../../../src/domain/ports/event-publisher.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { jobArn } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';
import { internalFailure } from '../../helpers/loopback-aws-json.js';
import { entrySize, LoopbackEventBridge } from '../../helpers/loopback-eventbridge.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';

/** Retries as the deployed clients do, but without waiting between attempts. */
const MAX_ATTEMPTS = 3;

function event(n: number, extra: Record<string, unknown> = {}): WardenEvent {
  const jobName = `sweep-${String(n).padStart(3, '0')}`;
  return {
    detailType: n % 2 === 0 ? 'Warm Pool Decision' : 'Warm Pool Action',
    time: T0 + n * 1000,
    resource: jobArn(jobName),
    detail: { jobName, jobArn: jobArn(jobName), action: 'release', n, ...extra },
  };
}

function events(count: number): WardenEvent[] {
  return Array.from({ length: count }, (_, i) => event(i));
}

/** Matches the wire entry of the event for job `n`. */
function entryOf(n: number): (entry: Record<string, unknown>) => boolean {
  return (entry) => JSON.parse(String(entry.Detail)).n === n;
}

describe('eventbridge-publisher', () => {
  let bus: LoopbackEventBridge;
  let client: EventBridgeClient;
  let clock: VirtualClock;
  let publisher: EventBridgePublisher;

  beforeAll(async () => {
    bus = await LoopbackEventBridge.start();
    client = new EventBridgeClient({
      ...loopbackClientConfig(bus.endpoint),
      retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => 0),
    });
  });

  beforeEach(() => {
    bus.reset();
    clock = new VirtualClock(T0);
    publisher = new EventBridgePublisher(client, clock);
  });

  afterAll(async () => {
    client.destroy();
    await bus.stop();
  });

  it('sends 23 events in 3 PutEvents calls of at most 10 entries, in order', async () => {
    // Act
    await publisher.publish(events(23));

    // Assess
    expect(bus.sentBatches().map((b) => b.length)).toEqual([10, 10, 3]);
    expect(bus.events.map((e) => (e.detail as { n: number }).n)).toEqual(
      Array.from({ length: 23 }, (_, i) => i)
    );
  });

  it('puts source, detail type, JSON detail, the job ARN as resource and the time on the wire, to the default bus', async () => {
    // Prepare
    const sent = event(4, { reason: 'Outside working hours: “Nacht” 🌙' });

    // Act
    await publisher.publish([sent]);

    // Assess
    const [call] = bus.service.callsTo('PutEvents');
    expect(call?.headers['x-amz-target']).toBe('AWSEvents.PutEvents');
    expect(call?.input).not.toHaveProperty('EventBusName');
    expect(bus.events).toEqual([
      {
        source: 'pool-warden',
        detailType: 'Warm Pool Decision',
        detail: sent.detail,
        resources: [jobArn('sweep-004')],
        time: T0 + 4000,
      },
    ]);
  });

  it('publishes nothing and makes no call for no events', async () => {
    // Act
    await publisher.publish([]);

    // Assess
    expect(bus.service.calls).toHaveLength(0);
  });

  it('starts a new request before the entries would pass 256 KB', async () => {
    // Prepare: three entries of about 100 KB each
    const big = [0, 1, 2].map((n) => event(n, { padding: 'x'.repeat(100_000) }));

    // Act
    await publisher.publish(big);

    // Assess
    const batches = bus.sentBatches();
    expect(batches.map((b) => b.length)).toEqual([2, 1]);
    for (const batch of batches) {
      expect(batch.reduce((sum, e) => sum + entrySize(e), 0)).toBeLessThanOrEqual(256 * 1024);
    }
    expect(bus.events).toHaveLength(3);
  });

  it('re-sends only the failed entries, after a backoff, when PutEvents reports a partial failure', async () => {
    // Prepare
    bus.failEntries(entryOf(3), 'ThrottlingException', 1);
    bus.failEntries(entryOf(7), 'InternalFailure', 1);

    // Act
    await publisher.publish(events(10));

    // Assess
    const batches = bus.sentBatches();
    expect(batches).toHaveLength(2);
    expect(batches[1]?.map((e) => JSON.parse(String(e.Detail)).n)).toEqual([3, 7]);
    expect(bus.events.map((e) => (e.detail as { n: number }).n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 10 }, (_, i) => i)
    );
    expect(clock.now()).toBe(T0 + 100);
  });

  it('throws a retryable error naming the failed count when an entry keeps failing past the bounds', async () => {
    // Prepare
    bus.failEntries(entryOf(12), 'ThrottlingException');

    // Act
    const error = await publisher.publish(events(23)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: true, dependency: 'EventBridge' });
    expect((error as Error).message).toMatch(
      /PutEvents failed for 1 entry after up to 4 attempts \(ThrottlingException ×1; first: Warm Pool Decision for arn:.*sweep-012/
    );
    // 1 + 3 retries of the failing entry, and the later batch still went out
    expect(bus.sentBatches().map((b) => b.length)).toEqual([10, 10, 1, 1, 1, 3]);
    expect(bus.events).toHaveLength(22);
    expect(clock.now()).toBe(T0 + 100 + 200 + 400);
  });

  it('does not retry, and throws a permanent error, when an entry fails with a non-retryable code', async () => {
    // Prepare
    bus.failEntries(entryOf(1), 'NotAuthorizedForSourceException');

    // Act
    const error = await publisher.publish(events(3)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toContain('NotAuthorizedForSourceException ×1');
    expect(bus.sentBatches()).toHaveLength(1);
    expect(clock.now()).toBe(T0);
  });

  it('refuses an entry over 256 KB on its own with a permanent error naming its type and job, sending nothing', async () => {
    // Prepare
    const huge = event(5, { padding: 'x'.repeat(262_144) });

    // Act
    const error = await publisher.publish([event(0), huge]).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: false });
    expect((error as Error).message).toMatch(
      /Warm Pool Action event for sweep-005 is \d+ bytes, over the PutEvents limit of 262144/
    );
    expect(bus.service.calls).toHaveLength(0);
  });

  it('throws a retryable error when the whole call keeps failing after the SDK’s retries', async () => {
    // Prepare
    bus.service.fail('PutEvents', ...Array.from({ length: MAX_ATTEMPTS }, internalFailure));

    // Act
    const error = await publisher.publish(events(2)).catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toMatch(
      /^EventBridge: PutEvents of 2 entries failed: InternalFailure/
    );
    expect(bus.events).toHaveLength(0);
  });
});
