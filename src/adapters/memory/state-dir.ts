import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { WardenError } from '../../domain/errors.js';
import { type ChainHistory, isChainHistory } from '../../domain/policy/chain-history.js';
import { type GapHistogram, isGapHistogram } from '../../domain/policy/gap-history.js';
import { poolId } from '../../domain/pool/pool-record.js';
import type { Clock } from '../../domain/ports/clock.js';
import { MemoryPoolStore, type PoolStoreSnapshot } from './memory-pool-store.js';

/** The one file a state directory holds. */
const STATE_FILE = 'steward-state.json';
/** What `saveState` writes first, then renames over the state file. */
const STATE_PARTIAL = `${STATE_FILE}.partial`;

/** A state file that is missing, unreadable or not a store snapshot (the message names which). */
class StateFileError extends WardenError {
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super('STATE_INVALID', `${file}: ${message}`, options);
    this.name = 'StateFileError';
    this.file = file;
  }
}

/** Epoch ms the stores key on: whole, from 0 (see `sortableTime`). */
const time = z.number().check(z.refine(Number.isSafeInteger, 'must be a whole epoch-ms time'));
const finite = z.number().check(z.refine(Number.isFinite, 'must be a finite number'));
const text = z.string();

const decisionEntry = z.looseObject({
  at: finite,
  action: z.enum(['keep', 'extend', 'shrink', 'release']),
  until: finite,
  reason: text,
  rule: z.optional(text),
  outcome: z.enum(['applied', 'dry-run', 'no-op', 'skipped', 'failed']),
});

// Loose objects keep fields this reader does not know, so an older CLI never drops them.
const poolRecord = z.looseObject({
  jobArn: text,
  jobName: text,
  creationTime: time.check(z.gte(0)),
  region: text,
  owner: text,
  ownerVia: z.optional(text),
  team: z.optional(text),
  matchKey: text,
  instanceType: text,
  instanceCount: z.int().check(z.gte(1)),
  tags: z.record(z.string(), z.string()),
  endTime: finite,
  keepAliveSeconds: finite.check(z.gte(0)),
  updatedAt: z.optional(finite),
  expiresAt: finite,
  state: z.enum(['InUse', 'Available', 'Reused', 'Terminated']),
  nextDecisionAt: z.optional(time.check(z.gte(0))),
  releaseWarnedFor: z.optional(finite),
  humanOverride: z.optional(
    z.looseObject({ at: finite, by: text, keepAliveSeconds: finite.check(z.gte(0)) })
  ),
  reusedByJob: z.optional(text),
  decisions: z.array(decisionEntry),
  version: z.int().check(z.gte(1)),
});

const gapEvent = z.looseObject({
  at: finite,
  gapMs: finite,
  previousOwner: z.optional(text),
  nextOwner: z.optional(text),
});

const keyHistory = z.looseObject({
  matchKey: text,
  histogram: z.custom<GapHistogram>(isGapHistogram, 'is not a gap histogram'),
  recent: z.array(gapEvent),
  openEnds: z.optional(
    z.array(
      z.looseObject({ at: finite, owner: z.optional(text), shadowed: z.optional(z.literal(true)) })
    )
  ),
  shadowHistogram: z.optional(z.custom<GapHistogram>(isGapHistogram, 'is not a gap histogram')),
  lastArrivalAt: z.optional(finite),
  chain: z.optional(z.custom<ChainHistory>(isChainHistory, 'is not a chain history')),
  version: z.int().check(z.gte(1)),
});

const auditEntry = z.looseObject({
  at: time.check(z.gte(0)),
  jobArn: text,
  jobName: text,
  creationTime: finite,
  owner: text,
  team: z.optional(text),
  kind: z.enum([
    'keep',
    'extend',
    'shrink',
    'release',
    'reused',
    'terminated',
    'adopted',
    'tracked',
    'human-override',
  ]),
  until: z.optional(finite),
  keepAliveSeconds: z.optional(finite),
  reason: text,
  rule: z.optional(text),
  outcome: z.enum(['applied', 'dry-run', 'no-op', 'skipped', 'failed', 'observed']),
});

const snapshotSchema = z.strictObject({
  version: z.literal(1),
  takenAt: finite,
  pools: z.array(poolRecord),
  histories: z.array(keyHistory),
  audit: z.array(z.strictObject({ entry: auditEntry, expiresAt: finite })),
  spend: z.array(
    z.strictObject({
      team: text.check(z.minLength(1)),
      day: text.check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a day written YYYY-MM-DD')),
      usd: finite,
      instanceHours: finite,
    })
  ),
  actionsByHour: z.array(z.strictObject({ hourStart: finite, count: z.int().check(z.gte(0)) })),
  actionsByMinute: z.optional(
    z.array(
      z.strictObject({ hourStart: finite, minuteStart: finite, count: z.int().check(z.gte(0)) })
    )
  ),
  control: z.looseObject({
    paused: z.boolean(),
    pausedBy: z.optional(text),
    pausedAt: z.optional(finite),
    breakerTrippedAt: z.optional(finite),
    breakerReason: z.optional(text),
    resumedAt: z.optional(finite),
  }),
  cursor: z.optional(
    z.looseObject({ nextToken: z.optional(text), createdAfter: finite, updatedAt: finite })
  ),
});

