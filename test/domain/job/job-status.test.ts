import { describe, expect, it } from 'vitest';
import { isTerminalStatus, TERMINAL_STATUSES } from '../../../src/domain/job/job-status.js';

// The cases are written out, not taken from TERMINAL_STATUSES: a test fed by the constant it
// tests passes whatever the constant holds.
describe('isTerminalStatus', () => {
  it.each(['Completed', 'Failed', 'Stopped'])('treats %s as terminal', (status) => {
    expect(isTerminalStatus(status)).toBe(true);
  });

  it.each([
    'InProgress',
    'Stopping',
    'Deleting',
    'Pending',
    'completed',
    'FAILED',
    ' Completed',
    'Stopped ',
    '',
  ])('treats %j as not terminal', (status) => {
    expect(isTerminalStatus(status)).toBe(false);
  });

  it('lists exactly the three statuses after which a job never runs again', () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual(['Completed', 'Failed', 'Stopped']);
  });
});
