import type { WorkingWindow } from './policy.js';

/** Local calendar facts of an instant in a time zone. */
interface LocalTime {
  /** YYYY-MM-DD */
  readonly date: string;
  /** 0 = Sunday … 6 = Saturday */
  readonly weekday: number;
  /** Minutes after local midnight. */
  readonly minute: number;
}

const WEEKDAYS: Readonly<Record<string, number>> = {
  Sun: 0,
  Mon: 1,
  Tue: 2,
  Wed: 3,
  Thu: 4,
  Fri: 5,
  Sat: 6,
};

// Intl formatters are costly to build and cheap to reuse; a backtest asks for the same few zones
// millions of times.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

function localTime(at: number, timeZone: string): LocalTime {
  const parts: Record<string, string> = {};
  for (const part of formatterFor(timeZone).formatToParts(at)) parts[part.type] = part.value;
  return {
    date: `${parts.year}-${parts.month}-${parts.day}`,
    weekday: WEEKDAYS[parts.weekday ?? ''] ?? 0,
    minute: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

/** Is the window open at `at`? A window spanning midnight belongs to the day it opens on. */
function isWindowOpen(window: WorkingWindow, at: number): boolean {
  const local = localTime(at, window.timeZone);
  const { startMinute: start, endMinute: end } = window;
  if (end > start) {
    return (
      local.minute >= start &&
      local.minute < end &&
      window.days.includes(local.weekday) &&
      !window.holidays.includes(local.date)
    );
  }
  // Spanning midnight: open from `start` on an open day until `end` the next morning.
  if (local.minute >= start) {
    return window.days.includes(local.weekday) && !window.holidays.includes(local.date);
  }
  if (local.minute < end) {
    const yesterday = localTime(at - 86_400_000, window.timeZone);
    return window.days.includes(yesterday.weekday) && !window.holidays.includes(yesterday.date);
  }
  return false;
}

/**
 * When an open window next closes, epoch ms (to the minute). Walks forward in 15-minute steps at
 * most a day and a half, so daylight-saving shifts and midnight-spanning windows need no
 * special cases; undefined when it does not close in that span (a window open all week).
 */
function windowClosesAt(window: WorkingWindow, at: number): number | undefined {
  const step = 15 * 60_000;
  const aligned = at - (at % 60_000);
  // First find the quarter hour that is closed, then the minute within it.
  for (let t = aligned + step; t <= aligned + 36 * 3_600_000; t += step) {
    if (!isWindowOpen(window, t)) {
      for (let m = t - step + 60_000; m <= t; m += 60_000) {
        if (!isWindowOpen(window, m)) return m;
      }
      return t;
    }
  }
  return undefined;
}

export type { LocalTime };
export { isWindowOpen, localTime, windowClosesAt };
