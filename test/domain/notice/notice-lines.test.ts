import { describe, expect, it } from 'vitest';
import {
  headline,
  noticeLines,
  poolSentence,
  poolSummary,
  priceNote,
} from '../../../src/domain/notice/notice-lines.js';
import { CONTROL_CHARACTERS, noticeFor } from '../../helpers/domain-notices.js';
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
      { label: 'Ran', value: 'Thu 26 Nov, 10:00 to 11:00 CET' },
      { label: 'Instances', value: '2 × ml.g5.2xlarge' },
      { label: 'Billable time', value: '1h 00m × 2 instances = $3.03 at $1.515/h' },
      { label: 'Failure reason', value: 'AlgorithmError: OOM' },
      { label: 'Warm pool', value: 'Available until Thu 26 Nov, 11:30 CET (20m 00s left).' },
      { label: 'At risk', value: '$1.01 if nobody reuses the pool before it expires' },
      { label: 'Owner', value: 'Alice Ng (via tag warden:owner)' },
    ]);
  });

  it('names the unpriced instance type, instead of dropping the cost silently', () => {
    // Act
    const lines = noticeLines(
      noticeFor({ job: { instanceType: 'ml.trn2.48xlarge' }, price: null, now: T0 })
    );

    // Assess
    expect(lines.find((l) => l.label === 'At risk')?.value).toBe(
      'unknown (no price for ml.trn2.48xlarge; add it under prices: in the config)'
    );
    expect(lines.find((l) => l.label === 'Billable time')?.value).toBe(
      '1h 00m (cost unknown: no price for ml.trn2.48xlarge; add it under prices: in the config)'
    );
  });

  it('leaves out absent facts rather than showing them empty', () => {
    // Prepare
    const notice = noticeFor({
      job: {
        instanceType: undefined,
        instanceCount: undefined,
        billableSeconds: undefined,
        keepAliveSeconds: undefined,
        warmPool: undefined,
        startTime: undefined,
        endTime: undefined,
        trainingSeconds: 60,
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

describe('unknown values (issue 7, case 3)', () => {
  it('says the expiry is unknown, not "expiring now", for an Available pool without a valid keep-alive', () => {
    // Prepare
    const notice = noticeFor({ job: { keepAliveSeconds: undefined } });

    // Act
    const lines = noticeLines(notice);

    // Assess
    const text = lines.map((l) => l.value).join('\n');
    expect(lines.find((l) => l.label === 'Warm pool')?.value).toBe(
      'Available, but its expiry is unknown: SageMaker gave no keep-alive from 1 s to 6 h (or no end time) for this job.'
    );
    expect(lines.find((l) => l.label === 'At risk')?.value).toBe(
      'unknown (the pool’s expiry is unknown)'
    );
    expect(text).not.toContain('expiring now');
    expect(text).not.toContain('$0.00');
  });

  it('says the instance count is unknown instead of counting one instance', () => {
    // Act
    const lines = noticeLines(noticeFor({ job: { instanceCount: undefined } }));

    // Assess
    expect(lines.find((l) => l.label === 'Instances')?.value).toBe(
      'ml.g5.2xlarge (instance count unknown: SageMaker gave none usable)'
    );
    expect(lines.find((l) => l.label === 'Billable time')?.value).toBe(
      '1h 00m per instance (cost unknown: instance count unknown)'
    );
    expect(lines.find((l) => l.label === 'At risk')?.value).toBe(
      'unknown (instance count unknown)'
    );
  });

  it('prints no $∞ or $NaN for a price of 1.79e308', () => {
    // Act
    const lines = noticeLines(noticeFor({ price: { usdPerHour: 1.79e308, source: 'config' } }));

    // Assess
    const text = lines.map((l) => l.value).join('\n');
    expect(text).not.toMatch(/\$(?:∞|NaN|Infinity)|∞|NaN/);
    expect(lines.find((l) => l.label === 'At risk')?.value).toBe(
      'unknown (no price for ml.g5.2xlarge; add it under prices: in the config)'
    );
  });
});

describe('times and spot (issue 7, case 16)', () => {
  it('gives a failed job without a pool its start and end in the owner’s zone', () => {
    // Prepare
    const notice = noticeFor({
      status: 'Failed',
      job: { warmPool: undefined, keepAliveSeconds: undefined },
      owner: { timeZone: 'America/Chicago' },
    });

    // Act
    const ran = noticeLines(notice).find((l) => l.label === 'Ran');

    // Assess
    expect(ran?.value).toBe('Thu 26 Nov, 03:00 to 04:00 UTC\u221206:00');
  });

  it('says a managed-spot job is spot and what it saved against its training time', () => {
    // Act
    const lines = noticeLines(
      noticeFor({ job: { managedSpot: true, trainingSeconds: 3600, billableSeconds: 720 } })
    );

    // Assess
    expect(lines.find((l) => l.label === 'Managed spot')?.value).toBe(
      'billed 12m 00s of 1h 00m trained: 80% saved ($1.21)'
    );
  });

  it('says a spot job is spot even when the times cannot be compared', () => {
    const lines = noticeLines(
      noticeFor({ job: { managedSpot: true, trainingSeconds: undefined } })
    );

    expect(lines.find((l) => l.label === 'Managed spot')?.value).toBe(
      'yes; SageMaker gave no training and billable times to compare'
    );
  });

  it('leaves the spot line out for an on-demand job', () => {
    expect(noticeLines(noticeFor()).map((l) => l.label)).not.toContain('Managed spot');
  });
});

describe('poolSummary', () => {
  it('gives the expiry and the dollars at risk for the notification preview', () => {
    expect(poolSummary(noticeFor())).toBe('Warm pool until Thu 26 Nov, 11:30 CET; $0.50 at risk.');
  });

  it('says nothing when there is no pool', () => {
    expect(poolSummary(noticeFor({ job: { warmPool: { status: 'Terminated' } } }))).toBeUndefined();
  });
});

describe('job-controlled text in the lines (issue 7, case 11)', () => {
  it('strips ANSI escapes and turns line breaks into spaces in every value', () => {
    // Prepare
    const notice = noticeFor({
      status: 'Stopped',
      job: {
        secondaryStatus: 'Stopped\r\nAt risk: $0.00',
        instanceType: '\u001b[31mml.g5\u001b[0m',
      },
      owner: { displayName: 'Eve\nOwner: Bob', via: 'tag\u0007 x' },
    });

    // Act
    const values = noticeLines(notice).map((l) => l.value);

    // Assess
    for (const value of values) expect(value).not.toMatch(CONTROL_CHARACTERS);
    expect(values).toContain('Stopped (Stopped  At risk: $0.00)');
    expect(values).toContain('1 × ml.g5');
  });
});
