/**
 * Below this, a number is read as epoch seconds rather than milliseconds: 1e11 ms is March
 * 1973, 1e11 s is the year 5138, so no real SageMaker time is ambiguous.
 */
const SECONDS_THRESHOLD = 1e11;

const NUMERIC = /^\d+(\.\d+)?$/;

/** The largest time a JavaScript Date can hold; anything later cannot be shown to a person. */
const MAX_TIME_MS = 8.64e15;

/**
 * Reads a time the way SageMaker events really carry it: epoch milliseconds as a number (the
 * schema registry), as a numeric string (the AWS documentation sample), epoch seconds (the
 * DescribeTrainingJob JSON wire format), an ISO-8601 string, or a `Date` (SDK output). Returns epoch milliseconds, or
 * `undefined` when the value is not a time.
 *
 * @example parseTimestamp('1583831889050') // 1583831889050
 */
function parseTimestamp(value: unknown): number | undefined {
  if (typeof value === 'number') return fromNumber(value);
  if (value instanceof Date) return fromNumber(value.getTime());
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (NUMERIC.test(text)) return fromNumber(Number(text));
  // Date.parse accepts many loose forms; requiring a date prefix keeps "12" or "soon" out.
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

function fromNumber(n: number): number | undefined {
  if (!Number.isFinite(n) || n < 0) return undefined;
  const ms = n < SECONDS_THRESHOLD ? Math.round(n * 1000) : Math.round(n);
  return ms <= MAX_TIME_MS ? ms : undefined;
}

export { parseTimestamp };
