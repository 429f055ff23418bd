import { SNSClient } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  checkEmailSubscriptions,
  reportSubscriptionFindings,
} from '../../../src/adapters/actions/sns-subscription-check.js';
import { DependencyError } from '../../../src/domain/errors.js';
import { recordingLog, recordingMetrics } from '../../helpers/factories.js';
import { loopbackClientConfig } from '../../helpers/loopback-http.js';
import { LoopbackSns, snsInternalError } from '../../helpers/loopback-sns.js';

const owner = (address: string) => JSON.stringify({ owner: [address] });

describe('sns-subscription-check', () => {
  let sns: LoopbackSns;
  let client: SNSClient;
  let topicArn: string;

  beforeAll(async () => {
    sns = await LoopbackSns.start({ pageSize: 2 });
    client = new SNSClient({ ...loopbackClientConfig(sns.endpoint), maxAttempts: 1 });
    topicArn = sns.createTopic('pool-warden-notices');
  });

  beforeEach(() => {
    sns.reset();
    sns.clear(topicArn);
  });

  afterAll(async () => {
    client.destroy();
    await sns.stop();
  });

  it('reports every email subscription that could receive other owners\u2019 links', async () => {
    // Prepare
    sns.subscribe(topicArn, {
      protocol: 'email',
      endpoint: 'alice@example.com',
      filterPolicy: owner('alice@example.com'),
    });
    sns.subscribe(topicArn, { protocol: 'email', endpoint: 'ops@example.com' });
    sns.subscribe(topicArn, {
      protocol: 'email-json',
      endpoint: 'eve@example.com',
      filterPolicy: owner('bob@example.com'),
    });
    sns.subscribe(topicArn, { protocol: 'email', endpoint: 'new@example.com', pending: true });
    sns.subscribe(topicArn, { protocol: 'sqs', endpoint: 'arn:aws:sqs:eu-west-1:1:q' });

    // Act
    const findings = await checkEmailSubscriptions(client, topicArn);

    // Assess
    expect(findings.map((f) => [f.endpoint, f.problem])).toEqual([
      ['ops@example.com', expect.stringContaining('no filter policy')],
      ['eve@example.com', expect.stringContaining('another address')],
    ]);
  });

  it('tells the operators: one error line per finding and a metric', async () => {
    // Prepare
    sns.subscribe(topicArn, { protocol: 'email', endpoint: 'ops@example.com' });
    const log = recordingLog();
    const metrics = recordingMetrics();

    // Act
    reportSubscriptionFindings(await checkEmailSubscriptions(client, topicArn), log, metrics);

    // Assess
    expect(log.lines).toMatchObject([{ level: 'error', extra: { endpoint: 'ops@example.com' } }]);
    expect(metrics.total('EmailSubscriptionUnfiltered')).toBe(1);
  });

  it('raises a DependencyError when SNS fails', async () => {
    // Prepare
    sns.fail('ListSubscriptionsByTopic', snsInternalError());

    // Act & Assess
    await expect(checkEmailSubscriptions(client, topicArn)).rejects.toBeInstanceOf(DependencyError);
  });
});
