import { formatDuration } from '../duration.js';
import { formatTimeInZone } from '../notice/format.js';
import type { ActionKind } from './action-grant.js';
import type { TokenRejection } from './action-token.js';
import type { ActionOutcome } from './perform-action.js';

/** What a person reads after a click, and the HTTP status of the page that says it. */
interface ActionReply {
  readonly status: number;
  readonly title: string;
  readonly message: string;
  /** The action took effect (Slack then replaces the buttons with this message). */
  readonly done: boolean;
}

const NOTHING = 'Nothing was changed.';

/**
 * The plain words for a token that does not verify: no detail of which check failed beyond
 * damaged, not ours, or expired.
 *
 * @example tokenReply('expired', 86_400_000).status // 410
 */
function tokenReply(reason: TokenRejection, maxLifetimeMs: number): ActionReply {
  switch (reason) {
    case 'malformed':
      return {
        status: 400,
        title: 'This link is not valid',
        message: `The link is damaged or incomplete: check that it was copied whole. ${NOTHING}`,
        done: false,
      };
    case 'unknown-key':
    case 'bad-signature':
      return {
        status: 403,
        title: 'This link is not valid',
        message: `The link was not made by this Pool Warden, or it was changed. ${NOTHING}`,
        done: false,
      };
    case 'expired':
      return {
        status: 410,
        title: 'This link has expired',
        message: `Links work until the pool's expiry, and for at most ${formatDuration(maxLifetimeMs)}. ${NOTHING}`,
        done: false,
      };
  }
}

/** What the confirmation page (GET) says the button will do. */
function confirmText(
  action: ActionKind,
  jobName: string,
  target: number | undefined,
  timeZone: string
): { readonly title: string; readonly message: string; readonly button: string } {
  if (action.kind === 'release') {
    return {
      title: 'Release this warm pool?',
      message: `The warm pool of training job ${jobName} will end now and its instances stop billing. A new job then starts cold. This cannot be undone.`,
      button: 'Yes, release it now',
    };
  }
  const until =
    target === undefined ? 'the time in the notice' : formatTimeInZone(target, timeZone);
  return {
    title: 'Keep this warm pool?',
    message: `The warm pool of training job ${jobName} will be kept warm until ${until}, or as long as the policy, the budget and SageMaker allow if that is sooner.`,
    button: `Keep warm until ${target === undefined ? 'then' : formatTimeInZone(target, timeZone)}`,
  };
}

/**
 * The plain words for what a click did, in the owner's time zone.
 *
 * @example outcomeReply(outcome, 'Europe/Berlin').message // 'Kept warm until Thu 26 Nov, 14:32 CET, the latest SageMaker allows.'
 */
function outcomeReply(outcome: ActionOutcome, timeZone: string): ActionReply {
  const at = (ms: number) => formatTimeInZone(ms, timeZone);
  switch (outcome.kind) {
    case 'extended':
      return {
        status: 200,
        title: 'Kept warm',
        message:
          outcome.limitText === undefined
            ? `${outcome.by}: the warm pool of ${outcome.pool.jobName} is kept warm until ${at(outcome.until)}.`
            : `${outcome.by}: the warm pool of ${outcome.pool.jobName} is kept warm until ${at(outcome.until)}, ${outcome.limitText} (asked: ${at(outcome.requested)}).`,
        done: true,
      };
    case 'released':
      return {
        status: 200,
        title: 'Released',
        message: `${outcome.by}: the warm pool of ${outcome.pool.jobName} was released; it stops billing now.`,
        done: true,
      };
    case 'unchanged':
      return {
        status: 200,
        title: 'Already kept warm',
        message: `The warm pool of ${outcome.pool.jobName} is already kept until ${at(outcome.until)}${outcome.limitText === undefined ? '' : `, ${outcome.limitText}`}. ${NOTHING}`,
        done: false,
      };
    case 'dry-run':
      return {
        status: 200,
        title: 'Dry run: nothing changed',
        message: `Pool Warden runs in dry-run mode, so ${NOTHING.toLowerCase()} It would have ${outcome.action === 'release' ? 'released the pool' : `kept the pool warm until ${at(outcome.until)}`}.`,
        done: false,
      };
    case 'paused':
      return {
        status: 409,
        title: 'Actions are paused',
        message: `An admin paused Pool Warden's actions (or its circuit breaker stopped them). ${NOTHING} Ask an admin, or change the pool in the SageMaker console.`,
        done: false,
      };
    case 'gone':
      return {
        status: 410,
        title: 'The pool is gone',
        message:
          outcome.state === 'Reused'
            ? `The warm pool of ${outcome.jobName} was already taken by another job${outcome.reusedByJob === undefined ? '' : ` (${outcome.reusedByJob})`}, so there is nothing to keep or release. ${NOTHING}`
            : `The warm pool of ${outcome.jobName} has already ended (it expired or was released). ${NOTHING}`,
        done: false,
      };
    case 'unknown-pool':
      return {
        status: 404,
        title: 'No such pool',
        message: `Pool Warden does not track a warm pool for training job ${outcome.jobName}. ${NOTHING}`,
        done: false,
      };
    case 'not-owner':
      return {
        status: 403,
        title: 'Not your pool',
        message: `This link was made for someone who does not own the warm pool of ${outcome.pool.jobName}. ${NOTHING}`,
        done: false,
      };
    case 'not-allowed':
      return {
        status: 403,
        title: 'Not allowed',
        message: `Only the owner of ${outcome.pool.jobName}, a member of their team, or a Pool Warden admin can do this. ${NOTHING}`,
        done: false,
      };
    case 'replayed':
      return {
        status: 409,
        title: 'Already used',
        message: `This link or button has already been used; each works once. ${NOTHING}`,
        done: false,
      };
    case 'failed':
      return {
        status: 502,
        title: 'SageMaker refused',
        message: `SageMaker refused the change (${outcome.why}). ${NOTHING} Try again in a minute.`,
        done: false,
      };
  }
}

export type { ActionReply };
export { confirmText, outcomeReply, tokenReply };
