import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Notice } from '../../../src/domain/notice/notice.js';
import { renderSlack, type SlackMessage } from '../../../src/domain/notice/render-slack.js';
import { SLACK_LIMITS } from '../../../src/domain/notice/slack-text.js';
import { noticeFor } from '../../helpers/domain-notices.js';
import { expectWithinSlackTextLimits, ONLY_WHOLE_ENTITIES, textsOf } from './slack-assertions.js';

const HOSTILE = '<!channel> <!here> <@U123> <http://evil|click> & <!subteam^S0123>';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The text with the links the renderer builds (console, CloudWatch logs) taken out. */
function withoutConsoleLink(text: string, notice: Notice): string {
  let rest = text;
  for (const url of [notice.consoleUrl, notice.logsUrl]) {
    const open = rest.indexOf(`<${url}|`);
    if (open === -1) continue;
    const close = rest.indexOf('>', open);
    rest = rest.slice(0, open) + rest.slice(open + url.length + 2, close) + rest.slice(close + 1);
  }
  return rest;
}

/** Asserts no user-controlled `<` or `>` reaches a text Slack parses. */
function expectNoRawControlCharacters(message: SlackMessage, notice: Notice): void {
  for (const { where, type, text } of textsOf(message)) {
    if (type !== 'mrkdwn') continue;
    const rest = withoutConsoleLink(text, notice);
    expect(rest, where).not.toMatch(/[<>]/);
    expect(rest.replace(/…$/, ''), where).toMatch(ONLY_WHOLE_ENTITIES);
  }
}

