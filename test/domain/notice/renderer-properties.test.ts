import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { NoticeAction } from '../../../src/domain/actions/action-grant.js';
import { parseStateChangeEvent } from '../../../src/domain/event/state-change-event.js';
import { isTerminalStatus } from '../../../src/domain/job/job-status.js';
import { buildNotice, type Notice } from '../../../src/domain/notice/notice.js';
import {
  buildPoolNotice,
  type PoolNotice,
  type PoolNoticeKind,
} from '../../../src/domain/notice/pool-notice.js';
import {
  type EmailMessage,
  renderEmail,
  SNS_MESSAGE_LIMIT_BYTES,
  utf8Bytes,
} from '../../../src/domain/notice/render-email.js';
import { renderEmailHtml } from '../../../src/domain/notice/render-email-html.js';
import { renderPoolEmail } from '../../../src/domain/notice/render-pool-email.js';
import { renderPoolSlack } from '../../../src/domain/notice/render-pool-slack.js';
import { renderSlack, type SlackMessage } from '../../../src/domain/notice/render-slack.js';
import type { ResolvedOwner } from '../../../src/domain/owner/resolve-owner.js';
import { hourlyPrice } from '../../../src/domain/pricing/price-table.js';
import { CONTROL_CHARACTERS, HOSTILE_TEXT } from '../../helpers/domain-notices.js';
import { T0 } from '../../helpers/factories.js';
import { expectContextWithinSlackLimits, expectWithinSlackTextLimits } from './slack-assertions.js';

/**
 * The standing defence of issue 7: whatever an event, a directory entry or a config holds, the
 * renderers of finish and pool notices, email and Slack, never throw, never let job-controlled
 * text form a live Slack mention, link or code fence, never print a number they do not have,
 * and keep an email far under the SNS limit. The events go through the real parser, and a good
 * share of them must parse, so the properties exercise the success path, not only rejections.
 */

const RUNS = 300;
/** Reruns a failure: `FC_SEED=-1862538065 npx vitest run …` (a token that spelt NaN, 2026-11-27). */
const SEED = process.env.FC_SEED === undefined ? {} : { seed: Number(process.env.FC_SEED) };

/** Text from every corner: plain names, hostile strings, any code unit, long runs. */
/** What a number the notice does not have looks like once rendered. */
const FALSE_NUMBER = /∞|NaN|Infinity|undefined|\$-/;

function anyText(maxLength: number): fc.Arbitrary<string> {
  // Text that itself spells a false number would be echoed, rightly: the properties below ask
  // that the renderer never makes one up (seed 390234320 drew a failure reason of "∞").
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.stringMatching(/^[a-zA-Z0-9](-?[a-zA-Z0-9]){0,30}$/) },
      { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TEXT) },
      { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength }) },
      {
        weight: 2,
        arbitrary: fc.string({
          unit: fc.constantFrom('<', '>', '&', '!', '@', '|', '`', '*', '\n', '\r', '\u001b', 'a'),
          maxLength,
        }),
      },
      {
        weight: 1,
        arbitrary: fc
          .tuple(fc.constantFrom(...HOSTILE_TEXT), fc.integer({ min: 100, max: 3000 }))
          .map(([t, n]) => t.repeat(n)),
      }
    )
    .filter((text) => !FALSE_NUMBER.test(text));
}

/** An integer field as SageMaker sends it, or as a hostile or broken event might. */
function anyCount(good: fc.Arbitrary<number>): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 6, arbitrary: good },
    { weight: 2, arbitrary: good.map(String) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '1e3',
        '0x10',
        ' 5',
        '007',
        -1,
        1.5,
        1e15,
        Number.NaN,
        Number.POSITIVE_INFINITY,
        null,
        'many'
      ),
    }
  );
}

/** A time as events carry it, or at and past the edges of the Date range. */
const anyTime: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: T0 - 86_400_000, max: T0 + 86_400_000 }) },
  {
    weight: 2,
    arbitrary: fc.integer({ min: T0 - 86_400_000, max: T0 }).map((t) => new Date(t).toISOString()),
  },
  {
    weight: 2,
    arbitrary: fc.constantFrom(8.64e15, 8.64e15 - 1, 0, -1, '9999-12-31T23:59:59Z', 'soon'),
  }
);

