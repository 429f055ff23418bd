const EMAIL = /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/;
/** Slack member ids: U… for regular workspaces, W… for Enterprise Grid. */
const SLACK_MEMBER = /^[UW][A-Z0-9]{6,}$/;

type OwnerRefKind = 'directory' | 'email' | 'slack' | 'unknown';

/**
 * Classifies an owner value (from a tag, the role map, CloudTrail or the fallback): an id
 * from the owner directory wins, then a raw email address, then a raw Slack member id.
 */
function classifyOwnerRef(
  value: string,
  directory: Readonly<Record<string, unknown>>
): OwnerRefKind {
  if (Object.hasOwn(directory, value)) return 'directory';
  if (EMAIL.test(value)) return 'email';
  if (SLACK_MEMBER.test(value)) return 'slack';
  return 'unknown';
}

export type { OwnerRefKind };
export { classifyOwnerRef, EMAIL, SLACK_MEMBER };
