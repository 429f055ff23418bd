/**
 * What one click on a notice may do to one job's warm pool. An extension names the keep-alive
 * it asks for (KeepAlivePeriodInSeconds, measured as SageMaker measures it), so the target time a
 * person saw in the notice is what they get, clipped to the policy's bounds when acted on.
 */
type ActionKind =
  | { readonly kind: 'extend'; readonly keepAliveSeconds: number }
  | { readonly kind: 'release' };

/**
 * The signed content of an action link or button: which job (ARN and creation time, so a
 * reused name cannot be acted on), what, for whom it was sent, and until when it is valid.
 */
interface ActionGrant {
  readonly jobArn: string;
  readonly creationTime: number;
  readonly action: ActionKind;
  /** The directory id (or address) of the person the link was sent to. */
  readonly owner: string;
  /** Epoch ms after which the link does nothing. */
  readonly expiresAt: number;
}

/** An action as a notice shows it: a link in email, a button in Slack. */
interface NoticeAction {
  readonly kind: ActionKind['kind'];
  /** What the person reads: "Keep warm until 14:32", "Release now". */
  readonly label: string;
  /** GET shows a confirmation page; POST acts. */
  readonly url: string;
  /** The signed token of the link (`url` ends with it). */
  readonly token: string;
  /** The Slack button's value: signed for Slack only, so it cannot be used as a link. */
  readonly slackToken: string;
  /** Releasing asks for a confirmation first. */
  readonly confirm: boolean;
}

export type { ActionGrant, ActionKind, NoticeAction };
