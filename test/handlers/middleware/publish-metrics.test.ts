import middy from '@middy/core';
import { describe, expect, it } from 'vitest';
import { publishMetrics } from '../../../src/handlers/middleware/publish-metrics.js';

function counter() {
  const flushed: string[] = [];
  let counted: string[] = [];
  return {
    flushed,
    count: (name: string) => {
      counted.push(name);
    },
    flush: () => {
      flushed.push(...counted);
      counted = [];
    },
  };
}

describe('publish-metrics', () => {
  it('flushes once after the handler succeeds', async () => {
    // Prepare
    const metrics = counter();
    const handler = middy(async () => {
      metrics.count('NoticeSent');
      return 'ok';
    }).use(publishMetrics(metrics));

    // Act
    await handler({}, {} as never);

    // Assess
    expect(metrics.flushed).toEqual(['NoticeSent']);
  });

  it('flushes the counts of a failed invocation too, and lets the error through', async () => {
    // Prepare
    const metrics = counter();
    const handler = middy(async () => {
      metrics.count('ChannelFailedRetried');
      throw new Error('slack still answered 500');
    }).use(publishMetrics(metrics));

    // Act
    const error = await handler({}, {} as never).catch((e: unknown) => e);

    // Assess
    expect((error as Error).message).toBe('slack still answered 500');
    expect(metrics.flushed).toEqual(['ChannelFailedRetried']);
  });
});