/**
 * Writes the store's snapshot to DIR/steward-state.json (the folder is made if need be),
 * through a temporary file so a reader never sees half a state. Returns the file's path.
 *
 * @example await saveState('out/state', session.steward.store)
 */
async function saveState(dir: string, store: MemoryPoolStore): Promise<string> {
  const file = join(dir, STATE_FILE);
  const partial = join(dir, STATE_PARTIAL);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(partial, `${JSON.stringify(store.snapshot(), null, 1)}\n`);
    await rename(partial, file);
  } catch (error) {
    throw new StateFileError(file, `cannot be written: ${fsReason(error)}`, { cause: error });
  }
  return file;
}

/**
 * The store a state directory holds, checked field by field: a hand-edited or corrupt file is
 * a StateFileError naming the file and the first bad field. The store's clock is `clock`, or,
 * when none is given, one stopped at the snapshot's `takenAt` (a replay's own "now").
 *
 * @example const { store, takenAt } = await loadState('out/state')
 */
async function loadState(
  dir: string,
  clock?: Clock
): Promise<{ store: MemoryPoolStore; takenAt: number; file: string }> {
  const file = join(dir, STATE_FILE);
  const snapshot = parseSnapshot(await readState(file), file);
  const storeClock = clock ?? stoppedClock(snapshot.takenAt);
  return { store: MemoryPoolStore.restore(snapshot, storeClock), takenAt: snapshot.takenAt, file };
}

async function readState(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    const missing = codeOf(error) === 'ENOENT';
    throw new StateFileError(
      file,
      missing
        ? 'no state here (a `warden replay --state DIR` writes one)'
        : `cannot be read: ${fsReason(error)}`,
      { cause: error }
    );
  }
}

/** The snapshot in `json`, or a StateFileError naming the first bad field. */
function parseSnapshot(json: string, file: string): PoolStoreSnapshot {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StateFileError(
      file,
      `is not JSON: ${error instanceof Error ? error.message : String(error)}`
    );
  }
  const parsed = snapshotSchema.safeParse(value);
  if (!parsed.success) {
    const [issue] = parsed.error.issues;
    if (issue === undefined) throw new StateFileError(file, 'is not a pool store snapshot');
    const unknownKey = issue.code === 'unrecognized_keys' ? issue.keys[0] : undefined;
    const path = pathText(unknownKey === undefined ? issue.path : [...issue.path, unknownKey]);
    throw new StateFileError(file, `${path || '(top level)'}: ${describeIssue(issue)}`);
  }
  const snapshot: PoolStoreSnapshot = parsed.data;
  const seen = new Set<string>();
  for (const [i, pool] of snapshot.pools.entries()) {
    const id = poolId(pool);
    if (seen.has(id)) throw new StateFileError(file, `pools[${i}]: a second record of pool ${id}`);
    seen.add(id);
  }
  return snapshot;
}

/** zod/mini carries no message texts: say what was wrong from the issue's own fields. */
function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      return `expected ${issue.expected}`;
    case 'invalid_value':
      return `must be ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}`;
    case 'unrecognized_keys':
      return 'is not a field of a state file';
    case 'too_small':
      return `must be at least ${String(issue.minimum)}`;
    default:
      return issue.message === 'Invalid input' ? `invalid (${issue.code})` : issue.message;
  }
}

function pathText(path: readonly PropertyKey[]): string {
  return path
    .map((part, i) =>
      typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`
    )
    .join('');
}

/** A file-system error as a short phrase; the code stays in it for searching. */
function fsReason(error: unknown): string {
  const code = codeOf(error);
  const what: Readonly<Record<string, string>> = {
    EISDIR: 'it is a folder, not a state file',
    ENOTDIR: 'the state folder is a file, not a folder',
    ELOOP: 'a loop of symbolic links',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  };
  const known = typeof code === 'string' && Object.hasOwn(what, code) ? what[code] : undefined;
  if (known !== undefined) return `${known} (${String(code)})`;
  return error instanceof Error ? error.message : String(error);
}

function codeOf(error: unknown): unknown {
  return error instanceof Error && 'code' in error ? error.code : undefined;
}

function stoppedClock(at: number): Clock {
  return { now: () => at, sleep: async () => undefined };
}

export { loadState, STATE_FILE, STATE_PARTIAL, StateFileError, saveState };
