import { parseDuration } from '../duration.js';
import { ConfigError } from '../errors.js';
import type {
  Budget,
  OutsideWindow,
  Policy,
  PoolRule,
  RuleMatch,
  WorkingWindow,
} from '../policy/policy.js';
import { globMatcher, parseDays, parseHours } from './policy-text.js';
import type { WardenConfig } from './warden-config.js';

type Rule = WardenConfig['rules'][number];

/**
 * The engine's `Policy` from a config that `parseConfig` accepted: durations in ms, globs as
 * matchers, days as numbers, hours as minutes. Cheap enough for a Lambda cold start; it cannot
 * fail on a checked config (a failure here is a bug in the checks, raised as ConfigError).
 *
 * @example
 * const parsed = parseConfig(text, 'warden.config.yaml');
 * if (parsed.ok) {
 *   const policy = compilePolicy(parsed.config);
 *   policy.rules[0]?.keepAlive.maxMs; // 3_600_000 for `keepAlive: { max: 1h }`
 * }
 */
function compilePolicy(config: WardenConfig): Policy {
  const { settings } = config;
  const maxKeepAliveMs = ms(settings.maxKeepAlive, 'settings.maxKeepAlive');
  return {
    settings: {
      dryRun: settings.dryRun,
      maxActionsPerRun: settings.maxActionsPerRun,
      maxActionsPerHour: settings.maxActionsPerHour,
      keepAliveAnchor: settings.keepAliveAnchor,
      maxKeepAliveMs,
      leadTimeMs: ms(settings.leadTime, 'settings.leadTime'),
      revisitEveryMs: ms(settings.revisitEvery, 'settings.revisitEvery'),
      safetyMarginMs: ms(settings.safetyMargin, 'settings.safetyMargin'),
      auditRetentionDays: settings.auditRetentionDays,
      valueOfTimeUsdPerHour: settings.valueOfTime,
      coldStartBilledSeconds: settings.coldStartBilledSeconds,
      coldStartWaitSeconds: settings.coldStartWaitSeconds,
    },
    rules: config.rules.map((rule) => compileRule(rule, maxKeepAliveMs, config.defaults.timeZone)),
  };
}

function compileRule(rule: Rule, maxKeepAliveMs: number, defaultTimeZone: string): PoolRule {
  const where = `rule "${rule.name}"`;
  const ka = rule.keepAlive ?? {};
  const window =
    rule.window === undefined ? undefined : compileWindow(rule.window, defaultTimeZone, where);
  return {
    name: rule.name,
    match: compileMatch(rule.match),
    mode: rule.mode,
    keepAlive: {
      minMs: ka.min === undefined ? 0 : ms(ka.min, `${where} keepAlive.min`),
      maxMs: ka.max === undefined ? maxKeepAliveMs : ms(ka.max, `${where} keepAlive.max`),
      ...(ka.fixed === undefined ? {} : { fixedMs: ms(ka.fixed, `${where} keepAlive.fixed`) }),
    },
    ...(window === undefined ? {} : { window }),
    outside: compileOutside(rule.outside, `${where} outside`),
    ...(rule.budget === undefined
      ? {}
      : { budget: compileBudget(rule.budget, window?.timeZone ?? defaultTimeZone, where) }),
    warnBeforeReleaseMs:
      rule.warnBeforeRelease === undefined
        ? 0
        : ms(rule.warnBeforeRelease, `${where} warnBeforeRelease`),
  };
}

function compileMatch(match: Rule['match']): RuleMatch {
  const tags = Object.entries(match.tags ?? {});
  const text = [
    ...(['team', 'owner', 'instanceType', 'account'] as const).flatMap((key) =>
      match[key] === undefined ? [] : [`${key}: ${match[key]}`]
    ),
    ...(tags.length === 0 ? [] : [`tags: { ${tags.map(([k, v]) => `${k}: ${v}`).join(', ')} }`]),
  ].join(', ');
  return {
    ...(match.team === undefined ? {} : { team: globMatcher(match.team) }),
    ...(match.owner === undefined ? {} : { owner: globMatcher(match.owner) }),
    ...(match.instanceType === undefined ? {} : { instanceType: globMatcher(match.instanceType) }),
    ...(match.account === undefined ? {} : { account: globMatcher(match.account) }),
    ...(tags.length === 0
      ? {}
      : { tags: Object.fromEntries(tags.map(([key, glob]) => [key, globMatcher(glob)])) }),
    text: text === '' ? '{}' : `{ ${text} }`,
  };
}

function compileWindow(
  window: NonNullable<Rule['window']>,
  defaultTimeZone: string,
  where: string
): WorkingWindow {
  const days = new Set<number>();
  for (const spec of window.days) {
    for (const day of parseDays(spec) ?? invalid(`${where} window.days`, spec)) days.add(day);
  }
  const hours = parseHours(window.hours) ?? invalid(`${where} window.hours`, window.hours);
  return {
    days: [...days].sort((a, b) => a - b),
    startMinute: hours.startMinute,
    endMinute: hours.endMinute,
    timeZone: window.timeZone ?? defaultTimeZone,
    holidays: [...window.holidays],
  };
}

function compileOutside(action: Rule['outside'], where: string): OutsideWindow {
  return action === undefined || action === 'release'
    ? { action: 'release' }
    : { action: 'shrink', toMs: ms(action.shrink, where) };
}

function compileBudget(
  budget: NonNullable<Rule['budget']>,
  timeZone: string,
  where: string
): Budget {
  return {
    ...(budget.usdPerDay === undefined ? {} : { usdPerDay: budget.usdPerDay }),
    ...(budget.instanceHoursPerDay === undefined
      ? {}
      : { instanceHoursPerDay: budget.instanceHoursPerDay }),
    onExceeded: compileOutside(budget.onExceeded, `${where} budget.onExceeded`),
    timeZone,
  };
}

function ms(text: string, where: string): number {
  return parseDuration(text) ?? invalid(where, text);
}

function invalid(where: string, text: string): never {
  throw new ConfigError([`${where}: "${text}" passed the config checks but cannot be compiled`]);
}

/** One compiled policy per config object: a warm Lambda builds it once, not per event. */
const compiled = new WeakMap<WardenConfig, Policy>();

/**
 * {@link compilePolicy}, remembered per config object.
 *
 * @example compiledPolicy(deps.config).settings.dryRun
 */
function compiledPolicy(config: WardenConfig): Policy {
  let policy = compiled.get(config);
  if (policy === undefined) {
    policy = compilePolicy(config);
    compiled.set(config, policy);
  }
  return policy;
}

export { compiledPolicy, compilePolicy };
