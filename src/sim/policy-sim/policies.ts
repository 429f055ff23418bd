import { closestName } from '../../domain/config/closest-name.js';
import { formatDuration, parseDuration } from '../../domain/duration.js';
import { createAdaptivePolicy } from './adaptive-policy.js';
import { breakevenPolicy, fixedPolicy, histogramPolicy, requestedPolicy } from './baselines.js';
import type { SimPolicy, SimRunSettings } from './sim-policy.js';

/**
 * The policies `warden simulate --policies` knows, by the name written on the command line.
 * `fixed:<duration>` takes any duration up to the maximum keep-alive; every other name is fixed.
 */

type PolicySpec =
  | { readonly kind: 'oracle'; readonly name: string }
  | {
      readonly kind: 'engine';
      readonly name: string;
      /** A fresh policy: policies may keep per-run state (histograms, histories). */
      readonly create: (settings: SimRunSettings, prices: ReadonlyMap<string, number>) => SimPolicy;
      /** The keep-alive of a `fixed:` policy (and `none`), for the Pareto line. */
      readonly fixedMs?: number;
    };

const NAMED: Readonly<Record<string, (name: string) => PolicySpec>> = {
  none: (name) => ({ kind: 'engine', name, fixedMs: 0, create: () => fixedPolicy(name, 0) }),
  requested: (name) => ({ kind: 'engine', name, create: () => requestedPolicy(name) }),
  breakeven: (name) => ({
    kind: 'engine',
    name,
    create: (settings, prices) => breakevenPolicy(name, settings, prices),
  }),
  histogram: (name) => ({
    kind: 'engine',
    name,
    create: (settings) => histogramPolicy(name, settings),
  }),
  adaptive: (name) => ({
    kind: 'engine',
    name,
    create: (settings) => ({ ...createAdaptivePolicy(settings), name }),
  }),
  oracle: (name) => ({ kind: 'oracle', name }),
};

/** Every policy name, as the usage text and suggestions list them. */
const POLICY_NAMES: readonly string[] = [...Object.keys(NAMED), 'fixed:<duration>'];

const DEFAULT_FIXED_MS = [300_000, 600_000, 1_200_000, 1_800_000, 3_600_000];

/** `fixed:` plus the shortest duration text, e.g. `fixed:1h30m`. */
function fixedName(ms: number): string {
  return `fixed:${formatDuration(ms).replaceAll(' ', '')}`;
}

/**
 * The default list: none, fixed 5m/10m/20m/30m/1h and the maximum (those within it), requested,
 * breakeven, histogram, adaptive, oracle.
 *
 * @example defaultPolicyList(3_600_000) // 'none,fixed:5m,…,fixed:1h,requested,…,oracle'
 */
function defaultPolicyList(maxKeepAliveMs: number): string {
  const fixed = DEFAULT_FIXED_MS.filter((ms) => ms < maxKeepAliveMs);
  fixed.push(maxKeepAliveMs);
  return [
    'none',
    ...fixed.map(fixedName),
    'requested',
    'breakeven',
    'histogram',
    'adaptive',
    'oracle',
  ].join(',');
}

type ParsedPolicies =
  | { readonly ok: true; readonly specs: readonly PolicySpec[] }
  | { readonly ok: false; readonly issues: readonly string[] };

/**
 * The comma-separated list of `--policies`, each checked; every problem is reported at once.
 *
 * @example parsePolicyList('none,fixed:10m,oracle', 3_600_000)
 */
function parsePolicyList(text: string, maxKeepAliveMs: number): ParsedPolicies {
  const issues: string[] = [];
  const specs: PolicySpec[] = [];
  const seen = new Set<string>();
  // Two spellings of one keep-alive (fixed:60m and fixed:1h, none and fixed:0) are one policy.
  const byKeepAlive = new Map<number, string>();
  for (const raw of text.split(',')) {
    const name = raw.trim();
    if (name === '') {
      issues.push(`--policies: empty policy name in "${text}"`);
      continue;
    }
    if (seen.has(name)) {
      issues.push(`--policies: "${name}" is listed twice`);
      continue;
    }
    seen.add(name);
    const spec = parseOne(name, maxKeepAliveMs);
    if (typeof spec === 'string') {
      issues.push(`--policies: ${spec}`);
      continue;
    }
    const fixedMs = spec.kind === 'engine' ? spec.fixedMs : undefined;
    const same = fixedMs === undefined ? undefined : byKeepAlive.get(fixedMs);
    if (same !== undefined) {
      issues.push(`--policies: "${name}" is the same keep-alive as "${same}"`);
      continue;
    }
    if (fixedMs !== undefined) byKeepAlive.set(fixedMs, name);
    specs.push(spec);
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, specs };
}

function parseOne(name: string, maxKeepAliveMs: number): PolicySpec | string {
  const named = Object.hasOwn(NAMED, name) ? NAMED[name] : undefined;
  if (named !== undefined) return named(name);
  if (name.startsWith('fixed:')) {
    const ms = parseDuration(name.slice('fixed:'.length));
    if (ms === undefined) {
      return `"${name}": "${name.slice(6)}" is not a duration (write e.g. fixed:90s, fixed:10m, fixed:1h)`;
    }
    if (ms % 1000 !== 0) {
      return `"${name}": keep-alives are whole seconds, as SageMaker takes them`;
    }
    if (ms > maxKeepAliveMs) {
      return `"${name}" is above the maximum keep-alive ${formatDuration(maxKeepAliveMs)} (raise --max-keep-alive, up to 6h)`;
    }
    return { kind: 'engine', name, fixedMs: ms, create: () => fixedPolicy(name, ms) };
  }
  const hint = closestName(name, [...Object.keys(NAMED), 'fixed:10m']);
  return `unknown policy "${name}"${hint === undefined ? '' : ` (did you mean "${hint}"?)`}; known: ${POLICY_NAMES.join(', ')}`;
}

export type { ParsedPolicies, PolicySpec };
export { defaultPolicyList, fixedName, POLICY_NAMES, parsePolicyList };
