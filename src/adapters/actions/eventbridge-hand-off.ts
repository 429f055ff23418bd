import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DependencyError } from '../../domain/errors.js';

/** The `source` and `detail-type` of a hand-off; the actions function's rule matches both. */
const HAND_OFF_SOURCE = 'pool-warden.actions';
const HAND_OFF_DETAIL_TYPE = 'Slack Button Clicked';

/**
 * A Slack click as it travels to the asynchronous worker: the signed request itself, so the
 * worker verifies it again and an event put on the bus by anyone else acts on nothing.
 */
interface SlackWork {
  /** The raw body, base64. */
  readonly body: string;
  readonly timestamp: string;
  readonly signature: string;
}

/** Hands a verified click to work done after Slack has had its answer. */
interface SlackHandOff {
  handOff(work: SlackWork): Promise<void>;
}

/**
 * Hands off through EventBridge PutEvents on the default bus; a rule invokes the actions
 * function asynchronously with the event. PutEvents completes before the HTTP answer, so no
 * promise is left running when Lambda freezes the container.
 *
 * @example await new EventBridgeHandOff(client).handOff({ body, timestamp, signature })
 */
class EventBridgeHandOff implements SlackHandOff {
  constructor(private readonly client: EventBridgeClient) {}

  async handOff(work: SlackWork): Promise<void> {
    let failed: number | undefined;
    let code: string | undefined;
    try {
      const result = await this.client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: HAND_OFF_SOURCE,
              DetailType: HAND_OFF_DETAIL_TYPE,
              Detail: JSON.stringify(work),
            },
          ],
        })
      );
      failed = result.FailedEntryCount;
      code = result.Entries?.[0]?.ErrorCode;
    } catch (error) {
      throw new DependencyError('EventBridge', `PutEvents failed: ${String(error)}`, {
        cause: error,
        retryable: true,
      });
    }
    if (failed !== undefined && failed > 0) {
      throw new DependencyError(
        'EventBridge',
        `PutEvents refused the hand-off: ${code ?? 'unknown'}`
      );
    }
  }
}

export type { SlackHandOff, SlackWork };
export { EventBridgeHandOff, HAND_OFF_DETAIL_TYPE, HAND_OFF_SOURCE };
