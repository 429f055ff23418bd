import type { WardenConfig } from '../../domain/config/warden-config.js';
import type { KeepAliveAnchor, Policy } from '../../domain/policy/policy.js';
import type { TraceJob } from '../trace/trace.js';

/** A warm pool as the policy-mode simulator shows it to a policy. Times are epoch ms. */
interface SimPool {
  readonly id: number;
  /** The job whose end made this pool Available. */
  readonly job: TraceJob;
  readonly key: string;
  readonly instanceType: string;
  readonly instanceCount: number;
  /** USD per instance-hour. */
  readonly usdPerHour: number;
  /** When the job ended and the pool became Available. */
  readonly endTime: number;
  /** Current expiry (after the engine applied the last decision). */
  readonly expiresAt: number;
}

/**
 * A policy's answer: keep the pool until `until` (absolute; ≤ now releases it), and optionally
 * look at it again at `revisitAt`. The engine turns `until` into a KeepAlivePeriodInSeconds with
 * the domain's `keepAliveForTarget` under the run's anchor and maximum, exactly as the steward does.
 */
interface SimDecision {
  readonly until: number;
  readonly revisitAt?: number;
}

/**
 * A keep-alive policy under test. Baselines only answer `keepAliveAtSubmit` (what the job asks
 * SageMaker for: no API calls). Policies that manage pools after the fact (the steward's
 * `adaptive`) answer `onAvailable` and `onRevisit`; each such decision that changes the expiry
 * costs a DescribeTrainingJob + UpdateTrainingJob, as in the service.
 */
interface SimPolicy {
  readonly name: string;
  /** The keep-alive the job is submitted with, ms (0 = none). Default: the job's own request. */
  keepAliveAtSubmit?(job: TraceJob): number;
  /** Called for every job arrival (submit), in time order, before it takes a pool or not. */
  observeArrival?(job: TraceJob, now: number): void;
  /** Called when a job ends, in time order, before its pool (if any) is offered to `onAvailable`. */
  observeEnd?(job: TraceJob, now: number): void;
  /** A pool just became Available at `now` (= pool.endTime). */
  onAvailable?(pool: SimPool, now: number): SimDecision;
  /** A revisit the policy asked for (or expiry − lead time) came due. */
  onRevisit?(pool: SimPool, now: number): SimDecision;
  /** The pool ended (taken by a job, released or expired): forget whatever was kept for it. */
  onPoolEnd?(pool: SimPool): void;
}

/**
 * Start latency: `p90` uses the AWS benchmark's P90 constants (exactly reproducible); `seeded`
 * draws each job's cold and warm start from a log-normal whose P90 is that constant.
 */
type LatencyModel = { readonly kind: 'p90' } | { readonly kind: 'seeded'; readonly seed: number };

/** The settings of one backtest, shared by the engine and every policy factory. */
interface SimRunSettings {
  /** The largest keep-alive SageMaker accepts, ms (default 1 h, at most 6 h). */
  readonly maxKeepAliveMs: number;
  readonly keepAliveAnchor: KeepAliveAnchor;
  /** A shrink never ends a pool sooner than now + this (a release does). */
  readonly safetyMarginMs: number;
  /** Policies with `onRevisit` are asked again this long before a pool expires. */
  readonly leadTimeMs: number;
  /** USD per hour of a person waiting for a cold start. */
  readonly valueOfTimeUsdPerHour: number;
  /** Billed seconds of a cold start (image and data download), per instance. */
  readonly coldStartBilledSeconds: number;
  /** Config price overrides, USD per instance-hour by instance type. */
  readonly prices: Readonly<Record<string, number>>;
  /** Warm-pool quota: retained instances per instance type at once; absent = unlimited. */
  readonly quota: Readonly<Record<string, number>>;
  readonly latency: LatencyModel;
  /** The admins' policy from `--config`, when one was given (the adaptive policy reads its rules). */
  readonly policy?: Policy;
  /**
   * The `--config` the policy was compiled from: its directory and owner chain name each pool's
   * owner and team for the rules, as the steward does. Without it, the trace's own columns.
   */
  readonly config?: WardenConfig;
}

export type { LatencyModel, SimDecision, SimPolicy, SimPool, SimRunSettings };
