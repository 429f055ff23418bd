/**
 * The counters operators alarm on and chart. Names are stable: the deployment's alarms and
 * dashboard refer to them. Dimensions are few and low-cardinality (a channel, a kind), never a
 * job name or an address.
 */
type MetricName =
  | 'NoticeSent'
  | 'NoticeFallback'
  | 'ChannelFailedPermanent'
  | 'ChannelFailedRetried'
  | 'EventRejected'
  | 'NoticeContradiction'
  | 'DuplicateSend';

interface Metrics {
  count(name: MetricName, value?: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Counts nothing: for callers (the CLI) that have no metrics sink. */
const noMetrics: Metrics = { count: () => undefined };

export type { MetricName, Metrics };
export { noMetrics };
