import type { SQSEvent, SQSRecord } from 'aws-lambda';

const QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:pool-warden-test-notice';

/**
 * The batch Lambda's SQS poller hands a function: one record per body, as an EventBridge rule's
 * target writes them (the event as JSON; a string stays as it is, to send what is not JSON).
 * Message ids are `m1`, `m2`, … in order.
 */
function sqsEvent(bodies: readonly unknown[], receiveCount = 1): SQSEvent {
  return { Records: bodies.map((body, i) => sqsRecord(`m${i + 1}`, body, receiveCount)) };
}

function sqsRecord(messageId: string, body: unknown, receiveCount = 1): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof body === 'string' ? body : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '1764151200000',
      SenderId: 'AIDAIENQZJOLO23YVJ4VO',
      ApproximateFirstReceiveTimestamp: '1764151200100',
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

export { sqsEvent, sqsRecord };
