/** `45s`, `12m 05s`, `3h 07m`, `2d 04h`: compact and sortable by eye. */
function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  if (s < 60) return `${s}s`;
  const pad = (n: number) => String(n).padStart(2, '0');
  const minutes = Math.floor(s / 60);
  if (minutes < 60) return `${minutes}m ${pad(s % 60)}s`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h ${pad(minutes % 60)}m`;
  return `${Math.floor(hours / 24)}d ${pad(hours % 24)}h`;
}

// Intl formatters are costly to build, so they are built on first use (not at cold start).
let usd: Intl.NumberFormat | undefined;

function formatUsd(amount: number): string {
  if (amount > 0 && amount < 0.005) return '<$0.01';
  usd ??= new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });
  return usd.format(amount);
}

/** Hourly prices keep three decimals, the precision AWS lists them at. */
function formatRate(usdPerHour: number): string {
  return `$${usdPerHour.toFixed(3).replace(/0$/, '')}/h`;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `Wed 26 Nov, 15:05 CET` in the owner's IANA time zone. */
function formatTimeInZone(epochMs: number, timeZone: string): string {
  let formatter = formatters.get(timeZone);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat('en-GB', {
      timeZone,
      weekday: 'short',
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZoneName: 'short',
    });
    formatters.set(timeZone, formatter);
  }
  const parts = Object.fromEntries(formatter.formatToParts(epochMs).map((p) => [p.type, p.value]));
  return `${parts.weekday} ${parts.day} ${parts.month}, ${parts.hour}:${parts.minute} ${parts.timeZoneName}`;
}

export { formatDuration, formatRate, formatTimeInZone, formatUsd };
