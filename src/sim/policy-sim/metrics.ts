import type { TraceJob } from '../trace/trace.js';
import { startLatencySeconds } from './cost-model.js';
import type { SimRunSettings } from './sim-policy.js';

/**
 * Upper edges (inclusive) of the idle-time bins shown in the report, ms: bin 0 is exactly 0,
 * then (0, 1m], (1m, 5m] …, so a pool kept exactly 10 min counts in 5–10m.
 */
const IDLE_BIN_EDGES_MS = [0, 60_000, 300_000, 600_000, 1_200_000, 1_800_000, 3_600_000, 7_200_000];
const IDLE_BIN_LABELS = [
  '0',
  '≤ 1m',
  '1–5m',
  '5–10m',
  '10–20m',
  '20–30m',
  '30m–1h',
  '1–2h',
  '> 2h',
] as const;

/** Team name used for jobs without one. */
const NO_TEAM = '(no team)';

/** The counts kept both per policy run and per team. */
interface StartCounts {
  readonly jobs: number;
  readonly coldStarts: number;
  readonly warmStarts: number;
  /** Σ (cold − warm start) over cold starts, seconds. */
  readonly waitSeconds: number;
  readonly idleInstanceSeconds: number;
  readonly idleCostUsd: number;
}

interface TeamResult extends StartCounts {
  readonly team: string;
  readonly totalCostUsd: number;
}

interface IdleBin {
  readonly label: string;
  /** Pools whose idle time fell in the bin (a pool released at its job's end counts in `0`). */
  readonly pools: number;
  readonly instanceSeconds: number;
}

/** What one policy cost on a trace; see cost-model.ts for the formulas. */
interface PolicyResult extends StartCounts {
  readonly name: string;
  readonly coldStartBilledUsd: number;
  readonly waitCostUsd: number;
  readonly totalCostUsd: number;
  /** DescribeTrainingJob + UpdateTrainingJob calls the policy's decisions would make. */
  readonly apiCalls: number;
  /** Warm pools that existed (kept at least until their job's end). */
  readonly pools: number;
  /** Pools not kept because the instance type's warm-pool quota was used up. */
  readonly quotaDenied: number;
  readonly teams: readonly TeamResult[];
  readonly idleHistogram: readonly IdleBin[];
}

/** Running {@link StartCounts}; kept for the whole run and for each team. */
class CountsTally {
  jobs = 0;
  coldStarts = 0;
  warmStarts = 0;
  waitSeconds = 0;
  /** Whole instance-milliseconds: summed exactly, so the seconds carry no float noise. */
  idleInstanceMs = 0;
  idleCostUsd = 0;

  warm(): void {
    this.jobs += 1;
    this.warmStarts += 1;
  }

  cold(extraSeconds: number): void {
    this.jobs += 1;
    this.coldStarts += 1;
    this.waitSeconds += extraSeconds;
  }

  idle(instanceMs: number, usd: number): void {
    this.idleInstanceMs += instanceMs;
    this.idleCostUsd += usd;
  }

  counts(): StartCounts {
    return {
      jobs: this.jobs,
      coldStarts: this.coldStarts,
      warmStarts: this.warmStarts,
      waitSeconds: this.waitSeconds,
      idleInstanceSeconds: this.idleInstanceMs / 1000,
      idleCostUsd: this.idleCostUsd,
    };
  }
}

class TeamTally extends CountsTally {
  coldCostUsd = 0;
}

/** Running sums for one policy run; the engine and the oracle feed it the same way. */
class Tally {
  private readonly all = new CountsTally();
  private readonly teams = new Map<string, TeamTally>();
  private readonly binPools = new Array<number>(IDLE_BIN_LABELS.length).fill(0);
  private readonly binSeconds = new Array<number>(IDLE_BIN_LABELS.length).fill(0);
  private coldStartBilledUsd = 0;
  private waitCostUsd = 0;
  apiCalls = 0;
  pools = 0;
  quotaDenied = 0;

  private team(job: TraceJob): TeamTally {
    const name = job.team ?? NO_TEAM;
    let tally = this.teams.get(name);
    if (tally === undefined) {
      tally = new TeamTally();
      this.teams.set(name, tally);
    }
    return tally;
  }

  /** A job started on a warm pool: no extra cost. */
  warm(job: TraceJob): void {
    this.all.warm();
    this.team(job).warm();
  }

  /**
   * A job started cold: it waited the gap between its cold and warm start latencies (job
   * `index` of the trace, for the seeded latency model) and billed the cold start.
   */
  cold(
    job: TraceJob,
    index: number,
    usdPerHour: number,
    settings: Pick<SimRunSettings, 'latency' | 'coldStartBilledSeconds' | 'valueOfTimeUsdPerHour'>
  ): void {
    const coldS = startLatencySeconds(settings.latency, job, index, true);
    const warmS = startLatencySeconds(settings.latency, job, index, false);
    const extraSeconds = Math.max(0, coldS - warmS);
    const billedUsd = (settings.coldStartBilledSeconds * job.instanceCount * usdPerHour) / 3600;
    const waitUsd = (extraSeconds * settings.valueOfTimeUsdPerHour) / 3600;
    this.all.cold(extraSeconds);
    this.coldStartBilledUsd += billedUsd;
    this.waitCostUsd += waitUsd;
    const team = this.team(job);
    team.cold(extraSeconds);
    team.coldCostUsd += billedUsd + waitUsd;
  }

  /** A pool ended (reused, released or expired) after `idleMs` of idling. */
  pool(job: TraceJob, idleMs: number, usdPerHour: number): void {
    const instanceSeconds = (idleMs / 1000) * job.instanceCount;
    const usd = (instanceSeconds * usdPerHour) / 3600;
    const instanceMs = idleMs * job.instanceCount;
    this.all.idle(instanceMs, usd);
    this.team(job).idle(instanceMs, usd);
    let bin = 0;
    while (bin < IDLE_BIN_EDGES_MS.length && idleMs > (IDLE_BIN_EDGES_MS[bin] as number)) bin++;
    this.binPools[bin] = (this.binPools[bin] ?? 0) + 1;
    this.binSeconds[bin] = (this.binSeconds[bin] ?? 0) + instanceSeconds;
  }

  result(name: string): PolicyResult {
    const teams = [...this.teams]
      .map(
        ([team, t]): TeamResult => ({
          team,
          ...t.counts(),
          totalCostUsd: t.idleCostUsd + t.coldCostUsd,
        })
      )
      .sort((a, b) => (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
    return {
      name,
      ...this.all.counts(),
      coldStartBilledUsd: this.coldStartBilledUsd,
      waitCostUsd: this.waitCostUsd,
      totalCostUsd: this.all.idleCostUsd + this.coldStartBilledUsd + this.waitCostUsd,
      apiCalls: this.apiCalls,
      pools: this.pools,
      quotaDenied: this.quotaDenied,
      teams,
      idleHistogram: IDLE_BIN_LABELS.map((label, i) => ({
        label,
        pools: this.binPools[i] ?? 0,
        instanceSeconds: this.binSeconds[i] ?? 0,
      })),
    };
  }
}

export type { IdleBin, PolicyResult, TeamResult };
export { IDLE_BIN_EDGES_MS, IDLE_BIN_LABELS, NO_TEAM, Tally };
