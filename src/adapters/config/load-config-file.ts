import { readFile } from 'node:fs/promises';
import { isScalar, LineCounter, parseDocument, visit } from 'yaml';
import { parseConfig } from '../../domain/config/parse-config.js';
import type { WardenConfig } from '../../domain/config/warden-config.js';
import { ConfigError } from '../../domain/errors.js';

/** A config is a page or two of YAML; anything this large is the wrong file. */
const MAX_CONFIG_BYTES = 1 << 20;

type ConfigResult = ReturnType<typeof parseConfig>;

/** Reads and checks a config file; every problem is reported at once, with file and line. */
async function loadConfigFile(path: string): Promise<WardenConfig> {
  const result = checkConfigText(await readConfigText(path), path);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

/** The text of a config file; a ConfigError with one line saying why it cannot be read. */
async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError([`${path}: ${readFailure(error)}`]);
  }
}

/**
 * `parseConfig`, guarded against what is not a config at all: a binary or huge file, and YAML
 * whose aliases expand without bound (the parser throws on those instead of reporting them).
 */
function checkConfigText(text: string, path: string): ConfigResult {
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CONFIG_BYTES) {
    return fail(`${path}: ${bytes} bytes is too large for a config (at most ${MAX_CONFIG_BYTES})`);
  }
  // A NUL never occurs in YAML; U+FFFD is what invalid UTF-8 decodes to.
  const binary = firstOf(text, ['\u0000', '\ufffd']);
  if (binary !== -1) {
    const line = text.slice(0, binary).split('\n').length;
    return fail(`${path}:${line}: not a UTF-8 text file (binary data); is this the config?`);
  }
  if (text.trim() === '') {
    return fail(`${path}: the file is empty; a config needs at least version: 1 and owners:`);
  }
  const proto = protoKeyLines(text);
  if (proto.length > 0) {
    return {
      ok: false,
      issues: proto.map(
        (line) =>
          `${path}:${line}: the key "__proto__" is not allowed (it would be dropped silently)`
      ),
    };
  }
  try {
    return parseConfig(text, path);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const line = aliasLine(text, reason);
    return fail(
      `${path}${line === undefined ? '' : `:${line}`}: cannot be read as YAML: ${reason}`
    );
  }
}

/**
 * The line to blame when expanding aliases failed (the YAML parser says what, not where): the
 * alias it could not resolve, else the first alias, where an expansion without bound starts.
 */
function aliasLine(text: string, reason: string): number | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const unresolved = /Unresolved alias.*: (.+)$/.exec(reason)?.[1];
  let line: number | undefined;
  visit(doc, {
    Alias(_, alias) {
      if (unresolved !== undefined && alias.source !== unresolved) return undefined;
      if (alias.range) line = lineCounter.linePos(alias.range[0]).line;
      return visit.BREAK;
    },
  });
  return line;
}

/**
 * Lines of `__proto__` keys. Read into a JavaScript object such a key sets the prototype
 * instead of an entry, so `tags: { __proto__: x }` would become a rule matching every pool.
 */
function protoKeyLines(text: string): number[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  const lines: number[] = [];
  visit(doc, {
    Pair(_, pair) {
      if (isScalar(pair.key) && pair.key.value === '__proto__' && pair.key.range) {
        lines.push(lineCounter.linePos(pair.key.range[0]).line);
      }
    },
  });
  return lines;
}

/** The first index of any of `chars` in `text`, or -1. */
function firstOf(text: string, chars: readonly string[]): number {
  const found = chars.map((c) => text.indexOf(c)).filter((i) => i !== -1);
  return found.length === 0 ? -1 : Math.min(...found);
}

function fail(issue: string): ConfigResult {
  return { ok: false, issues: [issue] };
}

function readFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  switch (code) {
    case 'ENOENT':
      return 'file not found';
    case 'EISDIR':
      return 'is a folder, not a config file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

export { checkConfigText, loadConfigFile, readConfigText };
