import { expect } from 'vitest';
import type { SlackMessage } from '../../../src/domain/notice/render-slack.js';
import { SLACK_LIMITS } from '../../../src/domain/notice/slack-text.js';

/** Every `&` starts one of the three entities escapeMrkdwn writes. */
const ONLY_WHOLE_ENTITIES = /^(?:[^&]|&(?:amp|lt|gt);)*$/;

interface RenderedText {
  readonly where: string;
  readonly type: 'mrkdwn' | 'plain_text';
  readonly text: string;
}

/** Every text Slack will read, with where it sits; the top-level `text` is mrkdwn. */
function textsOf(message: SlackMessage): RenderedText[] {
  const texts: RenderedText[] = [{ where: 'text', type: 'mrkdwn', text: message.text }];
  message.blocks.forEach((block, i) => {
    if (block.type === 'actions') return;
    if (block.type === 'context') {
      block.elements.forEach((e, j) => {
        texts.push({ where: `blocks[${i}].elements[${j}]`, ...e });
      });
      return;
    }
    if (block.text !== undefined) texts.push({ where: `blocks[${i}].text`, ...block.text });
    if (block.type === 'section') {
      (block.fields ?? []).forEach((f, j) => {
        texts.push({ where: `blocks[${i}].fields[${j}]`, ...f });
      });
    }
  });
  return texts;
}

/** Slack's length limits on every text, and its ten fields a section. */
function expectWithinSlackTextLimits(message: SlackMessage): void {
  expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fallbackText);
  for (const block of message.blocks) {
    if (block.type === 'header') {
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
    } else if (block.type === 'section') {
      expect(block.text?.text.length ?? 0).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
      expect(block.fields?.length ?? 0).toBeLessThanOrEqual(10);
      for (const f of block.fields ?? []) {
        expect(f.text.length).toBeLessThanOrEqual(SLACK_LIMITS.fieldText);
      }
    } else if (block.type === 'context') {
      for (const e of block.elements) {
        expect(e.text.length).toBeLessThanOrEqual(SLACK_LIMITS.contextText);
      }
    }
  }
}

/** Slack's ten elements a context block. */
function expectContextWithinSlackLimits(message: SlackMessage): void {
  for (const block of message.blocks) {
    if (block.type === 'context') expect(block.elements.length).toBeLessThanOrEqual(10);
  }
}

export {
  expectContextWithinSlackLimits,
  expectWithinSlackTextLimits,
  ONLY_WHOLE_ENTITIES,
  textsOf,
};
