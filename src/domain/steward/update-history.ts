import type { MatchKey } from '../pool/match-key.js';
import type { GapEvent, KeyHistory } from '../ports/pool-store.js';
import { closedGap, newKeyHistory } from './key-history.js';
import type { StewardDeps } from './steward-deps.js';

const HISTORY_WRITE_ATTEMPTS = 3;

/**
 * Read-modify-write of a key's history under optimistic concurrency; returns the gap the change
 * closed, if any.
 */
async function updateHistory(
  key: MatchKey,
  change: (history: KeyHistory) => KeyHistory,
  deps: Pick<StewardDeps, 'store' | 'log'>,
  /** The history as the caller just read it, so the first attempt needs no second read. */
  alreadyRead?: KeyHistory
): Promise<GapEvent | undefined> {
  for (let attempt = 1; attempt <= HISTORY_WRITE_ATTEMPTS; attempt++) {
    const read =
      attempt === 1 && alreadyRead !== undefined ? alreadyRead : await deps.store.getHistory(key);
    const current = read ?? newKeyHistory(key);
    const next = change(current);
    if (next === current) return undefined;
    if ((await deps.store.putHistory({ ...next, version: current.version + 1 })) === 'ok') {
      return closedGap(current, next);
    }
  }
  // Losing one gap to a write race costs a little accuracy, never a decision.
  deps.log.warn('gap history not updated after concurrent writes', { key });
  return undefined;
}

export { updateHistory };
