import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import { DependencyError } from '../../domain/errors.js';
import type { Clock } from '../../domain/ports/clock.js';
import type { EventPublisher, WardenEvent } from '../../domain/ports/event-publisher.js';

/** The `source` of every event Pool Warden publishes. */
const SOURCE = 'pool-warden';
/** PutEvents takes at most 10 entries per request. */
const MAX_ENTRIES = 10;
/** PutEvents takes at most 256 KB of entries per request (and so per entry). */
const MAX_REQUEST_BYTES = 256 * 1024;
/** EventBridge counts a `Time` as 14 bytes, whatever its text. */
const TIME_BYTES = 14;
/** Per-entry codes EventBridge documents as retryable; every other code is permanent. */
const RETRYABLE_CODES: ReadonlySet<string> = new Set(['ThrottlingException', 'InternalFailure']);

interface PublisherOptions {
  /** Re-sends of failed entries after the first attempt. */
  readonly maxRetries?: number;
  /** The first backoff; each retry doubles it. */
  readonly baseDelayMs?: number;
}

interface SizedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly bytes: number;
}

/**
 * The event publisher over EventBridge PutEvents on the account's default bus. Events go in
 * requests of at most 10 entries and 256 KB; entries PutEvents reports as failed with a retryable
 * code (throttling, internal failure) are re-sent alone, with backoff on the injected clock.
 * Whole-call failures were already retried by the SDK client (configure `retryMode: 'adaptive'`).
 */
class EventBridgePublisher implements EventPublisher {
  private readonly maxRetries: number;
  private readonly baseDelayMs: number;

  constructor(
    private readonly client: EventBridgeClient,
    private readonly clock: Pick<Clock, 'sleep'>,
    options: PublisherOptions = {}
  ) {
    this.maxRetries = options.maxRetries ?? 3;
    this.baseDelayMs = options.baseDelayMs ?? 100;
  }

  async publish(events: readonly WardenEvent[]): Promise<void> {
    // Every entry is sized before any is sent, so an oversized one never leaves a batch half sent.
    const entries = events.map(sizedEntry);
    // Later batches still go out when one keeps failing, so a bad entry holds back no other.
    const failed: FailedEntry[] = [];
    let attempts = 0;
    for (const batch of batches(entries)) {
      const outcome = await this.sendWithRetries(batch);
      failed.push(...outcome.failed);
      attempts = Math.max(attempts, outcome.attempts);
    }
    if (failed.length > 0) throw entriesFailed(failed, attempts);
  }

  /** Sends a batch, re-sending only the entries that failed with a retryable code. */
  private async sendWithRetries(
    batch: readonly PutEventsRequestEntry[]
  ): Promise<{ failed: FailedEntry[]; attempts: number }> {
    let pending = batch;
    for (let attempt = 0; ; attempt++) {
      const failed = await this.send(pending);
      const permanent = failed.some((f) => !RETRYABLE_CODES.has(f.code));
      if (failed.length === 0 || permanent || attempt >= this.maxRetries) {
        return { failed, attempts: attempt + 1 };
      }
      await this.clock.sleep(this.baseDelayMs * 2 ** attempt);
      pending = failed.map((f) => f.entry);
    }
  }

  /** One PutEvents call; returns the entries that failed, with their codes. */
  private async send(entries: readonly PutEventsRequestEntry[]): Promise<FailedEntry[]> {
    let results: readonly PutEventsResultEntry[];
    try {
      const output = await this.client.send(new PutEventsCommand({ Entries: [...entries] }));
      results = output.Entries ?? [];
      if ((output.FailedEntryCount ?? 0) > 0 && results.length !== entries.length) {
        throw new Error(
          `FailedEntryCount ${output.FailedEntryCount} with ${results.length} result entries for ${entries.length} sent`
        );
      }
    } catch (error) {
      const detail = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      throw new DependencyError(
        'EventBridge',
        `PutEvents of ${entries.length} entries failed: ${detail}`,
        {
          cause: error,
          retryable: true,
        }
      );
    }
    const failed: FailedEntry[] = [];
    results.forEach((result, i) => {
      const entry = entries[i];
      if (result.ErrorCode !== undefined && entry !== undefined) {
        failed.push({ entry, code: result.ErrorCode, message: result.ErrorMessage ?? '' });
      }
    });
    return failed;
  }
}

interface FailedEntry {
  readonly entry: PutEventsRequestEntry;
  readonly code: string;
  readonly message: string;
}

function sizedEntry(event: WardenEvent): SizedEntry {
  const detail = JSON.stringify(event.detail);
  const entry: PutEventsRequestEntry = {
    Source: SOURCE,
    DetailType: event.detailType,
    Detail: detail,
    Resources: [event.resource],
    Time: new Date(event.time),
  };
  const bytes =
    TIME_BYTES +
    utf8Bytes(SOURCE) +
    utf8Bytes(event.detailType) +
    utf8Bytes(detail) +
    utf8Bytes(event.resource);
  if (bytes > MAX_REQUEST_BYTES) {
    const job = typeof event.detail.jobName === 'string' ? event.detail.jobName : event.resource;
    throw new DependencyError(
      'EventBridge',
      `${event.detailType} event for ${job} is ${bytes} bytes, over the PutEvents limit of ${MAX_REQUEST_BYTES}; it was not sent`,
      { retryable: false }
    );
  }
  return { entry, bytes };
}

/** Greedy, in order: a new request starts when the next entry would pass 10 entries or 256 KB. */
function batches(entries: readonly SizedEntry[]): PutEventsRequestEntry[][] {
  const out: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let bytes = 0;
  for (const sized of entries) {
    if (current.length === MAX_ENTRIES || bytes + sized.bytes > MAX_REQUEST_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(sized.entry);
    bytes += sized.bytes;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Retryable only when every failure was: a permanent code (access, malformed) needs a person. */
function entriesFailed(failed: readonly FailedEntry[], attempts: number): DependencyError {
  const counts = new Map<string, number>();
  for (const f of failed) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  const codes = [...counts].map(([code, n]) => `${code} ×${n}`).join(', ');
  const first = failed[0];
  const noun = failed.length === 1 ? 'entry' : 'entries';
  return new DependencyError(
    'EventBridge',
    `PutEvents failed for ${failed.length} ${noun} after up to ${attempts} attempts (${codes}; first: ${first?.entry.DetailType} for ${first?.entry.Resources?.[0]}: ${first?.message})`,
    { retryable: failed.every((f) => RETRYABLE_CODES.has(f.code)) }
  );
}

function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export type { PublisherOptions };
export { EventBridgePublisher, MAX_REQUEST_BYTES, SOURCE };
