import { describe, expect, it } from 'vitest';
import { parseStateChangeEvent } from '../../../src/domain/event/state-change-event.js';
import { composeFinishNotice } from '../../../src/domain/finish/compose-finish-notice.js';
import { notifyOnFinish } from '../../../src/domain/finish/notify-on-finish.js';
import { finishedJob } from '../../helpers/domain-notices.js';
import { configFrom, stateChangeEvent, TEAM_CONFIG_YAML } from '../../helpers/factories.js';
import { CREATED, finishWorld } from './finish-world.js';

/** The default event with `status`; Failed: a late event of the job that was deleted. */
function eventOf(status: 'Completed' | 'Failed') {
  const parsed = parseStateChangeEvent(stateChangeEvent({ status }));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

const failedEvent = () => eventOf('Failed');

/** The job now holding the name: created two hours later, bigger, with a warm pool. */
const NEWER_JOB = finishedJob({
  creationTime: CREATED + 7_200_000,
  instanceType: 'ml.p4d.24xlarge',
  instanceCount: 4,
  billableSeconds: 9_000,
  keepAliveSeconds: 3_600,
});

describe('composeFinishNotice', () => {
  it('builds the notice from the event alone, marked detailsUnavailable, when the name now belongs to a newer job (case 1)', async () => {
    // Prepare
    const { deps } = finishWorld({ answers: [NEWER_JOB] });

    // Act
    const notice = await composeFinishNotice(failedEvent(), 'Failed', undefined, deps);

    // Assess
    expect(notice.detailsUnavailable).toBe(true);
    expect(notice.status).toBe('Failed');
    expect(notice.instanceType).toBe('ml.g5.2xlarge');
    expect(notice.instanceCount).toBe(1);
    expect(notice.billableSeconds).toBeUndefined();
    expect(notice.pool).toEqual({ kind: 'none' });
    expect(notice.durationSeconds).toBe(3600);
  });

  it('marks the details unavailable when SageMaker no longer knows the job (case 1)', async () => {
    // Prepare
    const { deps } = finishWorld({ answers: [undefined] });

    // Act
    const notice = await composeFinishNotice(failedEvent(), 'Failed', undefined, deps);

    // Assess
    expect(notice.detailsUnavailable).toBe(true);
  });

  it('enriches from Describe without the mark when Describe answers for the same job', async () => {
    // Prepare
    const { deps } = finishWorld({ answers: [finishedJob({ status: 'Failed' })] });

    // Act
    const notice = await composeFinishNotice(failedEvent(), 'Failed', undefined, deps);

    // Assess
    expect(notice).not.toHaveProperty('detailsUnavailable');
    expect(notice.billableSeconds).toBe(3600);
    expect(notice.pool.kind).toBe('available');
  });

  it('names the rule the steward will manage the pool under, and none in dry run', async () => {
    // Prepare: the default event's job is tagged warden:owner=alice, of team vision.
    const rules = 'rules:\n  - name: everything\n    match: {}\n    mode: adaptive\n';
    const acting = finishWorld({
      config: configFrom(`${TEAM_CONFIG_YAML}settings:\n  dryRun: false\n${rules}`),
    });
    const dry = finishWorld({ config: configFrom(`${TEAM_CONFIG_YAML}${rules}`) });
    const completed = () => eventOf('Completed');

    // Act
    const managed = await composeFinishNotice(completed(), 'Completed', undefined, acting.deps);
    const dryRun = await composeFinishNotice(completed(), 'Completed', undefined, dry.deps);

    const noPool = finishWorld({
      config: acting.deps.config,
      answers: [finishedJob({ warmPool: { status: 'Terminated' } })],
    });
    const terminated = await composeFinishNotice(completed(), 'Completed', undefined, noPool.deps);

    // Assess
    expect(managed.managedByRule).toBe('everything');
    expect(dryRun).not.toHaveProperty('managedByRule');
    expect(terminated).not.toHaveProperty('managedByRule');
  });

  it('says the status an earlier delivery recorded before the one Describe reports', async () => {
    // Prepare
    const { deps } = finishWorld({ answers: [finishedJob({ status: 'Completed' })] });

    // Act
    const notice = await composeFinishNotice(failedEvent(), 'Failed', 'Stopped', deps);

    // Assess
    expect(notice.status).toBe('Stopped');
  });

  it('ignores a recorded or described status that is not terminal', async () => {
    // Prepare
    const { deps } = finishWorld({ answers: [finishedJob({ status: 'Stopping' })] });

    // Act
    const notice = await composeFinishNotice(failedEvent(), 'Failed', 'pool-released', deps);

    // Assess
    expect(notice.status).toBe('Failed');
  });
});

describe('notifyOnFinish with a reused job name (case 1)', () => {
  it('sends a Failed notice with none of the newer job’s instance, cost or warm pool', async () => {
    // Prepare
    const { deps, senders } = finishWorld({ answers: [NEWER_JOB] });

    // Act
    const outcome = await notifyOnFinish(stateChangeEvent({ status: 'Failed' }), deps);

    // Assess
    expect(outcome).toMatchObject({ kind: 'notice', status: 'Failed' });
    const text = senders.emails[0]?.message.text ?? '';
    expect(text).not.toContain('ml.p4d.24xlarge');
    expect(text).not.toContain('Available until');
    expect(text).not.toContain('(Completed)');
    expect(senders.emails[0]?.message.subject).toMatch(/^Pool Warden: Failed/);
  });
});
