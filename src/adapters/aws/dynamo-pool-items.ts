import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Tags } from '../../domain/event/tags.js';
import { dropUndefined, isRecord } from '../../domain/objects.js';
import { isChainHistory } from '../../domain/policy/chain-history.js';
import { isGapHistogram } from '../../domain/policy/gap-history.js';
import { type MatchKey, matchKeyId } from '../../domain/pool/match-key.js';
import {
  type DecisionEntry,
  type HumanOverride,
  MAX_DECISIONS_KEPT,
  type PoolRecord,
  poolId,
} from '../../domain/pool/pool-record.js';
import type {
  AuditEntry,
  GapEvent,
  KeyHistory,
  OpenEnd,
  ReconcileCursor,
  StewardControl,
} from '../../domain/ports/pool-store.js';
import { OPEN_ENDS_KEPT, RECENT_GAPS_KEPT } from '../../domain/ports/pool-store.js';
import type { PoolRef } from '../../domain/steward/evaluate-due-pools.js';
import type { Item } from './dynamo-table.js';

/**
 * How the pool store's records map to items of the one table, and back. Flat fields are
 * attributes an admin can read in the console; nested parts (tags, decisions, histogram) are
 * JSON text. Whatever is read back is checked field by field, because the table is shared and
 * editable: a bad item yields a problem naming the field, never a malformed record.
 */

/** The one `due` index partition: every live pool, the scheduled ones first by due time. */
const DUE_PARTITION = 'DUE';
const POOL_STATES = ['InUse', 'Available', 'Reused', 'Terminated'] as const;
const POOL_ACTIONS = ['keep', 'extend', 'shrink', 'release'] as const;
const DECISION_OUTCOMES = ['applied', 'dry-run', 'no-op', 'skipped', 'failed'] as const;
const AUDIT_KINDS = [
  ...POOL_ACTIONS,
  'reused',
  'terminated',
  'adopted',
  'tracked',
  'human-override',
] as const;
const AUDIT_OUTCOMES = [...DECISION_OUTCOMES, 'observed'] as const;

/** An item failed a check; the message names the field. */
class ItemProblem extends Error {}

/** What `decode` makes of an item: its value, or the problem that stopped it. */
type Decoded<T> = { readonly value: T } | { readonly problem: string };

type Fields = Readonly<Record<string, unknown>>;

/** The sort key every pool item has (the stream's filter matches on it too). */
const POOL_SORT_KEY = 'POOL';
const POOL_PREFIX = 'POOL#';

/** The table key of a pool: job ARN and creation time (a job name can be used again). */
function poolKey(jobArn: string, creationTime: number): Item {
  return { pk: { S: `${POOL_PREFIX}${jobArn}#${creationTime}` }, sk: { S: POOL_SORT_KEY } };
}

/** The pool a pool item's `pk` names (the inverse of `poolKey`); undefined when malformed. */
function poolRefOfKey(pk: string): PoolRef | undefined {
  if (!pk.startsWith(POOL_PREFIX)) return undefined;
  const cut = pk.lastIndexOf('#');
  const jobArn = pk.slice(POOL_PREFIX.length, cut);
  const time = pk.slice(cut + 1);
  const creationTime = /^\d{1,15}$/.test(time) ? Number(time) : Number.NaN;
  if (!jobArn.startsWith('arn:') || !Number.isSafeInteger(creationTime)) return undefined;
  return { jobArn, creationTime };
}

/** The table key of a match key's history: the key id (the full text is stored inside). */
function historyKey(matchKey: MatchKey): Item {
  return { pk: { S: `KEY#${matchKeyId(matchKey)}` }, sk: { S: 'HISTORY' } };
}

/** The `bykey` index partition of a key's live pools. */
function keyPartition(matchKey: MatchKey): string {
  return `KEY#${matchKeyId(matchKey)}`;
}

/** The `bykey` index partition of a job name's audit entries. */
function auditJobPartition(jobName: string): string {
  return `AUDITJOB#${jobName}`;
}

/**
 * A pool as an item. `orderKey` (see `liveOrderKey`) puts a live pool in the `due` and `bykey`
 * indexes; a gone pool is written without those attributes, which takes it out of both.
 */
