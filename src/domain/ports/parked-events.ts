/** An input that could not be processed, kept with the reason so nothing is lost silently. */
interface ParkedEvent {
  readonly reason: string;
  readonly receivedAt: number;
  readonly event: unknown;
}

interface ParkedEvents {
  park(entry: ParkedEvent): Promise<void>;
}

export type { ParkedEvent, ParkedEvents };
