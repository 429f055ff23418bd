import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { WardenError } from '../domain/errors.js';

/** What a handler does with one event: resolves when it is done with it, throws to retry it. */
type EachEvent = (event: unknown) => Promise<unknown>;

/** The line an operator reads for a record that comes back; alarms and runbooks quote it. */
const RECORD_FAILED =
  'event failed; the queue delivers it again after its visibility timeout, and parks it in its dead-letter queue after the last receive';

/**
 * A Lambda handler for a queue an EventBridge rule fills: each record's body is the rule's event,
 * handed to `eachEvent` as it would have been without the queue. A record that resolves is
 * deleted (a parked, rejected event too); one that throws is reported as a batch item failure
 * (ReportBatchItemFailures), so only it comes back. Records run one after another: each keeps
 * its own job ARN on its log lines, and a batch never bursts against SageMaker.
 *
 * @example middy(sqsBatch((event) => notifyOnFinish(event, deps), logger))
 */
function sqsBatch(
  eachEvent: EachEvent,
  log: Logger
): (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> {
  const processor = new BatchProcessor(EventType.SQS);
  const eachRecord = async (record: SQSRecord): Promise<void> => {
    // The previous record's keys (its job ARN above all) must not label this one's lines.
    log.resetKeys();
    log.appendKeys({ messageId: record.messageId, receiveCount: receiveCountOf(record) });
    try {
      await eachEvent(eventOf(record));
    } catch (error) {
      log.error(RECORD_FAILED, {
        error,
        ...(error instanceof WardenError ? { code: error.code, retryable: error.retryable } : {}),
      });
      throw error;
    }
  };
  return (event, context) =>
    processPartialResponse(event, eachRecord, processor, { context, processInParallel: false });
}

/**
 * The event a record carries. A body that is not JSON goes on as the text it is: the use case
 * parks what it cannot read, and acknowledging it is right, since no retry makes it readable.
 */
function eventOf(record: SQSRecord): unknown {
  try {
    return JSON.parse(record.body) as unknown;
  } catch {
    return record.body;
  }
}

function receiveCountOf(record: SQSRecord): number | undefined {
  const count = Number(record.attributes?.ApproximateReceiveCount);
  return Number.isInteger(count) ? count : undefined;
}

export type { EachEvent };
export { RECORD_FAILED, sqsBatch };
