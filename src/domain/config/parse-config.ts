import { isMap, isNode, isScalar, LineCounter, parseDocument } from 'yaml';
import { ownValue } from '../objects.js';
import { classifyOwnerRef } from '../owner/owner-ref.js';
import { checkPolicy } from './check-policy.js';
import { closestName } from './closest-name.js';
import { type WardenConfig, wardenConfig } from './warden-config.js';

type Path = readonly (string | number)[];

interface ConfigIssue {
  readonly line?: number;
  readonly path: string;
  readonly message: string;
}

type ConfigResult =
  | { readonly ok: true; readonly config: WardenConfig }
  | { readonly ok: false; readonly issues: readonly string[] };

/**
 * Checks a Pool Warden config file in stages, stopping at the first stage that fails:
 * YAML syntax (duplicate keys rejected) → schema → references between entries. Every issue
 * reads `file:line: path: message`, so an admin can jump straight to it, and issues come in
 * line order.
 */
function parseConfig(text: string, file: string): ConfigResult {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      issues: byLine(
        doc.errors.map((e) => {
          const line = lineCounter.linePos(e.pos[0]).line;
          return { line, text: `${file}:${line}: ${e.message.split('\n')[0]}` };
        })
      ),
    };
  }
  // A map entry is reported on its key's line: a block value only starts on the next one.
  const keyOf = (path: Path): unknown => {
    const parent = path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1), true);
    const last = String(path[path.length - 1]);
    if (!isMap(parent)) return undefined;
    return parent.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === last)?.key;
  };
  const lineOf = (path: Path): number | undefined => {
    for (let depth = path.length; depth >= 0; depth--) {
      const at = path.slice(0, depth);
      const node = depth === 0 ? doc.contents : (keyOf(at) ?? doc.getIn(at, true));
      if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
    }
    return undefined;
  };
  const format = (issue: ConfigIssue) => ({
    line: issue.line,
    text: `${file}${issue.line === undefined ? '' : `:${issue.line}`}: ${issue.path || '(top level)'}: ${issue.message}`,
  });

  const value: unknown = doc.toJS();
  const parsed = wardenConfig.safeParse(value);
  if (!parsed.success) {
    return {
      ok: false,
      issues: byLine(
        joinMisspelt(flattenUnions(parsed.error.issues), value).map((issue) =>
          format({
            // An unknown key is reported on its own line, not on the object that holds it.
            line: lineOf(
              issue.code === 'unrecognized_keys' && issue.keys?.[0] !== undefined
                ? [...(issue.path as Path), issue.keys[0]]
                : (issue.path as Path)
            ),
            path: pathText(issue.path as Path),
            message: describeIssue(issue),
          })
        )
      ),
    };
  }
  const referenceIssues = [
    ...checkReferences(parsed.data),
    ...checkPolicy(parsed.data, lineOf).map((issue) => ({ ...issue, path: pathText(issue.at) })),
  ].map((issue) => format({ ...issue, line: lineOf(issue.at) }));
  return referenceIssues.length > 0
    ? { ok: false, issues: byLine(referenceIssues) }
    : { ok: true, config: parsed.data };
}

/** Issue texts in line order; ones without a line (the whole file) first, ties kept in order. */
function byLine(issues: readonly { line?: number | undefined; text: string }[]): string[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0)).map((issue) => issue.text);
}

/** Owner values must lead somewhere: a directory entry, an email address or a Slack member id. */
function checkReferences(config: WardenConfig): (ConfigIssue & { at: Path })[] {
  const issues: (ConfigIssue & { at: Path })[] = [];
  const refer = (value: string, at: Path) => {
    if (classifyOwnerRef(value, config.directory) === 'unknown') {
      issues.push({
        at,
        path: pathText(at),
        message: `"${value}" is not a directory id, an email address or a Slack member id`,
      });
    }
  };
  refer(config.owners.fallback, ['owners', 'fallback']);
  for (const [arn, owner] of Object.entries(config.owners.roles))
    refer(owner, ['owners', 'roles', arn]);
  // An admin who may act on any pool from Slack is recognised by the directory's Slack id.
  for (const [i, admin] of (config.actions?.admins ?? []).entries()) {
    if (ownValue(config.directory, admin)?.slack === undefined) {
      issues.push({
        at: ['actions', 'admins', i],
        path: pathText(['actions', 'admins', i]),
        message: `"${admin}" is not a directory entry with a slack member id, so no click would be recognised as theirs`,
      });
    }
  }
  for (const [id, entry] of Object.entries(config.directory)) {
    const team = entry.team === undefined ? undefined : ownValue(config.directory, entry.team);
    if (entry.team !== undefined && team === undefined) {
      issues.push({
        at: ['directory', id, 'team'],
        path: pathText(['directory', id, 'team']),
        message: `team "${entry.team}" is not in the directory`,
      });
    }
    const reachable = [entry, team].some(
      (e) => e?.email !== undefined || e?.slack !== undefined || e?.slackWebhook !== undefined
    );
    if (!reachable) {
      issues.push({
        at: ['directory', id],
        path: pathText(['directory', id]),
        message:
          'has no email, slack or slackWebhook (nor a team that has one): notices could not reach it',
      });
    }
  }
  return issues;
}

