import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DeliveryError, NoticeInProgressError } from '../../../src/domain/errors.js';
import type { Tags } from '../../../src/domain/event/tags.js';
import { notifyOnFinish } from '../../../src/domain/finish/notify-on-finish.js';
import type { TrainingJobSnapshot } from '../../../src/domain/job/training-job.js';
import { noticeKey } from '../../../src/domain/notice/notice.js';
import { jobKey, parseCreateTrainingJobCall } from '../../../src/domain/owner/job-caller.js';
import type { SageMakerGateway } from '../../../src/domain/ports/sagemaker-gateway.js';
import { assumedRoleIdentity, createTrainingJobCall } from '../../helpers/domain-cloudtrail.js';
import { finishedJob, jobArn } from '../../helpers/domain-notices.js';
import {
  AWS_DOCS_SAMPLE,
  configFrom,
  fixture,
  ScriptedSageMaker,
  SYNTHETIC_FAILED,
  SYNTHETIC_IN_PROGRESS,
  stateChangeEvent,
  TEAM_CONFIG_YAML,
} from '../../helpers/factories.js';
import { CREATED, finishWorld, NOW } from './finish-world.js';

/** The ledger key of the default event's job. */
function completedKey(): string {
  const detail = stateChangeEvent().detail as { CreationTime: number };
  return noticeKey({ arn: jobArn(JOB), creationTime: detail.CreationTime });
}

const JOB = 'resnet-sweep-017';
const UNMAPPED_ROLE = 'arn:aws:iam::111122223333:role/AdHocTraining';

/** A SageMaker whose first `failures` DescribeTrainingJob calls fail, as when it throttles. */
class FlakySageMaker implements SageMakerGateway {
  describeCalls = 0;

  constructor(
    private failures: number,
    private readonly answer: TrainingJobSnapshot
  ) {}

  async describeTrainingJob(): Promise<TrainingJobSnapshot | undefined> {
    this.describeCalls += 1;
    if (this.failures > 0) {
      this.failures -= 1;
      throw new Error('ThrottlingException: Rate exceeded');
    }
    return this.answer;
  }

  async listTags(): Promise<Tags> {
    return {};
  }
}