const INSTANCE_TYPES = ['ml.g5.2xlarge', 'ml.p5.48xlarge', 'ml.trn2.48xlarge', 'ml.m5.large'];

/** An EventBridge "SageMaker Training Job State Change" event, mostly well formed. */
const anyEvent: fc.Arbitrary<Record<string, unknown>> = fc
  .record({
    name: anyText(300),
    arnName: fc.stringMatching(/^[a-z0-9](-?[a-z0-9]){0,40}$/),
    status: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom('Completed', 'Failed', 'Stopped') },
      { weight: 1, arbitrary: fc.constantFrom('InProgress', '', 'Completed\u0000') }
    ),
    secondary: fc.option(anyText(100)),
    reason: fc.option(anyText(5000)),
    instanceType: fc.oneof(fc.constantFrom(...INSTANCE_TYPES), anyText(80)),
    instanceCount: anyCount(fc.integer({ min: 1, max: 64 })),
    keepAlive: anyCount(fc.integer({ min: 0, max: 25_000 })),
    pool: fc.option(
      fc.record({
        Status: fc.oneof(
          { weight: 6, arbitrary: fc.constantFrom('Available', 'InUse', 'Reused', 'Terminated') },
          { weight: 1, arbitrary: anyText(60) }
        ),
        ResourceRetainedBillableTimeInSeconds: anyCount(fc.integer({ min: 0, max: 21_600 })),
        ReusedByJob: fc.option(anyText(100), { nil: undefined }),
      })
    ),
    created: anyTime,
    start: anyTime,
    end: anyTime,
    training: anyCount(fc.integer({ min: 0, max: 400_000 })),
    billable: anyCount(fc.integer({ min: 0, max: 400_000 })),
    spot: fc.option(fc.boolean()),
    tags: fc.option(fc.dictionary(anyText(40), anyText(100), { maxKeys: 4 })),
  })
  .map((e) => ({
    version: '0',
    id: 'e1',
    source: 'aws.sagemaker',
    'detail-type': 'SageMaker Training Job State Change',
    region: 'us-east-1',
    time: '2026-11-26T10:00:00Z',
    detail: {
      TrainingJobName: e.name,
      TrainingJobArn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${e.arnName}`,
      TrainingJobStatus: e.status,
      SecondaryStatus: e.secondary,
      FailureReason: e.reason,
      ResourceConfig: {
        InstanceType: e.instanceType,
        InstanceCount: e.instanceCount,
        KeepAlivePeriodInSeconds: e.keepAlive,
      },
      WarmPoolStatus: e.pool,
      CreationTime: e.created,
      TrainingStartTime: e.start,
      TrainingEndTime: e.end,
      TrainingTimeInSeconds: e.training,
      BillableTimeInSeconds: e.billable,
      EnableManagedSpotTraining: e.spot,
      Tags: e.tags,
    },
  }));

const ZONES = [
  'Europe/Berlin',
  'America/New_York',
  'America/Chicago',
  'Asia/Kolkata',
  'Australia/Sydney',
  'UTC',
  'Not/A_Zone',
];

const anyOwner: fc.Arbitrary<ResolvedOwner> = fc.record({
  id: anyText(60),
  displayName: anyText(300),
  via: fc.oneof(fc.constantFrom('tag warden:owner', 'fallback contact'), anyText(100)),
  email: fc.constant('alice@example.com'),
  timeZone: fc.constantFrom(...ZONES),
  skipped: fc.array(anyText(400), { maxLength: 30 }),
});

/** A config's price override, good or absurd; `hourlyPrice` decides what reaches a notice. */
const anyOverride = fc.option(
  fc.constantFrom(1.515, 0.0001, 9_999, 1.79e308, Number.POSITIVE_INFINITY, Number.NaN, -3, 0)
);

const anyNote = fc.option(anyText(2000), { nil: undefined });

/**
 * Actions as the service's signer makes them, and now and then as a faulty one might (a URL
 * with spaces, quotes or brackets, a token too long for a button): renderers drop those.
 */
const anyActions: fc.Arbitrary<readonly NoticeAction[] | undefined> = fc
  .option(
    fc.array(
      fc.record({
        kind: fc.constantFrom<NoticeAction['kind']>('extend', 'release'),
        label: fc.oneof(
          { weight: 4, arbitrary: fc.constantFrom('Keep warm until 14:32 CET', 'Release now') },
          { weight: 1, arbitrary: anyText(200) }
        ),
        token: fc.oneof(
          { weight: 4, arbitrary: fc.stringMatching(/^[A-Za-z0-9_-]{20,200}$/) },
          { weight: 1, arbitrary: fc.constantFrom('a'.repeat(2001), 'a b', '<@U1>', '') }
        ),
        base: fc.oneof(
          {
            weight: 4,
            arbitrary: fc.constantFrom(
              'https://abc123.execute-api.us-east-1.amazonaws.com',
              'http://127.0.0.1:8787'
            ),
          },
          {
            weight: 1,
            arbitrary: fc.constantFrom('https://x.example/"><b', 'javascript:alert(1)//'),
          }
        ),
        confirm: fc.boolean(),
      }),
      { maxLength: 7 }
    ),
    { nil: undefined }
  )
  .map((list) =>
    list?.map(({ base, ...a }) => ({
      ...a,
      url: `${base}/a/${a.token}`,
      slackToken: `s${a.token}`,
    }))
  );

const T_PLUS = fc.integer({ min: -86_400_000, max: 2 * 86_400_000 }).map((d) => T0 + d);

/** Every mrkdwn text of a message, the top-level fallback `text` included. */
function mrkdwnTexts(message: SlackMessage): string[] {
  const texts = [message.text];
  for (const block of message.blocks) {
    // Buttons hold plain text only: Slack never reads a mention or link in them.
    if (block.type === 'actions') continue;
    if (block.type === 'context') {
      texts.push(...block.elements.filter((e) => e.type === 'mrkdwn').map((e) => e.text));
    } else if (block.type === 'section') {
      if (block.text?.type === 'mrkdwn') texts.push(block.text.text);
      texts.push(...(block.fields ?? []).map((f) => f.text));
    }
  }
  return texts;
}

/** Slack's limits, so Slack does not reject the whole message. */
function expectWithinSlackLimits(message: SlackMessage): void {
  expectWithinSlackTextLimits(message);
  expectContextWithinSlackLimits(message);
  expect(message.blocks.length).toBeLessThanOrEqual(50);
  for (const block of message.blocks) {
    if (block.type !== 'actions') continue;
    expect(block.elements.length).toBeLessThanOrEqual(25);
    const ids = block.elements.map((b) => b.action_id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(block.elements.filter((b) => b.style === 'primary').length).toBeLessThanOrEqual(1);
    for (const b of block.elements) {
      expect(b.text.type).toBe('plain_text');
      expect(b.text.text.length).toBeLessThanOrEqual(75);
      expect(b.value.length).toBeLessThanOrEqual(2000);
      expect(b.action_id.length).toBeLessThanOrEqual(255);
      if (b.confirm !== undefined) {
        expect(b.confirm.title.text.length).toBeLessThanOrEqual(100);
        expect(b.confirm.text.text.length).toBeLessThanOrEqual(300);
        expect(b.confirm.confirm.text.length).toBeLessThanOrEqual(30);
        expect(b.confirm.deny.text.length).toBeLessThanOrEqual(30);
      }
    }
  }
}

/**
 * The actions the renderers show are the notice's own, and only well-formed ones: each email
 * line names a URL the notice carries, each button a token it carries, and nothing that is not
 * an action of the notice becomes a live link in the HTML part (job text included).
 */
function expectOnlyOwnActions(
  actions: readonly NoticeAction[] | undefined,
  email: EmailMessage,
  slack: SlackMessage
): void {
  const own = actions ?? [];
  const urls = new Set(own.map((a) => a.url));
  const tokens = new Set(own.map((a) => a.slackToken));
  for (const url of email.actionUrls ?? []) {
    expect(urls.has(url)).toBe(true);
    expect(url).toMatch(/^https?:\/\/[^\s<>"'`|]+$/);
  }
  const buttons = slack.blocks.flatMap((b) => (b.type === 'actions' ? b.elements : []));
  for (const button of buttons) expect(tokens.has(button.value)).toBe(true);
  expect(buttons.length).toBe(email.actionUrls?.length ?? 0);
  const html = renderEmailHtml(email);
  for (const [, href] of html.matchAll(/<a href="([^"]*)"/g)) {
    const raw = (href ?? '').replace(/&amp;/g, '&');
    const live = urls.has(raw) || /^https:\/\/[a-z0-9-]+\.console\.aws\.amazon\.com\//.test(raw);
    expect(live).toBe(true);
  }
}

