import { matchKeyOf } from '../../domain/pool/match-key.js';
import { clamp, Random } from './random.js';
import { type InputMode, makeTrace, type Trace, type TraceJob } from './trace.js';

/**
 * Built-in, seeded traces for the three uses in AWS's warm-pool guidance (interactive
 * experimentation, hyper-parameter search, scheduled batch) and a team doing all three.
 *
 * Time model: a job "ends" at submit + duration; the gaps below (think time, seconds between
 * HPO jobs, seconds between batch jobs) are next submit − that end. Start-up latency is the
 * simulator's to add, since it depends on whether the pool was warm.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const ACCOUNT = '111122223333';
/** Monday 2 March 2026, 00:00 UTC: scenarios start on a Monday so weekdays line up. */
const DEFAULT_START = Date.UTC(2026, 2, 2);
/** Two weeks, so adaptive histories have a week to learn from and a week to be judged on. */
const DEFAULT_DAYS = 14;

type ScenarioName = 'interactive' | 'hpo' | 'batch' | 'mixed';

const SCENARIOS: readonly ScenarioName[] = ['interactive', 'hpo', 'batch', 'mixed'];

/** Parameters every scenario takes. */
interface ScenarioOptions {
  /** Days of trace (default 14). */
  readonly days?: number;
  /** PRNG seed (default 1): the same seed gives the same trace. */
  readonly seed?: number;
  /** First day, epoch ms at UTC midnight (default Monday 2026-03-02). */
  readonly start?: number;
}

/** A job under construction, before sorting. */
type Job = TraceJob;

interface Base {
  readonly days: number;
  readonly seed: number;
  readonly start: number;
}

function base(options: ScenarioOptions): Base {
  const days = options.days ?? DEFAULT_DAYS;
  if (!Number.isInteger(days) || days < 1) throw new RangeError(`days must be ≥ 1, got ${days}`);
  return { days, seed: options.seed ?? 1, start: options.start ?? DEFAULT_START };
}

function roleOf(team: string): string {
  return `arn:aws:iam::${ACCOUNT}:role/${team}-training`;
}

/** The same canonical key the live service computes, for a job of this team and shape. */
function keyOf(team: string, instanceType: string, instanceCount: number, volumeGb = 100): string {
  return matchKeyOf({
    roleArn: roleOf(team),
    instanceType,
    instanceCount,
    volumeSizeGb: volumeGb,
  });
}

// ---------------------------------------------------------------------------------------------
// Interactive experimentation

interface Person {
  readonly name: string;
  readonly zone: string;
  readonly team: string;
  /** Local start of the working day, minutes after midnight. */
  readonly startMinute: number;
}

const PEOPLE: readonly Person[] = [
  { name: 'anna', zone: 'Europe/Berlin', team: 'vision', startMinute: 9 * 60 },
  { name: 'priya', zone: 'Asia/Kolkata', team: 'nlp', startMinute: 10 * 60 },
  { name: 'maria', zone: 'America/New_York', team: 'vision', startMinute: 9 * 60 + 30 },
  { name: 'lukas', zone: 'Europe/Berlin', team: 'nlp', startMinute: 8 * 60 + 30 },
  { name: 'arjun', zone: 'Asia/Kolkata', team: 'vision', startMinute: 9 * 60 + 30 },
  { name: 'james', zone: 'America/New_York', team: 'forecasting', startMinute: 10 * 60 },
];

const INTERACTIVE_TYPES = ['ml.g5.2xlarge', 'ml.p3.2xlarge', 'ml.g5.xlarge', 'ml.g4dn.xlarge'];

interface InteractiveOptions extends ScenarioOptions {
  /** People, taken in turn from Berlin, Kolkata and New York (default 6). */
  readonly people?: number;
}

