import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Attempt, fetchWithRetry } from '../../../src/adapters/slack/http-retry.js';
import { closedPortUrl } from '../../helpers/loopback-http.js';
import { LoopbackSlack, rateLimited, serverError } from '../../helpers/loopback-slack.js';

describe('http-retry', () => {
  let slack: LoopbackSlack;
  let url: string;
  let path: string;
  let sleeps: number[];
  const options = () => ({
    maxAttempts: 4,
    baseDelayMs: 500,
    maxDelayMs: 30_000,
    sleep: async (ms: number) => {
      sleeps.push(ms);
    },
  });
  const post =
    (target = url) =>
    () =>
      fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ text: 'hello' }),
      });

  beforeAll(async () => {
    slack = await LoopbackSlack.start({ botToken: 'xoxb-test' });
    url = slack.webhookUrl('retry');
    path = new URL(url).pathname;
  });

  beforeEach(() => {
    slack.reset();
    sleeps = [];
  });

  afterAll(async () => {
    await slack.stop();
  });

  function statusOf(attempt: Attempt): number | undefined {
    return attempt.kind === 'response' ? attempt.response.status : undefined;
  }

  it('returns the first answer without waiting when it succeeds', async () => {
    // Act
    const attempt = await fetchWithRetry(post(), options());

    // Assess
    expect(statusOf(attempt)).toBe(200);
    expect(attempt.attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });

  it('returns at once without retrying when the server answers 4xx', async () => {
    // Prepare
    slack.script(path, { status: 404, body: 'no_service' });

    // Act
    const attempt = await fetchWithRetry(post(), options());

    // Assess
    expect(statusOf(attempt)).toBe(404);
    expect(slack.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('waits the Retry-After seconds before retrying when the server answers 429', async () => {
    // Prepare
    slack.script(path, rateLimited(2), rateLimited(5));

    // Act
    const attempt = await fetchWithRetry(post(), options());

    // Assess
    expect(statusOf(attempt)).toBe(200);
    expect(attempt.attempts).toBe(3);
    expect(sleeps).toEqual([2_000, 5_000]);
  });

  it('caps the wait at maxDelayMs when Retry-After asks for longer', async () => {
    // Prepare
    slack.script(path, rateLimited(120));

    // Act
    await fetchWithRetry(post(), options());

    // Assess
    expect(sleeps).toEqual([30_000]);
  });

  it('backs off exponentially when Retry-After is missing or an HTTP date', async () => {
    // Prepare
    slack.script(
      path,
      serverError(503),
      { status: 429, headers: { 'retry-after': 'Wed, 21 Oct 2026 07:28:00 GMT' }, body: '' },
      serverError(502)
    );

    // Act
    const attempt = await fetchWithRetry(post(), options());

    // Assess
    expect(statusOf(attempt)).toBe(200);
    expect(sleeps).toEqual([500, 1_000, 2_000]);
  });

  it('returns the last 5xx answer after maxAttempts requests when the server keeps failing', async () => {
    // Prepare
    slack.script(path, ...Array.from({ length: 5 }, () => serverError(500)));

    // Act
    const attempt = await fetchWithRetry(post(), options());

    // Assess
    expect(statusOf(attempt)).toBe(500);
    expect(attempt.attempts).toBe(4);
    expect(slack.requests).toHaveLength(4);
    expect(sleeps).toEqual([500, 1_000, 2_000]);
  });

  it('returns the network error after maxAttempts when nothing listens on the port', async () => {
    // Prepare
    const closed = await closedPortUrl();

    // Act
    const attempt = await fetchWithRetry(post(closed), options());

    // Assess
    expect(attempt.kind).toBe('error');
    expect(attempt.attempts).toBe(4);
    expect(attempt.kind === 'error' && attempt.error).toMatchObject({
      cause: { code: 'ECONNREFUSED' },
    });
    expect(sleeps).toEqual([500, 1_000, 2_000]);
  });
});
