/** The statuses after which a training job never runs again; each earns exactly one notice. */
const TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;

type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** Warm pool statuses per the SageMaker API model; unknown future values are kept as strings. */
type WarmPoolState = 'Available' | 'InUse' | 'Reused' | 'Terminated';

function isTerminalStatus(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export type { TerminalStatus, WarmPoolState };
export { isTerminalStatus, TERMINAL_STATUSES };
