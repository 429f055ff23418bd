import type { TraceJob } from '../trace/trace.js';

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

interface TeamResult {
  readonly team: string;
  readonly jobs: number;
  readonly coldStarts: number;
  readonly warmStarts: number;
  readonly waitSeconds: number;
  readonly idleInstanceSeconds: number;
  readonly idleCostUsd: number;
  readonly totalCostUsd: number;
}

interface IdleBin {
  readonly label: string;
  /** Pools whose idle time fell in the bin (a pool released at its job's end counts in `0`). */
  readonly pools: number;
  readonly instanceSeconds: number;
}

/** What one policy cost on a trace; see cost-model.ts for the formulas. */
interface PolicyResult {
  readonly name: string;
  readonly jobs: number;
  readonly coldStarts: number;
  readonly warmStarts: number;
  /** Σ (cold − warm start) over cold starts, seconds. */
  readonly waitSeconds: number;
  readonly idleInstanceSeconds: number;
  readonly idleCostUsd: number;
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

class TeamTally {
  jobs = 0;
  coldStarts = 0;
  warmStarts = 0;
  waitSeconds = 0;
  idleInstanceSeconds = 0;
  idleCostUsd = 0;
  coldCostUsd = 0;
}

/** Running sums for one policy run; the engine and the oracle feed it the same way. */
class Tally {
  private readonly teams = new Map<string, TeamTally>();
  private readonly binPools = new Array<number>(IDLE_BIN_LABELS.length).fill(0);
  private readonly binSeconds = new Array<number>(IDLE_BIN_LABELS.length).fill(0);
  jobs = 0;
  coldStarts = 0;
  warmStarts = 0;
  waitSeconds = 0;
  idleInstanceSeconds = 0;
  idleCostUsd = 0;
  coldStartBilledUsd = 0;
  waitCostUsd = 0;
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
    this.jobs += 1;
    this.warmStarts += 1;
    const team = this.team(job);
    team.jobs += 1;
    team.warmStarts += 1;
  }

  /** A job started cold: it waited `extraSeconds` longer and billed the cold start. */
  cold(job: TraceJob, extraSeconds: number, billedUsd: number, waitUsd: number): void {
    this.jobs += 1;
    this.coldStarts += 1;
    this.waitSeconds += extraSeconds;
    this.coldStartBilledUsd += billedUsd;
    this.waitCostUsd += waitUsd;
    const team = this.team(job);
    team.jobs += 1;
    team.coldStarts += 1;
    team.waitSeconds += extraSeconds;
    team.coldCostUsd += billedUsd + waitUsd;
  }

  /** A pool ended (reused, released or expired) after `idleMs` of idling. */
  pool(job: TraceJob, idleMs: number, usdPerHour: number): void {
    const instanceSeconds = (idleMs / 1000) * job.instanceCount;
    const usd = (instanceSeconds * usdPerHour) / 3600;
    this.idleInstanceSeconds += instanceSeconds;
    this.idleCostUsd += usd;
    const team = this.team(job);
    team.idleInstanceSeconds += instanceSeconds;
    team.idleCostUsd += usd;
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
          jobs: t.jobs,
          coldStarts: t.coldStarts,
          warmStarts: t.warmStarts,
          waitSeconds: t.waitSeconds,
          idleInstanceSeconds: t.idleInstanceSeconds,
          idleCostUsd: t.idleCostUsd,
          totalCostUsd: t.idleCostUsd + t.coldCostUsd,
        })
      )
      .sort((a, b) => (a.team < b.team ? -1 : a.team > b.team ? 1 : 0));
    return {
      name,
      jobs: this.jobs,
      coldStarts: this.coldStarts,
      warmStarts: this.warmStarts,
      waitSeconds: this.waitSeconds,
      idleInstanceSeconds: this.idleInstanceSeconds,
      idleCostUsd: this.idleCostUsd,
      coldStartBilledUsd: this.coldStartBilledUsd,
      waitCostUsd: this.waitCostUsd,
      totalCostUsd: this.idleCostUsd + this.coldStartBilledUsd + this.waitCostUsd,
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
