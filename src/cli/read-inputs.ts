import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { jsonSyntaxError } from '../domain/json-syntax.js';
import { printable } from '../domain/printable.js';
import type { ReplayInput } from '../sim/replay.js';
import { fsReason, statOrError } from './output-dir.js';
import { UsageError } from './usage-error.js';

/** Event files by extension, in any case (`EVENT.JSON` too). */
const EVENT_FILES = new Set(['.json', '.jsonl', '.ndjson']);
const NOT_EVENT_FILE = 'not an event file (.json, .jsonl or .ndjson); skipped';

/** What a PATH argument expanded to. */
interface ExpandedPaths {
  /** Event files to read, and paths that can only be a rejected input, in walk order. */
  readonly entries: readonly ({ readonly file: string } | ReplayInput)[];
  /** Files in folders that are not event files, each with why it was passed over. */
  readonly skipped: readonly { readonly path: string; readonly reason: string }[];
  /** Folders given as PATH that held no event file. */
  readonly emptyFolders: readonly string[];
}

/**
 * Expands PATH arguments: a file as given, a folder as its event files, recursively, in name
 * order. Inside a folder, a folder or a link to one named like an event file (`x.json/`) is a
 * rejected input, and any other file is reported as skipped. A PATH that does not exist, or
 * PATHs that hold no event file at all, are a usage error.
 */
async function expandPaths(paths: readonly string[]): Promise<ExpandedPaths> {
  const entries: ({ file: string } | ReplayInput)[] = [];
  const skipped: { path: string; reason: string }[] = [];
  const emptyFolders: string[] = [];
  for (const path of paths) {
    const info = await statOrError(path);
    if (info instanceof Error) {
      const missing = 'code' in info && info.code === 'ENOENT';
      throw new UsageError(
        missing ? `no such file or folder: ${path}` : `${path}: ${fsReason(info)}`
      );
    }
    if (!info.isDirectory()) {
      entries.push({ file: path });
      continue;
    }
    const before = entries.length;
    await walk(path, entries, skipped);
    if (entries.length === before) emptyFolders.push(path);
  }
  if (entries.length === 0 && paths.length > 0) {
    const others = skipped.length === 1 ? '1 other file' : `${skipped.length} other files`;
    throw new UsageError(
      `no .json, .jsonl or .ndjson file in ${paths.join(', ')}${skipped.length === 0 ? '' : ` (${others} skipped)`}`
    );
  }
  return { entries, skipped, emptyFolders };
}

async function walk(
  dir: string,
  entries: ({ file: string } | ReplayInput)[],
  skipped: { path: string; reason: string }[]
): Promise<void> {
  let found: Dirent[];
  try {
    found = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    entries.push({ source: dir, error: `cannot read the folder: ${fsReason(error)}` });
    return;
  }
  // Code-point order, so the replay order does not depend on the machine's locale.
  found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of found) {
    const path = join(dir, entry.name);
    const eventName = isEventFile(entry.name);
    if (entry.isDirectory()) {
      if (eventName) entries.push({ source: path, error: 'is a folder, not an event file' });
      else await walk(path, entries, skipped);
    } else if (eventName) {
      // A link that is dangling, loops or leads to a folder says so when it is read.
      entries.push({ file: path });
    } else if (entry.isSymbolicLink()) {
      const target = await statOrError(path);
      // Links to folders are not followed: a link to an ancestor would walk forever.
      const reason =
        target instanceof Error
          ? `a link that cannot be followed (${fsReason(target)}); skipped`
          : target.isDirectory()
            ? 'a link to a folder, not followed; skipped'
            : NOT_EVENT_FILE;
      skipped.push({ path, reason });
    } else {
      skipped.push({ path, reason: NOT_EVENT_FILE });
    }
  }
}

function isEventFile(name: string): boolean {
  return EVENT_FILES.has(extname(name).toLowerCase());
}

/**
 * Reads one file into replay inputs. `.jsonl`/`.ndjson` hold one event per line (blank lines
 * skipped); any other file holds one event or an array of them. JSON that does not parse
 * becomes an input with an error naming the file, line and column, so its siblings still run.
 * A file with no events (`[]`, or only blank lines) gives no inputs.
 */
async function readInputs(file: string): Promise<ReplayInput[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // A link loop or unreadable file among many is one rejected input, not the end of the run.
    return [{ source: file, error: `cannot read: ${fsReason(error)}` }];
  }
  // Editors on Windows start UTF-8 files with a byte-order mark, which JSON does not allow.
  if (text.startsWith('\ufeff')) text = text.slice(1);
  const ext = extname(file).toLowerCase();
  if (ext === '.jsonl' || ext === '.ndjson') {
    return text.split('\n').flatMap((line, i): ReplayInput[] => {
      if (line.trim() === '') return [];
      const parsed = parseJson(line);
      return [
        'value' in parsed
          ? { source: `${file}:${i + 1}`, event: parsed.value }
          : { source: `${file}:${i + 1}:${parsed.column}`, error: parsed.error },
      ];
    });
  }
  if (text.trim() === '') return [];
  const parsed = parseJson(text);
  if (!('value' in parsed)) {
    return [{ source: `${file}:${parsed.line}:${parsed.column}`, error: parsed.error }];
  }
  if (Array.isArray(parsed.value)) {
    return parsed.value.map((event: unknown, i) => ({ source: `${file}[${i}]`, event }));
  }
  return [{ source: file, event: parsed.value }];
}

/** `text` as JSON, or why not and where (1-based line and column). */
function parseJson(
  text: string
): { value: unknown } | { error: string; line: number; column: number } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    const fault = jsonSyntaxError(text);
    if (fault !== undefined) {
      return { error: `invalid JSON: ${fault.message}`, line: fault.line, column: fault.column };
    }
    // JSON.parse and the checker disagree: fall back to its own words, minus quoted text.
    const reason = error instanceof Error ? error.message.replace(/, ".*$/s, '') : String(error);
    return { error: `invalid JSON: ${printable(reason)}`, line: 1, column: 1 };
  }
}

export type { ExpandedPaths };
export { expandPaths, parseJson, readInputs };
