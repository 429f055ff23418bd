import { describe, expect, it } from 'vitest';
import { parseStateChangeEvent } from '../../../src/domain/event/state-change-event.js';
import { composeFinishNotice } from '../../../src/domain/finish/compose-finish-notice.js';
import { noActionLinks } from '../../../src/domain/ports/action-links.js';
import { finishedJob } from '../../helpers/domain-notices.js';
import { recordingActionLinks, stateChangeEvent, T0 } from '../../helpers/factories.js';
import { finishWorld } from '../finish/finish-world.js';

function completedEvent() {
  const parsed = parseStateChangeEvent(stateChangeEvent());
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.event;
}

describe('finish notice actions', () => {
  it('offers keeping warm until what SageMaker allows, and a release, signed through the port', async () => {
    // Prepare: ended 10:00Z with 30 minutes; the 1h maximum ends it at 11:00Z (12:00 CET)
    const { deps } = finishWorld();
    const links = recordingActionLinks();

    // Act
    const notice = await composeFinishNotice(completedEvent(), 'Completed', undefined, {
      ...deps,
      actionLinks: links,
    });

    // Assess
    expect(notice.actions).toEqual([
      {
        kind: 'extend',
        label: 'Keep warm until 12:00 CET',
        url: 'https://warden.example/a/tok-1',
        token: 'tok-1',
        slackToken: 'slack-tok-1',
        confirm: false,
      },
      {
        kind: 'release',
        label: 'Release now',
        url: 'https://warden.example/a/tok-2',
        token: 'tok-2',
        slackToken: 'slack-tok-2',
        confirm: true,
      },
    ]);
    expect(links.grants[0]).toEqual({
      jobArn: notice.jobArn,
      creationTime: T0 - 3_900_000,
      action: { kind: 'extend', keepAliveSeconds: 3600 },
      owner: notice.owner.id,
      expiresAt: T0 + 1_800_000,
    });
  });

  it('offers nothing when actions are not configured', async () => {
    // Prepare
    const { deps } = finishWorld();

    // Act
    const notice = await composeFinishNotice(completedEvent(), 'Completed', undefined, {
      ...deps,
      actionLinks: noActionLinks,
    });

    // Assess
    expect(notice.actions).toBeUndefined();
  });

  it('offers nothing for a pool SageMaker reports gone', async () => {
    // Prepare
    const { deps } = finishWorld({ answers: [finishedJob({ warmPool: { status: 'Reused' } })] });
    const links = recordingActionLinks();

    // Act
    const notice = await composeFinishNotice(completedEvent(), 'Completed', undefined, {
      ...deps,
      actionLinks: links,
    });

    // Assess
    expect(notice.actions).toBeUndefined();
    expect(links.grants).toEqual([]);
  });

  it('sends the notice without links, and says so to the operators, when signing fails', async () => {
    // Prepare
    const { deps, log } = finishWorld();
    const failing = {
      link: async () => {
        throw new Error('Secrets Manager: AccessDenied');
      },
    };

    // Act
    const notice = await composeFinishNotice(completedEvent(), 'Completed', undefined, {
      ...deps,
      actionLinks: failing,
    });

    // Assess
    expect(notice.actions).toBeUndefined();
    expect(notice.pool.kind).toBe('available');
    expect(JSON.stringify(log)).toContain('action links could not be signed');
  });
});
