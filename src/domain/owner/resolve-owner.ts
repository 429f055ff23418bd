import type { WardenConfig } from '../config/warden-config.js';
import type { Tags } from '../event/tags.js';
import { dropUndefined, ownValue } from '../objects.js';
import { directoryIdByChannel } from './directory-match.js';
import type { JobCaller } from './job-caller.js';
import { classifyOwnerRef } from './owner-ref.js';

/** The tag every team can set on a job to name its owner; always consulted first. */
const OWNER_TAG = 'warden:owner';
/** How the fallback step names itself in `ResolvedOwner.via`. */
const FALLBACK_VIA = 'fallback contact';

/** The person or team a notice goes to, with the channels that reach them. */
interface ResolvedOwner {
  /**
   * The owner's directory id (also when a tag named them by an address or Slack member id the
   * directory lists), else the raw email address or Slack member id that named them.
   */
  readonly id: string;
  readonly displayName: string;
  /** Which step of the chain found the owner, in words (e.g. `tag warden:owner`). */
  readonly via: string;
  readonly email?: string;
  readonly slackUser?: string;
  /** Secret name of an incoming webhook (a team channel). */
  readonly slackWebhook?: string;
  readonly timeZone: string;
  readonly team?: string;
  /** Candidates that were tried first and could not be used, and why. */
  readonly skipped: readonly string[];
}

interface OwnerInputs {
  readonly tags: Tags;
  readonly roleArn?: string;
  readonly caller?: JobCaller;
}

/**
 * Finds a job's owner by the documented chain: the `warden:owner` tag → the admin's tag keys →
 * the role map → the CloudTrail caller of CreateTrainingJob → the fallback contact. A candidate
 * that leads nowhere is skipped (and recorded), so a typo in a tag never loses a notice.
 */
function resolveOwner(inputs: OwnerInputs, config: WardenConfig): ResolvedOwner {
  const skipped: string[] = [];
  const candidates: [via: string, value: string | undefined][] = [
    ...[OWNER_TAG, ...config.owners.tagKeys].map((key): [string, string | undefined] => [
      `tag ${key}`,
      ownValue(inputs.tags, key)?.trim(),
    ]),
    [
      'role map',
      inputs.roleArn === undefined ? undefined : ownValue(config.owners.roles, inputs.roleArn),
    ],
    ['CloudTrail caller', inputs.caller?.principal],
  ];
  for (const [via, value] of candidates) {
    if (value === undefined || value === '') continue;
    const owner = toOwner(value, via, config, skipped);
    if (owner !== undefined) return owner;
    skipped.push(`${via} "${value}" is not a directory id, an email address or a Slack member id`);
  }
  // The config check guarantees the fallback resolves.
  const fallback = toOwner(config.owners.fallback, FALLBACK_VIA, config, skipped);
  if (fallback === undefined) throw new TypeError('config.owners.fallback does not resolve');
  return fallback;
}

/**
 * The owner a pool record names (a directory id, an address or a Slack member id), resolved
 * again against the current config, so a pool notice reaches the same person as the finish
 * notice did; the fallback contact when the id no longer leads anywhere.
 */
function ownerById(id: string, via: string, config: WardenConfig): ResolvedOwner {
  return toOwner(id, via, config, []) ?? resolveOwner({ tags: {} }, config);
}

function toOwner(
  value: string,
  via: string,
  config: WardenConfig,
  skipped: readonly string[]
): ResolvedOwner | undefined {
  const kind = classifyOwnerRef(value, config.directory);
  if (kind === 'unknown') return undefined;
  const base = { via, skipped: [...skipped] };
  const timeZone = config.defaults.timeZone;
  const listedId =
    kind === 'directory' ? value : directoryIdByChannel(value, kind, config.directory);
  if (listedId !== undefined) return fromDirectory(listedId, base, config);
  const raw = { ...base, id: value, displayName: value, timeZone };
  return kind === 'email' ? { ...raw, email: value } : { ...raw, slackUser: value };
}

function fromDirectory(
  id: string,
  base: Pick<ResolvedOwner, 'via' | 'skipped'>,
  config: WardenConfig
): ResolvedOwner {
  const entry = ownValue(config.directory, id);
  const team = entry?.team === undefined ? undefined : ownValue(config.directory, entry.team);
  return dropUndefined({
    ...base,
    id,
    displayName: entry?.name ?? id,
    email: entry?.email ?? team?.email,
    // A person's own DM beats the team channel; the team channel beats nothing.
    slackUser: entry?.slack ?? (entry?.slackWebhook === undefined ? team?.slack : undefined),
    slackWebhook:
      entry?.slack === undefined ? (entry?.slackWebhook ?? team?.slackWebhook) : undefined,
    timeZone: entry?.timeZone ?? team?.timeZone ?? config.defaults.timeZone,
    team: entry?.team,
  });
}

export type { OwnerInputs, ResolvedOwner };
export { FALLBACK_VIA, ownerById, resolveOwner };
