import { describe, expect, it } from 'vitest';
import {
  headline,
  noticeLines,
  poolSentence,
  priceNote,
} from '../../../src/domain/notice/notice-lines.js';
import { noticeFor } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';

describe('headline', () => {
  it.each([
    ['Completed', 'resnet-sweep-017 completed after 1h 00m.'],
    ['Failed', 'resnet-sweep-017 failed after 1h 00m.'],
    ['Stopped', 'resnet-sweep-017 was stopped after 1h 00m.'],
  ] as const)('says what happened to a %s job', (status, text) => {
    expect(headline(noticeFor({ status }))).toBe(text);
  });

  it('leaves out the duration when it is unknown', () => {
    const notice = noticeFor({
      status: 'Failed',
      job: { startTime: undefined, trainingSeconds: undefined },
    });

    expect(headline(notice)).toBe('resnet-sweep-017 failed.');
  });
});

describe('poolSentence', () => {
  it('says a pool still in use has moved on to a matching job', () => {
    const notice = noticeFor({
      job: { warmPool: { status: 'InUse' }, endTime: undefined, lastModifiedTime: undefined },
    });

    expect(poolSentence(notice)).toBe('In use by a matching job.');
  });

  it('gives the expiry in the owner’s time zone and the time left', () => {
    expect(poolSentence(noticeFor())).toBe('Available until Thu 26 Nov, 11:30 CET (20m 00s left).');
  });

  it('says an expired pool is expiring now', () => {
    const notice = noticeFor({ job: { keepAliveSeconds: 60 } });

    expect(poolSentence(notice)).toBe('Available, expiring now (Thu 26 Nov, 11:01 CET).');
  });

  it('points at the warm pool quota when the pool is missing', () => {
    const notice = noticeFor({ job: { warmPool: undefined } });

    expect(poolSentence(notice)).toBe(
      "No warm pool reported although the job asked for 30m 00s of keep-alive: check the account's warm pool quota for this instance type."
    );
  });

  it('does not blame the quota when a failed job kept no pool', () => {
    const notice = noticeFor({ status: 'Failed', job: { warmPool: undefined } });

    expect(poolSentence(notice)).toBe(
      'No warm pool retained (the job asked for 30m 00s): SageMaker keeps none after some failures.'
    );
  });

  it('says there is no pool when the job set no keep-alive', () => {
    const notice = noticeFor({ job: { keepAliveSeconds: undefined, warmPool: undefined } });

    expect(poolSentence(notice)).toBe('No warm pool (the job set no keep-alive).');
  });

  it('names the job that reused the pool and what the retention cost', () => {
    const notice = noticeFor({
      job: {
        warmPool: {
          status: 'Reused',
          reusedByJob: 'resnet-sweep-018',
          retainedBillableSeconds: 1800,
        },
      },
    });

    expect(poolSentence(notice)).toBe('Reused by resnet-sweep-018, retained 30m 00s ($0.76).');
  });
});

describe('noticeLines', () => {
  it('lists the facts in reading order', () => {
    // Prepare
    const notice = noticeFor({
      status: 'Failed',
      job: { failureReason: 'AlgorithmError: OOM', instanceCount: 2, secondaryStatus: 'Failed' },
    });

    // Act
    const lines = noticeLines(notice);

    // Assess
    expect(lines).toEqual([
      { label: 'Status', value: 'Failed' },
      { label: 'Duration', value: '1h 00m' },
      { label: 'Instances', value: '2 × ml.g5.2xlarge' },
      { label: 'Billable time', value: '1h 00m × 2 instances = $3.03 at $1.515/h' },
      { label: 'Failure reason', value: 'AlgorithmError: OOM' },
      { label: 'Warm pool', value: 'Available until Thu 26 Nov, 11:30 CET (20m 00s left).' },
      { label: 'At risk', value: '$1.01 if nobody reuses the pool before it expires' },
      { label: 'Owner', value: 'Alice Ng (via tag warden:owner)' },
    ]);
  });

  it('says the amount at risk is unknown when the instance type has no price', () => {
    // Act
    const lines = noticeLines(noticeFor({ price: null, now: T0 }));

    // Assess
    expect(lines.find((l) => l.label === 'At risk')?.value).toBe(
      'unknown (no price for this instance type; add it under prices: in the config)'
    );
    expect(lines.find((l) => l.label === 'Billable time')?.value).toBe('1h 00m');
  });

  it('leaves out absent facts rather than showing them empty', () => {
    // Prepare
    const notice = noticeFor({
      job: {
        instanceType: undefined,
        billableSeconds: undefined,
        keepAliveSeconds: undefined,
        warmPool: undefined,
      },
      price: null,
    });

    // Act
    const labels = noticeLines(notice).map((l) => l.label);

    // Assess
    expect(labels).toEqual(['Status', 'Duration', 'Warm pool', 'Owner']);
  });
});

describe('priceNote', () => {
  it('labels an illustrative price as such', () => {
    expect(priceNote(noticeFor())).toBe(
      'Prices are illustrative list prices for ml.g5.2xlarge, not a quote; admins can set real ones under prices: in the Pool Warden config.'
    );
  });

  it('adds nothing for a configured price or no price', () => {
    expect(priceNote(noticeFor({ price: { usdPerHour: 1.2, source: 'config' } }))).toBeUndefined();
    expect(priceNote(noticeFor({ price: null }))).toBeUndefined();
  });
});
