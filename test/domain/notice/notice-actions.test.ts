import { describe, expect, it } from 'vitest';
import type { NoticeAction } from '../../../src/domain/actions/action-grant.js';
import { buildPoolNotice } from '../../../src/domain/notice/pool-notice.js';
import { renderEmail } from '../../../src/domain/notice/render-email.js';
import { renderEmailHtml } from '../../../src/domain/notice/render-email-html.js';
import { renderPoolEmail } from '../../../src/domain/notice/render-pool-email.js';
import { renderPoolSlack } from '../../../src/domain/notice/render-pool-slack.js';
import { renderSlack, type SlackMessage } from '../../../src/domain/notice/render-slack.js';
import { aliceOwner, jobArn, noticeFor } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';

const BASE = 'https://abc123.execute-api.us-east-1.amazonaws.com';

const ACTIONS: readonly NoticeAction[] = [
  {
    kind: 'extend',
    label: 'Keep warm until 11:30 CET',
    url: `${BASE}/a/AAA`,
    token: 'AAA',
    slackToken: 'sAAA',
    confirm: false,
  },
  {
    kind: 'extend',
    label: 'Keep warm until 12:00 CET',
    url: `${BASE}/a/BBB`,
    token: 'BBB',
    slackToken: 'sBBB',
    confirm: false,
  },
  {
    kind: 'release',
    label: 'Release now',
    url: `${BASE}/a/CCC`,
    token: 'CCC',
    slackToken: 'sCCC',
    confirm: true,
  },
];

function buttonsOf(message: SlackMessage) {
  return message.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
}

describe('actions in notices', () => {
  it('lists each action as a line with its link in the finish email', () => {
    // Prepare
    const notice = { ...noticeFor(), actions: ACTIONS };

    // Act
    const email = renderEmail(notice, 'alice@example.com');

    // Assess
    expect(email.text).toContain(
      [
        'Keep the pool warm longer, or release it (each link opens a page that asks you to confirm):',
        `  Keep warm until 11:30 CET: ${BASE}/a/AAA`,
        `  Keep warm until 12:00 CET: ${BASE}/a/BBB`,
        `  Release now: ${BASE}/a/CCC`,
      ].join('\n')
    );
    expect(email.actionUrls).toEqual([`${BASE}/a/AAA`, `${BASE}/a/BBB`, `${BASE}/a/CCC`]);
  });

  it('names only what the links offer: a pool kept to the maximum can only be released', () => {
    // Prepare
    const release = ACTIONS.filter((a) => a.kind === 'release');
    const extend = ACTIONS.filter((a) => a.kind === 'extend');

    // Act
    const onlyRelease = renderEmail({ ...noticeFor(), actions: release }, 'alice@example.com');
    const onlyExtend = renderEmail({ ...noticeFor(), actions: extend }, 'alice@example.com');

    // Assess
    expect(onlyRelease.text).toContain(
      `Release the pool (the link opens a page that asks you to confirm):\n  Release now: ${BASE}/a/CCC`
    );
    expect(onlyExtend.text).toContain(
      'Keep the pool warm longer (each link opens a page that asks you to confirm):'
    );
  });

  it('makes the action links live in the HTML part, and no other non-console URL', () => {
    // Prepare: a failure reason quoting a URL must stay text
    const notice = {
      ...noticeFor({ status: 'Failed', job: { failureReason: `see ${BASE}/a/FORGED` } }),
      actions: ACTIONS,
    };

    // Act
    const html = renderEmailHtml(renderEmail(notice, 'alice@example.com'));

    // Assess
    expect(html).toContain(`<a href="${BASE}/a/AAA">`);
    expect(html).toContain(`<a href="${BASE}/a/CCC">`);
    expect(html).not.toContain(`<a href="${BASE}/a/FORGED">`);
  });

  it('says nothing about actions when the notice has none', () => {
    // Act
    const email = renderEmail(noticeFor(), 'alice@example.com');
    const slack = renderSlack(noticeFor());

    // Assess
    expect(email.text).not.toContain('Keep warm');
    expect(email.actionUrls).toBeUndefined();
    expect(buttonsOf(slack)).toEqual([]);
  });

  it('shows Slack buttons with the Slack-only token as value, one primary, and a confirmation on release', () => {
    // Act
    const buttons = buttonsOf(renderSlack({ ...noticeFor(), actions: ACTIONS }));

    // Assess
    expect(buttons.map((b) => [b.action_id, b.text.text, b.value, b.style])).toEqual([
      ['warden_extend', 'Keep warm until 11:30 CET', 'sAAA', 'primary'],
      ['warden_extend_2', 'Keep warm until 12:00 CET', 'sBBB', undefined],
      ['warden_release', 'Release now', 'sCCC', 'danger'],
    ]);
    expect(buttons[2]?.confirm).toEqual({
      title: { type: 'plain_text', text: 'Release the warm pool?' },
      text: {
        type: 'plain_text',
        text: 'SageMaker ends the warm pool of resnet-sweep-017 now, and your next matching job starts cold. This cannot be undone.',
      },
      confirm: { type: 'plain_text', text: 'Release now' },
      deny: { type: 'plain_text', text: 'Keep it' },
      style: 'danger',
    });
  });

  it('drops an action whose URL or token a channel could misread', () => {
    // Prepare
    const bad: NoticeAction[] = [
      { ...ACTIONS[0], url: `${BASE}/a/x y`, token: 'AAA' } as NoticeAction,
      { ...ACTIONS[2], token: 'a'.repeat(2001) } as NoticeAction,
    ];

    // Act
    const notice = { ...noticeFor(), actions: bad };

    // Assess
    expect(renderEmail(notice, 'alice@example.com').text).not.toContain('Keep the pool warm');
    expect(buttonsOf(renderSlack(notice))).toEqual([]);
  });

  it('offers the actions in a release warning, and points to them instead of an admin', () => {
    // Prepare
    const notice = buildPoolNotice({
      kind: 'release-warning',
      pool: {
        jobName: 'resnet-sweep-017',
        jobArn: jobArn('resnet-sweep-017'),
        region: 'us-east-1',
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 1,
      },
      owner: aliceOwner(),
      previousExpiry: T0 + 1_800_000,
      newExpiry: T0 + 900_000,
      reason: 'outside working hours: release',
      dryRun: false,
      now: T0 + 300_000,
      actions: ACTIONS,
    });

    // Act
    const email = renderPoolEmail(notice, 'alice@example.com');
    const slack = renderPoolSlack(notice);

    // Assess
    expect(email.text).toContain(`  Release now: ${BASE}/a/CCC`);
    expect(email.text).toContain('choose a Keep warm time below');
    expect(email.text).not.toContain('ask a Pool Warden admin');
    expect(buttonsOf(slack).map((b) => b.action_id)).toEqual([
      'warden_extend',
      'warden_extend_2',
      'warden_release',
    ]);
  });
});
