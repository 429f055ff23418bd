import type { WardenConfig } from '../config/warden-config.js';
import { ownValue } from '../objects.js';
import type { PoolRecord } from '../pool/pool-record.js';

/**
 * Who asks for an action. An email link cannot say who clicked: it is a bearer credential for
 * the owner it was sent to (the token binds it). Slack says who clicked, by member id.
 */
type Actor =
  | { readonly kind: 'link' }
  | { readonly kind: 'slack'; readonly userId: string; readonly userName?: string };

/** Why a Slack member may act on a pool. */
type SlackRole = 'owner' | 'team' | 'admin';

type Directory = WardenConfig['directory'];

/** Directory ids whose entry names this Slack member. */
function directoryIdsOf(directory: Directory, userId: string): string[] {
  return Object.keys(directory).filter((id) => ownValue(directory, id)?.slack === userId);
}

/** The pool's team: recorded on the pool, else the owner's directory team. */
function ownerTeam(
  pool: Pick<PoolRecord, 'owner' | 'team'>,
  directory: Directory
): string | undefined {
  return pool.team ?? ownValue(directory, pool.owner)?.team;
}

/**
 * May Slack member `userId` act on `pool`? The owner (by the directory's Slack id, or an owner
 * that is itself the member id), a member of the owner's team in the directory (notices to a
 * team channel reach them all), or an admin listed in `actions.admins`. `undefined`: no.
 *
 * @example slackRole(config, pool, 'U012ABCDEF') // 'owner'
 */
function slackRole(
  config: Pick<WardenConfig, 'directory' | 'actions'>,
  pool: Pick<PoolRecord, 'owner' | 'team'>,
  userId: string
): SlackRole | undefined {
  const { directory } = config;
  if (pool.owner === userId || ownValue(directory, pool.owner)?.slack === userId) return 'owner';
  const ids = directoryIdsOf(directory, userId);
  const team = ownerTeam(pool, directory);
  if (
    team !== undefined &&
    ids.some((id) => id === team || ownValue(directory, id)?.team === team)
  ) {
    return 'team';
  }
  const admins = config.actions?.admins ?? [];
  if (ids.some((id) => admins.includes(id))) return 'admin';
  return undefined;
}

/** How the audit and replies name the actor: `alice (Slack U012ABCDEF)`, or the link's owner. */
function actorLabel(actor: Actor, grantOwner: string, directory: Directory): string {
  if (actor.kind === 'link') return `${grantOwner} (email link)`;
  const [id] = directoryIdsOf(directory, actor.userId);
  return `${id ?? actor.userName ?? actor.userId} (Slack ${actor.userId})`;
}

export type { Actor, SlackRole };
export { actorLabel, slackRole };
