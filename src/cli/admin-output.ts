import type { WardenConfig } from '../domain/config/warden-config.js';
import { parseDuration } from '../domain/duration.js';
import { printable } from '../domain/printable.js';
import { loadConfigOption } from './config-option.js';
import { UsageError } from './usage-error.js';

/** An ISO 8601 time with a date, and at least hours and minutes when it has a time. */
const ISO_TIME =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The longest duration a time flag takes: further back than this is a typo, not a question. */
const MAX_TIME_FLAG_MS = 3650 * 86_400_000;

/**
 * A time given on the command line: ISO 8601 with a zone (`2026-11-24T09:00Z`,
 * `2026-11-24T10:00+01:00`) or a duration before `now` (`24h`, `7d`, `1h30m`). A time without
 * a zone is refused, not guessed: output is shown in the config's zone, so UTC would be a trap.
 * Throws a UsageError naming `flag`.
 */
function parseTimeFlag(flag: string, value: string, now: number): number {
  const ago = parseDuration(value);
  if (ago !== undefined) {
    if (ago > MAX_TIME_FLAG_MS) {
      throw new UsageError(`${flag} "${value}" is longer than 3650 days`);
    }
    return now - ago;
  }
  const trimmed = value.trim().replace(' ', 'T');
  const ms = ISO_TIME.test(trimmed) ? Date.parse(trimmed) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag} "${value}" is neither an ISO 8601 time (2026-11-24T09:00Z) nor a duration (24h, 7d)`
    );
  }
  if (!/(?:Z|[+-]\d{2}:?\d{2})$/.test(trimmed)) {
    throw new UsageError(
      `${flag} "${value}" has no time zone; say which: ${trimmed.includes('T') ? trimmed : `${trimmed}T00:00`}Z for UTC, or an offset such as +01:00`
    );
  }
  return ms;
}

/** `2026-11-24 14:32` in `timeZone`: admin output is read against the config's zone. */
function formatTime(ms: number | undefined, timeZone: string): string {
  if (ms === undefined || !Number.isFinite(ms)) return '-';
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value])
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

/**
 * Rows as columns padded to their widest cell; the last column is left ragged. Cells hold names
 * and reasons from events and state files, so control characters are escaped.
 */
function alignTable(table: readonly (readonly string[])[]): string {
  const rows = table.map((row) => row.map((cell) => printable(cell)));
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, i) =>
          i === row.length - 1 ? cell : cell + ' '.repeat((widths[i] ?? 0) - [...cell].length)
        )
        .join('  ')
        .trimEnd()
    )
    .join('\n');
}

/** The config `--config` names, or undefined when none is given. */
async function optionalConfig(file: string | undefined): Promise<WardenConfig | undefined> {
  return file === undefined ? undefined : loadConfigOption(file);
}

/** The config's default time zone, else UTC. */
function zoneOf(config: WardenConfig | undefined): string {
  return config?.defaults.timeZone ?? 'UTC';
}

export { alignTable, formatTime, MAX_TIME_FLAG_MS, optionalConfig, parseTimeFlag, zoneOf };
