import type { WardenConfig } from '../config/warden-config.js';

type Directory = WardenConfig['directory'];

/**
 * The directory id of the entry whose own address (case-insensitively) or Slack member id is
 * `value`, so an owner named by a channel gets that entry's other channels, zone and team. A
 * channel inherited from a team does not count: it names the team, not each member. When
 * several entries share it, a person wins over a team (an entry others name as their team),
 * then the first id in alphabetical order, so the answer never depends on file order.
 *
 * @example directoryIdByChannel('Bob@Example.com', 'email', config.directory) // 'bob'
 */
function directoryIdByChannel(
  value: string,
  kind: 'email' | 'slack',
  directory: Directory
): string | undefined {
  const wanted = value.toLowerCase();
  const matches = Object.entries(directory)
    .filter(([, entry]) => entry[kind]?.toLowerCase() === wanted)
    .map(([id]) => id)
    .sort();
  if (matches.length <= 1) return matches[0];
  const teams = new Set(Object.values(directory).map((entry) => entry.team));
  return matches.find((id) => !teams.has(id)) ?? matches[0];
}

export { directoryIdByChannel };