/**
 * Interactive experimentation: people in Europe/Berlin, Asia/Kolkata and America/New_York work
 * weekdays (local), from about their usual start for 8–9 h, and skip one day in ten.
 * - a day is sessions: 3–12 short jobs (2–15 min, median 6) on one of the person's 1–3 keys;
 * - think time between a job's end and the next submit is heavy-tailed (Pareto from 1 min,
 *   α = 1.1, capped at 20 min);
 * - sessions are separated by meetings or lunch, 30–120 min;
 * - instance_count 1 (one key in four uses 2), keep_alive_s as the person habitually asks
 *   (1800, 3600, 0 or 600), input modes mixed per key. Teammates with the same instance shape
 *   share a key (same role), so their pools are shared, as in SageMaker.
 *
 * @example generateInteractive({ days: 7, seed: 42 }).jobs.length
 */
function generateInteractive(options: InteractiveOptions = {}): Trace {
  const b = base(options);
  const rng = new Random(b.seed);
  const jobs: Job[] = [];
  const count = options.people ?? PEOPLE.length;
  for (let i = 0; i < count; i++) {
    const roster = PEOPLE[i % PEOPLE.length] as Person;
    const person = i < PEOPLE.length ? roster : { ...roster, name: `${roster.name}${i}` };
    interactivePerson(person, b, rng.fork(), jobs);
  }
  return makeTrace(jobs, `scenario:interactive(seed=${b.seed},days=${b.days})`, []);
}

