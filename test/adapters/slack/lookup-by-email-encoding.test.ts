import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpSlackSender } from '../../../src/adapters/slack/slack-sender.js';
import { LoopbackSlack } from '../../helpers/loopback-slack.js';

const BOT_TOKEN = 'xoxb-1111-2222-encoding';
const REF = { jobName: 'resnet-sweep-017', status: 'Completed' };
const MESSAGE = { text: 'resnet-sweep-017 completed', blocks: [] };

describe('users.lookupByEmail address encoding (seeded mutant)', () => {
  let slack: LoopbackSlack;

  beforeAll(async () => {
    slack = await LoopbackSlack.start({
      botToken: BOT_TOKEN,
      members: { 'ann+ml@example.com': 'U0ANNML01', 'o&b@example.com': 'U0OANDB01' },
    });
  });

  afterAll(async () => {
    await slack.stop();
  });

  function sender(): HttpSlackSender {
    return new HttpSlackSender({
      secrets: { botToken: async () => BOT_TOKEN, webhookUrl: async () => '' },
      sleep: async () => undefined,
      apiBase: slack.apiBase,
    });
  }

  it.each([
    ['a plus sign (sub-addressing)', 'ann+ml@example.com', 'U0ANNML01'],
    ['an ampersand', 'o&b@example.com', 'U0OANDB01'],
  ])('finds the member whose address holds %s', async (_label, email, member) => {
    // Prepare
    slack.reset();

    // Act
    await sender().send({ kind: 'email', email }, MESSAGE, REF);

    // Assess
    const [lookup] = slack.requestsTo('/api/users.lookupByEmail');
    expect(lookup?.query.get('email')).toBe(email);
    const [post] = slack.requestsTo('/api/chat.postMessage');
    expect(JSON.parse(post?.body ?? '{}')).toMatchObject({ channel: member });
  });
});
