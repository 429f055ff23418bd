import { parsePolicyList } from '../../../src/sim/policy-sim/policies.js';
import type { SimRunSettings } from '../../../src/sim/policy-sim/sim-policy.js';
import { makeTrace, type Trace, type TraceJob } from '../../../src/sim/trace/trace.js';

/**
 * Small hand-made traces for the policy-mode tests. Prices are chosen so the arithmetic is easy:
 * ml.m5.xlarge at $3.60/h is $0.001 per instance-second, and a value of time of $36/h is
 * $0.01 per second of waiting. An fsx cold start then costs B = 117 s × 0.01 + 30 s × 0.001
 * = $1.20 for one instance, and the break-even keep-alive is B / r = 1200 s.
 */

const T0 = Date.UTC(2026, 2, 2, 9);
const S = 1000;
const TYPE = 'ml.m5.xlarge';

const SETTINGS: SimRunSettings = {
  maxKeepAliveMs: 3_600_000,
  keepAliveAnchor: 'job-end',
  safetyMarginMs: 120_000,
  leadTimeMs: 300_000,
  valueOfTimeUsdPerHour: 36,
  coldStartBilledSeconds: 30,
  prices: { [TYPE]: 3.6 },
  quota: {},
  latency: { kind: 'p90' },
};

const PRICES: ReadonlyMap<string, number> = new Map([[TYPE, 3.6]]);

/** A one-instance fsx job of key `k`, submitted `atS` seconds after T0, running `durationS`. */
function job(atS: number, durationS: number, extra: Partial<TraceJob> = {}): TraceJob {
  return {
    submitTime: T0 + atS * S,
    durationMs: durationS * S,
    key: 'k',
    instanceType: TYPE,
    instanceCount: 1,
    inputMode: 'fsx',
    team: 'vision',
    ...extra,
  };
}

function trace(...jobs: TraceJob[]): Trace {
  return makeTrace(jobs, 'test', []);
}

/**
 * Trace A, one key, fsx, 100 s jobs: j1 at 0 s (cold, ends 236 s), j2 at 536 s (5 min after
 * j1's end), j3 30 min after j2 would end on a warm start (655 s + 1800 s = 2455 s).
 */
function traceA(keepAlives: readonly (number | undefined)[] = []): Trace {
  const at = [0, 536, 2455];
  return trace(
    ...at.map((s, i) => {
      const keepAliveS = keepAlives[i];
      return job(s, 100, keepAliveS === undefined ? {} : { keepAliveMs: keepAliveS * S });
    })
  );
}

/** The policies of a `--policies` list, under the fixtures' maximum keep-alive. */
function specs(list: string) {
  const parsed = parsePolicyList(list, SETTINGS.maxKeepAliveMs);
  if (!parsed.ok) throw new TypeError(parsed.issues.join('; '));
  return parsed.specs;
}

/** A number as the table or the report shows it: without $, thousands commas, ×, % or brackets. */
const shownNumber = (text: string | undefined) => Number((text ?? '').replace(/[$,×%()]/g, ''));

/** Whether hours shown (one decimal, or "< 0.1") are these seconds, within the rounding. */
const shownHours = (shown: string | undefined, seconds: number) =>
  shown === '< 0.1'
    ? seconds > 0 && seconds < 180
    : Math.abs(shownNumber(shown) - seconds / 3600) <= 0.05;

export { job, PRICES, S, SETTINGS, shownHours, shownNumber, specs, T0, TYPE, trace, traceA };
