/**
 * Decisions and actions published to the account's default event bus (`source: pool-warden`),
 * so other teams can build on them. Detail types and their schemas are documented in the README.
 */
type WardenEventType = 'Warm Pool Decision' | 'Warm Pool Action';

interface WardenEvent {
  readonly detailType: WardenEventType;
  readonly time: number;
  /** The pool's job ARN, as the event's `resources`. */
  readonly resource: string;
  readonly detail: Readonly<Record<string, unknown>>;
}

interface EventPublisher {
  publish(events: readonly WardenEvent[]): Promise<void>;
}

export type { EventPublisher, WardenEvent, WardenEventType };
