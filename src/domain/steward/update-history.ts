import type { MatchKey } from '../pool/match-key.js';
import type { KeyHistory } from '../ports/pool-store.js';
import { ALL_KEYS, closedGap, newKeyHistory, withGap } from './key-history.js';
import type { StewardDeps } from './steward-deps.js';

const HISTORY_WRITE_ATTEMPTS = 3;

/**
 * Read-modify-write of a key's history under optimistic concurrency. A gap the change closes (an
 * arrival's, or a late end's) is learnt by every key's history too, here, so no caller forgets.
 */
async function updateHistory(
  key: MatchKey,
  change: (history: KeyHistory) => KeyHistory,
  deps: Pick<StewardDeps, 'store' | 'log'>,
  /** The history as the caller just read it, so the first attempt needs no second read. */
  alreadyRead?: KeyHistory
): Promise<void> {
  for (let attempt = 1; attempt <= HISTORY_WRITE_ATTEMPTS; attempt++) {
    const read =
      attempt === 1 && alreadyRead !== undefined ? alreadyRead : await deps.store.getHistory(key);
    const current = read ?? newKeyHistory(key);
    const next = change(current);
    if (next === current) return;
    if ((await deps.store.putHistory({ ...next, version: current.version + 1 })) === 'ok') {
      const gap = closedGap(current, next);
      if (gap !== undefined && key !== ALL_KEYS) {
        await updateHistory(ALL_KEYS, (h) => withGap(h, gap), deps);
      }
      return;
    }
  }
  // Losing one gap to a write race costs a little accuracy, never a decision.
  deps.log.warn('gap history not updated after concurrent writes', { key });
}

export { updateHistory };