interface SchemaIssue {
  readonly code: string;
  readonly message: string;
  readonly path: readonly PropertyKey[];
  readonly expected?: string;
  readonly keys?: readonly string[];
  readonly values?: readonly unknown[];
  /** For `invalid_key`: why the key itself was rejected. */
  readonly issues?: readonly SchemaIssue[];
  /** For `too_small` / `too_big`. */
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly origin?: string;
  /** For `invalid_union`: each alternative's issues, paths relative to the union. */
  readonly errors?: readonly (readonly SchemaIssue[])[];
  /** For `unrecognized_keys` (one key): the missing required key it is a misspelling of. */
  readonly meant?: string;
}

/**
 * A required key spelt wrong (`ownerz:` for `owners:`) fails twice: the key it meant is
 * missing, which is reported on the line of the object that lacks it (line 1 at the top
 * level), and the key written is unknown. The two become one issue, on the misspelt key's
 * line, naming the key it meant.
 */
function joinMisspelt(issues: readonly SchemaIssue[], value: unknown): SchemaIssue[] {
  const missing = issues.filter((i) => i.code === 'invalid_type' && isAbsent(value, i.path));
  const explained = new Set<SchemaIssue>();
  const joined: SchemaIssue[] = [];
  for (const issue of issues) {
    if (issue.code !== 'unrecognized_keys') {
      joined.push(issue);
      continue;
    }
    const unexplained: string[] = [];
    for (const key of issue.keys ?? []) {
      const siblings = missing.filter(
        (m) => !explained.has(m) && samePath(m.path.slice(0, -1), issue.path)
      );
      const meant = closestName(
        key,
        siblings.map((m) => String(m.path[m.path.length - 1]))
      );
      const sibling = siblings.find((m) => String(m.path[m.path.length - 1]) === meant);
      if (meant === undefined || sibling === undefined) {
        unexplained.push(key);
        continue;
      }
      explained.add(sibling);
      joined.push({ ...issue, keys: [key], meant });
    }
    if (unexplained.length > 0) joined.push({ ...issue, keys: unexplained });
  }
  return joined.filter((issue) => !explained.has(issue));
}

/** Whether the value at `path` is a key its (object) parent does not have at all. */
function isAbsent(value: unknown, path: readonly PropertyKey[]): boolean {
  if (path.length === 0) return false;
  let parent: unknown = value;
  for (const part of path.slice(0, -1)) {
    if (typeof parent !== 'object' || parent === null) return false;
    parent = (parent as Record<PropertyKey, unknown>)[part];
  }
  const key = path[path.length - 1];
  return (
    typeof parent === 'object' &&
    parent !== null &&
    !Array.isArray(parent) &&
    key !== undefined &&
    !Object.hasOwn(parent, key)
  );
}

function samePath(a: readonly PropertyKey[], b: readonly PropertyKey[]): boolean {
  return a.length === b.length && a.every((part, i) => part === b[i]);
}

/**
 * A union whose value failed every alternative is reported through the one alternative the
 * value got past the first step of (`{ shrink: 5 }` is a bad shrink, not a bad `release`);
 * when none or several did, the union's own message stands.
 */
function flattenUnions(issues: readonly SchemaIssue[]): SchemaIssue[] {
  return issues.flatMap((issue) => {
    if (issue.code !== 'invalid_union') return [issue];
    const started = (issue.errors ?? []).filter(
      (branch) =>
        !branch.every(
          (i) => i.path.length === 0 && (i.code === 'invalid_type' || i.code === 'invalid_value')
        )
    );
    const [only] = started;
    if (only === undefined || started.length > 1) return [issue];
    return flattenUnions(only.map((i) => ({ ...i, path: [...issue.path, ...i.path] })));
  });
}

function describeIssue(issue: SchemaIssue): string {
  switch (issue.code) {
    case 'invalid_key':
      return `key ${(issue.issues ?? []).map(describeIssue).join('; ') || 'is invalid'}`;
    case 'unrecognized_keys':
      if (issue.meant !== undefined) {
        return `unknown field "${issue.keys?.[0] ?? ''}" (did you mean "${issue.meant}"? it is required)`;
      }
      return `unknown field${issue.keys && issue.keys.length > 1 ? 's' : ''} ${(issue.keys ?? []).map((k) => `"${k}"`).join(', ')}`;
    case 'invalid_type':
      return issue.message === 'Invalid input'
        ? `expected ${issue.expected ?? 'another type'}`
        : issue.message;
    case 'invalid_value':
      return `must be ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'too_small':
    case 'too_big': {
      if (issue.message !== 'Invalid input') return issue.message;
      const bound = issue.code === 'too_small' ? issue.minimum : issue.maximum;
      const word = issue.code === 'too_small' ? 'at least' : 'at most';
      const unit =
        issue.origin === 'string'
          ? ' characters long'
          : issue.origin === 'array'
            ? Number(bound) === 1
              ? ' item'
              : ' items'
            : '';
      return `must be ${issue.inclusive === false ? (issue.code === 'too_small' ? 'more than' : 'less than') : word} ${String(bound)}${unit}`;
    }
    default:
      return issue.message === 'Invalid input' ? `invalid value (${issue.code})` : issue.message;
  }
}

function pathText(path: Path): string {
  return path
    .map((part, i) => {
      if (typeof part === 'number') return `[${part}]`;
      if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) return i === 0 ? part : `.${part}`;
      return `[${JSON.stringify(part)}]`;
    })
    .join('');
}

export type { ConfigResult };
export { parseConfig };
