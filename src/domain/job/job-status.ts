/** The statuses after which a training job never runs again; each earns exactly one notice. */
const TERMINAL_STATUSES = ['Completed', 'Failed', 'Stopped'] as const;

type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

function isTerminalStatus(status: string): status is TerminalStatus {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

export type { TerminalStatus };
export { isTerminalStatus, TERMINAL_STATUSES };
