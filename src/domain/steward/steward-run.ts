import { type EvaluationRun, newRun } from './evaluate-pool.js';
import type { StewardDeps } from './steward-deps.js';

/**
 * Starts an evaluation run under the admins' switches: none while the steward is paused (pools
 * stay due and are decided after `resume`), and one with the breaker already open while it is
 * tripped, so decisions are still audited but nothing is acted on.
 */
async function openRun(deps: StewardDeps): Promise<EvaluationRun | undefined> {
  const control = await deps.store.getControl();
  if (control.paused) return undefined;
  const run = newRun();
  if (control.resumedAt !== undefined) run.countFrom = control.resumedAt;
  if (control.breakerTrippedAt !== undefined) {
    run.tripped = control.breakerReason ?? 'circuit breaker tripped';
  }
  return run;
}

export { openRun };
