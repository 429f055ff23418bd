import { vi } from 'vitest';

/** Powertools log lines written to stdout or stderr while `act` runs, parsed. */
async function logLines(act: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: string[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
  }
  try {
    await act();
  } finally {
    vi.restoreAllMocks();
  }
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>);
}

export { logLines };
