import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { PoolNotice } from '../../../src/domain/notice/pool-notice.js';
import { renderPoolSlack } from '../../../src/domain/notice/render-pool-slack.js';
import type { SlackMessage } from '../../../src/domain/notice/render-slack.js';
import { poolNoticeFor } from '../../helpers/domain-pool-notices.js';
import {
  expectContextWithinSlackLimits,
  expectWithinSlackTextLimits,
  ONLY_WHOLE_ENTITIES,
  textsOf,
} from './slack-assertions.js';

const KINDS = ['extended', 'shrunk', 'released', 'release-warning'] as const;
const HOSTILE =
  '<!channel> <!here> <@U123> <http://x|y> & a\u0000b\u001bc\r\n ```code``` <!subteam^S1>';

/** Asserts no user-controlled `<` or `>` reaches a mrkdwn text: only the console link is live. */
function expectNoLiveMarkup(message: SlackMessage, notice: PoolNotice): void {
  for (const { where, type, text } of textsOf(message)) {
    if (type !== 'mrkdwn') continue;
    const rest = text.replace(
      new RegExp(`<${notice.consoleUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\|([^>]*)>`),
      '$1'
    );
    expect(rest, where).not.toMatch(/[<>]/);
    expect(rest.replace(/…$/, ''), where).toMatch(ONLY_WHOLE_ENTITIES);
  }
}

function expectWithinSlackLimits(message: SlackMessage): void {
  expectWithinSlackTextLimits(message);
  expectContextWithinSlackLimits(message);
}

