/** Structured logging as the domain needs it; Powertools' Logger satisfies it as is. */
interface Log {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
}

export type { Log };
