import type { Matcher } from '../policy/policy.js';

/**
 * The small text forms of the config (time zones, days, hours, dates, globs). The schema checks
 * them and `compilePolicy` reads them with the same functions, so a value the check accepts is
 * one the compiler understands.
 */

const DAY_NAMES = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];

/** 0 = Sunday … 6 = Saturday for `Mon` or `monday` (any case), else undefined. */
function dayNumber(name: string): number | undefined {
  const lower = name.trim().toLowerCase();
  const index = DAY_NAMES.findIndex((day) => lower.length >= 3 && day.startsWith(lower));
  return index === -1 || (lower.length > 3 && lower !== DAY_NAMES[index]) ? undefined : index;
}

/**
 * The days of one `days:` item: `Mon`, or a range `Mon-Fri`. A range may wrap the week
 * (`Fri-Mon` is Friday to Monday), because a night shift's week does.
 *
 * @example parseDays('mon-wed') // [1, 2, 3]
 */
function parseDays(spec: string): number[] | undefined {
  const parts = spec.split('-');
  if (parts.length > 2) return undefined;
  const first = dayNumber(parts[0] ?? '');
  const last = parts.length === 2 ? dayNumber(parts[1] ?? '') : first;
  if (first === undefined || last === undefined) return undefined;
  const days = [first];
  for (let day = first; day !== last; ) {
    day = (day + 1) % 7;
    days.push(day);
  }
  return days;
}

/** `HH:MM-HH:MM`, 24-hour clock; `24:00` only as an end. */
const HOURS = /^([01]\d|2[0-3]):([0-5]\d)-(?:([01]\d|2[0-3]):([0-5]\d)|(24):(00))$/;

/**
 * Minutes after local midnight of `HH:MM-HH:MM`; `24:00` may end a window. An end before the
 * start spans midnight; equal ends are refused, because "all day" is written `00:00-24:00`.
 *
 * @example parseHours('22:00-06:00') // { startMinute: 1320, endMinute: 360 }
 */
function parseHours(text: string): { startMinute: number; endMinute: number } | undefined {
  const m = HOURS.exec(text);
  if (m === null) return undefined;
  const startMinute = Number(m[1]) * 60 + Number(m[2]);
  const endMinute = Number(m[3] ?? m[5]) * 60 + Number(m[4] ?? m[6]);
  return startMinute === endMinute ? undefined : { startMinute, endMinute };
}

/** Whether `text` is a real calendar date written `YYYY-MM-DD` (no Date: the domain is pure). */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (m === null) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const length = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1];
  return length !== undefined && day >= 1 && day <= length;
}

/** Whether `value` names an IANA time zone this runtime knows. */
function isTimeZone(value: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Whether a match value is a glob (`*` any run of characters, `?` exactly one). */
function isGlob(text: string): boolean {
  return text.includes('*') || text.includes('?');
}

/**
 * A matcher for a glob, against the whole value, case-sensitive. Only `*` and `?` are special;
 * every other character, regex metacharacters included, stands for itself.
 *
 * @example globMatcher('ml.g5.*')('ml.g5.2xlarge') // true
 */
function globMatcher(glob: string): Matcher {
  if (glob === '*') return () => true;
  if (!isGlob(glob)) return (value) => value === glob;
  const source = [...glob]
    .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}/]/g, '\\$&')))
    .join('');
  const pattern = new RegExp(`^${source}$`, 'su');
  return (value) => pattern.test(value);
}

export { globMatcher, HOURS, isCalendarDate, isGlob, isTimeZone, parseDays, parseHours };
