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
    // The calendar day before, not the instant 24 h earlier: after a 23-hour day (spring
    // forward) that instant is two local dates back.
    const weekday = (local.weekday + 6) % 7;
    return window.days.includes(weekday) && !window.holidays.includes(previousDate(local.date));
  }
  return false;
}

/** The local date before a YYYY-MM-DD date (calendar arithmetic only, no clock). */
function previousDate(date: string): string {
  const [year, month, day] = date.split('-').map(Number);
  return new Date(Date.UTC(year ?? 0, (month ?? 1) - 1, (day ?? 1) - 1)).toISOString().slice(0, 10);
}

/**
 * When an open window next closes, epoch ms (to the minute). Walks forward in steps of at most
 * 15 minutes for a day and a half, so daylight-saving shifts and midnight-spanning windows need
 * no special cases; undefined when it does not close in that span (a window open all week).
 */
function windowClosesAt(window: WorkingWindow, at: number): number | undefined {
  // A step longer than the daily closed spell could jump over it (`00:10-00:05` shuts 5 min).
  const { startMinute: start, endMinute: end } = window;
  const closedMinutes = end > start ? 1440 - (end - start) : start - end;
  const step = Math.max(1, Math.min(15, closedMinutes)) * 60_000;
  const aligned = at - (at % 60_000);
  const stepMinutes = step / 60_000;
  let before = localTime(aligned, window.timeZone).minute;
  // First find the step that is closed, then the minute within it. A step across a clock
  // change (the local time moved by more or less than the step) is searched minute by minute:
  // when the clock goes back, a closed spell can be shorter than the step.
  for (let t = aligned + step; t <= aligned + 36 * 3_600_000; t += step) {
    const local = localTime(t, window.timeZone).minute;
    const clockChanged = (local - before + 1440) % 1440 !== stepMinutes % 1440;
    before = local;
    if (clockChanged || !isWindowOpen(window, t)) {
      for (let m = t - step + 60_000; m <= t; m += 60_000) {
        if (!isWindowOpen(window, m)) return m;
      }
    }
  }
  return undefined;
}

export type { LocalTime };
export { isWindowOpen, localTime, windowClosesAt };
