import { beforeEach, describe, expect, it } from 'vitest';
import {
  chainArrive,
  chainEnd,
  chainWarmStart,
  newChainHistory,
} from '../../src/domain/policy/chain-history.js';
import { emptyHistogram, observeGap } from '../../src/domain/policy/gap-history.js';
import type { MatchKey } from '../../src/domain/pool/match-key.js';
import {
  type DecisionEntry,
  MAX_DECISIONS_KEPT,
  type PoolRecord,
} from '../../src/domain/pool/pool-record.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import {
  type AuditEntry,
  type GapEvent,
  type KeyHistory,
  OPEN_ENDS_KEPT,
  type PoolStore,
  RECENT_GAPS_KEPT,
} from '../../src/domain/ports/pool-store.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { T0 } from '../helpers/factories.js';

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
const DAY_MS = 24 * HOUR_MS;

const VISION_KEY: MatchKey =
  'role=arn:aws:iam::111122223333:role/VisionTraining|type=ml.g5.2xlarge|count=1|volume=100|' +
  'kms=-|subnets=|sgs=|isolation=false|encryption=false';
const NLP_KEY: MatchKey = VISION_KEY.replace('VisionTraining', 'NlpTraining');

/** An Available pool of `name`, ended at T0 with 30 min keep-alive, due 5 min before expiry. */
function pool(name: string, changes: Partial<PoolRecord> = {}): PoolRecord {
  return {
    jobArn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`,
    jobName: name,
    creationTime: T0 - 3_900_000,
    region: 'us-east-1',
    owner: 'alice',
    ownerVia: 'tag warden:owner',
    matchKey: VISION_KEY,
    instanceType: 'ml.g5.2xlarge',
    instanceCount: 1,
    tags: { 'warden:owner': 'alice' },
    endTime: T0,
    keepAliveSeconds: 1800,
    expiresAt: T0 + 1_800_000,
    state: 'Available',
    nextDecisionAt: T0 + 1_500_000,
    decisions: [],
    version: 1,
    ...changes,
  };
}

/** The next version of `record`, as the steward would write it. */
function next<T extends { readonly version: number }>(record: T, changes: Partial<T> = {}): T {
  return { ...record, ...changes, version: record.version + 1 };
}

function decision(at: number, changes: Partial<DecisionEntry> = {}): DecisionEntry {
  return {
    at,
    action: 'extend',
    until: at + 1_800_000,
    reason: 'the key usually resumes within 20 minutes',
    outcome: 'applied',
    ...changes,
  };
}

function entry(jobName: string, at: number, changes: Partial<AuditEntry> = {}): AuditEntry {
  return {
    at,
    jobArn: `arn:aws:sagemaker:us-east-1:111122223333:training-job/${jobName}`,
    jobName,
    creationTime: T0 - 3_900_000,
    owner: 'alice',
    kind: 'extend',
    reason: 'working hours',
    outcome: 'applied',
    ...changes,
  };
}

function history(matchKey: MatchKey, changes: Partial<KeyHistory> = {}): KeyHistory {
  return {
    matchKey,
    histogram: observeGap(emptyHistogram(), 240_000, T0),
    recent: [{ at: T0, gapMs: 240_000, previousOwner: 'alice', nextOwner: 'bob' }],
    openEnds: [{ at: T0 + HOUR_MS, owner: 'bob' }, { at: T0 + 2 * HOUR_MS }],
    lastArrivalAt: T0 - 60_000,
    version: 1,
    ...changes,
  };
}

const names = (pools: readonly PoolRecord[]) => pools.map((p) => p.jobName);
const times = (entries: readonly AuditEntry[]) => entries.map((e) => e.at);

/**
 * What every PoolStore promises, run against each implementation, so the in-memory store the
 * simulator uses behaves as the DynamoDB one does. `makeStore` returns an empty store whose
 * "now" is `clock`.
 */
function poolStoreContract(makeStore: (clock: Clock) => Promise<PoolStore>): void {
  describe('pool store contract', () => {
    let clock: VirtualClock;
    let store: PoolStore;

    beforeEach(async () => {
      clock = new VirtualClock(T0);
      store = await makeStore(clock);
    });

    describe('pools', () => {
      it('reads back every field when all optional fields are set', async () => {
        // Prepare
        const full = pool('full-pool', {
          team: 'vision',
          tags: { 'warden:owner': 'alice', project: 'resnet', empty: '' },
          updatedAt: T0 + 60_000,
          releaseWarnedFor: T0 + 1_700_000,
          humanOverride: { at: T0 + 30_000, by: 'alice@example.com', keepAliveSeconds: 3600 },
          reusedByJob: 'resnet-sweep-018',
          decisions: [
            decision(T0 + 1_000, { rule: 'vision-hours' }),
            decision(T0 + 2_000, { action: 'release', until: T0 + 2_000, outcome: 'dry-run' }),
          ],
        });

        // Act
        const result = await store.putPool(full);
        const read = await store.getPool(full.jobArn, full.creationTime);

        // Assess
        expect(result).toBe('ok');
        expect(read).toStrictEqual(full);
      });

      it('reads back a pool without any optional field as it was written', async () => {
        // Prepare
        const { nextDecisionAt: _unused, ...minimal } = pool('minimal-pool', { tags: {} });

        // Act
        await store.putPool(minimal);
        const read = await store.getPool(minimal.jobArn, minimal.creationTime);

        // Assess
        expect(read).toStrictEqual(minimal);
      });

      it('returns undefined when the pool was never written', async () => {
        // Act
        const read = await store.getPool('arn:aws:sagemaker:us-east-1:1:training-job/none', T0);

        // Assess
        expect(read).toBeUndefined();
      });

      it('keeps two pools apart when a job name was used again with a new creation time', async () => {
        // Prepare
        const first = pool('reused-name');
        const second = pool('reused-name', { creationTime: first.creationTime + DAY_MS });
        await store.putPool(first);
        await store.putPool(second);

        // Act
        const reads = await Promise.all([
          store.getPool(first.jobArn, first.creationTime),
          store.getPool(second.jobArn, second.creationTime),
        ]);

        // Assess
        expect(reads).toStrictEqual([first, second]);
      });

      it('stores the next version when it follows the stored one', async () => {
        // Prepare
        const created = pool('versioned');
        await store.putPool(created);
        const extended = next(created, { keepAliveSeconds: 3600, expiresAt: T0 + HOUR_MS });

        // Act
        const result = await store.putPool(extended);

        // Assess
        expect(result).toBe('ok');
        expect(await store.getPool(created.jobArn, created.creationTime)).toStrictEqual(extended);
      });

      it('answers conflict and keeps the stored pool when a stale version is written', async () => {
        // Prepare
        const created = pool('stale');
        await store.putPool(created);
        const winner = next(created, { owner: 'bob' });
        await store.putPool(winner);

        // Act
        const result = await store.putPool(next(created, { owner: 'carol' }));

        // Assess
        expect(result).toBe('conflict');
        expect(await store.getPool(created.jobArn, created.creationTime)).toStrictEqual(winner);
      });

      it('answers conflict when a pool is created twice', async () => {
        // Prepare
        const created = pool('double-create');
        await store.putPool(created);

        // Act
        const result = await store.putPool({ ...created, owner: 'bob' });

        // Assess
        expect(result).toBe('conflict');
        expect((await store.getPool(created.jobArn, created.creationTime))?.owner).toBe('alice');
      });

      it('answers conflict when a version above 1 is written for an unknown pool', async () => {
        // Act
        const result = await store.putPool(pool('never-created', { version: 2 }));

        // Assess
        expect(result).toBe('conflict');
        expect(await store.getPool(pool('never-created').jobArn, T0 - 3_900_000)).toBeUndefined();
      });

      it.each([0, -1, 1.5])('answers conflict when the version is %s', async (version) => {
        // Act
        const result = await store.putPool(pool('odd-version', { version }));

        // Assess
        expect(result).toBe('conflict');
      });

      it('lets exactly one of two concurrent creates win', async () => {
        // Act
        const results = await Promise.all([
          store.putPool(pool('racing', { owner: 'alice' })),
          store.putPool(pool('racing', { owner: 'bob' })),
        ]);

        // Assess
        expect([...results].sort()).toEqual(['conflict', 'ok']);
      });

      it('keeps only the newest decisions when a pool is written with too many', async () => {
        // Prepare
        const decisions = Array.from({ length: MAX_DECISIONS_KEPT + 5 }, (_, i) =>
          decision(T0 + i * 1_000)
        );

        // Act
        await store.putPool(pool('chatty', { decisions }));

        // Assess
        const read = await store.getPool(pool('chatty').jobArn, T0 - 3_900_000);
        expect(read?.decisions).toStrictEqual(decisions.slice(-MAX_DECISIONS_KEPT));
      });

      it('rejects a nextDecisionAt that is not a whole epoch-ms time', async () => {
        // Act
        const error = await store
          .putPool(pool('fractional', { nextDecisionAt: T0 + 0.5 }))
          .catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(RangeError);
        expect((error as RangeError).message).toContain('nextDecisionAt');
        expect(await store.getPool(pool('fractional').jobArn, T0 - 3_900_000)).toBeUndefined();
      });
    });

    describe('pools due', () => {
      it('returns pools due by the cut-off, oldest first, including one due exactly then', async () => {
        // Prepare
        await store.putPool(pool('later', { nextDecisionAt: T0 + 3_000 }));
        await store.putPool(pool('first', { nextDecisionAt: T0 + 1_000 }));
        await store.putPool(pool('at-cutoff', { nextDecisionAt: T0 + 5_000 }));
        await store.putPool(pool('after-cutoff', { nextDecisionAt: T0 + 5_001 }));

        // Act
        const due = await store.poolsDue(T0 + 5_000, 10);

        // Assess
        expect(names(due)).toEqual(['first', 'later', 'at-cutoff']);
      });

      it('returns the oldest pools only when more are due than the limit', async () => {
        // Prepare
        for (const [name, at] of [
          ['c', 3],
          ['a', 1],
          ['d', 4],
          ['b', 2],
        ] as const) {
          await store.putPool(pool(name, { nextDecisionAt: T0 + at }));
        }

        // Act
        const due = await store.poolsDue(T0 + 10, 2);

        // Assess
        expect(names(due)).toEqual(['a', 'b']);
      });

      it('orders pools due at the same moment by pool id', async () => {
        // Prepare
        await store.putPool(pool('zeta', { nextDecisionAt: T0 }));
        await store.putPool(pool('alpha', { nextDecisionAt: T0 }));
        await store.putPool(pool('alpha', { nextDecisionAt: T0, creationTime: T0 - 1 }));

        // Act
        const due = await store.poolsDue(T0, 10);

        // Assess
        expect(due.map((p) => [p.jobName, p.creationTime])).toEqual([
          ['alpha', T0 - 3_900_000],
          ['alpha', T0 - 1],
          ['zeta', T0 - 3_900_000],
        ]);
      });

      it('returns nothing when the limit is 0 or nothing is due yet', async () => {
        // Prepare
        await store.putPool(pool('not-yet', { nextDecisionAt: T0 + HOUR_MS }));

        // Act
        const none = await store.poolsDue(T0 + 2 * HOUR_MS, 0);
        const early = await store.poolsDue(T0, 10);
        const negative = await store.poolsDue(-1, 10);

        // Assess
        expect(none).toEqual([]);
        expect(early).toEqual([]);
        expect(negative).toEqual([]);
      });

      it('drops a pool once it is gone, even with a nextDecisionAt left on it', async () => {
        // Prepare
        const reused = pool('reused');
        const terminated = pool('terminated');
        await store.putPool(reused);
        await store.putPool(terminated);
        await store.putPool(next(reused, { state: 'Reused', reusedByJob: 'resnet-sweep-018' }));
        await store.putPool(next(terminated, { state: 'Terminated', nextDecisionAt: undefined }));

        // Act
        const due = await store.poolsDue(T0 + DAY_MS, 10);

        // Assess
        expect(due).toEqual([]);
      });

      it('leaves out a live pool without nextDecisionAt', async () => {
        // Prepare
        const { nextDecisionAt: _unused, ...unscheduled } = pool('in-use', { state: 'InUse' });
        await store.putPool(unscheduled);

        // Act
        const due = await store.poolsDue(Number.MAX_SAFE_INTEGER, 10);

        // Assess
        expect(due).toEqual([]);
      });

      it('moves a pool when its next decision is rescheduled', async () => {
        // Prepare
        const moving = pool('moving', { nextDecisionAt: T0 + 1_000 });
        await store.putPool(moving);
        await store.putPool(pool('staying', { nextDecisionAt: T0 + 2_000 }));
        const rescheduled = next(moving, { nextDecisionAt: T0 + 3_000 });
        await store.putPool(rescheduled);

        // Act
        const due = await store.poolsDue(T0 + 5_000, 10);

        // Assess
        expect(names(due)).toEqual(['staying', 'moving']);
        expect(due[1]).toStrictEqual(rescheduled);
      });

      it('returns the oldest up to the limit when many more pools are due', async () => {
        // Prepare
        const order = [17, 3, 24, 9, 0, 12, 21, 6, 15, 1, 19, 4, 23, 10, 7, 13, 2, 22, 5, 16];
        for (const i of [...order, 8, 11, 14, 18, 20]) {
          await store.putPool(pool(`many-${i}`, { nextDecisionAt: T0 + i * 1_000 }));
        }

        // Act
        const first = await store.poolsDue(T0 + DAY_MS, 10);
        const upTo12 = await store.poolsDue(T0 + 12_000, 100);

        // Assess
        expect(names(first)).toEqual(Array.from({ length: 10 }, (_, i) => `many-${i}`));
        expect(names(upTo12)).toEqual(Array.from({ length: 13 }, (_, i) => `many-${i}`));
      });
    });

    describe('pools of a key and live pools', () => {
      it('returns the live pools of one key by pool id, leaving out gone ones and other keys', async () => {
        // Prepare
        await store.putPool(pool('vision-b'));
        await store.putPool(pool('vision-a', { state: 'InUse' }));
        await store.putPool(pool('nlp', { matchKey: NLP_KEY }));
        const gone = pool('vision-gone');
        await store.putPool(gone);
        await store.putPool(next(gone, { state: 'Terminated', nextDecisionAt: undefined }));

        // Act
        const vision = await store.poolsOfKey(VISION_KEY);
        const nlp = await store.poolsOfKey(NLP_KEY);
        const none = await store.poolsOfKey(`${VISION_KEY}|other`);

        // Assess
        expect(names(vision)).toEqual(['vision-a', 'vision-b']);
        expect(names(nlp)).toEqual(['nlp']);
        expect(none).toEqual([]);
      });

      it('returns the newest version of a pool of a key', async () => {
        // Prepare
        const created = pool('updated');
        await store.putPool(created);
        const extended = next(created, { expiresAt: T0 + HOUR_MS });
        await store.putPool(extended);

        // Act
        const pools = await store.poolsOfKey(VISION_KEY);

        // Assess
        expect(pools).toStrictEqual([extended]);
      });

      it('lists every pool not yet gone, scheduled ones by next decision, then the others', async () => {
        // Prepare
        const { nextDecisionAt: _unused, ...inUse } = pool('in-use', { state: 'InUse' });
        await store.putPool(inUse);
        await store.putPool(pool('due-late', { nextDecisionAt: T0 + 9_000 }));
        await store.putPool(pool('due-soon', { nextDecisionAt: T0 + 1_000, matchKey: NLP_KEY }));
        const reused = pool('reused');
        await store.putPool(reused);
        await store.putPool(next(reused, { state: 'Reused', nextDecisionAt: undefined }));

        // Act
        const live = await store.livePools();

        // Assess
        expect(names(live)).toEqual(['due-soon', 'due-late', 'in-use']);
        expect(live[2]).toStrictEqual(inUse);
      });

      it('lists every live pool when there are many', async () => {
        // Prepare
        for (let i = 0; i < 23; i++) {
          await store.putPool(pool(`live-${String(i).padStart(2, '0')}`, { nextDecisionAt: T0 }));
        }

        // Act
        const live = await store.livePools();
        const ofKey = await store.poolsOfKey(VISION_KEY);

        // Assess
        const expected = Array.from({ length: 23 }, (_, i) => `live-${String(i).padStart(2, '0')}`);
        expect(names(live)).toEqual(expected);
        expect(names(ofKey)).toEqual(expected);
      });
    });

    describe('key histories', () => {
      it('reads back a history as it was written', async () => {
        // Prepare
        const written = history(VISION_KEY);

        // Act
        const result = await store.putHistory(written);
        const read = await store.getHistory(VISION_KEY);

        // Assess
        expect(result).toBe('ok');
        expect(read).toStrictEqual(written);
      });

      it('reads back a history without open ends, arrival or owners', async () => {
        // Prepare
        const written: KeyHistory = {
          matchKey: VISION_KEY,
          histogram: emptyHistogram(),
          recent: [{ at: T0, gapMs: 0 }],
          version: 1,
        };

        // Act
        await store.putHistory(written);

        // Assess
        expect(await store.getHistory(VISION_KEY)).toStrictEqual(written);
      });

      it('returns undefined for a key with no history and keeps keys apart', async () => {
        // Prepare
        await store.putHistory(history(VISION_KEY));

        // Act
        const read = await store.getHistory(NLP_KEY);

        // Assess
        expect(read).toBeUndefined();
      });

      it('stores the next version and answers conflict for a stale one or a second create', async () => {
        // Prepare
        const created = history(VISION_KEY);
        await store.putHistory(created);
        const updated = next(created, { histogram: observeGap(created.histogram, 60_000, T0) });

        // Act
        const first = await store.putHistory(updated);
        const stale = await store.putHistory(next(created, { recent: [] }));
        const again = await store.putHistory({ ...created, recent: [] });

        // Assess
        expect([first, stale, again]).toEqual(['ok', 'conflict', 'conflict']);
        expect(await store.getHistory(VISION_KEY)).toStrictEqual(updated);
      });

      it('keeps only the newest gaps and open ends when a history is written with too many', async () => {
        // Prepare
        const recent: GapEvent[] = Array.from({ length: RECENT_GAPS_KEPT + 7 }, (_, i) => ({
          at: T0 + i * 60_000,
          gapMs: i * 1_000,
        }));
        const openEnds = Array.from({ length: OPEN_ENDS_KEPT + 3 }, (_, i) => ({ at: T0 + i }));
        const shadowHistogram = observeGap(emptyHistogram(), 1_800_000, T0);

        // Act
        await store.putHistory(history(VISION_KEY, { recent, openEnds, shadowHistogram }));

        // Assess
        const read = await store.getHistory(VISION_KEY);
        expect(read?.recent).toStrictEqual(recent.slice(-RECENT_GAPS_KEPT));
        expect(read?.openEnds).toStrictEqual(openEnds.slice(-OPEN_ENDS_KEPT));
        expect(read?.shadowHistogram).toStrictEqual(shadowHistogram);
      });

      it("reads back how the key's jobs chain", async () => {
        // Prepare: a job that started cold, one arriving 30 s after its end, and a job that a
        // pool named as its taker before its arrival was heard
        const chain = newChainHistory();
        chainArrive(chain, T0, true, undefined);
        chainEnd(chain, T0 + HOUR_MS, T0, 150_000, 117_000);
        chainArrive(chain, T0 + HOUR_MS + 30_000, false, 30_000, 'vision-2');
        chainWarmStart(chain, 'vision-3', T0 + 2 * HOUR_MS, T0 + HOUR_MS + 30_000);
        const written = history(VISION_KEY, { chain });

        // Act
        await store.putHistory(written);

        // Assess
        expect(await store.getHistory(VISION_KEY)).toStrictEqual(written);
      });

      it('reads back shadowed open ends and the shadow histogram', async () => {
        // Prepare
        const written = history(VISION_KEY, {
          openEnds: [{ at: T0 + HOUR_MS, owner: 'bob', shadowed: true }, { at: T0 + 2 * HOUR_MS }],
          shadowHistogram: observeGap(emptyHistogram(), 1_800_000, T0),
        });

        // Act
        await store.putHistory(written);

        // Assess
        expect(await store.getHistory(VISION_KEY)).toStrictEqual(written);
      });

      it('reads back an empty list of open ends as empty', async () => {
        // Prepare
        const written = history(VISION_KEY, { openEnds: [] });

        // Act
        await store.putHistory(written);

        // Assess
        expect(await store.getHistory(VISION_KEY)).toStrictEqual(written);
      });
    });

    describe('audit', () => {
      it('reads back an entry with every field set, and one with none of the optional ones', async () => {
        // Prepare
        const full = entry('full', T0 - 2_000, {
          team: 'vision',
          kind: 'shrink',
          until: T0 + HOUR_MS,
          keepAliveSeconds: 900,
          rule: 'nights',
          outcome: 'dry-run',
        });
        const minimal = entry('minimal', T0 - 1_000, { kind: 'reused', outcome: 'observed' });
        await store.audit(full, 30);
        await store.audit(minimal, 30);

        // Act
        const log = await store.auditLog({});

        // Assess
        expect(log).toStrictEqual([full, minimal]);
      });

      it('returns the last seven days newest last, across day boundaries, when no since is given', async () => {
        // Prepare
        for (const at of [T0, T0 - 3 * DAY_MS, T0 - 8 * DAY_MS, T0 - HOUR_MS, T0 - DAY_MS]) {
          await store.audit(entry('sweep', at), 30);
        }

        // Act
        const log = await store.auditLog({});

        // Assess
        expect(times(log)).toEqual([T0 - 3 * DAY_MS, T0 - DAY_MS, T0 - HOUR_MS, T0]);
      });

      it('returns entries from since on, including one exactly at since', async () => {
        // Prepare
        for (const at of [T0 - 10 * DAY_MS, T0 - 9 * DAY_MS, T0 - 9 * DAY_MS - 1, T0]) {
          await store.audit(entry('sweep', at), 30);
        }

        // Act
        const log = await store.auditLog({ since: T0 - 9 * DAY_MS });

        // Assess
        expect(times(log)).toEqual([T0 - 9 * DAY_MS, T0]);
      });

      it('returns the newest entries up to the limit, newest last', async () => {
        // Prepare
        for (let i = 0; i < 12; i++) await store.audit(entry('busy', T0 - i * HOUR_MS), 30);

        // Act
        const three = await store.auditLog({ limit: 3 });
        const all = await store.auditLog({});
        const none = await store.auditLog({ limit: 0 });

        // Assess
        expect(times(three)).toEqual([T0 - 2 * HOUR_MS, T0 - HOUR_MS, T0]);
        expect(times(all)).toEqual(Array.from({ length: 12 }, (_, i) => T0 - (11 - i) * HOUR_MS));
        expect(none).toEqual([]);
      });

      it('returns only the named job, across days and up to the limit', async () => {
        // Prepare
        for (let i = 0; i < 6; i++) {
          await store.audit(entry('resnet', T0 - i * 12 * HOUR_MS), 30);
          await store.audit(entry('bert', T0 - i * 12 * HOUR_MS - 1), 30);
        }

        // Act
        const all = await store.auditLog({ jobName: 'resnet' });
        const two = await store.auditLog({ jobName: 'resnet', limit: 2 });
        const since = await store.auditLog({ jobName: 'bert', since: T0 - DAY_MS });
        const unknown = await store.auditLog({ jobName: 'nobody' });

        // Assess
        expect(times(all)).toEqual([5, 4, 3, 2, 1, 0].map((i) => T0 - i * 12 * HOUR_MS));
        expect(new Set(all.map((e) => e.jobName))).toEqual(new Set(['resnet']));
        expect(times(two)).toEqual([T0 - 12 * HOUR_MS, T0]);
        expect(times(since)).toEqual([T0 - 12 * HOUR_MS - 1, T0 - 1]);
        expect(unknown).toEqual([]);
      });

      it('returns nothing when since lies beyond the end of tomorrow', async () => {
        // Prepare
        await store.audit(entry('future', T0 + 3 * DAY_MS), 30);

        // Act
        const all = await store.auditLog({ since: T0 + 3 * DAY_MS });
        const ofJob = await store.auditLog({ since: T0 + 3 * DAY_MS, jobName: 'future' });

        // Assess
        expect(all).toEqual([]);
        expect(ofJob).toEqual([]);
      });

      it('reads the window from the clock when time moves on', async () => {
        // Prepare
        await store.audit(entry('old', T0), 30);
        clock.advanceTo(T0 + 8 * DAY_MS);
        await store.audit(entry('new', T0 + 8 * DAY_MS), 30);

        // Act
        const log = await store.auditLog({});

        // Assess
        expect(log.map((e) => e.jobName)).toEqual(['new']);
      });

      it('rejects a retention that is not a positive number of days', async () => {
        // Act
        const error = await store.audit(entry('bad', T0), 0).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(RangeError);
        expect(await store.auditLog({})).toEqual([]);
      });
    });

    describe('spend', () => {
      it('adds up what was spent per team and day', async () => {
        // Prepare
        await store.addSpend('vision', '2026-11-26', 1.5, 0.25);
        await store.addSpend('vision', '2026-11-26', 2.25, 0.5);
        await store.addSpend('vision', '2026-11-27', 10, 1);
        await store.addSpend('nlp', '2026-11-26', 7, 2);

        // Act
        const vision = await store.spend('vision', '2026-11-26');

        // Assess
        expect(vision).toEqual({ usd: 3.75, instanceHours: 0.75 });
        expect(await store.spend('vision', '2026-11-27')).toEqual({ usd: 10, instanceHours: 1 });
        expect(await store.spend('nlp', '2026-11-26')).toEqual({ usd: 7, instanceHours: 2 });
      });

      it('returns zero when nothing was spent', async () => {
        // Act
        const spend = await store.spend('vision', '2026-11-26');

        // Assess
        expect(spend).toEqual({ usd: 0, instanceHours: 0 });
      });

      it('keeps every addition when several land at once', async () => {
        // Act
        await Promise.all(
          Array.from({ length: 8 }, () => store.addSpend('vision', '2026-11-26', 0.5, 0.125))
        );

        // Assess
        expect(await store.spend('vision', '2026-11-26')).toEqual({ usd: 4, instanceHours: 1 });
      });

      it.each(['26/11/2026', '2026-11-31', '2026-1-5'])('rejects the day %s', async (day) => {
        // Act
        const error = await store.addSpend('vision', day, 1, 1).catch((e: unknown) => e);

        // Assess
        expect(error).toBeInstanceOf(RangeError);
        expect((error as RangeError).message).toContain(day);
      });
    });

    describe('circuit breaker count', () => {
      it('counts actions per hour and per minute within it', async () => {
        // Prepare
        const hour = T0;
        const minute = T0 + 5 * MINUTE_MS;

        // Act
        const counts = [
          await store.countAction(hour, hour),
          await store.countAction(hour, hour),
          await store.countAction(hour + HOUR_MS, hour + HOUR_MS),
          await store.countAction(hour, minute),
          await store.countAction(hour, hour),
        ];

        // Assess
        expect(counts).toEqual([
          { hour: 1, minute: 1 },
          { hour: 2, minute: 2 },
          { hour: 1, minute: 1 },
          { hour: 3, minute: 1 },
          { hour: 4, minute: 3 },
        ]);
      });

      it('takes back an action whose call failed', async () => {
        // Prepare
        await store.countAction(T0, T0);
        await store.countAction(T0, T0);

        // Act
        const after = await store.countAction(T0, T0, -1);

        // Assess
        expect(after).toEqual({ hour: 1, minute: 1 });
        expect(await store.countAction(T0, T0)).toEqual({ hour: 2, minute: 2 });
      });

      it('counts every action when several land at once', async () => {
        // Act
        const counts = await Promise.all(
          Array.from({ length: 5 }, () => store.countAction(T0, T0))
        );

        // Assess
        expect(counts.map((c) => c.hour).sort()).toEqual([1, 2, 3, 4, 5]);
        expect(counts.map((c) => c.minute).sort()).toEqual([1, 2, 3, 4, 5]);
      });
    });

    describe('control and reconcile cursor', () => {
      it('is not paused when no control was written', async () => {
        // Act
        const control = await store.getControl();

        // Assess
        expect(control).toStrictEqual({ paused: false });
      });

      it('reads back the control as last written', async () => {
        // Prepare
        const tripped = {
          paused: true,
          pausedBy: 'admin@example.com',
          pausedAt: T0,
          breakerTrippedAt: T0 - 1_000,
          breakerReason: '40 actions in one hour',
        };
        await store.putControl(tripped);
        const afterTrip = await store.getControl();

        // Act
        await store.putControl({ paused: false });

        // Assess
        expect(afterTrip).toStrictEqual(tripped);
        expect(await store.getControl()).toStrictEqual({ paused: false });
      });

      it('reads back the cursor as last written, and none once cleared', async () => {
        // Prepare
        const before = await store.getReconcileCursor();
        const cursor = { nextToken: 'token-2', createdAfter: T0 - DAY_MS, updatedAt: T0 };
        await store.putReconcileCursor(cursor);
        const read = await store.getReconcileCursor();
        await store.putReconcileCursor({ createdAfter: T0, updatedAt: T0 + 1 });
        const withoutToken = await store.getReconcileCursor();

        // Act
        await store.putReconcileCursor(undefined);

        // Assess
        expect(before).toBeUndefined();
        expect(read).toStrictEqual(cursor);
        expect(withoutToken).toStrictEqual({ createdAfter: T0, updatedAt: T0 + 1 });
        expect(await store.getReconcileCursor()).toBeUndefined();
      });
    });
  });
}

export { entry, history, NLP_KEY, next, pool, poolStoreContract, VISION_KEY };
