import { formatDuration } from '../duration.js';
import type { KeepAliveAnchor } from '../policy/policy.js';

/**
 * What `KeepAlivePeriodInSeconds` counts from is undocumented (reference §3.4): the job's end
 * (`job-end`, the conservative reading and the default) or the moment of the update
 * (`update-time`). Warden's decisions therefore speak in absolute times ("keep until 14:32"),
 * and this module alone turns a target time into the number of seconds to send.
 */

interface KeepAliveState {
  readonly endTime: number;
  readonly keepAliveSeconds: number;
  /** When Warden last updated the keep-alive; a pool it never updated counts from its end. */
  readonly updatedAt?: number;
}

interface AnchorSettings {
  readonly keepAliveAnchor: KeepAliveAnchor;
  readonly maxKeepAliveMs: number;
  readonly safetyMarginMs: number;
}

/** When the pool expires under the anchor setting, epoch ms. */
function expiryOf(pool: KeepAliveState, anchor: KeepAliveAnchor): number {
  const from = anchor === 'update-time' ? (pool.updatedAt ?? pool.endTime) : pool.endTime;
  return from + pool.keepAliveSeconds * 1000;
}

/** The latest expiry an update sent `now` can reach: anchor + the maximum keep-alive. */
function latestReachable(endTime: number, now: number, settings: AnchorSettings): number {
  const from = settings.keepAliveAnchor === 'update-time' ? now : endTime;
  return from + settings.maxKeepAliveMs;
}

type KeepAliveUpdate =
  /** Send 0: SageMaker terminates the pool now. */
  | { readonly kind: 'release'; readonly seconds: 0; readonly expiresAt: number }
  /** Send `seconds`; the pool then expires at `expiresAt` (≥ now + safety margin). */
  | {
      readonly kind: 'set';
      readonly seconds: number;
      readonly expiresAt: number;
      /** The target was beyond what SageMaker allows and was cut to the maximum. */
      readonly clipped: boolean;
    }
  /** No value can keep the pool until the safety margin: sending one would end it. */
  | { readonly kind: 'unreachable'; readonly reason: string };

/**
 * The `KeepAlivePeriodInSeconds` that makes a pool expire at `target`.
 *
 * - A target at or before `now` is a release (0).
 * - Otherwise the expiry is never earlier than `now + safetyMargin` (a shrink must leave time
 *   for the update to land) and never later than the anchor + the maximum.
 * - Under `job-end`, the seconds count from the job's end, not from now: sending "seconds from
 *   now" would set an expiry in the past and end the pool. When even the maximum ends the pool
 *   before the margin, the answer is `unreachable`, never a value that would terminate it.
 */
function keepAliveForTarget(
  endTime: number,
  target: number,
  now: number,
  settings: AnchorSettings
): KeepAliveUpdate {
  if (target <= now) return { kind: 'release', seconds: 0, expiresAt: now };
  const from = settings.keepAliveAnchor === 'update-time' ? now : endTime;
  const floor = now + settings.safetyMarginMs;
  // SageMaker takes whole seconds: a maximum of 1.5 s can only be sent as 1 s.
  const maxSeconds = Math.floor(settings.maxKeepAliveMs / 1000);
  const ceiling = from + maxSeconds * 1000;
  if (ceiling < floor || maxSeconds < 1) {
    return {
      kind: 'unreachable',
      reason: `the pool cannot be kept past ${formatDuration(settings.maxKeepAliveMs)} after its job ended`,
    };
  }
  const wanted = Math.min(Math.max(target, floor), ceiling);
  // Whole seconds, rounded up so the pool never ends before the target (nor the floor).
  const seconds = Math.max(1, Math.ceil((wanted - from) / 1000));
  const capped = Math.min(seconds, maxSeconds);
  return {
    kind: 'set',
    seconds: capped,
    expiresAt: from + capped * 1000,
    clipped: target > ceiling,
  };
}

export type { AnchorSettings, KeepAliveState, KeepAliveUpdate };
export { expiryOf, keepAliveForTarget, latestReachable };
