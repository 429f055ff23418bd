import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type ParseResult,
  parseStateChangeEvent,
  type StateChangeEvent,
} from '../../../src/domain/event/state-change-event.js';
import {
  AWS_DOCS_SAMPLE,
  fixture,
  SYNTHETIC_FAILED,
  SYNTHETIC_IN_PROGRESS,
  stateChangeEvent,
  T0,
} from '../../helpers/factories.js';

/** Parses an event that must be accepted; fails the test with the reason otherwise. */
function accepted(input: unknown): StateChangeEvent {
  const result = parseStateChangeEvent(input);
  if (!result.ok) throw new Error(`expected the event to parse: ${result.reason}`);
  return result.event;
}

function reasonOf(result: ParseResult): string {
  if (result.ok) throw new Error('expected the event to be rejected');
  return result.reason;
}

/** A valid event with `detail` replaced by `detail` (a key set to undefined is removed). */
function withDetail(detail: Record<string, unknown>): Record<string, unknown> {
  const event = stateChangeEvent();
  return { ...event, detail: { ...(event.detail as Record<string, unknown>), ...detail } };
}

function without(event: Record<string, unknown>, key: string): Record<string, unknown> {
  const { [key]: _removed, ...rest } = event;
  return rest;
}

/** Every non-empty string an ok parse promises. */
function expectRequiredStrings(event: StateChangeEvent): void {
  for (const value of [event.job.name, event.job.arn, event.job.status, event.region]) {
    expect(typeof value).toBe('string');
    expect(value.trim()).not.toBe('');
  }
}

