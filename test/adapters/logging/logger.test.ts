import { afterEach, describe, expect, it, vi } from 'vitest';
import { logger } from '../../../src/adapters/logging/logger.js';

describe('logger', () => {
  afterEach(() => {
    logger.setLogLevel('SILENT');
    vi.restoreAllMocks();
  });

  it('writes one JSON line with the pool-warden service and the given keys when it logs', () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    logger.setLogLevel('INFO');

    // Act
    logger.info('notice sent', { jobName: 'resnet-sweep-017', channel: 'email' });

    // Assess
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      level: 'INFO',
      message: 'notice sent',
      service: 'pool-warden',
      jobName: 'resnet-sweep-017',
      channel: 'email',
    });
  });

  it('writes no Slack secret when an error and its cause chain quote one', () => {
    // Prepare
    const lines: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    logger.setLogLevel('INFO');
    const cause = new TypeError(
      'Failed to parse URL from hooks.slack.com/services/T0AB/B0CD/sekrit9'
    );
    const error = new Error('post with xoxb-1111-sekrit8 failed', { cause });

    // Act
    logger.error('invocation failed', { error, note: 'token xoxb-1111-sekrit7' });

    // Assess
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/sekrit/);
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      error: { message: 'post with xox…[redacted] failed', cause: { name: 'TypeError' } },
    });
  });
});
