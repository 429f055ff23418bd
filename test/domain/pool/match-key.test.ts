import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TrainingJobSnapshot } from '../../../src/domain/job/training-job.js';
import {
  type MatchFields,
  matchKeyId,
  matchKeyOf,
  parseMatchKey,
} from '../../../src/domain/pool/match-key.js';

/** A job with every match field set, as DescribeTrainingJob reports one in a VPC. */
function fullJob(overrides: Partial<TrainingJobSnapshot> = {}): TrainingJobSnapshot {
  return {
    name: 'resnet-sweep-017',
    arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017',
    status: 'Completed',
    roleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
    instanceType: 'ml.g5.2xlarge',
    instanceCount: 2,
    volumeSizeGb: 100,
    volumeKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/abc',
    subnets: ['subnet-b', 'subnet-a'],
    securityGroupIds: ['sg-2', 'sg-1'],
    networkIsolation: true,
    interContainerEncryption: false,
    ...overrides,
  };
}

describe('matchKeyOf', () => {
  it('writes every match field in a readable, canonical text', () => {
    expect(matchKeyOf(fullJob())).toBe(
      'role=arn:aws:iam::111122223333:role/VisionTraining|type=ml.g5.2xlarge|count=2|volume=100|' +
        'kms=arn:aws:kms:us-east-1:111122223333:key/abc|subnets=subnet-a,subnet-b|sgs=sg-1,sg-2|' +
        'isolation=true|encryption=false'
    );
  });

  it('gives jobs that differ only in name, status, image-free details or times the same key', () => {
    const other = fullJob({
      name: 'bert-finetune-3',
      arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/bert-finetune-3',
      status: 'Failed',
      endTime: 1,
      keepAliveSeconds: 1800,
      managedSpot: false,
    });
    expect(matchKeyOf(other)).toBe(matchKeyOf(fullJob()));
  });

  it('ignores the order of subnets and security groups', () => {
    const reordered = fullJob({
      subnets: ['subnet-a', 'subnet-b'],
      securityGroupIds: ['sg-1', 'sg-2'],
    });
    expect(matchKeyOf(reordered)).toBe(matchKeyOf(fullJob()));
  });

  it('writes absent fields explicitly and counts a missing instance count as 1', () => {
    const bare: TrainingJobSnapshot = { name: 'j', arn: 'a', status: 'Completed' };
    expect(matchKeyOf(bare)).toBe(
      'role=-|type=-|count=1|volume=-|kms=-|subnets=|sgs=|isolation=false|encryption=false'
    );
    expect(matchKeyOf({ ...bare, instanceCount: 1 })).toBe(matchKeyOf(bare));
  });

  it.each<[string, Partial<TrainingJobSnapshot>]>([
    ['role', { roleArn: 'arn:aws:iam::111122223333:role/Other' }],
    ['instance type', { instanceType: 'ml.p4d.24xlarge' }],
    ['instance count', { instanceCount: 3 }],
    ['volume size', { volumeSizeGb: 200 }],
    ['volume KMS key', { volumeKmsKeyId: 'arn:aws:kms:us-east-1:111122223333:key/def' }],
    ['subnets', { subnets: ['subnet-a'] }],
    ['security groups', { securityGroupIds: ['sg-1', 'sg-3'] }],
    ['network isolation', { networkIsolation: false }],
    ['inter-container encryption', { interContainerEncryption: true }],
  ])('gives a job with another %s another key', (_field, change) => {
    expect(matchKeyOf(fullJob(change))).not.toBe(matchKeyOf(fullJob()));
  });

  it('is insensitive to the order of any subnet and security-group lists', () => {
    const ids = fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,12}$/), { maxLength: 6 });
    const permuted = ids.chain((list) =>
      fc.tuple(
        fc.constant(list),
        fc.shuffledSubarray(list, { minLength: list.length, maxLength: list.length })
      )
    );
    fc.assert(
      fc.property(permuted, permuted, ([subnets, subnetsShuffled], [groups, groupsShuffled]) => {
        const a = matchKeyOf(fullJob({ subnets, securityGroupIds: groups }));
        const b = matchKeyOf(
          fullJob({ subnets: subnetsShuffled, securityGroupIds: groupsShuffled })
        );
        expect(b).toBe(a);
      })
    );
  });
});