describe('parseStateChangeEvent', () => {
  describe('real and synthetic samples', () => {
    it('reads the AWS documentation sample, with its string timestamps and empty Tags map', () => {
      // Prepare
      const input = fixture(AWS_DOCS_SAMPLE);

      // Act
      const event = accepted(input);

      // Assess
      expect(event).toEqual({
        id: '844e2571-85d4-695f-b930-0153b71dcb42',
        time: Date.UTC(2018, 9, 6, 12, 26, 13),
        region: 'us-east-1',
        account: '111122223333',
        job: {
          name: '89c96cc8-dded-4739-afcc-6f1dc936701d',
          arn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/kmeans-1',
          status: 'Completed',
          secondaryStatus: 'Completed',
          roleArn: 'arn:aws:iam::111122223333:role/SMRole',
          instanceType: 'InstanceType',
          instanceCount: 3,
          volumeSizeGb: 20,
          volumeKmsKeyId: 'VolumeKmsKeyId',
          creationTime: 1583831889050,
          startTime: 1583831889050,
          endTime: 1583831889050,
          lastModifiedTime: 1583831889050,
        },
        warnings: [],
      });
    });

    it('leaves tags undefined for the empty Tags map of the AWS sample, so ListTags is asked', () => {
      expect(accepted(fixture(AWS_DOCS_SAMPLE))).not.toHaveProperty('tags');
    });

    it('reads the SYNTHETIC failed event with epoch-ms numbers, a Tags list and a failure reason', () => {
      // Act
      const event = accepted(fixture(SYNTHETIC_FAILED));

      // Assess
      expect(event.region).toBe('eu-west-1');
      expect(event.tags).toEqual({ owner: 'alice@example.com' });
      expect(event.warnings).toEqual([]);
      expect(event.job).toEqual({
        name: 'exp-42-lr-3e-4',
        arn: 'arn:aws:sagemaker:eu-west-1:111122223333:training-job/exp-42-lr-3e-4',
        status: 'Failed',
        secondaryStatus: 'Failed',
        failureReason: 'AlgorithmError: ExecuteUserScriptError: ExitCode 1',
        roleArn: 'arn:aws:iam::111122223333:role/SageMakerExecutionRole',
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 1,
        volumeSizeGb: 450,
        creationTime: 1795169100000,
        startTime: 1795169290000,
        endTime: 1795169742000,
        lastModifiedTime: 1795169742000,
      });
    });

    it('reads the SYNTHETIC in-progress event, which has no end time and an empty Tags list', () => {
      // Act
      const event = accepted(fixture(SYNTHETIC_IN_PROGRESS));

      // Assess
      expect(event.job.status).toBe('InProgress');
      expect(event.job.secondaryStatus).toBe('Training');
      expect(event.job).not.toHaveProperty('endTime');
      expect(event).not.toHaveProperty('tags');
      expect(event.time).toBe(Date.UTC(2026, 10, 20, 10, 10, 0));
    });
  });

  describe('envelope', () => {
    it.each([
      ['null', null],
      ['an array', [stateChangeEvent()]],
      ['a string', JSON.stringify(stateChangeEvent())],
      ['a number', 42],
    ])('rejects an event that is %s', (_label, input) => {
      expect(parseStateChangeEvent(input)).toEqual({
        ok: false,
        reason: 'event is not a JSON object',
      });
    });

    it('rejects an event from another source, quoting what it got', () => {
      const result = parseStateChangeEvent({ ...stateChangeEvent(), source: 'aws.ec2' });

      expect(reasonOf(result)).toBe('source is "aws.ec2", expected "aws.sagemaker"');
    });

    it('rejects an event without a source', () => {
      const result = parseStateChangeEvent(without(stateChangeEvent(), 'source'));

      expect(reasonOf(result)).toBe('source is missing, expected "aws.sagemaker"');
    });

    it('rejects another SageMaker detail-type, quoting what it got', () => {
      // Prepare
      const input = {
        ...stateChangeEvent(),
        'detail-type': 'SageMaker HyperParameter Tuning Job State Change',
      };

      // Act
      const result = parseStateChangeEvent(input);

      // Assess
      expect(reasonOf(result)).toBe(
        'detail-type is "SageMaker HyperParameter Tuning Job State Change", expected "SageMaker Training Job State Change"'
      );
    });

    it('shortens a long offending value in the reason', () => {
      const result = parseStateChangeEvent({ ...stateChangeEvent(), source: 'x'.repeat(500) });

      expect(reasonOf(result)).toBe(`source is "${'x'.repeat(56)}..., expected "aws.sagemaker"`);
    });

    it('rejects, without throwing, a source no JSON could carry', () => {
      expect(reasonOf(parseStateChangeEvent({ ...stateChangeEvent(), source: 10n }))).toBe(
        'source is a bigint, expected "aws.sagemaker"'
      );
    });

    it('rejects an event without a detail object', () => {
      expect(reasonOf(parseStateChangeEvent(without(stateChangeEvent(), 'detail')))).toBe(
        'detail is not an object'
      );
      expect(reasonOf(parseStateChangeEvent({ ...stateChangeEvent(), detail: 'Completed' }))).toBe(
        'detail is not an object'
      );
    });

    it('reads id, account and time from the envelope', () => {
      const event = accepted(stateChangeEvent({ id: 'evt-1' }));

      expect([event.id, event.account, event.time]).toEqual(['evt-1', '111122223333', T0]);
    });

    it('takes the region from the job ARN when the envelope has none', () => {
      // Prepare
      const input = without(fixture(SYNTHETIC_FAILED), 'region');

      // Act
      const event = accepted(input);

      // Assess
      expect(event.region).toBe('eu-west-1');
    });

    it('takes the region from the job ARN when the envelope region is empty', () => {
      expect(accepted({ ...fixture(SYNTHETIC_FAILED), region: '' }).region).toBe('eu-west-1');
    });

    it('ignores an unreadable time with a warning instead of rejecting the event', () => {
      // Act
      const event = accepted({ ...stateChangeEvent(), time: 'yesterday' });

      // Assess
      expect(event).not.toHaveProperty('time');
      expect(event.warnings).toEqual(['time ignored: not a timestamp']);
    });

    it('tolerates unknown envelope and detail fields', () => {
      // Prepare
      const input = {
        ...withDetail({
          TrainingJobStatusV2: 'Completed',
          ProfilingStatus: 'Disabled',
          SecondaryStatusTransitions: [{ Status: 'Completed', StartTime: T0 }],
        }),
        'replay-name': 'replay-2026-11-26',
        resources: [],
      };

      // Act
      const event = accepted(input);

      // Assess
      expect(event.job.name).toBe('resnet-sweep-017');
      expect(event.warnings).toEqual([]);
    });

    it('reads warm pool fields when an event happens to carry them', () => {
      // Prepare
      const input = withDetail({
        ResourceConfig: {
          InstanceType: 'ml.g5.2xlarge',
          InstanceCount: 2,
          KeepAlivePeriodInSeconds: 900,
        },
        WarmPoolStatus: { Status: 'Available' },
      });

      // Act
      const event = accepted(input);

      // Assess
      expect(event.job.keepAliveSeconds).toBe(900);
      expect(event.job.warmPool).toEqual({ status: 'Available' });
    });
  });

  describe('job fields', () => {
    it.each([
      ['TrainingJobName', 'detail.TrainingJobName is missing or not a string'],
      ['TrainingJobArn', 'detail.TrainingJobArn is missing or not a training-job ARN'],
      ['TrainingJobStatus', 'detail.TrainingJobStatus is missing or not a string'],
    ])('rejects an event without %s, naming the field', (field, reason) => {
      expect(parseStateChangeEvent(withDetail({ [field]: undefined }))).toEqual({
        ok: false,
        reason,
      });
    });

    it('passes on the warnings for malformed optional detail fields', () => {
      // Act
      const event = accepted(withDetail({ TrainingEndTime: 'soon', FailureReason: 3 }));

      // Assess
      expect(event.warnings).toEqual([
        'detail.FailureReason ignored: expected a string',
        'detail.TrainingEndTime ignored: expected a timestamp',
      ]);
      expect(event.job).not.toHaveProperty('endTime');
    });
  });

  describe('tags', () => {
    it('reads a Tags list', () => {
      expect(accepted(stateChangeEvent()).tags).toEqual({ 'warden:owner': 'alice' });
    });

    it('reads a Tags map', () => {
      expect(accepted(stateChangeEvent({ tags: { owner: 'bob' } })).tags).toEqual({ owner: 'bob' });
    });

    it('leaves tags undefined when Tags is absent', () => {
      expect(accepted(withDetail({ Tags: undefined }))).not.toHaveProperty('tags');
    });

    it('leaves tags undefined when no Tags entry is usable', () => {
      expect(
        accepted(
          withDetail({
            Tags: [
              { Key: 'owner', Value: 7 },
              { Key: '', Value: 'x' },
            ],
          })
        )
      ).not.toHaveProperty('tags');
    });

    it('warns and leaves tags undefined when Tags has neither known shape', () => {
      // Act
      const event = accepted(withDetail({ Tags: 'warden:owner=alice' }));

      // Assess
      expect(event).not.toHaveProperty('tags');
      expect(event.warnings).toEqual([
        'detail.Tags ignored: expected a list of {Key, Value} or a map',
      ]);
    });
  });

  describe('properties', () => {
    const options = { numRuns: 500 };

    /**
     * A property that never reaches the success path proves nothing about it: each "never
     * throws" property mixes valid events into its input and checks that a good share of its
     * runs were accepted.
     */
    const MIN_ACCEPTED_SHARE = 0.25;
    function acceptedShare() {
      let runs = 0;
      let ok = 0;
      return {
        count: (result: ParseResult) => {
          runs += 1;
          if (result.ok) ok += 1;
        },
        assess: () => {
          expect(runs).toBe(options.numRuns);
          expect(ok / runs, `${ok} of ${runs} runs parsed`).toBeGreaterThanOrEqual(
            MIN_ACCEPTED_SHARE
          );
        },
      };
    }

    /** Valid events as SageMaker sends them: any name, any terminal or running status. */
    const validEvent = fc
      .record({
        name: fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,62}$/),
        status: fc.constantFrom('Completed', 'Failed', 'Stopped', 'InProgress', 'Stopping'),
        endTime: fc.integer({ min: 1_500_000_000_000, max: 2_500_000_000_000 }),
      })
      .map((o) => stateChangeEvent(o));

    it('never throws on arbitrary JSON, and an accepted event always names its job', () => {
      const share = acceptedShare();
      fc.assert(
        fc.property(fc.oneof(validEvent, fc.jsonValue()), (input) => {
          const result = parseStateChangeEvent(input);
          share.count(result);
          if (result.ok) expectRequiredStrings(result.event);
          else expect(result.reason).not.toBe('');
        }),
        options
      );
      share.assess();
    });

    it('never throws on arbitrary JavaScript values', () => {
      const share = acceptedShare();
      const anything = fc.anything({
        withBigInt: true,
        withBoxedValues: true,
        withDate: true,
        withMap: true,
        withNullPrototype: true,
        withObjectString: true,
        withSet: true,
        withSparseArray: true,
        withTypedArray: true,
      });
      // Valid events whose unknown fields hold any JavaScript value at all.
      const decorated = fc
        .tuple(validEvent, fc.dictionary(fc.string(), anything, { maxKeys: 3 }))
        .map(([event, extra]) => ({
          ...event,
          detail: { ...extra, ...(event.detail as Record<string, unknown>) },
        }));
      fc.assert(
        fc.property(fc.oneof(decorated, anything), (input) => {
          const result = parseStateChangeEvent(input);
          share.count(result);
          if (result.ok) expectRequiredStrings(result.event);
        }),
        options
      );
      share.assess();
    });

    const DETAIL_KEYS = [
      'TrainingJobName',
      'TrainingJobArn',
      'TrainingJobStatus',
      'SecondaryStatus',
      'FailureReason',
      'RoleArn',
      'ResourceConfig',
      'WarmPoolStatus',
      'CreationTime',
      'TrainingStartTime',
      'TrainingEndTime',
      'LastModifiedTime',
      'TrainingTimeInSeconds',
      'BillableTimeInSeconds',
      'Tags',
    ] as const;
    const ENVELOPE_KEYS = ['source', 'detail-type', 'detail', 'time', 'region', 'id', 'account'];
    const value = fc.oneof(
      fc.jsonValue(),
      fc.anything({ withBigInt: true }),
      fc.constant(undefined)
    );

    it('never throws when detail and envelope fields of a valid event are replaced', () => {
      const share = acceptedShare();
      fc.assert(
        fc.property(
          // A few fields at a time, so most inputs still carry a job to accept.
          fc.dictionary(fc.constantFrom(...DETAIL_KEYS), value, { maxKeys: 3 }),
          fc.dictionary(fc.constantFrom(...ENVELOPE_KEYS), value, { maxKeys: 1 }),
          fc.constantFrom(stateChangeEvent(), fixture(AWS_DOCS_SAMPLE), fixture(SYNTHETIC_FAILED)),
          (detail, envelope, base) => {
            const input = {
              ...base,
              detail: { ...(base.detail as Record<string, unknown>), ...detail },
              ...envelope,
            };
            const result = parseStateChangeEvent(input);
            share.count(result);
            if (result.ok) expectRequiredStrings(result.event);
          }
        ),
        options
      );
      share.assess();
    });

    it('accepts a valid event whatever its optional detail fields hold', () => {
      const optional = DETAIL_KEYS.filter((k) => !k.startsWith('TrainingJob'));
      fc.assert(
        fc.property(fc.dictionary(fc.constantFrom(...optional), value), (detail) => {
          const event = accepted(withDetail(detail));
          expect(event.job.name).toBe('resnet-sweep-017');
          expect(event.job.status).toBe('Completed');
        }),
        options
      );
    });

    it('accepts an event exactly when its required job fields are valid strings', () => {
      fc.assert(
        fc.property(
          fc.option(fc.string(), { nil: undefined }),
          fc.option(fc.string(), { nil: undefined }),
          (name, status) => {
            const result = parseStateChangeEvent(
              withDetail({ TrainingJobName: name, TrainingJobStatus: status })
            );
            const valid = (s: string | undefined) => s !== undefined && s.trim() !== '';
            expect(result.ok).toBe(valid(name) && valid(status));
            if (result.ok)
              expect([result.event.job.name, result.event.job.status]).toEqual([name, status]);
          }
        ),
        options
      );
    });
  });
});