/**
 * No live mention (`<@U…>`, `<!channel>`, `<!here>`, `<#C…>`) or link (`<http…|…>`) unless it
 * is one the renderer built itself (the console and logs URLs, whose parts are encoded), and no
 * backtick but the fences of the failure-reason code block.
 */
function expectNoLiveMarkup(message: SlackMessage, ownLinks: readonly string[]): void {
  for (const url of ownLinks) expect(url).not.toMatch(/[<>|\s`]/);
  for (const text of mrkdwnTexts(message)) {
    let rest = text;
    for (const url of ownLinks) rest = rest.split(`<${url}|`).join('');
    // What is left of an own link is its label and the closing `>`; labels are escaped, so
    // the only `>` left must close an own link, and no `<` may remain at all.
    expect(rest).not.toMatch(/</);
    const opened = ownLinks.reduce((n, url) => n + text.split(`<${url}|`).length - 1, 0);
    expect((rest.match(/>/g) ?? []).length).toBe(opened);
    const body = rest.replace(/^\*Failure reason\*\n```/, '').replace(/```$/, '');
    expect(body).not.toContain('`');
  }
}

/** Under the SNS limit with half of it to spare, attributes counted; a valid SNS subject. */
function expectSendableEmail(email: EmailMessage, attributes: readonly string[]): void {
  const bytes =
    utf8Bytes(email.text) +
    utf8Bytes(email.subject) +
    attributes.reduce((n, a) => n + utf8Bytes(a) + 32, 0);
  expect(bytes).toBeLessThanOrEqual(SNS_MESSAGE_LIMIT_BYTES / 2);
  expect(email.subject.length).toBeLessThanOrEqual(99);
  expect(email.subject).toMatch(/^[\x20-\x7E]*$/);
  for (const line of email.text.split('\n')) expect(line).not.toMatch(CONTROL_CHARACTERS);
}

/** No number the notice does not have: `$∞`, `$NaN`, `Infinity`, `NaN` or `undefined`. */
/**
 * No `NaN`, `undefined` or the like in what a person reads. Action tokens are opaque random
 * text and may spell `NaN` by chance, so they (and the links and buttons carrying them) are
 * taken out first.
 */
function expectNoFalseNumbers(
  texts: readonly string[],
  actions: readonly NoticeAction[] | undefined
): void {
  const tokens = (actions ?? []).map((a) => a.token).filter((t) => t !== '');
  for (const text of texts) {
    const readable = tokens.reduce((rest, token) => rest.split(token).join(''), text);
    expect(readable).not.toMatch(FALSE_NUMBER);
  }
}

describe('renderer properties (issue 7 standing defence)', () => {
  it('parses a good share of the generated events, so the properties reach the renderers', () => {
    // Act
    const events = fc.sample(anyEvent, { numRuns: 1000, seed: 7 });
    const parsed = events.map((e) => parseStateChangeEvent(e));

    // Assess
    const terminal = parsed.filter((p) => p.ok && isTerminalStatus(p.event.job.status));
    expect(terminal.length / events.length).toBeGreaterThan(0.5);
    expect(parsed.some((p) => !p.ok)).toBe(true);
  });

  it('renders any finish notice, email and Slack, safely and truthfully', () => {
    let rendered = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        anyEvent,
        anyOwner,
        anyOverride,
        T_PLUS,
        anyNote,
        fc.boolean(),
        anyActions,
        (event, owner, override, now, deliveryNote, detailsUnavailable, actions) => {
          runs++;
          const parsed = parseStateChangeEvent(event);
          if (!parsed.ok || !isTerminalStatus(parsed.event.job.status)) return;
          const { job } = parsed.event;
          const overrides: Record<string, number> =
            override === null || job.instanceType === undefined
              ? {}
              : { [job.instanceType]: override };
          const price = hourlyPrice(job.instanceType, overrides);
          const built: Notice = buildNotice({
            job,
            status: parsed.event.job.status,
            region: parsed.event.region,
            owner,
            now,
            detailsUnavailable,
            ...(price === undefined ? {} : { price }),
            ...(deliveryNote === undefined ? {} : { deliveryNote }),
          });
          const notice: Notice = actions === undefined ? built : { ...built, actions };

          const email = renderEmail(notice, 'alice@example.com');
          const slack = renderSlack(notice);
          rendered++;

          expectSendableEmail(email, [email.to, notice.status, notice.jobName]);
          expectWithinSlackLimits(slack);
          expectNoLiveMarkup(slack, [notice.consoleUrl, notice.logsUrl]);
          expectOnlyOwnActions(notice.actions, email, slack);
          expectNoFalseNumbers([email.text, email.subject, JSON.stringify(slack)], notice.actions);
        }
      ),
      { numRuns: RUNS, ...SEED }
    );
    expect(rendered / runs).toBeGreaterThan(0.4);
  });

  it('renders any pool notice, email and Slack, safely and truthfully', () => {
    const kind = fc.constantFrom<PoolNoticeKind>(
      'extended',
      'shrunk',
      'released',
      'release-warning'
    );
    const anyExpiry = fc.oneof(
      { weight: 8, arbitrary: T_PLUS },
      { weight: 1, arbitrary: fc.constantFrom(8.64e15, 8.64e15 + 1, Number.NaN, -1) }
    );
    fc.assert(
      fc.property(
        fc.record({
          kind,
          jobName: anyText(300),
          instanceType: fc.oneof(fc.constantFrom(...INSTANCE_TYPES), anyText(80)),
          instanceCount: fc.integer({ min: 1, max: 64 }),
          reason: anyText(5000),
          rule: fc.option(anyText(200), { nil: undefined }),
          owner: anyOwner,
          previousExpiry: anyExpiry,
          newExpiry: anyExpiry,
          override: anyOverride,
          dryRun: fc.boolean(),
          now: T_PLUS,
          actions: anyActions,
        }),
        (p) => {
          const price = hourlyPrice(
            p.instanceType,
            p.override === null ? {} : { [p.instanceType]: p.override }
          );
          const notice: PoolNotice = buildPoolNotice({
            kind: p.kind,
            pool: {
              jobName: p.jobName,
              jobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/j',
              region: 'us-east-1',
              instanceType: p.instanceType,
              instanceCount: p.instanceCount,
            },
            owner: p.owner,
            previousExpiry: p.previousExpiry,
            newExpiry: p.newExpiry,
            reason: p.reason,
            dryRun: p.dryRun,
            now: p.now,
            ...(p.rule === undefined ? {} : { rule: p.rule }),
            ...(price === undefined ? {} : { price }),
            ...(p.actions === undefined ? {} : { actions: p.actions }),
          });

          const email = renderPoolEmail(notice, 'alice@example.com');
          const slack = renderPoolSlack(notice);

          expectSendableEmail(email, [email.to, notice.kind, notice.jobName]);
          expectWithinSlackLimits(slack);
          expectNoLiveMarkup(slack, [notice.consoleUrl]);
          expectOnlyOwnActions(notice.actions, email, slack);
          expectNoFalseNumbers([email.text, email.subject, JSON.stringify(slack)], notice.actions);
        }
      ),
      { numRuns: RUNS, ...SEED }
    );
  });
});
