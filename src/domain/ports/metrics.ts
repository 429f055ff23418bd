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
  | 'DuplicateSend'
  /** A distinct steward decision (`action`: keep, extend, shrink, release), applied or not. */
  | 'PoolDecision'
  /** An UpdateTrainingJob that took effect (`action`: extend, shrink, release). */
  | 'PoolAction'
  /** An UpdateTrainingJob SageMaker refused for a pool that is still there (`action`). */
  | 'PoolActionFailed'
  /** An action the circuit breaker held back (`action`). */
  | 'ActionStoppedByBreaker'
  /** An action dry run held back (`action`). */
  | 'ActionSkippedDryRun'
  /** The circuit breaker opened: no action until an admin resumes. */
  | 'BreakerTripped'
  /** Estimated US dollars of idle pool time a release or shrink saved (`action`). */
  | 'IdleUsdReleased'
  /** A warm pool Warden started tracking (`via`: event, reconciliation). */
  | 'PoolTracked'
  /** A tracked pool that ended (`state`: Reused, Terminated). */
  | 'PoolEnded'
  /** A pool whose evaluation failed; it is tried again a few minutes later. */
  | 'PoolEvaluationFailed'
  /** A click on a notice's link or button, by what became of it (`action`, `outcome`). */
  | 'OwnerAction'
  /** A request to the action endpoints refused before any pool was looked at (`reason`). */
  | 'ActionRequestRefused'
  /** An email subscription on the notice topic that could receive others' links. */
  | 'EmailSubscriptionUnfiltered';

interface Metrics {
  count(name: MetricName, value?: number, dimensions?: Readonly<Record<string, string>>): void;
}

/** Counts nothing: for callers (the CLI) that have no metrics sink. */
const noMetrics: Metrics = { count: () => undefined };

export type { MetricName, Metrics };
export { noMetrics };
