/** How the table and the report write their numbers, so both show a result the same way. */

const usd = (n: number, digits = 2): string =>
  `$${n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;

const int = (n: number): string => n.toLocaleString('en-US');

/**
 * One decimal; a positive amount too small to show is `< 0.1`, so a pool idle for a minute
 * is not written as 0.0 beside the dollars it cost.
 *
 * @example tenths(0.02) // '< 0.1'
 */
const tenths = (n: number): string =>
  n > 0 && n < 0.05
    ? '< 0.1'
    : n.toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** A ratio to the oracle; null (the oracle paid nothing and the policy did) is ∞. */
const ratio = (r: number | null): string => (r === null ? '∞' : `${r.toFixed(2)}×`);

export { int, ratio, tenths, usd };
