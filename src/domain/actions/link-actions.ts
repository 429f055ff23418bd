import type { ActionLinks } from '../ports/action-links.js';
import type { NoticeAction } from './action-grant.js';
import type { OfferedAction } from './offered-actions.js';

/**
 * Signs each offered action into a link through the port, in order. When the port says
 * actions are not configured (`undefined` for any of them), the notice carries none: a notice
 * with some of its choices missing would read as if the others were not possible.
 *
 * @example await linkActions(offeredActions({ pool, policy, now, timeZone }), deps.actionLinks)
 */
async function linkActions(
  offers: readonly OfferedAction[],
  links: ActionLinks
): Promise<NoticeAction[]> {
  const actions: NoticeAction[] = [];
  for (const offer of offers) {
    const signed = await links.link(offer.grant);
    if (signed === undefined) return [];
    actions.push({
      kind: offer.grant.action.kind,
      label: offer.label,
      url: signed.url,
      token: signed.token,
      slackToken: signed.slackToken,
      confirm: offer.confirm,
    });
  }
  return actions;
}

export { linkActions };
