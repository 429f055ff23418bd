import type { Budget } from '../policy/policy.js';
import { localTime } from '../policy/working-window.js';
import type { PoolRecord } from '../pool/pool-record.js';
import { hourlyPrice } from '../pricing/price-table.js';

interface Spend {
  readonly usd: number;
  readonly instanceHours: number;
}

/** The calendar day a budget counts in (`YYYY-MM-DD` in its zone), and when that day began. */
function budgetDay(budget: Budget, now: number): { readonly date: string; readonly start: number } {
  const today = localTime(now, budget.timeZone);
  return { date: today.date, start: now - today.minute * 60_000 };
}

/**
 * A team's spend today as budgets count it: what was recorded for the day plus what its
 * Available pools commit. Committed, not only spent: a pool kept until its expiry bills until
 * then unless reused, so N pools cannot each take all that is left. The steward and owner
 * actions count alike.
 */
function committedSpend(
  recorded: Spend,
  livePools: readonly PoolRecord[],
  team: string,
  dayStart: number,
  prices: Readonly<Record<string, number>>
): Spend {
  let { usd, instanceHours } = recorded;
  for (const pool of livePools) {
    if (pool.team !== team || pool.state !== 'Available') continue;
    const hours =
      (Math.max(0, pool.expiresAt - Math.max(pool.endTime, dayStart)) / 3_600_000) *
      pool.instanceCount;
    const price = hourlyPrice(pool.instanceType, prices);
    instanceHours += hours;
    usd += price === undefined ? 0 : hours * price.usdPerHour;
  }
  return { usd, instanceHours };
}

export type { Spend };
export { budgetDay, committedSpend };
