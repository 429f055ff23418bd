import { formatDuration, parseDuration } from '../duration.js';
import { classifyOwnerRef } from '../owner/owner-ref.js';
import { globMatcher, isGlob } from './policy-text.js';
import type { WardenConfig } from './warden-config.js';

type Path = readonly (string | number)[];

/** A problem with the policy, at the path of the field to fix. */
interface PolicyIssue {
  readonly at: Path;
  readonly message: string;
}

type Rule = WardenConfig['rules'][number];
type Match = Rule['match'];
type Outside = NonNullable<Rule['outside']>;

const INSTANCE_TYPE = /^ml\.[a-z0-9-]+\.[a-z0-9]+$/;
const NEVER = 'so this rule can never match';

/**
 * The policy checks that relate values to each other: keep-alive bounds, the lead time, rule
 * names, match references and rules shadowed by an earlier one. Runs on a schema-valid config,
 * so every duration parses; `lineOf` lets a message point at the other line involved.
 */
function checkPolicy(
  config: WardenConfig,
  lineOf: (path: Path) => number | undefined
): PolicyIssue[] {
  const issues: PolicyIssue[] = [];
  const report = (at: Path, message: string) => issues.push({ at, message });
  const { settings } = config;
  const leadMs = ms(settings.leadTime);
  const marginMs = ms(settings.safetyMargin);
  const maxKeepAliveMs = ms(settings.maxKeepAlive);
  if (marginMs >= leadMs) {
    report(
      ['settings', 'safetyMargin'],
      `${fmt(marginMs)} must be shorter than settings.leadTime (${fmt(leadMs)}), so a pool decided at the lead time can still be shrunk`
    );
  }

  const firstByName = new Map<string, number>();
  config.rules.forEach((rule, i) => {
    const at = (...rest: Path): Path => ['rules', i, ...rest];
    const earlier = firstByName.get(rule.name);
    if (earlier === undefined) firstByName.set(rule.name, i);
    else {
      report(
        at('name'),
        `"${rule.name}" is also the name of rules[${earlier}] (line ${lineOf(['rules', earlier])}); names must be unique`
      );
    }

    if (rule.mode === 'off') {
      for (const field of [
        'keepAlive',
        'window',
        'outside',
        'budget',
        'warnBeforeRelease',
      ] as const) {
        if (rule[field] !== undefined)
          report(at(field), 'has no effect: mode off leaves matching pools alone');
      }
    } else {
      const maxMs = checkKeepAlive(rule, maxKeepAliveMs, at, report);
      if (rule.outside !== undefined) {
        if (rule.window === undefined) report(at('outside'), 'has no effect without a window');
        checkShrink(rule.outside, at('outside', 'shrink'), marginMs, maxMs, report);
      }
      if (rule.budget !== undefined) {
        if (rule.budget.usdPerDay === undefined && rule.budget.instanceHoursPerDay === undefined)
          report(at('budget'), 'needs usdPerDay or instanceHoursPerDay');
        if (rule.budget.onExceeded !== undefined) {
          checkShrink(
            rule.budget.onExceeded,
            at('budget', 'onExceeded', 'shrink'),
            marginMs,
            maxMs,
            report
          );
        }
      }
      const warnMs = rule.warnBeforeRelease === undefined ? 0 : ms(rule.warnBeforeRelease);
      if (warnMs > leadMs) {
        report(
          at('warnBeforeRelease'),
          `${fmt(warnMs)} is longer than settings.leadTime (${fmt(leadMs)}): pools are decided ${fmt(leadMs)} before they expire, so no warning can come earlier`
        );
      }
    }

    checkMatchReferences(rule.match, config, at, report);
    const shadow = config.rules.slice(0, i).findIndex((e) => covers(e.match, rule.match));
    const by = config.rules[shadow];
    if (by !== undefined) {
      report(
        at('match'),
        `never matches: rule "${by.name}" (line ${lineOf(['rules', shadow])}) matches every pool this one does`
      );
    }
  });
  return issues;
}

