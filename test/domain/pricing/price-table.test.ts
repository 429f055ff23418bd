import { describe, expect, it } from 'vitest';
import {
  costOf,
  hourlyPrice,
  ILLUSTRATIVE_PRICES,
} from '../../../src/domain/pricing/price-table.js';

describe('hourlyPrice', () => {
  it('takes the illustrative list price when the config sets none', () => {
    expect(hourlyPrice('ml.g5.2xlarge', {})).toEqual({ usdPerHour: 1.515, source: 'illustrative' });
  });

  it('lets a configured price beat the illustrative one', () => {
    expect(hourlyPrice('ml.g5.2xlarge', { 'ml.g5.2xlarge': 1.2 })).toEqual({
      usdPerHour: 1.2,
      source: 'config',
    });
  });

  it('takes a configured price for a type the built-in table lacks', () => {
    expect(hourlyPrice('ml.g6e.xlarge', { 'ml.g6e.xlarge': 1.861 })).toEqual({
      usdPerHour: 1.861,
      source: 'config',
    });
  });

  it.each([1.79e308, Number.POSITIVE_INFINITY, Number.NaN, 0, -1, 10_001])(
    'treats a configured price of %s as no price, not as the illustrative one',
    (usd) => {
      expect(hourlyPrice('ml.g5.2xlarge', { 'ml.g5.2xlarge': usd })).toBeUndefined();
    }
  );

  it('accepts a configured price up to the bound', () => {
    expect(hourlyPrice('ml.x', { 'ml.x': 10_000 })).toEqual({
      usdPerHour: 10_000,
      source: 'config',
    });
  });

  it('returns undefined for an instance type nobody priced', () => {
    expect(hourlyPrice('ml.g6e.xlarge', { 'ml.g5.2xlarge': 1.2 })).toBeUndefined();
  });

  it('returns undefined when the job has no instance type', () => {
    expect(hourlyPrice(undefined, {})).toBeUndefined();
  });

  it('does not take an Object prototype member for a price', () => {
    expect(hourlyPrice('constructor', {})).toBeUndefined();
  });
});

describe('costOf', () => {
  it('multiplies seconds by instance count and the per-second price', () => {
    expect(costOf(3600, 2, { usdPerHour: 1.515, source: 'illustrative' })).toBeCloseTo(3.03, 10);
  });

  it('charges half the hourly price for half an hour of one instance', () => {
    expect(costOf(1800, 1, { usdPerHour: 4, source: 'config' })).toBe(2);
  });

  it('costs nothing for no time', () => {
    expect(costOf(0, 8, { usdPerHour: 37.688, source: 'illustrative' })).toBe(0);
  });
});

describe('ILLUSTRATIVE_PRICES', () => {
  it('lists only positive prices for ml.* instance types', () => {
    for (const [type, price] of Object.entries(ILLUSTRATIVE_PRICES)) {
      expect(type).toMatch(/^ml\.[a-z0-9-]+\.[a-z0-9]+$/);
      expect(price).toBeGreaterThan(0);
    }
  });
});
