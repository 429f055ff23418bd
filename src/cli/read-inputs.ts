import { readdir, readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { ReplayInput } from '../sim/replay.js';
import { fsReason, statOrError } from './output-dir.js';
import { UsageError } from './usage-error.js';

const EVENT_FILES = new Set(['.json', '.jsonl', '.ndjson']);

/**
 * Expands PATH arguments into files: a file as given, a folder as its `.json`, `.jsonl` and
 * `.ndjson` files, recursively, in name order. A path that does not exist is a usage error.
 */
async function expandPaths(paths: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const path of paths) {
    const info = await statOrError(path);
    if (info instanceof Error) {
      const missing = 'code' in info && info.code === 'ENOENT';
      throw new UsageError(
        missing ? `no such file or folder: ${path}` : `${path}: ${fsReason(info)}`
      );
    }
    if (info.isDirectory()) files.push(...(await filesIn(path)));
    else files.push(path);
  }
  return files;
}

async function filesIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  // Code-point order, so the replay order does not depend on the machine's locale.
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await filesIn(path)));
    else if (EVENT_FILES.has(extname(entry.name))) files.push(path);
  }
  return files;
}

/**
 * Reads one file into replay inputs. `.jsonl`/`.ndjson` hold one event per line (blank lines
 * skipped); any other file holds one event or an array of them. JSON that does not parse
 * becomes an input with an error naming the file and line, so its siblings still run.
 */
async function readInputs(file: string): Promise<ReplayInput[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    // A link loop or unreadable file among many is one rejected input, not the end of the run.
    return [{ source: file, error: `cannot read: ${fsReason(error)}` }];
  }
  const ext = extname(file);
  if (ext === '.jsonl' || ext === '.ndjson') {
    return text.split('\n').flatMap((line, i): ReplayInput[] => {
      if (line.trim() === '') return [];
      const source = `${file}:${i + 1}`;
      const parsed = parseJson(line);
      return [
        'value' in parsed ? { source, event: parsed.value } : { source, error: parsed.error },
      ];
    });
  }
  const parsed = parseJson(text);
  if (!('value' in parsed))
    return [{ source: locate(file, text, parsed.error), error: parsed.error }];
  if (Array.isArray(parsed.value)) {
    return parsed.value.map((event: unknown, i) => ({ source: `${file}[${i}]`, event }));
  }
  return [{ source: file, event: parsed.value }];
}

function parseJson(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) as unknown };
  } catch (error) {
    return { error: `invalid JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

/** Adds the line number when the JSON error names a position. */
function locate(file: string, text: string, error: string): string {
  const line = /line (\d+)/.exec(error)?.[1];
  if (line !== undefined) return `${file}:${line}`;
  if (error.includes('end of JSON input')) return `${file}:${text.trimEnd().split('\n').length}`;
  const position = /position (\d+)/.exec(error)?.[1];
  if (position === undefined) return file;
  return `${file}:${text.slice(0, Number(position)).split('\n').length}`;
}

export { expandPaths, readInputs };
