import { DeliveryError } from '../../domain/errors.js';

/** A message for a Slack response_url: replaces the original, or shows only to the clicker. */
interface SlackReplyMessage {
  readonly text: string;
  readonly blocks?: readonly unknown[];
  readonly replace_original: boolean;
  readonly response_type?: 'ephemeral' | 'in_channel';
}

/** Posts to an interaction's response_url. */
interface SlackReplier {
  reply(responseUrl: string, message: SlackReplyMessage): Promise<void>;
}

/**
 * Replies through `fetch`, one attempt with a timeout: a response_url takes 5 posts within 30
 * minutes, so nothing here retries blindly. The URL is a credential and is never logged.
 *
 * @example await createResponseUrlReplier().reply(click.responseUrl, { text, replace_original: true })
 */
function createResponseUrlReplier(options: { readonly timeoutMs?: number } = {}): SlackReplier {
  const timeoutMs = options.timeoutMs ?? 5_000;
  return {
    async reply(responseUrl, message) {
      let response: Response;
      try {
        response = await fetch(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body: JSON.stringify(message),
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        throw new DeliveryError('slack', `response_url post failed: ${String(error)}`, {
          cause: error,
          retryable: true,
        });
      }
      await response.body?.cancel();
      if (!response.ok) {
        throw new DeliveryError('slack', `response_url answered HTTP ${response.status}`);
      }
    },
  };
}

export type { SlackReplier, SlackReplyMessage };
export { createResponseUrlReplier };
