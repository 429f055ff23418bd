/**
 * The admins' warm-pool policy, compiled from the config's `settings:` and `rules:` into the
 * form the engine reads: durations in milliseconds, globs as matchers, windows as minutes.
 * `compilePolicy` (domain/config/compile-policy) builds it from an already-checked config.
 */

type KeepAliveAnchor = 'job-end' | 'update-time';

interface StewardSettings {
  /** Decide and audit, never call UpdateTrainingJob. The default for a new installation. */
  readonly dryRun: boolean;
  /** Circuit breaker: actions (extend, shrink, release) per run, and per minute's runs together. */
  readonly maxActionsPerRun: number;
  /** Circuit breaker: actions per clock hour (or since a resume within it), across runs. */
  readonly maxActionsPerHour: number;
  /** What an updated KeepAlivePeriodInSeconds counts from (undocumented; see reference §3.4). */
  readonly keepAliveAnchor: KeepAliveAnchor;
  /** The largest KeepAlivePeriodInSeconds SageMaker accepts here, in ms (3600 s per the docs). */
  readonly maxKeepAliveMs: number;
  /** A pool is decided on this long before it expires. */
  readonly leadTimeMs: number;
  /** A kept pool is decided again this often while it waits (0: only at expiry − lead time). */
  readonly revisitEveryMs: number;
  /** Never shorten a pool to end sooner than now + this, unless releasing it. */
  readonly safetyMarginMs: number;
  /** Audit entries are kept this many days (DynamoDB TTL). */
  readonly auditRetentionDays: number;
  /** What a minute of a person waiting for a cold start is worth, USD per hour. */
  readonly valueOfTimeUsdPerHour: number;
  /** Extra billed seconds of a cold start (image and data download), per instance. */
  readonly coldStartBilledSeconds: number;
  /** Extra wait of a cold start over a warm one, seconds (AWS benchmark P90: 117–124 s). */
  readonly coldStartWaitSeconds: number;
}

type Matcher = (value: string) => boolean;

interface RuleMatch {
  readonly team?: Matcher;
  readonly owner?: Matcher;
  readonly instanceType?: Matcher;
  /** The AWS account id of the pool's job (one Warden for an organisation). */
  readonly account?: Matcher;
  /** Every listed tag must be present and match. */
  readonly tags?: Readonly<Record<string, Matcher>>;
  /** The config text of the match, for explanations. */
  readonly text: string;
}

interface WorkingWindow {
  /** Days the window is open, 0 = Sunday … 6 = Saturday. */
  readonly days: readonly number[];
  /** Minutes after local midnight, [start, end). end ≤ start means the window spans midnight. */
  readonly startMinute: number;
  readonly endMinute: number;
  readonly timeZone: string;
  /** Local dates (YYYY-MM-DD) the window stays shut. */
  readonly holidays: readonly string[];
}

type OutsideWindow =
  | { readonly action: 'release' }
  | { readonly action: 'shrink'; readonly toMs: number };

interface Budget {
  readonly usdPerDay?: number;
  readonly instanceHoursPerDay?: number;
  readonly onExceeded: OutsideWindow;
  /** The calendar day budgets count in. */
  readonly timeZone: string;
}

type RuleMode = 'adaptive' | 'fixed' | 'off';

interface PoolRule {
  readonly name: string;
  readonly match: RuleMatch;
  readonly mode: RuleMode;
  readonly keepAlive: { readonly minMs: number; readonly maxMs: number; readonly fixedMs?: number };
  readonly window?: WorkingWindow;
  readonly outside: OutsideWindow;
  readonly budget?: Budget;
  /** Warn the owner this long before a planned release; 0 = no warning. */
  readonly warnBeforeReleaseMs: number;
}

interface Policy {
  readonly settings: StewardSettings;
  /** First match wins; a pool no rule matches is left alone. */
  readonly rules: readonly PoolRule[];
}

export type {
  Budget,
  KeepAliveAnchor,
  Matcher,
  OutsideWindow,
  Policy,
  PoolRule,
  RuleMatch,
  RuleMode,
  StewardSettings,
  WorkingWindow,
};
