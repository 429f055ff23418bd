/**
 * Durations as admins write them in the config and on the command line: `90s`, `10m`, `1h`,
 * `1h30m`, or a bare `0`. Kept in milliseconds everywhere inside.
 */
const UNIT_MS: Readonly<Record<string, number>> = {
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

// Units largest first, each at most once: `1h30m`, never `1h1h` or `30m1h` (likely typos).
const DURATION =
  /^(?:0|(?=\d)(?:\d+(?:\.\d+)?d)?(?:\d+(?:\.\d+)?h)?(?:\d+(?:\.\d+)?m)?(?:\d+(?:\.\d+)?s)?)$/;

/** Milliseconds of a duration text, or undefined when it is not one. */
function parseDuration(text: string): number | undefined {
  const trimmed = text.trim();
  if (!DURATION.test(trimmed)) return undefined;
  let ms = 0;
  for (const [, amount, unit] of trimmed.matchAll(/(\d+(?:\.\d+)?)([smhd])/g)) {
    ms += Number(amount) * (UNIT_MS[unit as string] ?? Number.NaN);
  }
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}

// Decisions format the same few durations (bin edges, rule bounds) over and over; a backtest
// formats millions. Remembered per whole second, bounded.
const formatted = new Map<number, string>();
const FORMATTED_KEPT = 4096;

/** `1h 5m`, `10m`, `45s`: the shortest exact form for messages and audit reasons. */
function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const key = Math.round(ms / 1000);
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const text = formatSeconds(ms);
  if (formatted.size >= FORMATTED_KEPT) formatted.clear();
  formatted.set(key, text);
  return text;
}

function formatSeconds(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let seconds = Math.round(Math.abs(ms) / 1000);
  if (seconds === 0) return '0s';
  const parts: string[] = [];
  for (const [unit, size] of [
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(seconds / size);
    if (n > 0) parts.push(`${n}${unit}`);
    seconds -= n * size;
  }
  return sign + parts.join(' ');
}

export { formatDuration, parseDuration };