/** Checks min ≤ fixed ≤ max ≤ settings.maxKeepAlive; returns the rule's effective maximum. */
function checkKeepAlive(
  rule: Rule,
  maxKeepAliveMs: number,
  at: (...rest: Path) => Path,
  report: (at: Path, message: string) => void
): number {
  const ka = rule.keepAlive ?? {};
  const minMs = ka.min === undefined ? 0 : ms(ka.min);
  const maxMs = ka.max === undefined ? maxKeepAliveMs : ms(ka.max);
  const maxName = ka.max === undefined ? 'settings.maxKeepAlive' : 'keepAlive.max';
  if (ka.max !== undefined && maxMs > maxKeepAliveMs) {
    report(
      at('keepAlive', 'max'),
      `${fmt(maxMs)} is above settings.maxKeepAlive (${fmt(maxKeepAliveMs)})`
    );
  }
  if (minMs > maxMs) {
    report(at('keepAlive', 'min'), `${fmt(minMs)} is above ${maxName} (${fmt(maxMs)})`);
  }
  if (ka.fixed !== undefined) {
    const fixedMs = ms(ka.fixed);
    if (fixedMs < minMs || fixedMs > maxMs) {
      report(
        at('keepAlive', 'fixed'),
        `${fmt(fixedMs)} is outside keepAlive.min … ${maxName} (${fmt(minMs)} … ${fmt(maxMs)})`
      );
    }
  } else if (rule.mode === 'fixed') {
    report(at('mode'), 'fixed needs keepAlive.fixed, the keep-alive to hold matching pools at');
  }
  return maxMs;
}

function checkShrink(
  action: Outside,
  at: Path,
  marginMs: number,
  maxMs: number,
  report: (at: Path, message: string) => void
): void {
  if (action === 'release') return;
  const toMs = ms(action.shrink);
  if (toMs === 0) report(at, 'a shrink to 0s ends the pool: write release');
  else if (toMs < marginMs) {
    report(
      at,
      `${fmt(toMs)} is shorter than settings.safetyMargin (${fmt(marginMs)}), which no shrink goes below`
    );
  } else if (toMs > maxMs) {
    report(at, `${fmt(toMs)} is above the rule's longest keep-alive (${fmt(maxMs)})`);
  }
}

/** A literal (non-glob) team, owner or instance type that names nothing can never match. */
function checkMatchReferences(
  match: Match,
  config: WardenConfig,
  at: (...rest: Path) => Path,
  report: (at: Path, message: string) => void
): void {
  if (
    match.team !== undefined &&
    !isGlob(match.team) &&
    !Object.hasOwn(config.directory, match.team)
  ) {
    report(at('match', 'team'), `team "${match.team}" is not in the directory, ${NEVER}`);
  }
  if (
    match.owner !== undefined &&
    !isGlob(match.owner) &&
    classifyOwnerRef(match.owner, config.directory) === 'unknown'
  ) {
    report(
      at('match', 'owner'),
      `"${match.owner}" is not a directory id, an email address or a Slack member id, ${NEVER}`
    );
  }
  if (
    match.instanceType !== undefined &&
    !isGlob(match.instanceType) &&
    !INSTANCE_TYPE.test(match.instanceType)
  ) {
    report(
      at('match', 'instanceType'),
      `"${match.instanceType}" is not an ml.* instance type, ${NEVER}`
    );
  }
}

/**
 * Whether every pool `later` matches is also matched by `earlier`. Sound, not complete: each of
 * the earlier rule's criteria must appear in the later one with a value it surely accepts.
 */
function covers(earlier: Match, later: Match): boolean {
  const accepts = (glob: string | undefined, value: string | undefined) =>
    glob === undefined ||
    (value !== undefined &&
      (glob === '*' || glob === value || (!isGlob(value) && globMatcher(glob)(value))));
  return (
    accepts(earlier.team, later.team) &&
    accepts(earlier.owner, later.owner) &&
    accepts(earlier.instanceType, later.instanceType) &&
    accepts(earlier.account, later.account) &&
    Object.entries(earlier.tags ?? {}).every(([key, glob]) =>
      accepts(
        glob,
        later.tags !== undefined && Object.hasOwn(later.tags, key) ? later.tags[key] : undefined
      )
    )
  );
}

/** Milliseconds of a duration the schema has already accepted. */
function ms(text: string): number {
  return parseDuration(text) ?? 0;
}

const fmt = (durationMs: number): string => formatDuration(durationMs).replaceAll(' ', '');

export type { PolicyIssue };
export { checkPolicy };