describe('parseMatchKey', () => {
  /** Text a key's field may hold: no separator, and not the "absent" mark. */
  const word = fc.stringMatching(/^[A-Za-z0-9:/.=_-]{1,20}$/).filter((w) => w !== '-');
  const list = fc.uniqueArray(word, { minLength: 1, maxLength: 4 });
  const fields: fc.Arbitrary<MatchFields> = fc.record(
    {
      roleArn: word,
      instanceType: word,
      instanceCount: fc.integer({ min: 1, max: 500 }),
      volumeSizeGb: fc.integer({ min: 1, max: 16_384 }),
      volumeKmsKeyId: word,
      subnets: list,
      securityGroupIds: list,
      networkIsolation: fc.boolean(),
      interContainerEncryption: fc.boolean(),
    },
    { requiredKeys: ['instanceCount', 'networkIsolation', 'interContainerEncryption'] }
  );
  const sorted = (values: readonly string[] | undefined) =>
    values === undefined ? undefined : [...values].sort();

  it('gives back the fields any key was written from, each field present or absent', () => {
    fc.assert(
      fc.property(fields, (job) => {
        const parsed = parseMatchKey(matchKeyOf(job));
        expect(parsed).toEqual({
          ...job,
          subnets: sorted(job.subnets),
          securityGroupIds: sorted(job.securityGroupIds),
        });
      })
    );
  });

  it('reads the absent marks and empty lists of a key as absent fields', () => {
    expect(parseMatchKey(matchKeyOf({ instanceCount: 1 }))).toEqual({
      instanceCount: 1,
      networkIsolation: false,
      interContainerEncryption: false,
    });
  });

  it.each([
    ['a trace key of its own', 'project-a'],
    ['a canonical key after other text', `x${matchKeyOf(fullJob())}`],
    ['a canonical key with more after it', `${matchKeyOf(fullJob())}|x`],
    [
      'subnets out of order',
      matchKeyOf(fullJob()).replace('subnet-a,subnet-b', 'subnet-b,subnet-a'),
    ],
    ['a volume with a leading zero', matchKeyOf(fullJob()).replace('volume=100', 'volume=0100')],
    ['a volume that is not a number', matchKeyOf(fullJob()).replace('volume=100', 'volume=big')],
    ['a count that is not a number', matchKeyOf(fullJob()).replace('count=2', 'count=two')],
    [
      'isolation that is not a boolean',
      matchKeyOf(fullJob()).replace('isolation=true', 'isolation=yes'),
    ],
  ])('is undefined for %s, which matchKeyOf never writes', (_, key) => {
    expect(parseMatchKey(key)).toBeUndefined();
  });
});

describe('matchKeyId', () => {
  it('is the same 16 hex digits for the same key, every time', () => {
    const key = matchKeyOf(fullJob());
    expect(matchKeyId(key)).toMatch(/^[0-9a-f]{16}$/);
    expect(matchKeyId(key)).toBe(matchKeyId(matchKeyOf(fullJob())));
  });

  it('does not change between releases, so stored ids keep pointing at their keys', () => {
    expect(matchKeyId('')).toBe('811c9dc501000193');
    expect(matchKeyId('a')).toBe('e40c292c335863da');
    expect(
      matchKeyId(
        'role=-|type=-|count=1|volume=-|kms=-|subnets=|sgs=|isolation=false|encryption=false'
      )
    ).toBe('0102490da8d3e205');
  });

  it('tells apart keys that differ in one field', () => {
    expect(matchKeyId(matchKeyOf(fullJob({ instanceCount: 3 })))).not.toBe(
      matchKeyId(matchKeyOf(fullJob()))
    );
  });

  it('gives distinct ids to distinct short keys (no collisions in a sample)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.string({ maxLength: 40 }), { minLength: 2, maxLength: 200 }),
        (keys) => {
          expect(new Set(keys.map(matchKeyId)).size).toBe(keys.length);
        }
      )
    );
  });
});