function poolItem(pool: PoolRecord, orderKey: string | undefined): Item {
  return {
    ...poolKey(pool.jobArn, pool.creationTime),
    ...scalars({
      jobArn: pool.jobArn,
      jobName: pool.jobName,
      creationTime: pool.creationTime,
      region: pool.region,
      owner: pool.owner,
      ownerVia: pool.ownerVia,
      team: pool.team,
      matchKey: pool.matchKey,
      instanceType: pool.instanceType,
      instanceCount: pool.instanceCount,
      endTime: pool.endTime,
      keepAliveSeconds: pool.keepAliveSeconds,
      updatedAt: pool.updatedAt,
      expiresAt: pool.expiresAt,
      state: pool.state,
      nextDecisionAt: pool.nextDecisionAt,
      releaseWarnedFor: pool.releaseWarnedFor,
      reusedByJob: pool.reusedByJob,
      version: pool.version,
      tags: JSON.stringify(pool.tags),
      decisions: JSON.stringify(pool.decisions.slice(-MAX_DECISIONS_KEPT)),
      humanOverride:
        pool.humanOverride === undefined ? undefined : JSON.stringify(pool.humanOverride),
    }),
    ...(orderKey === undefined
      ? {}
      : {
          gsi1pk: { S: DUE_PARTITION },
          gsi1sk: { S: orderKey },
          gsi2pk: { S: keyPartition(pool.matchKey) },
          gsi2sk: { S: poolId(pool) },
        }),
  };
}

/** A pool read back from its item; throws an ItemProblem naming the first bad field. */
function poolFrom(item: Item): PoolRecord {
  const o = plain(item);
  return dropUndefined({
    jobArn: text(o, 'jobArn'),
    jobName: text(o, 'jobName'),
    creationTime: number(o, 'creationTime'),
    region: text(o, 'region'),
    owner: text(o, 'owner'),
    ownerVia: optional(o, 'ownerVia', text),
    team: optional(o, 'team', text),
    matchKey: text(o, 'matchKey'),
    instanceType: text(o, 'instanceType'),
    instanceCount: number(o, 'instanceCount'),
    tags: tagsFrom(parsed(o, 'tags')),
    endTime: number(o, 'endTime'),
    keepAliveSeconds: number(o, 'keepAliveSeconds'),
    updatedAt: optional(o, 'updatedAt', number),
    expiresAt: number(o, 'expiresAt'),
    state: oneOf(o, 'state', POOL_STATES),
    nextDecisionAt: optional(o, 'nextDecisionAt', number),
    releaseWarnedFor: optional(o, 'releaseWarnedFor', number),
    humanOverride:
      o.humanOverride === undefined ? undefined : overrideFrom(parsed(o, 'humanOverride')),
    reusedByJob: optional(o, 'reusedByJob', text),
    decisions: listOf(parsed(o, 'decisions'), 'decisions', decisionFrom),
    version: version(o),
  });
}

/** A key history as an item, its lists cut to the newest kept. */
function historyItem(history: KeyHistory): Item {
  return {
    ...historyKey(history.matchKey),
    ...scalars({
      matchKey: history.matchKey,
      histogram: JSON.stringify(history.histogram),
      recent: JSON.stringify(history.recent.slice(-RECENT_GAPS_KEPT)),
      openEnds:
        history.openEnds === undefined
          ? undefined
          : JSON.stringify(history.openEnds.slice(-OPEN_ENDS_KEPT)),
      shadowHistogram:
        history.shadowHistogram === undefined ? undefined : JSON.stringify(history.shadowHistogram),
      lastArrivalAt: history.lastArrivalAt,
      chain: history.chain === undefined ? undefined : JSON.stringify(history.chain),
      version: history.version,
    }),
  };
}