describe('renderPoolSlack', () => {
  it('renders a release warning as a header, the linked headline, facts, why, what to do, and context', () => {
    // Prepare
    const notice = poolNoticeFor({ kind: 'release-warning' });

    // Act
    const message = renderPoolSlack(notice);

    // Assess
    expect(message).toEqual({
      text: ':warning: Pool Warden will release the warm pool of resnet-sweep-017 at Thu 26 Nov, 11:20 CET. Would save up to $0.25.',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'Warm pool release planned: resnet-sweep-017' },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: `Pool Warden will release the warm pool of <${notice.consoleUrl}|resnet-sweep-017> at Thu 26 Nov, 11:20 CET.`,
          },
          fields: [
            { type: 'mrkdwn', text: '*Instances*\n1 × ml.g5.2xlarge' },
            { type: 'mrkdwn', text: '*Expires*\nThu 26 Nov, 11:30 CET' },
            { type: 'mrkdwn', text: '*Release at*\nThu 26 Nov, 11:20 CET (in 15m 00s)' },
            {
              type: 'mrkdwn',
              text: '*Would save*\nup to $0.25 (10m 00s less retained at $1.515/h)',
            },
            { type: 'mrkdwn', text: '*Rule*\nvision-adaptive' },
            { type: 'mrkdwn', text: '*Owner*\nAlice Ng (via tag warden:owner)' },
          ],
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*Why*\nA matching job usually starts within 40 minutes on weekdays.',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '*What you can do*\n• To keep the pool, start a matching job before Thu 26 Nov, 11:20 CET (same role, instance type and count, volume and network settings): it takes the pool, and nothing is released.\n• To keep it longer without a job, ask a Pool Warden admin.\n• If you no longer need it, there is nothing to do.',
          },
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: ':warning: Pool Warden · owner via tag warden:owner' },
            {
              type: 'mrkdwn',
              text: 'Prices are illustrative list prices for ml.g5.2xlarge, not a quote; admins can set real ones under prices: in the Pool Warden config.',
            },
          ],
        },
      ],
    });
  });

  it('puts the new expiry and the dollars in the fallback text of every kind', () => {
    // Act
    const texts = Object.fromEntries(
      KINDS.map((kind) => [kind, renderPoolSlack(poolNoticeFor({ kind })).text])
    );

    // Assess
    expect(texts).toEqual({
      extended:
        ':hourglass_flowing_sand: Pool Warden extended the warm pool of resnet-sweep-017 to Thu 26 Nov, 12:30 CET. Costs up to $1.52 more.',
      shrunk:
        ':scissors: Pool Warden shortened the warm pool of resnet-sweep-017 to Thu 26 Nov, 11:10 CET. Saves up to $0.50.',
      released:
        ':wastebasket: Pool Warden released the warm pool of resnet-sweep-017 at Thu 26 Nov, 11:05 CET. Saves up to $0.63.',
      'release-warning':
        ':warning: Pool Warden will release the warm pool of resnet-sweep-017 at Thu 26 Nov, 11:20 CET. Would save up to $0.25.',
    });
  });

  it('gives the times in the owner’s own time zone', () => {
    // Act
    const message = renderPoolSlack(
      poolNoticeFor({ kind: 'shrunk', owner: { timeZone: 'Asia/Kolkata' } })
    );

    // Assess
    expect(message.text).toContain('to Thu 26 Nov, 15:40 UTC+05:30.');
    const facts = message.blocks[1];
    expect(facts?.type === 'section' && facts.fields?.map((f) => f.text)).toContain(
      '*Was to expire*\nThu 26 Nov, 16:00 UTC+05:30'
    );
  });

  it('says "would" in the header, fallback and context in a dry run', () => {
    // Act
    const message = renderPoolSlack(poolNoticeFor({ kind: 'extended', dryRun: true }));

    // Assess
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Dry run: warm pool would be extended: resnet-sweep-017' },
    });
    expect(message.text).toMatch(
      /^:hourglass_flowing_sand: Dry run: Pool Warden would have extended .*; nothing was changed\. Would cost up to \$1\.52 more\.$/
    );
    const context = message.blocks.at(-1);
    expect(context?.type === 'context' && context.elements.map((e) => e.text)).toContainEqual(
      expect.stringMatching(/^Dry run: nothing was changed\./)
    );
  });

  it('leaves the dollars out of the fallback text without a price', () => {
    // Act
    const message = renderPoolSlack(poolNoticeFor({ kind: 'released', price: null }));

    // Assess
    expect(message.text).toBe(
      ':wastebasket: Pool Warden released the warm pool of resnet-sweep-017 at Thu 26 Nov, 11:05 CET.'
    );
  });

  describe('escaping', () => {
    it('escapes mentions, links and code fences in the job name, reason, rule and owner', () => {
      // Prepare
      const notice = poolNoticeFor({
        kind: 'release-warning',
        jobName: `job ${HOSTILE}`,
        reason: `idle ${HOSTILE}`,
        rule: `rule ${HOSTILE}`,
        owner: { displayName: `Alice ${HOSTILE}`, via: `tag ${HOSTILE}`, skipped: [HOSTILE] },
      });

      // Act
      const message = renderPoolSlack(notice);

      // Assess
      expectNoLiveMarkup(message, notice);
      const all = textsOf(message)
        .filter((t) => t.type === 'mrkdwn')
        .map((t) => t.text)
        .join('\n');
      for (const live of ['<!channel>', '<!here>', '<@U123>', '<http://x|y>', '<!subteam^S1>']) {
        expect(all).not.toContain(live);
      }
      expect(all).toContain('&lt;!channel&gt;');
      expect(JSON.stringify(message)).not.toMatch(/\\u00[01]|\\r/);
    });

    it('builds the console link from encoded parts, so a job name cannot end it early', () => {
      // Prepare
      const notice = poolNoticeFor({ kind: 'shrunk', jobName: 'a>b|<!channel>' });

      // Act
      const section = renderPoolSlack(notice).blocks[1];

      // Assess
      expect(section?.type === 'section' && section.text?.text).toBe(
        `Pool Warden shortened the warm pool of <${notice.consoleUrl}|a&gt;b|&lt;!channel&gt;> to Thu 26 Nov, 11:10 CET.`
      );
      expect(notice.consoleUrl).not.toMatch(/[<>|]/);
    });

    it('keeps the job name in the header as plain text, which Slack never parses for mentions', () => {
      // Act
      const message = renderPoolSlack(poolNoticeFor({ kind: 'released', jobName: '<!channel>' }));

      // Assess
      expect(message.blocks[0]).toEqual({
        type: 'header',
        text: { type: 'plain_text', text: 'Warm pool released: <!channel>' },
      });
    });
  });

  describe('length limits', () => {
    it('keeps every text within Slack’s limits for a 10,000-character reason and a long name', () => {
      // Prepare
      const notice = poolNoticeFor({
        kind: 'release-warning',
        jobName: 'x'.repeat(300),
        reason: `${HOSTILE} `.repeat(200).slice(0, 10_000),
        owner: { displayName: '&'.repeat(2500) },
      });

      // Act
      const message = renderPoolSlack(notice);

      // Assess
      expectWithinSlackLimits(message);
      expectNoLiveMarkup(message, notice);
      const why = message.blocks[2];
      expect(why?.type === 'section' && why.text?.text.endsWith('…')).toBe(true);
    });
  });

  it('never throws nor lets arbitrary job names, reasons or owners reach Slack unescaped', () => {
    const text = (maxLength: number) =>
      fc.oneof(
        fc.string({ unit: 'binary', maxLength }),
        fc.string({
          unit: fc.constantFrom('<', '>', '&', '!', '@', '|', '`', 'a', ' ', '\n', '😀'),
          maxLength,
        })
      );
    fc.assert(
      fc.property(
        text(200),
        fc.oneof(text(4000), fc.constant(HOSTILE.repeat(100))),
        text(100),
        fc.constantFrom(...KINDS),
        fc.boolean(),
        (jobName, reason, displayName, kind, dryRun) => {
          const notice = poolNoticeFor({ kind, dryRun, jobName, reason, owner: { displayName } });
          const message = renderPoolSlack(notice);
          expectNoLiveMarkup(message, notice);
          expectWithinSlackLimits(message);
        }
      ),
      { numRuns: 200 }
    );
  });
});
