import type { Stats } from 'node:fs';
import { access, constants, mkdir, readdir, readlink, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  loadState,
  STATE_FILE,
  STATE_PARTIAL,
  StateFileError,
} from '../adapters/memory/state-dir.js';
import { OUTBOX_ENDINGS } from '../adapters/outbox/outbox.js';
import { UsageError } from './usage-error.js';

/** Where `warden replay` and `simulate --mode service` leave their state unless told otherwise. */
const DEFAULT_STATE_DIR = 'out/state';

/** The state `dir` holds, for a command's `--state DIR`: a missing or corrupt one is a UsageError. */
async function loadStateDir(dir: string): ReturnType<typeof loadState> {
  try {
    return await loadState(dir);
  } catch (error) {
    if (error instanceof StateFileError) throw new UsageError(error.message);
    throw error;
  }
}

/**
 * Makes sure `dir` is a folder the CLI can write into, creating it if need be, before any work
 * is done: a simulation that runs for minutes and then cannot save is worse than a refusal.
 * Problems are a UsageError naming `flag`.
 *
 * Folders are made one level at a time: `mkdir(…, { recursive: true })` loops forever on some
 * paths (under /proc on Linux) instead of failing.
 */
async function ensureOutputDir(flag: string, dir: string): Promise<void> {
  if (dir === '') throw new UsageError(`${flag} needs a folder`);
  const missing: string[] = [];
  let at = resolve(dir);
  for (;;) {
    const info = await statOrError(at);
    if (!(info instanceof Error)) {
      if (!info.isDirectory()) {
        throw new UsageError(
          `${flag} ${dir}: ${at === resolve(dir) ? '' : `${at} `}is a file, not a folder`
        );
      }
      break;
    }
    if (codeOf(info) !== 'ENOENT') throw new UsageError(`${flag} ${dir}: ${fsReason(info)}`);
    const parent = dirname(at);
    if (parent === at) throw new UsageError(`${flag} ${dir}: ${fsReason(info)}`);
    missing.unshift(at);
    at = parent;
  }
  for (const path of missing) {
    await mkdir(path).catch((error: unknown) => {
      if (codeOf(error) === 'EEXIST') return;
      // A parent that exists but refuses children (a pseudo file system) says ENOENT.
      const why = codeOf(error) === 'ENOENT' ? 'the file system refuses it' : fsReason(error);
      throw new UsageError(`${flag} ${dir}: cannot create ${path}: ${why}`);
    });
  }
  await access(dir, constants.W_OK).catch((error: unknown) => {
    throw new UsageError(`${flag} ${dir}: cannot write there: ${fsReason(error)}`);
  });
}

/**
 * `ensureOutputDir`, and the files `saveState` writes in it, if they are there: the state file
 * must be a file to replace, and a leftover partial one a file it can overwrite.
 */
async function ensureStateDir(flag: string, dir: string): Promise<void> {
  await ensureOutputDir(flag, dir);
  const file = join(dir, STATE_FILE);
  const info = await stat(file).catch(() => undefined);
  if (info !== undefined && !info.isFile()) {
    throw new UsageError(`${flag} ${dir}: ${file} is a folder, not a state file`);
  }
  await checkOutputFile(flag, join(dir, STATE_PARTIAL));
}

/**
 * `ensureOutputDir` for an outbox. Notices keep their names from one run to the next, so a
 * leftover `.eml` or `.slack.json` this run could not replace would fail a notice (or, in
 * simulate, the whole run) at the end. Which names a run writes is known only once it has run,
 * so every such leftover is checked now.
 */
async function ensureOutboxDir(flag: string, dir: string): Promise<void> {
  await ensureOutputDir(flag, dir);
  // A folder that can be written but not listed hides its leftovers: writes will tell.
  const names = await readdir(dir).catch(() => []);
  for (const name of names) {
    if (!OUTBOX_ENDINGS.some((ending) => name.endsWith(ending))) continue;
    const why = await unwritableFile(join(dir, name));
    if (why !== undefined) {
      throw new UsageError(
        `${flag} ${dir}: ${join(dir, name)}: ${why} (a notice of this run may replace it: remove it or choose another ${flag})`
      );
    }
  }
}

/**
 * How many notices in `dir` this run did not write. A run starts afresh but the folder is the
 * user's, so earlier runs' notices stay: the summary says so rather than let them pass as ours.
 */
async function earlierNotices(dir: string, written: readonly string[]): Promise<number> {
  const ours = new Set(written.map((path) => resolve(path)));
  const names = await readdir(dir).catch(() => []);
  return names.filter(
    (name) =>
      OUTBOX_ENDINGS.some((ending) => name.endsWith(ending)) && !ours.has(resolve(dir, name))
  ).length;
}

/**
 * Checks that `file` can be written, before work that ends by writing it. Problems name `flag`.
 */
async function checkOutputFile(flag: string, file: string): Promise<void> {
  const why = await unwritableFile(file);
  if (why !== undefined) throw new UsageError(`${flag} ${file}: ${why}`);
}

/**
 * Why `file` cannot be written, to follow its name, or undefined if it can: a file that is there
 * must be a file this user may write (as the kernel decides, so root passes); a missing one is
 * created in its folder, which must be a writable folder, or, for a symbolic link to nothing,
 * where the link points.
 */
async function unwritableFile(file: string): Promise<string | undefined> {
  const info = await statOrError(file);
  if (!(info instanceof Error)) {
    if (info.isDirectory()) return 'is a folder, not a file';
    return access(file, constants.W_OK).then(
      () => undefined,
      (error: unknown) => `cannot be written: ${fsReason(error)}`
    );
  }
  const code = codeOf(info);
  if (code !== 'ENOENT' && code !== 'ENOTDIR') return `cannot be written: ${fsReason(info)}`;
  // A loop of links says ELOOP, so following a dangling one ends.
  const link = code === 'ENOENT' ? await readlink(file).catch(() => undefined) : undefined;
  if (link !== undefined) {
    const target = resolve(dirname(file), link);
    const why = await unwritableFile(target);
    return why === undefined ? undefined : `links to ${target}: ${why}`;
  }
  const dir = dirname(resolve(file));
  const parent = await statOrError(dir);
  if (parent instanceof Error) return `${dir}: ${fsReason(parent)}`;
  if (!parent.isDirectory()) return `${dir} is a file, not a folder`;
  return access(dir, constants.W_OK).then(
    () => undefined,
    (error: unknown) => `cannot write in ${dir}: ${fsReason(error)}`
  );
}

/** A file-system error as a short phrase a user can act on. */
function fsReason(error: unknown): string {
  switch (codeOf(error)) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EISDIR':
      return 'is a folder, not a file';
    case 'ENOTDIR':
      return 'a part of the path is a file, not a folder';
    case 'ELOOP':
      return 'a loop of symbolic links';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EROFS':
      return 'read-only file system';
    case 'ENOSPC':
      return 'no space left on the device';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/** The path's stats, or the error that says why there are none. */
async function statOrError(path: string): Promise<Stats | Error> {
  return stat(path).catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error))
  );
}

function codeOf(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

export {
  checkOutputFile,
  DEFAULT_STATE_DIR,
  earlierNotices,
  ensureOutboxDir,
  ensureOutputDir,
  ensureStateDir,
  fsReason,
  loadStateDir,
  statOrError,
};
