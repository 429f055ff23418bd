import * as z from 'zod/mini';
import { formatDuration, parseDuration } from '../duration.js';
import { HOURS, isCalendarDate, isTimeZone, parseDays, parseHours } from './policy-text.js';

// The `settings:` and `rules:` sections. Each value's own form is checked here; rules about
// how values relate (min ≤ max, warnings within the lead time, shadowed rules) are checked by
// parseConfig's reference stage, which can name both lines.

/** The largest KeepAlivePeriodInSeconds in SageMaker's current API model (reference §3.1). */
const MAX_KEEP_ALIVE_MS = 21_600_000;
const MIN_KEEP_ALIVE_MS = 60_000;

/** An IANA time zone name, as Intl knows it. */
const timeZone = z
  .string()
  .check(z.refine(isTimeZone, 'is not an IANA time zone (e.g. Europe/Berlin, America/New_York)'));

/** A duration text (`90s`, `10m`, `1h30m`); a bare YAML number is refused with a hint. */
function duration(
  bounds: { readonly min?: number; readonly max?: number; readonly wholeSeconds?: boolean } = {}
) {
  const { min = 0, max = Number.POSITIVE_INFINITY, wholeSeconds = false } = bounds;
  return z
    .string({
      error: (issue) => {
        if (typeof issue.input !== 'number') return undefined;
        const n = issue.input;
        return n === 0
          ? 'a bare 0 is not a duration: write 0s'
          : `a bare number is not a duration: add a unit (${n}s, ${n}m or ${n}h)`;
      },
    })
    .check(
      // The same form parseDuration reads, as a regex so the JSON Schema carries it to editors.
      z.regex(
        /^(?:0|(?:\d+(?:\.\d+)?[smhd])+)$/,
        'is not a duration (write e.g. 90s, 10m, 1h or 1h30m)'
      ),
      z.refine(
        (text) => (parseDuration(text) ?? min) >= min,
        `must be at least ${formatDuration(min)}`
      ),
      z.refine(
        (text) => (parseDuration(text) ?? max) <= max,
        `must be at most ${formatDuration(max)}`
      ),
      z.refine(
        (text) => !wholeSeconds || (parseDuration(text) ?? 0) % 1000 === 0,
        'must be whole seconds (SageMaker counts keep-alives in seconds)'
      )
    );
}

/**
 * The most a person's waiting is worth, USD per hour: beyond it every cost is nonsense like
 * $1e+41 (and the adaptive policy keeps every pool the full maximum).
 */
const MAX_VALUE_OF_TIME = 1_000_000;

const settingsDefaults = {
  dryRun: true,
  maxActionsPerRun: 50,
  maxActionsPerHour: 200,
  keepAliveAnchor: 'job-end' as const,
  maxKeepAlive: '1h',
  leadTime: '5m',
  revisitEvery: '5m',
  safetyMargin: '2m',
  auditRetentionDays: 90,
  valueOfTime: 100,
  coldStartBilledSeconds: 30,
  coldStartWaitSeconds: 120,
};

const count = (max: number) => z.int().check(z.gte(1), z.lte(max));

