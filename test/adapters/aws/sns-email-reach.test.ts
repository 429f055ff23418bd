import { SNSClient } from '@aws-sdk/client-sns';
import fc from 'fast-check';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ownerFilterAdmits, SnsEmailReach } from '../../../src/adapters/aws/sns-email-reach.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { T0 } from '../../helpers/factories.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import { LoopbackSns, snsInternalError, snsThrottling } from '../../helpers/loopback-sns.js';

const owner = (address: string) => JSON.stringify({ owner: [address] });

describe('sns-email-reach', () => {
  let sns: LoopbackSns;
  let client: SNSClient;
  let topicArn: string;
  let clock: VirtualClock;

  beforeAll(async () => {
    sns = await LoopbackSns.start({ pageSize: 2 });
    client = new SNSClient({ ...loopbackClientConfig(sns.endpoint), maxAttempts: 1 });
    topicArn = sns.createTopic('pool-warden-notices');
  });

  beforeEach(() => {
    sns.reset();
    sns.clear(topicArn);
    clock = new VirtualClock(T0);
  });

  afterAll(async () => {
    client.destroy();
    await sns.stop();
  });

  function reach(): SnsEmailReach {
    return new SnsEmailReach(client, topicArn, clock);
  }

  function lists(): number {
    return sns.callsTo('ListSubscriptionsByTopic').length;
  }

  it('reaches an address with a confirmed email subscription filtered on it, found on a later page', async () => {
    // Prepare
    for (const name of ['ann', 'ben', 'cat', 'dan']) {
      sns.subscribe(topicArn, {
        protocol: 'email',
        endpoint: `${name}@example.com`,
        filterPolicy: owner(`${name}@example.com`),
      });
    }
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'alice@example.com',
      filterPolicy: owner('alice@example.com'),
    });

    // Act
    const reachable = await reach().canReach('alice@example.com');

    // Assess
    expect(reachable).toBe(true);
    expect(lists()).toBe(3);
    expect(sns.callsTo('ListSubscriptionsByTopic')[1]?.params.get('NextToken')).toBe('2');
  });

  it('does not reach an address nobody subscribed, such as a typo in a tag', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'alice@example.com',
      filterPolicy: owner('alice@example.com'),
    });

    // Act
    const reachable = await reach().canReach('alcie@example.com');

    // Assess
    expect(reachable).toBe(false);
  });

  it('does not reach an address whose subscription is still pending confirmation', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'newcomer@example.com',
      pending: true,
      filterPolicy: owner('newcomer@example.com'),
    });

    // Act
    const reachable = await reach().canReach('newcomer@example.com');

    // Assess
    expect(reachable).toBe(false);
    expect(sns.callsTo('GetSubscriptionAttributes')).toEqual([]);
  });

  it('matches the endpoint case-insensitively when the tag and the subscription differ in case', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'Bob@Example.com',
      filterPolicy: JSON.stringify({ owner: [{ 'equals-ignore-case': 'bob@example.com' }] }),
    });

    // Act
    const reachable = await reach().canReach('BOB@example.COM');

    // Assess
    expect(reachable).toBe(true);
  });

  it("does not reach an address when its subscription's filter names somebody else", async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'carol@example.com',
      filterPolicy: owner('dave@example.com'),
    });

    // Act
    const reachable = await reach().canReach('carol@example.com');

    // Assess
    expect(reachable).toBe(false);
  });

  it('does not let an unfiltered admin subscription make other addresses reachable', async () => {
    // Prepare
    sns.subscribe(topicArn, { protocol: 'email', endpoint: 'admin@example.com' });

    // Act
    const admin = await reach().canReach('admin@example.com');
    const other = await reach().canReach('alice@example.com');

    // Assess
    expect(admin).toBe(true);
    expect(other).toBe(false);
  });

  it('ignores subscriptions that deliver elsewhere than a mailbox', async () => {
    // Prepare
    sns.subscribe(topicArn, { protocol: 'sqs', endpoint: 'alice@example.com' });
    sns.subscribe(topicArn, { protocol: 'email-json', endpoint: 'bob@example.com' });

    // Act
    const sqs = await reach().canReach('alice@example.com');
    const emailJson = await reach().canReach('bob@example.com');

    // Assess
    expect(sqs).toBe(false);
    expect(emailJson).toBe(true);
  });

  it('does not reach an address whose filter policy applies to the message body', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'alice@example.com',
      filterPolicy: owner('alice@example.com'),
      filterPolicyScope: 'MessageBody',
    });

    // Act
    const reachable = await reach().canReach('alice@example.com');

    // Assess
    expect(reachable).toBe(false);
  });

  it('lists once within five minutes and again after, seeing a new subscription', async () => {
    // Prepare
    const cached = reach();
    await cached.canReach('alice@example.com');
    sns.subscribe(topicArn, { protocol: 'email', endpoint: 'alice@example.com' });

    // Act
    clock.advanceTo(T0 + 5 * 60_000 - 1);
    const before = await cached.canReach('alice@example.com');
    clock.advanceTo(T0 + 5 * 60_000);
    const after = await cached.canReach('alice@example.com');

    // Assess
    expect(before).toBe(false);
    expect(after).toBe(true);
    expect(lists()).toBe(2);
  });

  it('reads a filter policy once while the listing is cached', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'alice@example.com',
      filterPolicy: owner('alice@example.com'),
    });
    const cached = reach();

    // Act
    await cached.canReach('alice@example.com');
    await cached.canReach('Alice@example.com');

    // Assess
    expect(sns.callsTo('GetSubscriptionAttributes')).toHaveLength(1);
  });

  it('throws a retryable DependencyError naming the topic when listing fails, and lists again next time', async () => {
    // Prepare
    sns.subscribe(topicArn, { protocol: 'email', endpoint: 'alice@example.com' });
    sns.fail('ListSubscriptionsByTopic', snsThrottling());
    const cached = reach();

    // Act
    const error = await cached.canReach('alice@example.com').catch((e: unknown) => e);
    const retried = await cached.canReach('alice@example.com');

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ dependency: 'SNS', retryable: true });
    expect((error as Error).message).toContain(
      `ListSubscriptionsByTopic on ${topicArn} failed: Throttling`
    );
    expect(retried).toBe(true);
  });

  it('throws a retryable DependencyError rather than a partial answer when a later page fails', async () => {
    // Prepare
    for (const name of ['ann', 'ben', 'cat']) {
      sns.subscribe(topicArn, { protocol: 'email', endpoint: `${name}@example.com` });
    }
    sns.fail('ListSubscriptionsByTopic', 'answer', snsInternalError());

    // Act
    const error = await reach()
      .canReach('ann@example.com')
      .catch((e: unknown) => e);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: true });
    expect(lists()).toBe(2);
  });

  it('throws a retryable DependencyError when reading a filter policy fails', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'alice@example.com',
      filterPolicy: owner('alice@example.com'),
    });
    sns.fail('GetSubscriptionAttributes', snsInternalError());
    const cached = reach();

    // Act
    const error = await cached.canReach('alice@example.com').catch((e: unknown) => e);
    const retried = await cached.canReach('alice@example.com');

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(error).toMatchObject({ retryable: true });
    expect((error as Error).message).toContain('GetSubscriptionAttributes');
    expect(retried).toBe(true);
  });
});

