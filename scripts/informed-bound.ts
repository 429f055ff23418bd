// How close can any policy get to the oracle on a built-in scenario, if it knew the scenario's
// own gap distribution? Not product code: the evidence behind the README's "interactive is the
// honest exception".
//
// An "informed" policy is trained on other seeds of the same generator (default 40 traces of
// 14 days, seeds 100–139): for each pool it records the gap until the job that took it (pools
// paired newest-first, as SageMaker hands them out; ∞ when none did), grouped by what an online
// policy could observe when the pool frees up. On the judged seed it keeps each pool for the k
// that minimises the expected cost over its group's gaps, with the pool's own r and B — the
// Bayes decision with the distribution known instead of learnt. Features:
//   none     one distribution for everyone
//   day      + hours since the owner's first job that day (the working window)
//   session  + hours into the day + jobs so far in the owner's session (gaps ≤ 25 min)
//
// Usage: npx tsx scripts/informed-bound.ts [SCENARIO] [SEEDS] [TRAINING_TRACES]   (any built-in scenario)
//        npx tsx scripts/informed-bound.ts interactive 1,2,3,4,5,6 40
import { pathToFileURL } from 'node:url';
import { runBacktest } from '../src/sim/policy-sim/backtest.js';
import {
  coldStartPenalty,
  idleRate,
  inputModeOf,
  START_LATENCY_S,
} from '../src/sim/policy-sim/cost-model.js';
import { type PolicySpec, parsePolicyList } from '../src/sim/policy-sim/policies.js';
import type { SimPolicy, SimRunSettings } from '../src/sim/policy-sim/sim-policy.js';
import { generateScenario, SCENARIOS, type ScenarioName } from '../src/sim/trace/scenarios.js';
import type { Trace, TraceJob } from '../src/sim/trace/trace.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const SESSION_GAP = 25 * MINUTE;
const NEW_DAY_GAP = 6 * HOUR;
const FEATURES = ['none', 'day', 'session'] as const;
type Feature = (typeof FEATURES)[number];

const settings: SimRunSettings = {
  maxKeepAliveMs: HOUR,
  keepAliveAnchor: 'job-end',
  safetyMarginMs: 2 * MINUTE,
  leadTimeMs: 5 * MINUTE,
  valueOfTimeUsdPerHour: 100,
  coldStartBilledSeconds: 30,
  prices: {},
  quota: {},
  latency: { kind: 'p90' },
};

/** What a policy can know of an owner when a pool frees up: their day and session so far. */
class OwnerDay {
  lastEnd = Number.NEGATIVE_INFINITY;
  dayStart = 0;
  sessionJobs = 0;

  arrive(now: number): void {
    if (now - this.lastEnd > NEW_DAY_GAP) {
      this.dayStart = now;
      this.sessionJobs = 0;
    } else this.sessionJobs = now - this.lastEnd <= SESSION_GAP ? this.sessionJobs + 1 : 0;
  }

  group(feature: Feature, now: number): string {
    const hours = Math.min(9, Math.floor((now - this.dayStart) / HOUR));
    if (feature === 'none') return '';
    if (feature === 'day') return `h${hours}`;
    return `h${hours}|s${Math.min(this.sessionJobs, 11)}`;
  }
}

function ownerOf(owners: Map<string, OwnerDay>, job: TraceJob): OwnerDay {
  const key = job.owner ?? '';
  let owner = owners.get(key);
  if (owner === undefined) {
    owner = new OwnerDay();
    owners.set(key, owner);
  }
  return owner;
}

/** Gaps (ms; ∞ for a pool never taken) by group, from `trace`'s pools paired newest-first. */
function recordGaps(trace: Trace, feature: Feature, into: Map<string, number[]>): void {
  // Ends are approximated with the warm start-up: most pools that are taken were warm.
  const events = trace.jobs.flatMap((job) => [
    { at: job.submitTime, arrival: true, job },
    {
      at: job.submitTime + START_LATENCY_S[inputModeOf(job)].warm * 1000 + job.durationMs,
      arrival: false,
      job,
    },
  ]);
  events.sort((a, b) => a.at - b.at || Number(a.arrival) - Number(b.arrival));
  const owners = new Map<string, OwnerDay>();
  const free = new Map<string, { end: number; group: string }[]>();
  const add = (group: string, gap: number) => {
    const gaps = into.get(group) ?? [];
    gaps.push(gap);
    into.set(group, gaps);
  };
  for (const { at, arrival, job } of events) {
    const owner = ownerOf(owners, job);
    if (arrival) {
      owner.arrive(at);
      const pool = free.get(job.key)?.pop();
      if (pool !== undefined) add(pool.group, at - pool.end);
    } else {
      const stack = free.get(job.key) ?? [];
      stack.push({ end: at, group: owner.group(feature, at) });
      free.set(job.key, stack);
      owner.lastEnd = at;
    }
  }
  for (const stack of free.values()) for (const pool of stack) add(pool.group, Infinity);
}

