import { describe, expect, it } from 'vitest';
import { isTerminalStatus, TERMINAL_STATUSES } from '../../../src/domain/job/job-status.js';

describe('isTerminalStatus', () => {
  it.each(TERMINAL_STATUSES)('treats %s as terminal', (status) => {
    expect(isTerminalStatus(status)).toBe(true);
  });

  it.each(['InProgress', 'Stopping', 'Deleting', 'completed', ''])(
    'treats %j as not terminal',
    (status) => {
      expect(isTerminalStatus(status)).toBe(false);
    }
  );
});
