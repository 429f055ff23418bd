import { ownValue } from '../objects.js';

/**
 * Illustrative on-demand SageMaker training prices, USD per instance-hour, roughly the
 * us-east-1 list prices in late 2026. They are NOT a quote: regions, savings plans and price
 * changes differ. Notices say so, and admins override any entry under `prices:` in the config.
 */
const ILLUSTRATIVE_PRICES: Readonly<Record<string, number>> = {
  'ml.t3.medium': 0.05,
  'ml.t3.large': 0.1,
  'ml.t3.xlarge': 0.2,
  'ml.m5.large': 0.115,
  'ml.m5.xlarge': 0.23,
  'ml.m5.2xlarge': 0.461,
  'ml.m5.4xlarge': 0.922,
  'ml.m5.12xlarge': 2.765,
  'ml.m5.24xlarge': 5.53,
  'ml.c5.xlarge': 0.204,
  'ml.c5.2xlarge': 0.408,
  'ml.c5.4xlarge': 0.816,
  'ml.c5.9xlarge': 1.836,
  'ml.c5.18xlarge': 3.672,
  'ml.r5.large': 0.151,
  'ml.r5.xlarge': 0.302,
  'ml.r5.2xlarge': 0.605,
  'ml.r5.4xlarge': 1.21,
  'ml.r5.8xlarge': 2.419,
  'ml.r5.12xlarge': 3.629,
  'ml.r5.16xlarge': 4.838,
  'ml.r5.24xlarge': 7.258,
  'ml.g4dn.xlarge': 0.736,
  'ml.g4dn.2xlarge': 0.94,
  'ml.g4dn.4xlarge': 1.505,
  'ml.g4dn.8xlarge': 2.72,
  'ml.g4dn.12xlarge': 4.89,
  'ml.g4dn.16xlarge': 5.44,
  'ml.g5.xlarge': 1.408,
  'ml.g5.2xlarge': 1.515,
  'ml.g5.4xlarge': 2.03,
  'ml.g5.8xlarge': 3.06,
  'ml.g5.12xlarge': 7.09,
  'ml.g5.16xlarge': 5.12,
  'ml.g5.24xlarge': 10.18,
  'ml.g5.48xlarge': 20.36,
  'ml.g6.xlarge': 1.006,
  'ml.g6.2xlarge': 1.222,
  'ml.g6.4xlarge': 1.654,
  'ml.g6.8xlarge': 2.518,
  'ml.g6.12xlarge': 5.752,
  'ml.g6.16xlarge': 4.246,
  'ml.g6.24xlarge': 8.344,
  'ml.g6.48xlarge': 16.688,
  'ml.p3.2xlarge': 3.825,
  'ml.p3.8xlarge': 14.688,
  'ml.p3.16xlarge': 28.152,
  'ml.p4d.24xlarge': 37.688,
  'ml.p5.48xlarge': 113.07,
  'ml.trn1.2xlarge': 1.544,
  'ml.trn1.32xlarge': 24.725,
};

interface HourlyPrice {
  readonly usdPerHour: number;
  /** `illustrative` prices come from the built-in table and must be labelled as such. */
  readonly source: 'config' | 'illustrative';
}

/**
 * No SageMaker instance costs near this much per hour (the largest list at about $120); a
 * price above it is a typo or a hostile config, and multiplied out it would print `$∞`.
 */
const MAX_USD_PER_HOUR = 10_000;

/**
 * Whether `usdPerHour` can be a real hourly price: finite, above zero and at most
 * `MAX_USD_PER_HOUR`. Anything else is treated as no price at all.
 *
 * @example isUsablePrice(1.79e308) // false
 */
function isUsablePrice(usdPerHour: unknown): usdPerHour is number {
  return (
    typeof usdPerHour === 'number' &&
    Number.isFinite(usdPerHour) &&
    usdPerHour > 0 &&
    usdPerHour <= MAX_USD_PER_HOUR
  );
}

/**
 * The hourly price of `instanceType`: the config's override, else the illustrative table, else
 * `undefined`. An override that is not a usable price gives `undefined` (unknown), never a
 * number it is not, and never the illustrative price the admin meant to replace.
 *
 * @example hourlyPrice('ml.g5.2xlarge', {}) // { usdPerHour: 1.515, source: 'illustrative' }
 */
function hourlyPrice(
  instanceType: string | undefined,
  overrides: Readonly<Record<string, number>>
): HourlyPrice | undefined {
  if (instanceType === undefined) return undefined;
  const configured = ownValue(overrides, instanceType);
  if (configured !== undefined) {
    return isUsablePrice(configured) ? { usdPerHour: configured, source: 'config' } : undefined;
  }
  const listed = ownValue(ILLUSTRATIVE_PRICES, instanceType);
  return listed === undefined ? undefined : { usdPerHour: listed, source: 'illustrative' };
}

/** Dollars for `seconds` of `count` instances at `price`. */
function costOf(seconds: number, count: number, price: HourlyPrice): number {
  return (seconds * count * price.usdPerHour) / 3600;
}

export type { HourlyPrice };
export { costOf, hourlyPrice, ILLUSTRATIVE_PRICES, isUsablePrice, MAX_USD_PER_HOUR };
