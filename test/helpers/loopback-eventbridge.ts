import { randomUUID } from 'node:crypto';
import { type AwsJsonReply, awsError, LoopbackAwsJson } from './loopback-aws-json.js';

/** One event as the bus accepted it, `Detail` parsed back. */
interface BusEvent {
  readonly source: string;
  readonly detailType: string;
  readonly detail: unknown;
  readonly resources: readonly string[];
  /** Epoch ms, from the entry's `Time` (epoch seconds on the JSON 1.1 wire). */
  readonly time?: number;
  readonly eventBusName?: string;
}

interface EntryFault {
  readonly match: (entry: Record<string, unknown>) => boolean;
  readonly code: string;
  remaining: number;
}

/** PutEvents' documented limits: 10 entries and 256 KB of entries per request. */
const MAX_ENTRIES = 10;
const MAX_REQUEST_BYTES = 256 * 1024;

/**
 * EventBridge's `PutEvents` on loopback (`X-Amz-Target: AWSEvents.PutEvents`, AWS JSON 1.1).
 * It enforces the request limits with the real answers, sizes entries by EventBridge's rule,
 * answers 200 with `FailedEntryCount` and per-entry `ErrorCode`s for scripted entry faults, and
 * keeps every accepted event.
 */
class LoopbackEventBridge {
  readonly events: BusEvent[] = [];
  private readonly entryFaults: EntryFault[] = [];

  private constructor(readonly service: LoopbackAwsJson) {}

  static async start(): Promise<LoopbackEventBridge> {
    let fake: LoopbackEventBridge | undefined;
    const service = await LoopbackAwsJson.start('AWSEvents', {
      PutEvents: (input) =>
        fake?.putEvents(input) ?? awsError(500, 'InternalException', 'not started'),
    });
    fake = new LoopbackEventBridge(service);
    return fake;
  }

  get endpoint(): string {
    return this.service.endpoint;
  }

  /** Entries matching `match` fail with `code` the next `times` times they are sent. */
  failEntries(
    match: (entry: Record<string, unknown>) => boolean,
    code: string,
    times = Number.POSITIVE_INFINITY
  ): void {
    this.entryFaults.push({ match, code, remaining: times });
  }

  /** The entries of every PutEvents call, in order, as sent on the wire. */
  sentBatches(): Record<string, unknown>[][] {
    return this.service
      .callsTo('PutEvents')
      .map(
        (c) => (Array.isArray(c.input.Entries) ? c.input.Entries : []) as Record<string, unknown>[]
      );
  }

  reset(): void {
    this.events.length = 0;
    this.entryFaults.length = 0;
    this.service.reset();
  }

  async stop(): Promise<void> {
    await this.service.stop();
  }

  private putEvents(input: Record<string, unknown>): AwsJsonReply {
    const entries = input.Entries;
    if (!Array.isArray(entries) || entries.length < 1 || entries.length > MAX_ENTRIES) {
      return awsError(
        400,
        'ValidationException',
        `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${MAX_ENTRIES}`
      );
    }
    const records = entries as Record<string, unknown>[];
    if (records.reduce((sum, e) => sum + entrySize(e), 0) > MAX_REQUEST_BYTES) {
      return awsError(
        400,
        'ValidationException',
        'Total size of the entries in the request is over the limit.'
      );
    }
    const results = records.map((entry) => this.accept(entry, input.EventBusName));
    return {
      status: 200,
      body: {
        FailedEntryCount: results.filter((r) => 'ErrorCode' in r).length,
        Entries: results,
      },
    };
  }

  private accept(entry: Record<string, unknown>, bus: unknown): Record<string, string> {
    const { Source, DetailType, Detail, Resources, Time } = entry;
    if (
      typeof Source !== 'string' ||
      typeof DetailType !== 'string' ||
      typeof Detail !== 'string'
    ) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter(s) Source, DetailType and Detail are required.',
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(Detail);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const fault = this.entryFaults.find((f) => f.remaining > 0 && f.match(entry));
    if (fault !== undefined) {
      fault.remaining -= 1;
      return { ErrorCode: fault.code, ErrorMessage: `${fault.code} (scripted)` };
    }
    this.events.push({
      source: Source,
      detailType: DetailType,
      detail,
      resources: Array.isArray(Resources) ? Resources.map(String) : [],
      ...(typeof Time === 'number' ? { time: Math.round(Time * 1000) } : {}),
      ...(typeof bus === 'string' ? { eventBusName: bus } : {}),
    });
    return { EventId: randomUUID() };
  }
}

/** EventBridge's entry size rule: Source, DetailType, Detail and Resources bytes, 14 for Time. */
function entrySize(entry: Record<string, unknown>): number {
  const bytes = (v: unknown) => (typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0);
  const resources = Array.isArray(entry.Resources) ? entry.Resources : [];
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    resources.reduce((sum: number, r: unknown) => sum + bytes(r), 0)
  );
}

export type { BusEvent };
export { entrySize, LoopbackEventBridge };
