/** The streams a command writes to; tests pass string collectors. */
interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown; readonly isTTY?: boolean };
}

export type { CliIo };