function interactivePerson(person: Person, b: Base, rng: Random, jobs: Job[]): void {
  const keys = Array.from({ length: rng.int(1, 3) }, () => {
    const instanceType = rng.pick(INTERACTIVE_TYPES);
    const instanceCount = rng.chance(0.25) ? 2 : 1;
    return {
      instanceType,
      instanceCount,
      key: keyOf(person.team, instanceType, instanceCount),
      inputMode: rng.weighted<InputMode>([
        ['ffm', 3],
        ['file', 2],
        ['fsx', 1],
      ]),
    };
  });
  const habit = rng.weighted([
    [1800, 4],
    [3600, 3],
    [0, 2],
    [600, 1],
  ] as const);
  for (let d = 0; d < b.days; d++) {
    const date = new Date(b.start + d * DAY);
    const weekday = date.getUTCDay();
    if (weekday === 0 || weekday === 6 || rng.chance(0.1)) continue;
    const dayStart = localTime(date, person.startMinute + rng.normal() * 20, person.zone);
    const dayEnd = dayStart + rng.uniform(8, 9) * HOUR;
    let t = dayStart;
    while (t < dayEnd) {
      const k = rng.chance(0.6) ? (keys[0] as (typeof keys)[number]) : rng.pick(keys);
      const n = rng.int(3, 12);
      for (let j = 0; j < n && t < dayEnd; j++) {
        const durationMs = Math.round(clamp(rng.logNormal(6, 0.5), 2, 15) * MINUTE);
        const keepAliveS = rng.chance(0.9) ? habit : rng.pick([0, 600, 1800, 3600]);
        jobs.push({
          submitTime: Math.round(t),
          durationMs,
          key: k.key,
          instanceType: k.instanceType,
          instanceCount: k.instanceCount,
          owner: `${person.name}@example.com`,
          team: person.team,
          account: ACCOUNT,
          tags: { project: `${person.team}-research`, env: 'dev' },
          inputMode: k.inputMode,
          keepAliveMs: keepAliveS * 1000,
        });
        t += durationMs + clamp(rng.pareto(1, 1.1), 1, 20) * MINUTE;
      }
      t += rng.uniform(30, 120) * MINUTE;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Hyper-parameter search

interface HpoOptions extends ScenarioOptions {
  /** Searches started per week, spread over the weekdays (default 3). */
  readonly searchesPerWeek?: number;
  /** Jobs per search, drawn uniformly from this range (default [150, 400]). */
  readonly jobsPerSearch?: readonly [number, number];
  /** Jobs a search runs at once, drawn from this range (default [2, 4]). */
  readonly parallel?: readonly [number, number];
}

const HPO_OWNERS = [
  { name: 'wei', team: 'vision', instanceType: 'ml.g5.xlarge' },
  { name: 'sofia', team: 'nlp', instanceType: 'ml.p3.2xlarge' },
  { name: 'omar', team: 'forecasting', instanceType: 'ml.c5.4xlarge' },
] as const;

/**
 * Hyper-parameter search: a few searches a week (started on weekdays between 07:00 and 19:00
 * UTC by one of three owners), each hundreds of jobs in 2–4 parallel streams; each stream runs
 * its jobs back to back with 5–45 s between a job's end and the next submit. Job durations are
 * 3–20 min (a per-search typical duration ± 30 %). Long gaps (days) between searches.
 * keep_alive_s 600, input mode ffm, one key per owner (one instance type, count 1).
 *
 * @example generateHpo({ days: 14, seed: 7 }).jobs.length
 */
function generateHpo(options: HpoOptions = {}): Trace {
  const b = base(options);
  const rng = new Random(b.seed);
  const jobs: Job[] = [];
  const perWeek = options.searchesPerWeek ?? 3;
  const [minJobs, maxJobs] = options.jobsPerSearch ?? [150, 400];
  const [minParallel, maxParallel] = options.parallel ?? [2, 4];
  const weekdays = weekdayStarts(b);
  const searches = Math.max(1, Math.round((perWeek * b.days) / 7));
  for (let s = 0; s < searches; s++) {
    const day = weekdays.length > 0 ? rng.pick(weekdays) : b.start;
    const start = day + rng.uniform(7, 19) * HOUR;
    const owner = rng.pick(HPO_OWNERS);
    hpoSearch(
      {
        start,
        total: rng.int(minJobs, maxJobs),
        parallel: rng.int(minParallel, maxParallel),
        instanceType: owner.instanceType,
        owner: `${owner.name}@example.com`,
        team: owner.team,
        search: `search-${s + 1}`,
      },
      rng.fork(),
      jobs
    );
  }
  return makeTrace(jobs, `scenario:hpo(seed=${b.seed},days=${b.days})`, []);
}

interface Search {
  readonly start: number;
  readonly total: number;
  readonly parallel: number;
  readonly instanceType: string;
  readonly owner: string;
  readonly team: string;
  readonly search: string;
}

function hpoSearch(search: Search, rng: Random, jobs: Job[]): void {
  const typical = Math.exp(rng.uniform(Math.log(3), Math.log(20)));
  const key = keyOf(search.team, search.instanceType, 1);
  const clocks = Array.from({ length: search.parallel }, () => search.start + rng.uniform(0, 30e3));
  for (let i = 0; i < search.total; i++) {
    const stream = i % search.parallel;
    const t = clocks[stream] as number;
    const durationMs = Math.round(clamp(typical * rng.uniform(0.7, 1.3), 3, 20) * MINUTE);
    jobs.push({
      submitTime: Math.round(t),
      durationMs,
      key,
      instanceType: search.instanceType,
      instanceCount: 1,
      owner: search.owner,
      team: search.team,
      account: ACCOUNT,
      tags: { project: `${search.team}-hpo`, search: search.search },
      inputMode: 'ffm',
      keepAliveMs: 600_000,
    });
    clocks[stream] = t + durationMs + rng.uniform(5, 45) * 1000;
  }
}

// ---------------------------------------------------------------------------------------------
// Scheduled batch: one model per city

const CITIES = [
  'amsterdam',
  'athens',
  'atlanta',
  'austin',
  'bangalore',
  'barcelona',
  'berlin',
  'bogota',
  'boston',
  'brussels',
  'budapest',
  'buenos-aires',
  'cairo',
  'cape-town',
  'chicago',
  'copenhagen',
  'dallas',
  'delhi',
  'denver',
  'dubai',
  'dublin',
  'frankfurt',
  'geneva',
  'hamburg',
  'helsinki',
  'hong-kong',
  'houston',
  'istanbul',
  'jakarta',
  'johannesburg',
  'kyiv',
  'lagos',
  'lima',
  'lisbon',
  'london',
  'los-angeles',
  'lyon',
  'madrid',
  'manila',
  'melbourne',
  'mexico-city',
  'miami',
  'milan',
  'montreal',
  'mumbai',
  'munich',
  'nairobi',
  'new-york',
  'osaka',
  'oslo',
  'paris',
  'perth',
  'philadelphia',
  'prague',
  'rome',
  'san-francisco',
  'santiago',
  'sao-paulo',
  'seattle',
  'seoul',
  'shanghai',
  'singapore',
  'stockholm',
  'sydney',
  'taipei',
  'tel-aviv',
  'tokyo',
  'toronto',
  'vancouver',
  'vienna',
  'warsaw',
  'washington',
  'zurich',
  'porto',
  'valencia',
  'krakow',
  'riga',
  'tallinn',
  'vilnius',
  'seville',
];

interface BatchOptions extends ScenarioOptions {
  /** Cities, one model each per day (default: drawn from 30–80, fixed for the trace). */
  readonly cities?: number;
  /** Scheduled start, minutes after 00:00 UTC (default 120, i.e. 02:00 UTC). */
  readonly runAtMinute?: number;
  /** Parallel streams the pipeline runs (default 4). */
  readonly streams?: number;
}

/**
 * Scheduled batch: every day at a fixed time (± 2 min of scheduler jitter) a pipeline trains
 * one model per city, 30–80 cities, in a few parallel streams; each stream submits its next
 * city 5–30 s after the previous one ends. A city's job takes 5–20 min (its own typical time
 * ± 10 % day to day). One key for everything (ml.m5.4xlarge, count 1), keep_alive_s 900,
 * input mode fsx, owner the pipeline; nothing else runs all day.
 *
 * @example generateBatch({ days: 14, seed: 3, cities: 50 }).jobs.length // 700
 */
function generateBatch(options: BatchOptions = {}): Trace {
  const b = base(options);
  const rng = new Random(b.seed);
  const jobs: Job[] = [];
  const cities = CITIES.slice(0, clamp(options.cities ?? rng.int(30, 80), 1, CITIES.length));
  const typical = cities.map(() => rng.uniform(5, 20));
  const streams = options.streams ?? 4;
  const runAt = (options.runAtMinute ?? 120) * MINUTE;
  const instanceType = 'ml.m5.4xlarge';
  const key = keyOf('forecasting', instanceType, 1, 50);
  for (let d = 0; d < b.days; d++) {
    const start = b.start + d * DAY + runAt + rng.uniform(-2, 2) * MINUTE;
    const clocks = Array.from({ length: streams }, () => start + rng.uniform(0, 10e3));
    for (const [i, city] of cities.entries()) {
      const stream = i % streams;
      const t = clocks[stream] as number;
      const durationMs = Math.round(
        clamp((typical[i] as number) * rng.uniform(0.9, 1.1), 5, 20) * MINUTE
      );
      jobs.push({
        submitTime: Math.round(t),
        durationMs,
        key,
        instanceType,
        instanceCount: 1,
        owner: 'forecast-pipeline@example.com',
        team: 'forecasting',
        account: ACCOUNT,
        tags: { pipeline: 'demand-forecast', city },
        inputMode: 'fsx',
        keepAliveMs: 900_000,
      });
      clocks[stream] = t + durationMs + rng.uniform(5, 30) * 1000;
    }
  }
  return makeTrace(jobs, `scenario:batch(seed=${b.seed},days=${b.days})`, []);
}

// ---------------------------------------------------------------------------------------------
// A mixed team

/**
 * A team doing all three, plus what makes a real bill: 4 people experimenting interactively,
 * 2 HPO searches a week, a 40-city nightly batch, large distributed GPU runs (on 3 weekdays in
 * 5, 4 or 8 × ml.p4d.24xlarge or ml.p5.48xlarge, 1–6 h, and half the time a re-run of the same
 * shape 10–40 min after the first ends) and cheap CPU preprocessing (ml.m5.xlarge, 15–40 a
 * weekday during Berlin working hours, 1–5 min each, keep_alive_s 0 or 300).
 *
 * @example generateMixed({ days: 14, seed: 1 }).jobs.length
 */
function generateMixed(options: ScenarioOptions = {}): Trace {
  const b = base(options);
  const rng = new Random(b.seed);
  const sub = { days: b.days, start: b.start };
  const jobs: Job[] = [
    ...generateInteractive({ ...sub, seed: rng.int(0, 2 ** 31), people: 4 }).jobs,
    ...generateHpo({ ...sub, seed: rng.int(0, 2 ** 31), searchesPerWeek: 2 }).jobs,
    ...generateBatch({ ...sub, seed: rng.int(0, 2 ** 31), cities: 40 }).jobs,
  ];
  distributedRuns(b, rng.fork(), jobs);
  preprocessing(b, rng.fork(), jobs);
  return makeTrace(jobs, `scenario:mixed(seed=${b.seed},days=${b.days})`, []);
}

function distributedRuns(b: Base, rng: Random, jobs: Job[]): void {
  const people = ['anna', 'maria'];
  for (const day of weekdayStarts(b)) {
    if (!rng.chance(0.6)) continue;
    const instanceType = rng.pick(['ml.p4d.24xlarge', 'ml.p5.48xlarge']);
    const instanceCount = rng.pick([4, 8]);
    const owner = `${rng.pick(people)}@example.com`;
    let t = localTime(new Date(day), rng.uniform(9, 15) * 60, 'Europe/Berlin');
    do {
      const durationMs = Math.round(rng.uniform(1, 6) * HOUR);
      jobs.push({
        submitTime: Math.round(t),
        durationMs,
        key: keyOf('vision', instanceType, instanceCount, 500),
        instanceType,
        instanceCount,
        owner,
        team: 'vision',
        account: ACCOUNT,
        tags: { project: 'vision-foundation', env: 'prod' },
        inputMode: 'fsx',
        keepAliveMs: 1_800_000,
      });
      t += durationMs + rng.uniform(10, 40) * MINUTE;
    } while (rng.chance(0.5));
  }
}

function preprocessing(b: Base, rng: Random, jobs: Job[]): void {
  const key = keyOf('data', 'ml.m5.xlarge', 1, 30);
  for (const day of weekdayStarts(b)) {
    const open = localTime(new Date(day), 8 * 60, 'Europe/Berlin');
    const n = rng.int(15, 40);
    for (let i = 0; i < n; i++) {
      jobs.push({
        submitTime: Math.round(open + rng.uniform(0, 10) * HOUR),
        durationMs: Math.round(rng.uniform(1, 5) * MINUTE),
        key,
        instanceType: 'ml.m5.xlarge',
        instanceCount: 1,
        owner: 'lukas@example.com',
        team: 'data',
        account: ACCOUNT,
        tags: { project: 'feature-store', env: 'dev' },
        inputMode: 'file',
        keepAliveMs: rng.chance(0.5) ? 0 : 300_000,
      });
    }
  }
}

/**
 * A built-in scenario by name.
 *
 * @example generateScenario('hpo', { seed: 7 })
 */
function generateScenario(name: ScenarioName, options: ScenarioOptions = {}): Trace {
  switch (name) {
    case 'interactive':
      return generateInteractive(options);
    case 'hpo':
      return generateHpo(options);
    case 'batch':
      return generateBatch(options);
    case 'mixed':
      return generateMixed(options);
  }
}

// ---------------------------------------------------------------------------------------------
// A large trace for benchmarks

const LARGE_TYPES = ['ml.g5.xlarge', 'ml.g5.2xlarge', 'ml.p3.2xlarge', 'ml.m5.xlarge'];

/**
 * `n` jobs for the simulator's throughput benchmark, fast to make (no time-zone lookups): the
 * three patterns repeated over n / 400 keys, each key working in its own UTC offset. Bursty
 * keys run sessions in working hours, HPO keys chains of 200 jobs every 1–3 days, batch keys a
 * 40-job chain every night.
 *
 * @example generateLargeTrace(1_000_000, 1).jobs.length // 1000000
 */
function generateLargeTrace(n: number, seed: number, start = DEFAULT_START): Trace {
  const rng = new Random(seed);
  const keyCount = Math.max(1, Math.round(n / 400));
  const jobs: Job[] = [];
  for (let k = 0; k < keyCount; k++) {
    const quota = Math.floor(n / keyCount) + (k < n % keyCount ? 1 : 0);
    const instanceType = LARGE_TYPES[k % LARGE_TYPES.length] as string;
    const team = `team-${k % 50}`;
    const key = keyOf(team, instanceType, 1 + (k % 2));
    const instanceCount = 1 + (k % 2);
    const owner = `user-${k}@example.com`;
    const pattern = k % 3;
    const offset = (k % 24) * HOUR;
    let t = start + rng.uniform(0, DAY);
    let inChain = 0;
    for (let i = 0; i < quota; i++) {
      const durationMs = Math.round(rng.uniform(2, 20) * MINUTE);
      // A literal, not a spread of shared fields: V8 makes spread objects slow to sort.
      jobs.push({
        submitTime: Math.round(t),
        durationMs,
        key,
        instanceType,
        instanceCount,
        owner,
        team,
        account: ACCOUNT,
        keepAliveMs: 1_800_000,
      });
      t += durationMs;
      inChain++;
      if (pattern === 0) {
        t += inChain % 8 === 0 ? rng.uniform(30, 120) * MINUTE : rng.pareto(1, 1.1) * MINUTE;
        const hour = (((t + offset) % DAY) + DAY) % DAY;
        if (hour > 18 * HOUR || hour < 8 * HOUR) t += DAY - hour + 8 * HOUR;
      } else if (pattern === 1) {
        t += inChain % 200 === 0 ? rng.uniform(1, 3) * DAY : rng.uniform(5, 45) * 1000;
      } else {
        t +=
          inChain % 40 === 0 ? DAY - (((t - start) % DAY) - 2 * HOUR) : rng.uniform(5, 30) * 1000;
      }
    }
  }
  return makeTrace(jobs, `scenario:large(n=${n},seed=${seed})`, []);
}

// ---------------------------------------------------------------------------------------------
// Time helpers

/** UTC midnights of the weekdays (Monday to Friday, UTC) in the trace. */
function weekdayStarts(b: Base): number[] {
  const days: number[] = [];
  for (let d = 0; d < b.days; d++) {
    const day = b.start + d * DAY;
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) days.push(day);
  }
  return days;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

/** The zone's offset from UTC at instant `t`, ms (positive east of Greenwich). */
function zoneOffset(t: number, zone: string): number {
  let format = zoneFormats.get(zone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    zoneFormats.set(zone, format);
  }
  const parts: Record<string, number> = {};
  for (const { type, value } of format.formatToParts(t)) parts[type] = Number(value);
  const local = Date.UTC(
    parts.year ?? 0,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0
  );
  return local - (t - (t % MINUTE));
}

/** Epoch ms of `minutes` after local midnight, in `zone`, on the calendar date of `date` (UTC). */
function localTime(date: Date, minutes: number, zone: string): number {
  const wall =
    Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()) + minutes * MINUTE;
  const guess = wall - zoneOffset(wall, zone);
  return wall - zoneOffset(guess, zone);
}

export type { BatchOptions, HpoOptions, InteractiveOptions, ScenarioName, ScenarioOptions };
export {
  generateBatch,
  generateHpo,
  generateInteractive,
  generateLargeTrace,
  generateMixed,
  generateScenario,
  SCENARIOS,
};
