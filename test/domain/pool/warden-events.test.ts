import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decisionEvents, isoTime } from '../../../src/domain/pool/warden-events.js';
import { jobArn } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';

const MINUTE = 60_000;
const MATCH_KEY =
  'role=arn:aws:iam::111122223333:role/VisionTraining|type=ml.g5.2xlarge|count=1|volume=100|kms=-|subnets=|sgs=|isolation=false|encryption=false';

const POOL = {
  jobName: 'resnet-sweep-017',
  jobArn: jobArn('resnet-sweep-017'),
  creationTime: T0 - 65 * MINUTE,
  owner: 'alice',
  team: 'vision',
  matchKey: MATCH_KEY,
  instanceType: 'ml.g5.2xlarge',
  instanceCount: 1,
  expiresAt: T0 + 90 * MINUTE,
};

const INPUTS = {
  pool: POOL,
  decision: {
    action: 'extend' as const,
    until: T0 + 90 * MINUTE,
    reason: 'A matching job usually starts within 40 minutes on weekdays.',
    rule: 'vision-adaptive',
  },
  outcome: 'applied' as const,
  at: T0 + 5 * MINUTE,
  previousExpiry: T0 + 30 * MINUTE,
  keepAliveSeconds: 5400,
  dryRun: false,
};

const DECISION_DETAIL = {
  jobName: 'resnet-sweep-017',
  jobArn: jobArn('resnet-sweep-017'),
  creationTime: '2026-11-26T08:55:00.000Z',
  owner: 'alice',
  team: 'vision',
  matchKey: MATCH_KEY,
  instanceType: 'ml.g5.2xlarge',
  instanceCount: 1,
  action: 'extend',
  until: '2026-11-26T11:30:00.000Z',
  previousExpiry: '2026-11-26T10:30:00.000Z',
  keepAliveSeconds: 5400,
  reason: 'A matching job usually starts within 40 minutes on weekdays.',
  rule: 'vision-adaptive',
  dryRun: false,
  outcome: 'applied',
};

describe('decisionEvents', () => {
  it('yields a decision and an action event with ISO times when an extension was applied', () => {
    // Act
    const events = decisionEvents(INPUTS);

    // Assess
    expect(events).toEqual([
      {
        detailType: 'Warm Pool Decision',
        time: T0 + 5 * MINUTE,
        resource: jobArn('resnet-sweep-017'),
        detail: DECISION_DETAIL,
      },
      {
        detailType: 'Warm Pool Action',
        time: T0 + 5 * MINUTE,
        resource: jobArn('resnet-sweep-017'),
        detail: {
          ...DECISION_DETAIL,
          update: {
            status: 'updated',
            keepAliveSeconds: 5400,
            expiresAt: '2026-11-26T11:30:00.000Z',
          },
        },
      },
    ]);
  });

  it('yields only the decision for keep, a dry run, or an outcome other than applied', () => {
    // Act
    const kept = decisionEvents({ ...INPUTS, decision: { ...INPUTS.decision, action: 'keep' } });
    const dry = decisionEvents({ ...INPUTS, outcome: 'dry-run', dryRun: true });
    const skipped = decisionEvents({ ...INPUTS, outcome: 'skipped' });

    // Assess
    for (const events of [kept, dry, skipped]) {
      expect(events.map((e) => e.detailType)).toEqual(['Warm Pool Decision']);
    }
    expect(dry[0]?.detail).toMatchObject({ dryRun: true, outcome: 'dry-run' });
  });

  it('carries a not-updatable answer and its reason in the action event', () => {
    // Act
    const [, action] = decisionEvents({
      ...INPUTS,
      update: { kind: 'not-updatable', reason: 'the pool was reused' },
    });

    // Assess
    expect(action?.detail.update).toEqual({
      status: 'not-updatable',
      keepAliveSeconds: 5400,
      reason: 'the pool was reused',
    });
  });

  it('leaves out team, rule and keep-alive when they are absent, and survives a JSON round trip', () => {
    // Prepare
    const { team: _team, ...pool } = POOL;
    const { rule: _rule, ...decision } = INPUTS.decision;
    const { keepAliveSeconds: _k, ...rest } = INPUTS;

    // Act
    const [event] = decisionEvents({ ...rest, pool, decision });

    // Assess
    expect(event?.detail).not.toHaveProperty('team');
    expect(event?.detail).not.toHaveProperty('rule');
    expect(event?.detail).not.toHaveProperty('keepAliveSeconds');
    expect(JSON.parse(JSON.stringify(event?.detail))).toEqual(event?.detail);
  });
});

describe('isoTime', () => {
  it('formats epoch ms as Date#toISOString does, across leap years and centuries', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => {
        expect(isoTime(ms)).toBe(new Date(ms).toISOString());
      }),
      { numRuns: 2000 }
    );
    expect(isoTime(Date.UTC(2028, 1, 29, 23, 59, 59, 999))).toBe('2028-02-29T23:59:59.999Z');
  });
});
