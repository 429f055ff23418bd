/** What a notice shows for a number it does not have or cannot trust. */
const UNKNOWN = 'unknown';

/** `45s`, `12m 05s`, `3h 07m`, `2d 04h`: compact and sortable by eye. */
function formatDuration(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return UNKNOWN;
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}m ${pad(s % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

/**
 * `45s`, `12m 05s`, `1h 23m 56s`, `1h 00m`, `2d 04h 07m 05s`: to the second, where a cost is shown
 * multiplied out and a rounded time would not multiply to it.
 */
function formatDurationExact(totalSeconds: number): string {
  if (!Number.isFinite(totalSeconds)) return UNKNOWN;
  const s = Math.max(0, Math.round(totalSeconds));
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return formatDuration(s);
  const hours = Math.floor(minutes / 60);
  // Whole minutes read as the rounded form does: `1h 00m`.
  const rest = s % 60 === 0 ? `${pad(minutes % 60)}m` : `${pad(minutes % 60)}m ${pad(s % 60)}s`;
  if (hours < 24) return `${hours}h ${rest}`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h ${rest}`;
}

/**
 * A time as a subject line gives it: `11:30 CET` on the day of `now` in the zone, `Fri 09:00
 * CET` on another day.
 *
 * @example formatShortTime(expiry, now, 'Europe/Berlin') // 'Fri 09:00 CET'
 */
function formatShortTime(at: number, now: number, zone: string): string {
  const [day, time] = formatTimeInZone(at, zone).split(', ');
  if (time === undefined) return 'an unknown time';
  const [today] = formatTimeInZone(now, zone).split(', ');
  return day === today ? time : `${day?.split(' ')[0]} ${time}`;
}

// Intl formatters are costly to build, so they are built on first use (not at cold start).
let usd: Intl.NumberFormat | undefined;

/** `$1,234.57`; `<$0.01` for a cost that would round to nothing; `unknown` for no number. */
function formatUsd(amount: number): string {
  // A notice never prints `$∞` or `$NaN`: an amount that is not a number is not known.
  if (!Number.isFinite(amount)) return UNKNOWN;
  if (amount > 0 && amount < 0.005) return '<$0.01';
  usd ??= new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  return usd.format(amount);
}

/** Hourly prices keep three decimals, the precision AWS lists them at. */
function formatRate(usdPerHour: number): string {
  if (!Number.isFinite(usdPerHour)) return UNKNOWN;
  return `$${usdPerHour.toFixed(3).replace(/0$/, '')}/h`;
}

/**
 * Zone abbreviations that name one UTC offset the world over, with that offset in minutes.
 * `CST` (US, China, Cuba), `IST` (India, Ireland, Israel), `BST` (Britain, Bangladesh) and
 * `AST` (Atlantic, Arabia) are left out on purpose: those zones show their offset instead.
 */
const UNAMBIGUOUS: Readonly<Record<string, number>> = {
  UTC: 0,
  GMT: 0,
  WET: 0,
  WEST: 60,
  CET: 60,
  CEST: 120,
  EET: 120,
  EEST: 180,
  EST: -300,
  EDT: -240,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  AWST: 480,
  ACST: 570,
  ACDT: 630,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
};

/** CLDR gives each zone its abbreviation in only some English locales (EST in en-US, CET in en-GB). */
const ABBREVIATION_LOCALES = ['en-GB', 'en-US', 'en-AU'] as const;

interface ZoneFormatters {
  readonly clock: Intl.DateTimeFormat;
  readonly offset: Intl.DateTimeFormat;
  readonly names: readonly Intl.DateTimeFormat[];
}

const zones = new Map<string, ZoneFormatters>();

/** The largest time a JavaScript Date can hold. */
const MAX_TIME_MS = 8.64e15;

function formattersFor(timeZone: string): ZoneFormatters {
  let found = zones.get(timeZone);
  if (found === undefined) {
    found = {
      clock: new Intl.DateTimeFormat('en-GB', {
        timeZone,
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        hour: '2-digit',
        minute: '2-digit',
        hourCycle: 'h23',
      }),
      offset: new Intl.DateTimeFormat('en-GB', { timeZone, timeZoneName: 'longOffset' }),
      names: ABBREVIATION_LOCALES.map(
        (locale) => new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: 'short' })
      ),
    };
    zones.set(timeZone, found);
  }
  return found;
}

/** A zone the runtime does not know is shown in UTC rather than failing the notice. */
function knownZone(timeZone: string): string {
  if (zones.has(timeZone)) return timeZone;
  try {
    formattersFor(timeZone);
    return timeZone;
  } catch {
    return 'UTC';
  }
}

function partOf(formatter: Intl.DateTimeFormat, epochMs: number, type: string): string {
  return formatter.formatToParts(epochMs).find((p) => p.type === type)?.value ?? '';
}

/** Minutes east of UTC from `GMT+05:30`, `GMT-04:00` or `GMT`. */
function offsetMinutes(longOffset: string): number {
  const match = /^GMT([+-])(\d{2}):(\d{2})$/.exec(longOffset);
  if (match === null) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/**
 * The zone at that moment: an abbreviation when it means one offset everywhere (`CET`, `EST`),
 * else the offset itself (`UTC−06:00`, `UTC+05:30`), with a true minus sign.
 *
 * @example formatZone(Date.UTC(2026, 10, 26), 'America/Chicago') // 'UTC−06:00'
 */
function formatZone(epochMs: number, timeZone: string): string {
  const zone = knownZone(timeZone);
  if (!isShowableTime(epochMs)) return zone === 'UTC' ? 'UTC' : UNKNOWN;
  // A zone's offset and name change only at transitions, which today's rules put on quarter
  // hours of UTC (Newfoundland's at :30, Chatham's at :00 for its :45 offset); each look costs
  // four ICU formatToParts calls, and a notice shows several times near each other.
  const key = `${zone}|${Math.floor(epochMs / QUARTER_HOUR_MS)}`;
  const known = zoneLabels.get(key);
  if (known !== undefined) return known;
  const label = zoneLabel(epochMs, zone);
  if (zoneLabels.size >= MAX_CACHED_LABELS) zoneLabels.clear();
  zoneLabels.set(key, label);
  return label;
}

const QUARTER_HOUR_MS = 15 * 60_000;
/** Bounded: a long-running process (a backtest, the CLI serving links) never grows it without end. */
const MAX_CACHED_LABELS = 10_000;
const zoneLabels = new Map<string, string>();

function zoneLabel(epochMs: number, zone: string): string {
  const f = formattersFor(zone);
  const minutes = offsetMinutes(partOf(f.offset, epochMs, 'timeZoneName'));
  for (const names of f.names) {
    const name = partOf(names, epochMs, 'timeZoneName');
    if (Object.hasOwn(UNAMBIGUOUS, name) && UNAMBIGUOUS[name] === minutes) return name;
  }
  const sign = minutes < 0 ? '\u2212' : '+';
  const abs = Math.abs(minutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `UTC${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

function isShowableTime(epochMs: number): boolean {
  return Number.isFinite(epochMs) && Math.abs(epochMs) <= MAX_TIME_MS;
}

/** `Wed 26 Nov, 15:05 CET` in the owner's IANA time zone; `an unknown time` for no time. */
function formatTimeInZone(epochMs: number, timeZone: string): string {
  if (!isShowableTime(epochMs)) return 'an unknown time';
  const zone = knownZone(timeZone);
  // en-GB's own pattern for these fields is exactly `Thu 26 Nov, 10:00`; format() is cheaper
  // than formatToParts and an object built from it.
  return `${formattersFor(zone).clock.format(epochMs)} ${formatZone(epochMs, zone)}`;
}

/**
 * A start and end in one phrase: `Thu 26 Nov, 10:00 to 11:00 CET` on one day and zone, else
 * both in full.
 *
 * @example formatTimeRange(start, end, 'Europe/Berlin') // 'Thu 26 Nov, 10:00 to 11:00 CET'
 */
function formatTimeRange(startMs: number, endMs: number, timeZone: string): string {
  const start = formatTimeInZone(startMs, timeZone);
  const end = formatTimeInZone(endMs, timeZone);
  if (start === end) return start;
  const [startDay, startClock] = start.split(', ');
  const [endDay, endClock] = end.split(', ');
  const [startTime, startZone] = (startClock ?? '').split(' ');
  const [, endZone] = (endClock ?? '').split(' ');
  if (startDay === endDay && startZone === endZone && startTime !== undefined) {
    return `${startDay}, ${startTime} to ${endClock}`;
  }
  return `${start} to ${end}`;
}

export {
  formatDuration,
  formatDurationExact,
  formatRate,
  formatShortTime,
  formatTimeInZone,
  formatTimeRange,
  formatUsd,
  formatZone,
  UNKNOWN,
};
