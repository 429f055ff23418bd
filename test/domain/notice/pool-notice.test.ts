import { describe, expect, it } from 'vitest';
import {
  buildPoolNotice,
  poolNoticeKey,
  poolNoticeKindOf,
} from '../../../src/domain/notice/pool-notice.js';
import { aliceOwner, G5_2XLARGE, jobArn } from '../../helpers/domain-notices.js';
import { MINUTE, poolNoticeFor } from '../../helpers/domain-pool-notices.js';
import { T0 } from '../../helpers/factories.js';

describe('buildPoolNotice', () => {
  it('keeps the pool, owner, times, reason and rule, and links to the job in its region', () => {
    // Act
    const notice = buildPoolNotice({
      kind: 'shrunk',
      pool: {
        jobName: 'resnet-sweep-017',
        jobArn: jobArn('resnet-sweep-017', 'eu-west-1'),
        region: 'eu-west-1',
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 2,
      },
      owner: aliceOwner(),
      previousExpiry: T0 + 30 * MINUTE,
      newExpiry: T0 + 10 * MINUTE,
      reason: 'Outside working hours.',
      rule: 'vision-hours',
      price: G5_2XLARGE,
      dryRun: false,
      now: T0,
    });

    // Assess
    expect(notice).toEqual({
      kind: 'shrunk',
      jobName: 'resnet-sweep-017',
      jobArn: jobArn('resnet-sweep-017', 'eu-west-1'),
      region: 'eu-west-1',
      consoleUrl:
        'https://eu-west-1.console.aws.amazon.com/sagemaker/home?region=eu-west-1#/jobs/resnet-sweep-017',
      instanceType: 'ml.g5.2xlarge',
      instanceCount: 2,
      owner: aliceOwner(),
      previousExpiry: T0 + 30 * MINUTE,
      newExpiry: T0 + 10 * MINUTE,
      reason: 'Outside working hours.',
      rule: 'vision-hours',
      price: G5_2XLARGE,
      // 20 min × 2 instances × $1.515/h
      savedUsd: expect.closeTo(1.01, 10),
      dryRun: false,
      createdAt: T0,
    });
  });

  it('counts the added retained time as extra dollars when it extends', () => {
    // Act: 30 min → 90 min, 3 instances
    const notice = poolNoticeFor({ kind: 'extended', instanceCount: 3 });

    // Assess
    expect(notice.extraUsd).toBeCloseTo(3 * 1.515, 10);
    expect(notice.savedUsd).toBeUndefined();
  });

  it('counts the retained time removed as saved dollars when it releases or warns', () => {
    // Act
    const released = poolNoticeFor({ kind: 'released' });
    const warning = poolNoticeFor({ kind: 'release-warning' });

    // Assess: 25 min and 10 min of one instance
    expect(released.savedUsd).toBeCloseTo((25 / 60) * 1.515, 10);
    expect(warning.savedUsd).toBeCloseTo((10 / 60) * 1.515, 10);
    expect(released.extraUsd).toBeUndefined();
  });

  it('claims no money moved when the times go the other way than the kind says', () => {
    // Act
    const notice = poolNoticeFor({ kind: 'shrunk', newExpiry: T0 + 60 * MINUTE });

    // Assess
    expect(notice.savedUsd).toBe(0);
  });

  it('leaves the dollars out when there is no price', () => {
    // Act
    const notice = poolNoticeFor({ kind: 'extended', price: null, rule: null });

    // Assess
    expect(notice).not.toHaveProperty('extraUsd');
    expect(notice).not.toHaveProperty('price');
    expect(notice).not.toHaveProperty('rule');
  });
});

describe('poolNoticeKindOf', () => {
  it('maps each action to its notice, a warned shrink to a release warning, and keep to none', () => {
    expect(poolNoticeKindOf({ action: 'keep' })).toBeUndefined();
    expect(poolNoticeKindOf({ action: 'extend' })).toBe('extended');
    expect(poolNoticeKindOf({ action: 'shrink' })).toBe('shrunk');
    expect(poolNoticeKindOf({ action: 'shrink', warning: true })).toBe('release-warning');
    expect(poolNoticeKindOf({ action: 'release' })).toBe('released');
  });
});

describe('poolNoticeKey', () => {
  const arn = jobArn('Job-1');

  it('gives one key per pool, kind and new expiry, whatever the ARN case', () => {
    // Act
    const key = poolNoticeKey(arn, T0, 'extended', T0 + MINUTE);

    // Assess
    expect(key).toBe(`${arn.toLowerCase()}#${T0}#pool:extended#${T0 + MINUTE}`);
    expect(poolNoticeKey(arn.toLowerCase(), T0, 'extended', T0 + MINUTE)).toBe(key);
    expect(poolNoticeKey(arn, T0, 'extended', T0 + 2 * MINUTE)).not.toBe(key);
    expect(poolNoticeKey(arn, T0, 'shrunk', T0 + MINUTE)).not.toBe(key);
    expect(poolNoticeKey(arn, T0 + 86_400_000, 'extended', T0 + MINUTE)).not.toBe(key);
  });

  it('gives a release one key whatever its time, so a retried release sends no second notice', () => {
    expect(poolNoticeKey(arn, T0, 'released', T0 + MINUTE)).toBe(
      poolNoticeKey(arn, T0, 'released', T0 + 2 * MINUTE)
    );
  });

  it('never collides with the finish notice keys of the same job', () => {
    // Act
    const key = poolNoticeKey(arn, T0, 'released', T0);

    // Assess
    for (const status of ['Completed', 'Failed', 'Stopped']) {
      expect(key).not.toBe(`${arn.toLowerCase()}#${T0}#${status}`);
    }
  });
});
