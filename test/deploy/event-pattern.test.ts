import { describe, expect, it } from 'vitest';
import { matchesPattern, UnsupportedPatternError } from './event-pattern.js';

const EVENT = {
  source: 'aws.sagemaker',
  'detail-type': 'SageMaker Training Job State Change',
  account: '111122223333',
  resources: ['arn:aws:sagemaker:us-east-1:111122223333:training-job/a', 'arn:other'],
  detail: { TrainingJobStatus: 'Completed', BillableTimeInSeconds: 3600 },
};

describe('matchesPattern', () => {
  it('matches when every field has one of its listed values, nested objects included', () => {
    expect(
      matchesPattern(
        { source: ['aws.sagemaker'], detail: { TrainingJobStatus: ['Failed', 'Completed'] } },
        EVENT
      )
    ).toBe(true);
  });

  it('does not match when a listed field has another value or is missing', () => {
    expect(matchesPattern({ detail: { TrainingJobStatus: ['Stopped'] } }, EVENT)).toBe(false);
    expect(matchesPattern({ detail: { FailureReason: ['x'] } }, EVENT)).toBe(false);
    expect(matchesPattern({ nothing: { deeper: ['x'] } }, EVENT)).toBe(false);
  });

  it('matches an array field when any of its values is listed', () => {
    expect(matchesPattern({ resources: ['arn:other'] }, EVENT)).toBe(true);
  });

  it('reads prefix, suffix, anything-but, exists, numeric, wildcard and $or', () => {
    const cases: [unknown, boolean][] = [
      [{ source: [{ prefix: 'aws.' }] }, true],
      [{ source: [{ suffix: '.ec2' }] }, false],
      [{ detail: { TrainingJobStatus: [{ 'anything-but': ['InProgress'] }] } }, true],
      [{ detail: { TrainingJobStatus: [{ 'anything-but': { prefix: 'Comp' } }] } }, false],
      [{ detail: { FailureReason: [{ exists: false }] } }, true],
      [{ detail: { FailureReason: [{ exists: true }] } }, false],
      [{ detail: { BillableTimeInSeconds: [{ numeric: ['>', 0, '<=', 3600] }] } }, true],
      [{ 'detail-type': [{ wildcard: 'SageMaker * State Change' }] }, true],
      [{ $or: [{ source: ['aws.ec2'] }, { account: ['111122223333'] }] }, true],
    ];
    expect(cases.map(([pattern]) => matchesPattern(pattern, EVENT))).toEqual(
      cases.map(([, expected]) => expected)
    );
  });

  it('lets a deploy-time value (Ref, Fn::) match, judging the rest', () => {
    expect(
      matchesPattern({ account: [{ Ref: 'AWS::AccountId' }], source: ['aws.sagemaker'] }, EVENT)
    ).toBe(true);
  });

  it('refuses an operator it cannot read rather than guess', () => {
    expect(() => matchesPattern({ source: [{ 'cidr-ish': 'x' }] }, EVENT)).toThrow(
      UnsupportedPatternError
    );
  });
});