/** The keep-alive (whole minutes up to the maximum) with the least expected cost over `gaps`. */
function bestKeepAlive(gaps: readonly number[], r: number, b: number): number {
  let best = 0;
  let bestCost = Number.POSITIVE_INFINITY;
  for (let k = 0; k <= settings.maxKeepAliveMs; k += MINUTE) {
    let cost = 0;
    for (const gap of gaps) cost += gap <= k ? (r * gap) / 1000 : (r * k) / 1000 + b;
    if (cost < bestCost) {
      bestCost = cost;
      best = k;
    }
  }
  return best;
}

function informedPolicy(
  name: string,
  feature: Feature,
  gaps: ReadonlyMap<string, readonly number[]>,
  prices: ReadonlyMap<string, number>
): SimPolicy {
  const owners = new Map<string, OwnerDay>();
  const chosen = new Map<string, number>();
  return {
    name,
    keepAliveAtSubmit: () => settings.maxKeepAliveMs,
    observeArrival: (job, now) => ownerOf(owners, job).arrive(now),
    onAvailable(pool, now) {
      const owner = ownerOf(owners, pool.job);
      const group = owner.group(feature, now);
      owner.lastEnd = now;
      const price = prices.get(pool.instanceType) ?? Number.NaN;
      const r = idleRate(pool.job, price);
      const b = coldStartPenalty(pool.job, price, settings);
      const memo = `${group}|${r}|${b}`;
      let keep = chosen.get(memo);
      if (keep === undefined) {
        keep = bestKeepAlive(gaps.get(group) ?? [], r, b);
        chosen.set(memo, keep);
      }
      return { until: now + keep };
    },
  };
}

/** What the command line asks for. */
interface BoundArgs {
  readonly scenario: ScenarioName;
  readonly seeds: readonly number[];
  readonly training: number;
}

const USAGE =
  'usage: npx tsx scripts/informed-bound.ts [SCENARIO] [SEEDS e.g. 1,2,3] [TRAINING_TRACES 1-200]';
/** Each training trace takes about 0.1 s a feature; more than this is a typo, not a wish. */
const MAX_TRAINING = 200;

/** The arguments, or the one problem with them (naming the argument). */
function parseBoundArgs(argv: readonly string[]): BoundArgs | { readonly problem: string } {
  const [scenario = 'interactive', seedList = '1,2,3,4,5,6', trainingText = '40', ...extra] = argv;
  if (extra.length > 0) return { problem: `unexpected argument ${extra[0]}` };
  if (!(SCENARIOS as readonly string[]).includes(scenario)) {
    return { problem: `unknown scenario ${scenario}; one of ${SCENARIOS.join(', ')}` };
  }
  const seedTexts = seedList.split(',');
  const bad = seedTexts.find((t) => !/^\d{1,9}$/.test(t));
  if (bad !== undefined) {
    return { problem: `seed "${bad}" in ${seedList} is not a whole number from 0 to 999999999` };
  }
  if (
    !/^\d{1,3}$/.test(trainingText) ||
    Number(trainingText) < 1 ||
    Number(trainingText) > MAX_TRAINING
  ) {
    return {
      problem: `training traces ${trainingText} must be a whole number from 1 to ${MAX_TRAINING}`,
    };
  }
  return {
    scenario: scenario as ScenarioName,
    seeds: seedTexts.map(Number),
    training: Number(trainingText),
  };
}

function main({ scenario, seeds, training }: BoundArgs): void {
  const trained = new Map<Feature, Map<string, number[]>>();
  for (const feature of FEATURES) {
    const gaps = new Map<string, number[]>();
    for (let seed = 100; seed < 100 + training; seed++) {
      recordGaps(generateScenario(scenario, { seed }), feature, gaps);
    }
    trained.set(feature, gaps);
  }

  const baselines = parsePolicyList('adaptive,fixed:20m,breakeven,oracle', settings.maxKeepAliveMs);
  if (!baselines.ok) throw new Error(baselines.issues.join('; '));
  const informed: PolicySpec[] = FEATURES.map((feature) => ({
    kind: 'engine',
    name: `informed:${feature}`,
    create: (_settings, prices) =>
      informedPolicy(`informed:${feature}`, feature, trained.get(feature) ?? new Map(), prices),
  }));
  const names = ['adaptive', 'fixed:20m', 'breakeven', ...informed.map((s) => s.name)];
  console.log(
    `${scenario}, 14 days, ratio to the oracle; informed policies trained on ${training} other traces`
  );
  console.log(['seed', ...names].map((n) => n.padStart(17)).join(''));
  for (const seed of seeds) {
    const result = runBacktest(
      generateScenario(scenario, { seed }),
      [...baselines.specs, ...informed],
      settings
    );
    const ratio = (name: string) =>
      result.policies.find((p) => p.name === name)?.ratioToOracle ?? Number.NaN;
    console.log(
      [String(seed), ...names.map((n) => ratio(n).toFixed(3))].map((c) => c.padStart(17)).join('')
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = parseBoundArgs(process.argv.slice(2));
  if ('problem' in args) {
    console.error(`informed-bound: ${args.problem}\n${USAGE}`);
    process.exit(2);
  }
  main(args);
}

export { parseBoundArgs };
