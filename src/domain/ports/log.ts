/** Structured logging as the domain needs it; Powertools' Logger satisfies it as is. */
interface Log {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  /** Something an operator must act on (a revoked token, an unreachable owner); alarms read it. */
  error(message: string, extra: Record<string, unknown>): void;
}

export type { Log };