/** A key history read back from its item; throws an ItemProblem naming the first bad field. */
function historyFrom(item: Item): KeyHistory {
  const o = plain(item);
  const histogram = parsed(o, 'histogram');
  if (!isGapHistogram(histogram)) throw new ItemProblem('histogram is not a gap histogram');
  const shadowHistogram =
    o.shadowHistogram === undefined ? undefined : parsed(o, 'shadowHistogram');
  if (shadowHistogram !== undefined && !isGapHistogram(shadowHistogram)) {
    throw new ItemProblem('shadowHistogram is not a gap histogram');
  }
  const chain = o.chain === undefined ? undefined : parsed(o, 'chain');
  if (chain !== undefined && !isChainHistory(chain)) {
    throw new ItemProblem('chain is not a chain history');
  }
  return dropUndefined({
    matchKey: text(o, 'matchKey'),
    histogram,
    recent: listOf(parsed(o, 'recent'), 'recent', gapFrom).slice(-RECENT_GAPS_KEPT),
    openEnds:
      o.openEnds === undefined
        ? undefined
        : listOf(parsed(o, 'openEnds'), 'openEnds', endFrom).slice(-OPEN_ENDS_KEPT),
    shadowHistogram,
    lastArrivalAt: optional(o, 'lastArrivalAt', number),
    chain,
    version: version(o),
  });
}

/** An audit entry's attributes, without its keys (the store adds those). */
function auditAttributes(entry: AuditEntry): Item {
  return scalars({
    at: entry.at,
    jobArn: entry.jobArn,
    jobName: entry.jobName,
    creationTime: entry.creationTime,
    owner: entry.owner,
    team: entry.team,
    kind: entry.kind,
    until: entry.until,
    keepAliveSeconds: entry.keepAliveSeconds,
    reason: entry.reason,
    rule: entry.rule,
    outcome: entry.outcome,
  });
}

/** An audit entry read back from its item. */
function auditFrom(item: Item): AuditEntry {
  const o = plain(item);
  return dropUndefined({
    at: number(o, 'at'),
    jobArn: text(o, 'jobArn'),
    jobName: text(o, 'jobName'),
    creationTime: number(o, 'creationTime'),
    owner: text(o, 'owner'),
    team: optional(o, 'team', text),
    kind: oneOf(o, 'kind', AUDIT_KINDS),
    until: optional(o, 'until', number),
    keepAliveSeconds: optional(o, 'keepAliveSeconds', number),
    reason: text(o, 'reason'),
    rule: optional(o, 'rule', text),
    outcome: oneOf(o, 'outcome', AUDIT_OUTCOMES),
  });
}

/** The steward's switches as attributes (the store adds the key). */
function controlAttributes(control: StewardControl): Item {
  return scalars({
    paused: control.paused,
    pausedBy: control.pausedBy,
    pausedAt: control.pausedAt,
    breakerTrippedAt: control.breakerTrippedAt,
    breakerReason: control.breakerReason,
    resumedAt: control.resumedAt,
  });
}

/** The steward's switches read back from their item. */
function controlFrom(item: Item): StewardControl {
  const o = plain(item);
  return dropUndefined({
    paused: flag(o, 'paused'),
    pausedBy: optional(o, 'pausedBy', text),
    pausedAt: optional(o, 'pausedAt', number),
    breakerTrippedAt: optional(o, 'breakerTrippedAt', number),
    breakerReason: optional(o, 'breakerReason', text),
    resumedAt: optional(o, 'resumedAt', number),
  });
}

/** The reconcile cursor as attributes (the store adds the key). */
function cursorAttributes(cursor: ReconcileCursor): Item {
  return scalars({
    nextToken: cursor.nextToken,
    createdAfter: cursor.createdAfter,
    updatedAt: cursor.updatedAt,
  });
}

/** The reconcile cursor read back from its item. */
function cursorFrom(item: Item): ReconcileCursor {
  const o = plain(item);
  return dropUndefined({
    nextToken: optional(o, 'nextToken', text),
    createdAfter: number(o, 'createdAfter'),
    updatedAt: number(o, 'updatedAt'),
  });
}

/** The item's `version`, alone: a store can still overwrite an item whose body is bad. */
function versionOf(item: Item): number {
  return version(plain(item));
}

/** `read(item)`, or the problem that stopped it. */
function decode<T>(item: Item, read: (item: Item) => T): Decoded<T> {
  try {
    return { value: read(item) };
  } catch (error) {
    if (error instanceof ItemProblem) return { problem: error.message };
    throw error;
  }
}

/** Strings, numbers and booleans as attributes; `undefined` fields are left out. */
function scalars(fields: Readonly<Record<string, string | number | boolean | undefined>>): Item {
  const item: Item = {};
  for (const [name, value] of Object.entries(fields)) {
    if (typeof value === 'string') item[name] = { S: value };
    else if (typeof value === 'number') item[name] = { N: String(value) };
    else if (typeof value === 'boolean') item[name] = { BOOL: value };
  }
  return item;
}

