import type { WardenConfig } from '../config/warden-config.js';
import type { Policy } from '../policy/policy.js';
import type { ActionLinks } from '../ports/action-links.js';
import type { CallerRegistry } from '../ports/caller-registry.js';
import type { Clock } from '../ports/clock.js';
import type { EventPublisher } from '../ports/event-publisher.js';
import type { Log } from '../ports/log.js';
import type { Metrics } from '../ports/metrics.js';
import type { NoticeLedger } from '../ports/notice-ledger.js';
import type { ParkedEvents } from '../ports/parked-events.js';
import type { PoolStore } from '../ports/pool-store.js';
import type { PoolGateway } from '../ports/sagemaker-gateway.js';
import type { EmailSender, SlackSender } from '../ports/senders.js';

/** Everything the warm-pool steward's use cases need; the handlers and the simulator wire it. */
interface StewardDeps {
  readonly config: WardenConfig;
  readonly policy: Policy;
  readonly clock: Clock;
  readonly sageMaker: PoolGateway;
  readonly store: PoolStore;
  readonly callers: CallerRegistry;
  readonly parked: ParkedEvents;
  readonly ledger: NoticeLedger;
  readonly email: EmailSender;
  readonly slack: SlackSender;
  readonly events: EventPublisher;
  readonly log: Log;
  /** Counts decisions, actions and pools for the operators' alarms and dashboard. */
  readonly metrics: Metrics;
  /** Signs the keep-warm and release links of release warnings; absent: warnings carry none. */
  readonly actionLinks: ActionLinks;
}

/** What the pool intake needs: no senders and no event bus, so its bundle stays small. */
type IntakeDeps = Pick<
  StewardDeps,
  'config' | 'policy' | 'clock' | 'sageMaker' | 'store' | 'callers' | 'parked' | 'log' | 'metrics'
>;

export type { IntakeDeps, StewardDeps };
