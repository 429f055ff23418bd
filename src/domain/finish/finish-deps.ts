import type { WardenConfig } from '../config/warden-config.js';
import type { ActionLinks } from '../ports/action-links.js';
import type { CallerRegistry } from '../ports/caller-registry.js';
import type { Clock } from '../ports/clock.js';
import type { Log } from '../ports/log.js';
import type { Metrics } from '../ports/metrics.js';
import type { NoticeLedger } from '../ports/notice-ledger.js';
import type { ParkedEvents } from '../ports/parked-events.js';
import type { SageMakerGateway } from '../ports/sagemaker-gateway.js';
import type { EmailReach, EmailSender, SlackSender } from '../ports/senders.js';

/** Everything the finish notice reads, writes and sends through. */
interface FinishNoticeDeps {
  readonly config: WardenConfig;
  readonly clock: Clock;
  readonly sageMaker: SageMakerGateway;
  readonly ledger: NoticeLedger;
  readonly callers: CallerRegistry;
  readonly parked: ParkedEvents;
  readonly email: EmailSender;
  readonly slack: SlackSender;
  /** Which addresses have someone behind them; an address without is a failed channel. */
  readonly emailReach: EmailReach;
  readonly metrics: Metrics;
  readonly log: Log;
  /**
   * Signs the notice's keep-warm and release links. Absent (or `noActionLinks`): the notice
   * offers no actions. Optional so that worlds built before actions existed still compile.
   */
  readonly actionLinks: ActionLinks;
}

export type { FinishNoticeDeps };