describe('renderSlack', () => {
  it('renders a header, the facts, and a context line with the price note', () => {
    // Prepare
    const notice = noticeFor();

    // Act
    const message = renderSlack(notice);

    // Assess
    expect(message).toEqual({
      text: ':white_check_mark: resnet-sweep-017 completed after 1h 00m. Warm pool until Thu 26 Nov, 11:30 CET; $0.50 at risk.',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: 'Completed: resnet-sweep-017' } },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `<${notice.consoleUrl}|resnet-sweep-017> completed after 1h 00m.`,
          },
          fields: [
            { type: 'mrkdwn', text: '*Status*\nCompleted' },
            { type: 'mrkdwn', text: '*Duration*\n1h 00m' },
            { type: 'mrkdwn', text: '*Ran*\nThu 26 Nov, 10:00 to 11:00 CET' },
            { type: 'mrkdwn', text: '*Instances*\n1 × ml.g5.2xlarge' },
            { type: 'mrkdwn', text: '*Billable time*\n1h 00m = $1.52 at $1.515/h' },
            {
              type: 'mrkdwn',
              text: '*Warm pool*\nAvailable until Thu 26 Nov, 11:30 CET (20m 00s left).',
            },
            {
              type: 'mrkdwn',
              text: '*At risk*\n$0.50 if nobody reuses the pool before it expires',
            },
            { type: 'mrkdwn', text: '*Owner*\nAlice Ng (via tag warden:owner)' },
          ],
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: ':white_check_mark: Pool Warden · owner via tag warden:owner' },
            {
              type: 'mrkdwn',
              text: 'Prices are illustrative list prices for ml.g5.2xlarge, not a quote; admins can set real ones under prices: in the Pool Warden config.',
            },
          ],
        },
      ],
    });
  });

  it('puts the failure reason in its own code block, not among the fields', () => {
    // Act
    const message = renderSlack(
      noticeFor({ status: 'Failed', job: { failureReason: 'AlgorithmError: OOM' } })
    );

    // Assess
    const reasonBlock = message.blocks[2];
    expect(reasonBlock).toEqual({
      type: 'section',
      text: { type: 'mrkdwn', text: '*Failure reason*\n```AlgorithmError: OOM```' },
    });
    const facts = message.blocks[1];
    expect(facts?.type).toBe('section');
    const fields = facts?.type === 'section' ? (facts.fields ?? []) : [];
    expect(fields.map((f) => f.text)).toContain('*Status*\nFailed');
    expect(fields.map((f) => f.text)).not.toContainEqual(expect.stringContaining('OOM'));
    expect(message.text.startsWith(':x: ')).toBe(true);
  });

  it('says which owner candidates were skipped, escaped, so a mistyped tag gets fixed', () => {
    const notice = noticeFor({
      owner: {
        via: 'fallback contact',
        skipped: ['tag warden:owner "<!here>" is not a directory id'],
      },
    });

    const context = renderSlack(notice).blocks.at(-1);

    expect(context).toMatchObject({
      type: 'context',
      elements: expect.arrayContaining([
        {
          type: 'mrkdwn',
          text: 'Tried first: tag warden:owner "&lt;!here&gt;" is not a directory id',
        },
      ]),
    });
  });

  it('leaves out the price note when the price came from the config', () => {
    // Act
    const message = renderSlack(noticeFor({ price: { usdPerHour: 1.2, source: 'config' } }));

    // Assess
    const context = message.blocks.at(-1);
    expect(context?.type === 'context' && context.elements).toHaveLength(1);
  });

  describe('escaping', () => {
    it('escapes mentions and links in the job name, failure reason and owner', () => {
      // Prepare
      const notice = noticeFor({
        status: 'Failed',
        job: { name: `job ${HOSTILE}`, failureReason: `boom ${HOSTILE}` },
        owner: { displayName: `Alice ${HOSTILE}`, via: `tag ${HOSTILE}` },
      });

      // Act
      const message = renderSlack(notice);

      // Assess
      expectNoRawControlCharacters(message, notice);
      const all = textsOf(message)
        .filter((t) => t.type === 'mrkdwn')
        .map((t) => t.text)
        .join('\n');
      for (const mention of ['<!channel>', '<!here>', '<@U123>', '<http://evil|click>']) {
        expect(all).not.toContain(mention);
      }
      expect(all).toContain('&lt;!channel&gt;');
    });

    it('escapes the top-level text, which Slack uses for notifications', () => {
      // Act
      const message = renderSlack(noticeFor({ job: { name: '<!channel> & <@U123>' } }));

      // Assess
      expect(message.text).toBe(
        ':white_check_mark: &lt;!channel&gt; &amp; &lt;@U123&gt; completed after 1h 00m. Warm pool until Thu 26 Nov, 11:30 CET; $0.50 at risk.'
      );
    });

    it('keeps the job name in the header as plain text, which Slack never parses for mentions', () => {
      // Act
      const message = renderSlack(noticeFor({ job: { name: '<!channel>' } }));

      // Assess
      expect(message.blocks[0]).toEqual({
        type: 'header',
        text: { type: 'plain_text', text: 'Completed: <!channel>' },
      });
    });

    it('builds the console link from encoded parts, so a job name cannot end it early', () => {
      // Prepare
      const notice = noticeFor({ job: { name: 'a>b|<!channel>' } });

      // Act
      const section = renderSlack(notice).blocks[1];

      // Assess
      const text = section?.type === 'section' ? section.text?.text : undefined;
      expect(text).toBe(`<${notice.consoleUrl}|a&gt;b|&lt;!channel&gt;> completed after 1h 00m.`);
      expect(notice.consoleUrl).not.toMatch(/[<>|]/);
    });
  });

  describe('length limits', () => {
    it('keeps every text within Slack’s limits for a 10,000-character failure reason', () => {
      // Prepare
      const notice = noticeFor({
        status: 'Failed',
        job: { name: 'x'.repeat(63), failureReason: `${HOSTILE} `.repeat(150).slice(0, 10_000) },
        owner: { displayName: '&'.repeat(2500) },
      });

      // Act
      const message = renderSlack(notice);

      // Assess
      expectWithinSlackTextLimits(message);
      expectNoRawControlCharacters(message, notice);
      const reason = message.blocks[2];
      expect(reason?.type === 'section' && reason.text?.text.endsWith('…```')).toBe(true);
    });

    it('caps a header over 150 characters', () => {
      // Act
      const message = renderSlack(noticeFor({ job: { name: 'n'.repeat(300) } }));

      // Assess
      const header = message.blocks[0];
      expect(header?.type === 'header' && header.text.text).toBe(`Completed: ${'n'.repeat(138)}…`);
    });

    it('never cuts an &amp; entity when it truncates a reason of ampersands', () => {
      // Prepare
      const notice = noticeFor({ status: 'Failed', job: { failureReason: '&'.repeat(10_000) } });

      // Act
      const message = renderSlack(notice);

      // Assess
      const reason = message.blocks[2];
      const text = reason?.type === 'section' ? (reason.text?.text ?? '') : '';
      const body = text.replace(/^\*Failure reason\*\n```/, '').replace(/…```$/, '');
      expect(body).toMatch(/^(&amp;)+$/);
      expect(text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    });

    it('never splits a surrogate pair when it truncates a reason of emoji', () => {
      // Prepare
      const notice = noticeFor({
        status: 'Failed',
        job: { name: '😀'.repeat(100), failureReason: '😀'.repeat(5000) },
      });

      // Act
      const message = renderSlack(notice);

      // Assess
      for (const { where, text } of textsOf(message))
        expect(text, where).not.toMatch(LONE_SURROGATE);
      expectWithinSlackTextLimits(message);
    });
  });

  it('never lets arbitrary job names, failure reasons or owner names reach Slack unescaped', () => {
    const text = (maxLength: number) =>
      fc.oneof(
        fc.string({ unit: 'binary', maxLength }),
        fc.string({
          unit: fc.constantFrom('<', '>', '&', '!', '@', '|', 'a', ' ', '😀'),
          maxLength,
        })
      );
    fc.assert(
      fc.property(
        text(200),
        fc.oneof(text(5000), fc.constant(HOSTILE.repeat(200))),
        text(100),
        (name, failureReason, displayName) => {
          const notice = noticeFor({
            status: 'Failed',
            job: { name, failureReason },
            owner: { displayName },
          });
          const message = renderSlack(notice);
          expectNoRawControlCharacters(message, notice);
          expectWithinSlackTextLimits(message);
        }
      ),
      { numRuns: 300 }
    );
  });

  describe('code block (issue 7, case 5)', () => {
    it('keeps triple backticks in a failure reason from closing the code block', () => {
      // Prepare
      const notice = noticeFor({
        status: 'Failed',
        job: { failureReason: 'bad input ```\n*you have been hacked* <!here>``` `x`' },
      });

      // Act
      const reason = renderSlack(notice).blocks[2];

      // Assess
      const text = reason?.type === 'section' ? (reason.text?.text ?? '') : '';
      expect(text).toBe(
        '*Failure reason*\n```bad input \u02CB\u02CB\u02CB\n*you have been hacked* &lt;!here&gt;\u02CB\u02CB\u02CB \u02CBx\u02CB```'
      );
      expect(text.match(/`/g)).toHaveLength(6);
    });

    it('lets no backtick from job-controlled text into any mrkdwn text', () => {
      // Act
      const message = renderSlack(
        noticeFor({ job: { name: '```x```' }, owner: { displayName: '`Alice`' } })
      );

      // Assess
      for (const { where, type, text } of textsOf(message)) {
        if (type === 'mrkdwn')
          expect(text.replace(/^\*Failure reason\*\n```|```$/g, ''), where).not.toContain('`');
      }
    });
  });

  describe('what is new in a notice (issue 7, case 16)', () => {
    it('puts the expiry and the dollars at risk in the fallback text phones show', () => {
      expect(renderSlack(noticeFor()).text).toBe(
        ':white_check_mark: resnet-sweep-017 completed after 1h 00m. Warm pool until Thu 26 Nov, 11:30 CET; $0.50 at risk.'
      );
    });

    it('links a failed job’s CloudWatch logs next to the console link', () => {
      // Prepare
      const notice = noticeFor({ status: 'Failed' });

      // Act
      const section = renderSlack(notice).blocks[1];

      // Assess
      const text = section?.type === 'section' ? section.text?.text : undefined;
      expect(text).toBe(
        `<${notice.consoleUrl}|resnet-sweep-017> failed after 1h 00m. · <${notice.logsUrl}|CloudWatch logs>`
      );
    });

    it('shows the delivery note first and says when the job’s details are gone', () => {
      // Prepare
      const notice = {
        ...noticeFor(),
        deliveryNote: 'Email to <!here> could not be delivered, so this came to Slack.',
        detailsUnavailable: true as const,
      };

      // Act
      const { blocks } = renderSlack(notice);

      // Assess
      expect(blocks[0]).toEqual({
        type: 'section',
        text: {
          type: 'mrkdwn',
          text: 'Email to &lt;!here&gt; could not be delivered, so this came to Slack.',
        },
      });
      expect(blocks[1]?.type).toBe('header');
      expect(blocks[3]).toEqual({
        type: 'context',
        elements: [
          {
            type: 'mrkdwn',
            text: "This job's details are no longer available from SageMaker (its name was reused or it was deleted); this notice shows only what the event said.",
          },
        ],
      });
    });
  });
});