describe('notifyOnFinish', () => {
  it('sends one notice by email and Slack DM to the owner named by the job tag', async () => {
    // Prepare
    const { deps, senders } = finishWorld();

    // Act
    const outcome = await notifyOnFinish(stateChangeEvent(), deps);

    // Assess
    expect(outcome).toEqual({
      kind: 'notice',
      job: JOB,
      status: 'Completed',
      owner: 'alice',
      channels: ['email', 'slack'],
    });
    expect(senders.emails).toHaveLength(1);
    expect(senders.emails[0]?.message.to).toBe('alice@example.com');
    expect(senders.emails[0]?.ref).toEqual({ jobName: JOB, status: 'Completed' });
    expect(senders.slacks).toHaveLength(1);
    expect(senders.slacks[0]?.target).toEqual({ kind: 'user', id: 'U0ALICE01' });
  });

  it('enriches the notice with warm pool, keep-alive and billable time from DescribeTrainingJob', async () => {
    // Prepare
    const { deps, senders } = finishWorld({
      answers: [finishedJob({ instanceCount: 2, keepAliveSeconds: 3600, billableSeconds: 3000 })],
    });

    // Act
    await notifyOnFinish(stateChangeEvent(), deps);

    // Assess
    const text = senders.emails[0]?.message.text ?? '';
    expect(text).toContain('Billable time: 50m 00s × 2 instances = $2.53 at $1.515/h');
    expect(text).toContain('Warm pool:     Available until Thu 26 Nov, 12:00 CET (59m 00s left).');
    expect(text).toContain('At risk:       $2.98 if nobody reuses the pool before it expires');
  });

  describe('duplicates and ordering', () => {
    it('sends one notice when the same event arrives twice', async () => {
      // Prepare
      const { deps, senders } = finishWorld();
      const event = stateChangeEvent();

      // Act
      const first = await notifyOnFinish(event, deps);
      const second = await notifyOnFinish(event, deps);

      // Assess
      expect(first.kind).toBe('notice');
      expect(second).toEqual({
        kind: 'ignored',
        job: JOB,
        reason: 'duplicate: Completed notice already sent',
      });
      expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
    });

    it('sends one notice when duplicates carry different event ids', async () => {
      // Prepare
      const { deps, senders } = finishWorld();

      // Act
      await notifyOnFinish(stateChangeEvent({ id: 'evt-a' }), deps);
      await notifyOnFinish(stateChangeEvent({ id: 'evt-b' }), deps);
      await notifyOnFinish(stateChangeEvent({ id: 'evt-c' }), deps);

      // Assess
      expect(senders.emails).toHaveLength(1);
    });

    it('ignores a non-terminal event without calling SageMaker', async () => {
      // Prepare
      const { deps, sageMaker, senders } = finishWorld();

      // Act
      const outcome = await notifyOnFinish(fixture(SYNTHETIC_IN_PROGRESS), deps);

      // Assess
      expect(outcome).toEqual({
        kind: 'ignored',
        job: 'exp-42-lr-3e-4',
        reason: 'non-terminal status InProgress',
      });
      expect(sageMaker.describeCalls).toBe(0);
      expect(senders.emails).toHaveLength(0);
    });

    it('changes nothing when a late InProgress arrives after Completed', async () => {
      // Prepare
      const { deps, senders } = finishWorld();
      await notifyOnFinish(stateChangeEvent(), deps);

      // Act
      const late = await notifyOnFinish(
        stateChangeEvent({ status: 'InProgress', secondaryStatus: 'Training' }),
        deps
      );
      const duplicate = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(late.kind).toBe('ignored');
      expect(duplicate.kind).toBe('ignored');
      expect(senders.emails).toHaveLength(1);
    });

    it('sends one notice per job when Failed, Completed and Stopped arrive for it (case 4)', async () => {
      // Prepare
      const { deps, senders, log, metrics } = finishWorld({
        answers: [finishedJob({ status: 'Failed', creationTime: CREATED })],
      });

      // Act
      const failed = await notifyOnFinish(stateChangeEvent({ status: 'Failed' }), deps);
      const completed = await notifyOnFinish(stateChangeEvent({ status: 'Completed' }), deps);
      const stopped = await notifyOnFinish(stateChangeEvent({ status: 'Stopped' }), deps);

      // Assess
      expect(failed).toMatchObject({ kind: 'notice', status: 'Failed' });
      expect(completed).toEqual({
        kind: 'ignored',
        job: JOB,
        reason: 'contradiction: Completed after the Failed notice was sent',
      });
      expect(stopped).toMatchObject({
        kind: 'ignored',
        reason: expect.stringMatching(/^contradiction: Stopped/),
      });
      expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
      expect(metrics.total('NoticeContradiction')).toBe(2);
      expect(log.lines).toContainEqual({
        level: 'warn',
        message: 'terminal status contradicts the finish notice already sent; not sent again',
        extra: { key: completedKey(), job: JOB, status: 'Completed', sent: 'Failed' },
      });
    });

    it('says the status DescribeTrainingJob reports for the same job when the first event disagrees (case 4)', async () => {
      // Prepare: a late, wrong Failed event of a job SageMaker reports as Completed
      const { deps, senders, log } = finishWorld({
        answers: [finishedJob({ status: 'Completed', creationTime: CREATED })],
      });

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent({ status: 'Failed' }), deps);
      const rightOne = await notifyOnFinish(stateChangeEvent({ status: 'Completed' }), deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', status: 'Completed' });
      expect(senders.emails[0]?.ref.status).toBe('Completed');
      expect(senders.emails[0]?.message.subject).toMatch(/^Pool Warden: Completed/);
      expect(rightOne).toMatchObject({
        kind: 'ignored',
        reason: 'duplicate: Completed notice already sent',
      });
      expect(log.lines.map((l) => l.message)).toContain(
        'event status differs from the job’s; the notice says the job’s'
      );
    });

    it('keeps the event’s status when Describe answers for another job of the reused name (case 4)', async () => {
      // Prepare
      const { deps } = finishWorld({
        answers: [finishedJob({ status: 'Completed', creationTime: CREATED + 7_200_000 })],
      });

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent({ status: 'Failed' }), deps);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', status: 'Failed' });
    });

    it('says on retry the status an earlier partial delivery said, whatever the new event says (case 4)', async () => {
      // Prepare
      const { deps, senders, metrics } = finishWorld({
        answers: [finishedJob({ status: 'Stopped', creationTime: CREATED })],
      });
      senders.failures.email = 1;
      await expect(notifyOnFinish(stateChangeEvent({ status: 'Stopped' }), deps)).rejects.toThrow(
        'email down'
      );
      const later = {
        ...deps,
        sageMaker: new ScriptedSageMaker([
          finishedJob({ status: 'Completed', creationTime: CREATED }),
        ]),
      };

      // Act
      const retry = await notifyOnFinish(stateChangeEvent({ status: 'Completed' }), later);

      // Assess
      expect(retry).toMatchObject({
        kind: 'notice',
        status: 'Stopped',
        channels: ['email', 'slack'],
      });
      expect(senders.emails.map((e) => e.ref.status)).toEqual(['Stopped']);
      expect(senders.slacks.map((m) => m.ref.status)).toEqual(['Stopped']);
      expect(metrics.total('NoticeContradiction')).toBe(1);
    });

    it('lets only one of two concurrent invocations send, the other backing off', async () => {
      // Prepare
      const { deps, senders } = finishWorld();

      // Act
      const results = await Promise.allSettled([
        notifyOnFinish(stateChangeEvent({ id: 'evt-a' }), deps),
        notifyOnFinish(stateChangeEvent({ id: 'evt-b' }), deps),
      ]);

      // Assess
      expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
      const rejected = results.find((r) => r.status === 'rejected');
      expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(
        NoticeInProgressError
      );
      expect(senders.emails).toHaveLength(1);
    });
  });

  describe('malformed events', () => {
    it('rejects and parks an event without a job name, with the reason', async () => {
      // Prepare
      const { deps, parked, senders } = finishWorld();
      const event = stateChangeEvent({ detail: { TrainingJobName: 42 } });

      // Act
      const outcome = await notifyOnFinish(event, deps);

      // Assess
      const reason = 'detail.TrainingJobName is missing or not a string';
      expect(outcome).toEqual({ kind: 'rejected', reason });
      expect(parked.entries).toEqual([{ reason, receivedAt: NOW, event }]);
      expect(senders.emails).toHaveLength(0);
    });

    it('parks exactly one record per malformed input and never throws', async () => {
      // Prepare
      const { deps, parked } = finishWorld();
      const garbage = fc
        .anything({ withBigInt: true, withNullPrototype: true })
        .filter((v) => !(typeof v === 'object' && v !== null && 'source' in v));

      // Act / Assess
      await fc.assert(
        fc.asyncProperty(garbage, async (input) => {
          const before = parked.entries.length;
          const outcome = await notifyOnFinish(input, deps);
          expect(outcome.kind).toBe('rejected');
          expect(parked.entries).toHaveLength(before + 1);
          expect(parked.entries.at(-1)?.event).toBe(input);
        }),
        { numRuns: 200 }
      );
    });

    it('never throws when detail fields of a real event hold arbitrary values', async () => {
      // Prepare
      const { deps, parked } = finishWorld();
      const detail = fc.dictionary(
        fc.constantFrom(
          'TrainingJobName',
          'TrainingJobArn',
          'TrainingJobStatus',
          'Tags',
          'ResourceConfig'
        ),
        fc.jsonValue()
      );

      // Act / Assess
      await fc.assert(
        fc.asyncProperty(detail, async (overrides) => {
          const before = parked.entries.length;
          const outcome = await notifyOnFinish(stateChangeEvent({ detail: overrides }), deps);
          expect(['notice', 'ignored', 'rejected']).toContain(outcome.kind);
          expect(parked.entries.length - before).toBe(outcome.kind === 'rejected' ? 1 : 0);
        }),
        { numRuns: 100 }
      );
    });

    it('logs the optional fields it had to ignore', async () => {
      // Prepare
      const { deps, log } = finishWorld();

      // Act
      await notifyOnFinish(stateChangeEvent({ detail: { TrainingEndTime: 'soon' } }), deps);

      // Assess
      expect(log.lines).toContainEqual({
        level: 'warn',
        message: 'event fields ignored',
        extra: { warnings: ['detail.TrainingEndTime ignored: expected a timestamp'] },
      });
    });
  });

  describe('DescribeTrainingJob retries', () => {
    it('describes again, with backoff on the clock, while the warm pool status is missing', async () => {
      // Prepare
      const noPool = finishedJob({ warmPool: undefined });
      const { deps, clock, sageMaker, senders } = finishWorld({
        answers: [noPool, noPool, finishedJob()],
      });

      // Act
      await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(sageMaker.describeCalls).toBe(3);
      expect(clock.now()).toBe(NOW + 1000 + 2000);
      expect(senders.emails[0]?.message.text).toContain('Warm pool:     Available until');
    });

    it('stops after notices.describeAttempts and reports the pool as missing', async () => {
      // Prepare
      const config = configFrom(`${TEAM_CONFIG_YAML}notices:\n  describeAttempts: 3\n`);
      const { deps, clock, sageMaker, senders, log } = finishWorld({
        config,
        answers: [finishedJob({ warmPool: undefined })],
      });

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(outcome.kind).toBe('notice');
      expect(sageMaker.describeCalls).toBe(3);
      expect(clock.now()).toBe(NOW + 1000 + 2000);
      expect(senders.emails[0]?.message.text).toContain(
        'No warm pool reported although the job asked for 30m 00s of keep-alive'
      );
      expect(log.lines).toContainEqual({
        level: 'warn',
        message: 'warm pool status still missing after retries',
        extra: { job: JOB, attempts: 3 },
      });
    });

    it('uses the default of four attempts, waiting 1 s, 2 s and 4 s', async () => {
      // Prepare
      const { deps, clock, sageMaker } = finishWorld({
        answers: [finishedJob({ warmPool: undefined })],
      });

      // Act
      await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(sageMaker.describeCalls).toBe(4);
      expect(clock.now()).toBe(NOW + 7000);
    });

    it('describes once when the job asked for no keep-alive', async () => {
      // Prepare
      const { deps, clock, sageMaker, senders } = finishWorld({
        answers: [finishedJob({ keepAliveSeconds: 0, warmPool: undefined })],
      });

      // Act
      await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(sageMaker.describeCalls).toBe(1);
      expect(clock.now()).toBe(NOW);
      expect(senders.emails[0]?.message.text).toContain(
        'No warm pool (the job set no keep-alive).'
      );
    });

    it('notifies from the event alone when SageMaker no longer knows the job', async () => {
      // Prepare
      const { deps, sageMaker, senders, log } = finishWorld({ answers: [undefined] });

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(outcome.kind).toBe('notice');
      expect(sageMaker.describeCalls).toBe(1);
      expect(senders.emails[0]?.message.text).toContain(
        'No warm pool (the job set no keep-alive).'
      );
      expect(log.lines.map((l) => l.message)).toContain(
        'training job not found; notice uses event data only'
      );
    });
  });

  describe('owner resolution', () => {
    it('does not call ListTags when the event carried tags', async () => {
      // Prepare
      const { deps, sageMaker } = finishWorld();

      // Act
      await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(sageMaker.listTagsCalls).toBe(0);
    });

    it('asks ListTags when the event carried an empty Tags map, and uses its answer', async () => {
      // Prepare
      const { deps, sageMaker, senders } = finishWorld({ listTags: { 'warden:owner': 'bob' } });

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent({ tags: {} }), deps);

      // Assess
      expect(sageMaker.listTagsCalls).toBe(1);
      expect(outcome.kind === 'notice' && outcome.owner).toBe('bob');
      expect(senders.emails[0]?.message.to).toBe('bob@example.com');
      expect(senders.slacks[0]?.target).toEqual({ kind: 'webhook', name: 'vision' });
    });

    it('uses the CloudTrail caller when neither tags nor the role map name anyone', async () => {
      // Prepare
      const { deps, callers, senders } = finishWorld({
        answers: [finishedJob({ roleArn: UNMAPPED_ROLE })],
      });
      const call = parseCreateTrainingJobCall(
        createTrainingJobCall({
          userIdentity: assumedRoleIdentity(
            'AWSReservedSSO_MLEngineer_0123456789abcdef',
            'carol@example.com'
          ),
        })
      );
      if (!call.ok) throw new Error(call.reason);
      await callers.record(jobKey(call.call.jobArn), call.call.caller, NOW);
      const event = stateChangeEvent({
        tags: [{ Key: 'warden:owner', Value: 'nobody-here' }],
        detail: { RoleArn: UNMAPPED_ROLE },
      });

      // Act
      const outcome = await notifyOnFinish(event, deps);

      // Assess
      expect(outcome.kind === 'notice' && outcome.owner).toBe('carol@example.com');
      expect(senders.emails[0]?.message.to).toBe('carol@example.com');
      expect(senders.emails[0]?.message.text).toContain(
        'Owner candidates tried first:\n  - tag warden:owner "nobody-here" is not a directory id, an email address or a Slack member id'
      );
      expect(senders.slacks).toHaveLength(0);
    });

    it('does not read the CloudTrail caller when a tag already names the owner', async () => {
      // Prepare
      const { deps } = finishWorld();
      let finds = 0;
      const counting = {
        ...deps,
        callers: {
          record: async () => undefined,
          find: async () => {
            finds += 1;
            return undefined;
          },
        },
      };

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), counting);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', owner: 'alice' });
      expect(finds).toBe(0);
    });

    it('falls back to the fallback contact when nothing names an owner', async () => {
      // Prepare
      const { deps, senders } = finishWorld({ answers: [finishedJob({ roleArn: UNMAPPED_ROLE })] });

      // Act
      const outcome = await notifyOnFinish(
        stateChangeEvent({
          tags: [{ Key: 'project', Value: 'resnet' }],
          detail: { RoleArn: UNMAPPED_ROLE },
        }),
        deps
      );

      // Assess
      expect(outcome.kind === 'notice' && outcome.owner).toBe('platform');
      expect(senders.emails[0]?.message.to).toBe('ml-platform@example.com');
    });

    it('sends the failure reason of a failed job to the owner named by a Tags list', async () => {
      // Prepare
      const failed = fixture(SYNTHETIC_FAILED);
      const { deps, senders } = finishWorld({
        answers: [
          finishedJob({
            name: 'exp-42-lr-3e-4',
            arn: jobArn('exp-42-lr-3e-4', 'eu-west-1'),
            creationTime: 1795169100000,
            status: 'Failed',
            failureReason: 'AlgorithmError: ExecuteUserScriptError: ExitCode 1',
            keepAliveSeconds: 0,
            warmPool: undefined,
          }),
        ],
      });

      // Act
      const outcome = await notifyOnFinish(failed, deps);

      // Assess
      // The tag names alice by her address, so her directory entry is used (case 2).
      expect(outcome).toMatchObject({ kind: 'notice', status: 'Failed', owner: 'alice' });
      expect(senders.slacks[0]?.target).toEqual({ kind: 'user', id: 'U0ALICE01' });
      expect(senders.emails[0]?.message.text).toContain(
        'Failure reason: AlgorithmError: ExecuteUserScriptError: ExitCode 1'
      );
      expect(senders.emails[0]?.message.text).toContain(
        'https://eu-west-1.console.aws.amazon.com/'
      );
    });
  });

  describe('failures and retries', () => {
    it('rejects when Slack fails after email got through, and the retry sends only Slack', async () => {
      // Prepare
      const { deps, senders } = finishWorld();
      senders.failures.slack = 1;
      const event = stateChangeEvent();

      // Act
      const first = notifyOnFinish(event, deps);
      await expect(first).rejects.toThrow('slack down');
      const afterFailure = [senders.emails.length, senders.slacks.length];
      const retry = await notifyOnFinish(event, deps);
      const again = await notifyOnFinish(event, deps);

      // Assess
      expect(afterFailure).toEqual([1, 0]);
      expect(retry).toMatchObject({ kind: 'notice', channels: ['email', 'slack'] });
      expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
      expect(again.kind).toBe('ignored');
    });

    it('does not repeat a delivered channel when SageMaker reports another ARN than the event', async () => {
      // Prepare: the AWS sample's job name does not match its ARN, so Describe (by name) disagrees.
      const name = '89c96cc8-dded-4739-afcc-6f1dc936701d';
      const { deps, senders } = finishWorld({
        answers: [finishedJob({ name, arn: jobArn(name) })],
        listTags: { 'warden:owner': 'alice' },
      });
      senders.failures.slack = 1;
      const event = fixture(AWS_DOCS_SAMPLE);

      // Act
      await expect(notifyOnFinish(event, deps)).rejects.toThrow('slack down');
      await notifyOnFinish(event, deps);

      // Assess
      expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
    });

    it('still tries Slack when email fails, and the retry sends only email', async () => {
      // Prepare
      const { deps, senders } = finishWorld();
      senders.failures.email = 1;

      // Act
      await expect(notifyOnFinish(stateChangeEvent(), deps)).rejects.toThrow('email down');
      const afterFailure = [senders.emails.length, senders.slacks.length];
      await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(afterFailure).toEqual([0, 1]);
      expect([senders.emails.length, senders.slacks.length]).toEqual([1, 1]);
    });

    it('completes the notice by email and logs an error when Slack can never be reached (case 6)', async () => {
      // Prepare
      const { deps, senders, log, metrics } = finishWorld();
      const unreachable = new DeliveryError('slack', 'invalid_auth (token revoked)');
      const withDeadSlack = { ...deps, slack: { send: () => Promise.reject(unreachable) } };

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), withDeadSlack);
      const again = await notifyOnFinish(stateChangeEvent(), withDeadSlack);

      // Assess
      expect(outcome).toMatchObject({ kind: 'notice', channels: ['email'] });
      expect(again.kind).toBe('ignored');
      expect(senders.emails).toHaveLength(1);
      expect(log.lines).toContainEqual(
        expect.objectContaining({
          level: 'error',
          extra: expect.objectContaining({
            channel: 'slack',
            reason: 'invalid_auth (token revoked)',
          }),
        })
      );
      expect(metrics.total('ChannelFailedPermanent', { channel: 'slack', kind: 'rejected' })).toBe(
        1
      );
    });

    it('fails the invocation when the only channel can never be reached, so the event is kept', async () => {
      // Prepare
      const { deps } = finishWorld({
        config: configFrom('version: 1\nowners:\n  fallback: U0ONLYSLACK\n'),
      });
      const unreachable = new DeliveryError(
        'slack',
        'chat.postMessage failed: channel_not_found (HTTP 200)'
      );
      const onlySlack = { ...deps, slack: { send: () => Promise.reject(unreachable) } };

      // Act
      const result = notifyOnFinish(stateChangeEvent({ tags: [] }), onlySlack);

      // Assess
      await expect(result).rejects.toMatchObject({ code: 'DELIVERY_FAILED', retryable: false });
    });

    it('rejects with a retryable DeliveryError naming both failures when every channel fails', async () => {
      // Prepare
      const { deps, senders } = finishWorld();
      senders.failures.email = 1;
      senders.failures.slack = 1;

      // Act
      const error = await notifyOnFinish(stateChangeEvent(), deps).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DeliveryError);
      expect(error).toMatchObject({
        code: 'DELIVERY_FAILED',
        retryable: true,
        message: 'all channels delivery failed: email down; slack down',
      });
    });

    it('throws NoticeInProgressError when another invocation holds the claim', async () => {
      // Prepare
      const { deps, ledger, sageMaker, senders } = finishWorld();
      const key = completedKey();
      await ledger.claim(key, NOW - 1000);

      // Act
      const result = notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      await expect(result).rejects.toBeInstanceOf(NoticeInProgressError);
      await expect(notifyOnFinish(stateChangeEvent(), deps)).rejects.toMatchObject({
        code: 'NOTICE_IN_PROGRESS',
        retryable: true,
      });
      expect(sageMaker.describeCalls).toBe(0);
      expect(senders.emails).toHaveLength(0);
    });

    it('takes over a claim whose lease has expired', async () => {
      // Prepare
      const { deps, ledger, clock, senders } = finishWorld();
      await ledger.claim(completedKey(), NOW);
      clock.advanceTo(NOW + 5 * 60_000);

      // Act
      const outcome = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(outcome.kind).toBe('notice');
      expect(senders.emails).toHaveLength(1);
    });

    it('releases the lease after a failure, so an immediate retry proceeds', async () => {
      // Prepare
      const flaky = new FlakySageMaker(1, finishedJob());
      const { deps, clock, senders } = finishWorld({ sageMaker: flaky });

      // Act
      await expect(notifyOnFinish(stateChangeEvent(), deps)).rejects.toThrow('ThrottlingException');
      const retry = await notifyOnFinish(stateChangeEvent(), deps);

      // Assess
      expect(clock.now()).toBe(NOW);
      expect(retry.kind).toBe('notice');
      expect(flaky.describeCalls).toBe(2);
      expect(senders.emails).toHaveLength(1);
    });
  });
});