/** `settings:`: how the steward acts; every field has a default, dry run on. */
const stewardSettings = z
  ._default(
    z.strictObject({
      dryRun: z
        ._default(z.boolean(), settingsDefaults.dryRun)
        .check(
          z.describe(
            'Decide and audit only, never change a pool. On (true) until you turn it off, so a new installation can be watched first.'
          )
        ),
      maxActionsPerRun: z
        ._default(count(10_000), settingsDefaults.maxActionsPerRun)
        .check(
          z.describe(
            'Circuit breaker: at most this many pool changes per evaluation run, and for all the runs that start in one clock minute together (the sweep and the wakes for new pools).'
          )
        ),
      maxActionsPerHour: z
        ._default(count(100_000), settingsDefaults.maxActionsPerHour)
        .check(
          z.describe(
            'Circuit breaker: at most this many pool changes per clock hour (counted afresh from a resume).'
          )
        ),
      keepAliveAnchor: z
        ._default(z.enum(['job-end', 'update-time']), settingsDefaults.keepAliveAnchor)
        .check(
          z.describe(
            'What an updated keep-alive counts from (undocumented by AWS): job-end (conservative) or update-time.'
          )
        ),
      maxKeepAlive: z
        ._default(
          duration({ min: MIN_KEEP_ALIVE_MS, max: MAX_KEEP_ALIVE_MS, wholeSeconds: true }),
          settingsDefaults.maxKeepAlive
        )
        .check(
          z.describe(
            'Longest keep-alive SageMaker accepts in your account: 1h per the docs, up to 6h per the current API. Between 1m and 6h.'
          )
        ),
      leadTime: z
        ._default(
          duration({ min: MIN_KEEP_ALIVE_MS, max: MAX_KEEP_ALIVE_MS }),
          settingsDefaults.leadTime
        )
        .check(
          z.describe(
            'Each pool is decided on this long before it expires. Between 1m and 6h, the longest a pool lives.'
          )
        ),
      revisitEvery: z
        ._default(duration({ max: 24 * 60 * 60_000 }), settingsDefaults.revisitEvery)
        .check(
          z.describe(
            'How often a kept pool is decided again while it waits (what its key has learnt, the hour of day and the spend change); 0s: only at expiry − leadTime. Each look is one DescribeTrainingJob.'
          )
        ),
      safetyMargin: z
        ._default(duration(), settingsDefaults.safetyMargin)
        .check(
          z.describe(
            'A shrink never ends a pool sooner than now + this (a release does). Shorter than leadTime.'
          )
        ),
      auditRetentionDays: z
        ._default(count(3650), settingsDefaults.auditRetentionDays)
        .check(z.describe('Days each audit entry of a decision is kept.')),
      valueOfTime: z
        ._default(
          z.number().check(z.gte(0), z.lte(MAX_VALUE_OF_TIME)),
          settingsDefaults.valueOfTime
        )
        .check(
          z.describe(
            'USD per hour that a person waiting for a cold start is worth; adaptive mode weighs it against idle pool cost.'
          )
        ),
      coldStartBilledSeconds: z
        ._default(z.int().check(z.gte(0), z.lte(3600)), settingsDefaults.coldStartBilledSeconds)
        .check(z.describe('Extra billed seconds per instance of a cold start over a warm one.')),
      coldStartWaitSeconds: z
        ._default(z.int().check(z.gte(0), z.lte(3600)), settingsDefaults.coldStartWaitSeconds)
        .check(
          z.describe(
            'Extra seconds a person waits for a cold start over a warm one (AWS benchmark P90: 117-124).'
          )
        ),
    }),
    settingsDefaults
  )
  .check(z.describe('How the warm-pool steward acts. Every setting has a default.'));

const glob = (what: string) =>
  z
    .string()
    .check(
      z.minLength(1, 'must not be empty'),
      z.maxLength(256),
      z.describe(`${what}; * matches any run of characters, ? one, against the whole value.`)
    );

const ruleMatch = z
  .strictObject({
    team: z.optional(glob("The owner's team (a directory id)")),
    owner: z.optional(glob('The owner (a directory id, email address or Slack member id)')),
    instanceType: z.optional(glob('The instance type, e.g. ml.g5.*')),
    account: z.optional(glob('The AWS account id the job ran in (see accounts:)')),
    tags: z.optional(
      z
        .record(z.string().check(z.minLength(1), z.maxLength(128)), glob('The tag value'))
        .check(z.describe('Tags the job must carry, each with a matching value.'))
    ),
  })
  .check(
    z.describe('Which pools the rule governs: all criteria must hold. {} matches every pool.')
  );

const release = z.literal('release');
const shrink = z.strictObject({
  shrink: duration().check(z.describe('Shorten the keep-alive so the pool ends this soon.')),
});
const outsideAction = (what: string) =>
  z
    .union([release, shrink], { error: 'must be release or { shrink: DURATION }' })
    .check(z.describe(`${what}: release (end the pool now) or { shrink: 5m }. Default: release.`));

