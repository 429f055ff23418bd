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
});