/** An item's scalar attributes as plain values; any other type reads as `null` (a problem). */
function plain(item: Item): Fields {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) fields[name] = scalarOf(value);
  return fields;
}

function scalarOf(value: AttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return Number(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  return null;
}

function text(o: Fields, name: string, path = ''): string {
  const value = o[name];
  if (typeof value !== 'string') throw new ItemProblem(`${path}${name} is not a string`);
  return value;
}

function number(o: Fields, name: string, path = ''): number {
  const value = o[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ItemProblem(`${path}${name} is not a number`);
  }
  return value;
}

function flag(o: Fields, name: string, path = ''): boolean {
  const value = o[name];
  if (typeof value !== 'boolean') throw new ItemProblem(`${path}${name} is not a boolean`);
  return value;
}

function optional<T>(
  o: Fields,
  name: string,
  read: (o: Fields, name: string, path?: string) => T,
  path = ''
): T | undefined {
  return o[name] === undefined ? undefined : read(o, name, path);
}

function oneOf<T extends string>(o: Fields, name: string, values: readonly T[], path = ''): T {
  const value = o[name];
  if (!values.includes(value as T)) {
    throw new ItemProblem(`${path}${name} is not one of ${values.join('|')}`);
  }
  return value as T;
}

function version(o: Fields): number {
  const value = number(o, 'version');
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ItemProblem('version is not a whole number from 1');
  }
  return value;
}

function parsed(o: Fields, name: string): unknown {
  const json = text(o, name);
  try {
    return JSON.parse(json);
  } catch {
    throw new ItemProblem(`${name} is not JSON`);
  }
}

function listOf<T>(value: unknown, name: string, read: (o: Fields, path: string) => T): T[] {
  if (!Array.isArray(value)) throw new ItemProblem(`${name} is not a list`);
  return value.map((element, i) => {
    const path = `${name}[${i}].`;
    if (!isRecord(element)) throw new ItemProblem(`${name}[${i}] is not an object`);
    return read(element, path);
  });
}

function tagsFrom(value: unknown): Tags {
  if (!isRecord(value)) throw new ItemProblem('tags is not an object');
  for (const key of Object.keys(value)) text(value, key, 'tags.');
  return value as Tags;
}

function overrideFrom(value: unknown): HumanOverride {
  if (!isRecord(value)) throw new ItemProblem('humanOverride is not an object');
  const path = 'humanOverride.';
  return {
    at: number(value, 'at', path),
    by: text(value, 'by', path),
    keepAliveSeconds: number(value, 'keepAliveSeconds', path),
  };
}

function decisionFrom(o: Fields, path: string): DecisionEntry {
  return dropUndefined({
    at: number(o, 'at', path),
    action: oneOf(o, 'action', POOL_ACTIONS, path),
    until: number(o, 'until', path),
    reason: text(o, 'reason', path),
    rule: optional(o, 'rule', text, path),
    outcome: oneOf(o, 'outcome', DECISION_OUTCOMES, path),
  });
}

function gapFrom(o: Fields, path: string): GapEvent {
  return dropUndefined({
    at: number(o, 'at', path),
    gapMs: number(o, 'gapMs', path),
    previousOwner: optional(o, 'previousOwner', text, path),
    nextOwner: optional(o, 'nextOwner', text, path),
  });
}

function endFrom(o: Fields, path: string): OpenEnd {
  return dropUndefined({
    at: number(o, 'at', path),
    owner: optional(o, 'owner', text, path),
    shadowed: optional(o, 'shadowed', shadowedFlag, path),
  });
}

/** Only `true` is ever written: an end that is not shadowed leaves the field out. */
function shadowedFlag(o: Fields, name: string, path = ''): true {
  if (o[name] !== true) throw new ItemProblem(`${path}${name} is not true`);
  return true;
}

export type { Decoded };
export {
  auditAttributes,
  auditFrom,
  auditJobPartition,
  controlAttributes,
  controlFrom,
  cursorAttributes,
  cursorFrom,
  DUE_PARTITION,
  decode,
  historyFrom,
  historyItem,
  historyKey,
  keyPartition,
  POOL_SORT_KEY,
  poolFrom,
  poolItem,
  poolKey,
  poolRefOfKey,
  versionOf,
};