const daySpec = z
  .string()
  .check(
    z.refine(
      (text) => parseDays(text) !== undefined,
      'is not a day (Mon … Sun) or a range of days (Mon-Fri)'
    )
  );

const workingWindow = z
  .strictObject({
    days: z
      ._default(z.array(daySpec).check(z.minLength(1)), ['Mon-Sun'])
      .check(z.describe('Days the window is open: Mon … Sun or ranges such as Mon-Fri.')),
    hours: z
      ._default(
        z.string().check(
          z.regex(HOURS, 'is not HH:MM-HH:MM (e.g. 08:00-19:00; 24:00 may end it)'),
          z.refine(
            (text) => !HOURS.test(text) || parseHours(text) !== undefined,
            'starts and ends at the same time (00:00-24:00 is all day)'
          )
        ),
        '00:00-24:00'
      )
      .check(
        z.describe('Local open hours, HH:MM-HH:MM; 24:00 may end it; 22:00-06:00 spans midnight.')
      ),
    timeZone: z.optional(
      timeZone.check(z.describe('IANA time zone of days and hours. Default: defaults.timeZone.'))
    ),
    holidays: z
      ._default(
        z.array(
          z.string().check(
            z.regex(/^\d{4}-\d{2}-\d{2}$/, 'is not a date written YYYY-MM-DD'),
            z.refine(
              (text) => !/^\d{4}-\d{2}-\d{2}$/.test(text) || isCalendarDate(text),
              'is not a calendar date'
            )
          )
        ),
        []
      )
      .check(z.describe('Local dates (YYYY-MM-DD) the window stays shut.')),
  })
  .check(
    z.describe('Working hours: inside, the rule keeps pools warm; outside, `outside` applies.')
  );

const budget = z
  .strictObject({
    usdPerDay: z.optional(
      z
        .number()
        .check(z.positive('must be more than 0'), z.describe('Daily cap on retained pool USD.'))
    ),
    instanceHoursPerDay: z.optional(
      z
        .number()
        .check(
          z.positive('must be more than 0'),
          z.describe('Daily cap on retained (idle) instance-hours.')
        )
    ),
    onExceeded: z.optional(outsideAction('What happens to pools once the cap is reached')),
  })
  .check(
    z.describe(
      "Daily cap on idle warm-pool spend (usdPerDay and/or instanceHoursPerDay); the day runs in the window's time zone, else defaults.timeZone."
    )
  );

const ruleName = z
  .string()
  .check(
    z.regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1-64 letters, digits, . _ or -'),
    z.describe('Unique name, shown in audits and notices.')
  );

const poolRule = z.strictObject({
  name: ruleName,
  match: ruleMatch,
  mode: z
    .enum(['adaptive', 'fixed', 'off'])
    .check(
      z.describe(
        'adaptive: keep-alive from the gap history and costs; fixed: keepAlive.fixed; off: leave matching pools alone.'
      )
    ),
  keepAlive: z.optional(
    z
      .strictObject({
        min: z.optional(duration().check(z.describe('Shortest keep-alive. Default: 0s.'))),
        max: z.optional(
          duration().check(z.describe('Longest keep-alive. Default: settings.maxKeepAlive.'))
        ),
        fixed: z.optional(
          duration().check(z.describe('The keep-alive of mode fixed (required there).'))
        ),
      })
      .check(z.describe('Keep-alive bounds; actions from notices stay inside them too.'))
  ),
  window: z.optional(workingWindow),
  outside: z.optional(outsideAction('Outside the window')),
  budget: z.optional(budget),
  warnBeforeRelease: z.optional(
    duration().check(
      z.describe(
        'Tell the owner this long before a planned release; at most settings.leadTime. Default: 0s (no warning).'
      )
    )
  ),
});

/** `rules:`: the warm-pool rules, first match wins; none by default. */
const poolRules = z
  ._default(z.array(poolRule), [])
  .check(
    z.describe(
      'Warm-pool rules, first match wins; a pool no rule matches is left alone. A job tagged warden:manage=false is never touched.'
    )
  );

export { MAX_VALUE_OF_TIME, poolRules, stewardSettings, timeZone };