describe('ownerFilterAdmits', () => {
  it.each([
    [{ owner: ['alice@example.com'] }, true],
    [{ owner: ['Alice@example.com'] }, false],
    [{ owner: [{ 'equals-ignore-case': 'ALICE@example.com' }] }, true],
    [{ owner: [{ prefix: 'alice@' }] }, true],
    [{ owner: [{ suffix: '@example.com' }] }, true],
    [{ owner: [{ wildcard: 'a*@example.*' }] }, true],
    [{ owner: [{ wildcard: 'b*' }] }, false],
    [{ owner: [{ 'anything-but': ['bob@example.com'] }] }, true],
    [{ owner: [{ 'anything-but': 'alice@example.com' }] }, false],
    [{ owner: [{ 'anything-but': { prefix: 'alice' } }] }, false],
    [{ owner: [{ exists: true }] }, true],
    [{ owner: [{ exists: false }] }, false],
    [{ owner: [{ numeric: ['>', 0] }] }, false],
    [{ owner: [{ 'some-new-operator': 'x' }] }, false],
    [{ owner: ['alice@example.com'], status: ['Failed'] }, true],
    [{ owner: ['alice@example.com'], team: ['vision'] }, false],
    [{ owner: ['alice@example.com'], team: [{ exists: false }] }, true],
    [{ $or: [{ owner: ['bob@example.com'] }, { owner: ['alice@example.com'] }] }, true],
    [{ $or: [{ owner: ['bob@example.com'] }] }, false],
    [['alice@example.com'], false],
  ])('decides %j for alice@example.com as %s', (policy, expected) => {
    // Act
    const admits = ownerFilterAdmits(policy, 'alice@example.com');

    // Assess
    expect(admits).toBe(expected);
  });

  it('admits an address exactly when the policy lists it', () => {
    fc.assert(
      fc.property(
        fc.emailAddress(),
        fc.array(fc.emailAddress(), { maxLength: 5 }),
        (address, others) => {
          const listed = ownerFilterAdmits({ owner: others }, address);
          expect(listed).toBe(others.includes(address));
          expect(ownerFilterAdmits({ owner: [...others, address] }, address)).toBe(true);
        }
      )
    );
  });
});
