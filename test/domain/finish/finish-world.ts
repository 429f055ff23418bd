import { MemoryCallerRegistry } from '../../../src/adapters/memory/memory-caller-registry.js';
import { MemoryNoticeLedger } from '../../../src/adapters/memory/memory-notice-ledger.js';
import { MemoryParkedEvents } from '../../../src/adapters/memory/memory-parked-events.js';
import type { WardenConfig } from '../../../src/domain/config/warden-config.js';
import type { Tags } from '../../../src/domain/event/tags.js';
import type { FinishNoticeDeps } from '../../../src/domain/finish/notify-on-finish.js';
import type { TrainingJobSnapshot } from '../../../src/domain/job/training-job.js';
import { noActionLinks } from '../../../src/domain/ports/action-links.js';
import type { CallerRegistry } from '../../../src/domain/ports/caller-registry.js';
import type { SageMakerGateway } from '../../../src/domain/ports/sagemaker-gateway.js';
import { type EmailReach, reachEveryone } from '../../../src/domain/ports/senders.js';
import { VirtualClock } from '../../../src/sim/virtual-clock.js';
import { finishedJob } from '../../helpers/domain-notices.js';
import {
  recordingLog,
  recordingMetrics,
  recordingSenders,
  ScriptedSageMaker,
  T0,
  teamConfig,
} from '../../helpers/factories.js';

/** The moment the event is handled: one minute after the job ended. */
const NOW = T0 + 60_000;
/** The default event's CreationTime, which `finishedJob()` shares: Describe is the same job. */
const CREATED = T0 - 3_900_000;

interface FinishWorldOptions {
  /** Where the virtual clock starts; `NOW` unless told. */
  readonly now?: number;
  readonly answers?: readonly (TrainingJobSnapshot | undefined)[];
  readonly listTags?: Tags;
  readonly config?: WardenConfig;
  /** Stands in for the scripted SageMaker, which the world still returns. */
  readonly sageMaker?: SageMakerGateway;
  readonly emailReach?: EmailReach;
}

/** The finish notice wired to in-memory adapters, a virtual clock and recording senders. */
function finishWorld(options: FinishWorldOptions = {}) {
  const clock = new VirtualClock(options.now ?? NOW);
  const sageMaker = new ScriptedSageMaker(options.answers ?? [finishedJob()], options.listTags);
  const ledger = new MemoryNoticeLedger();
  const callers: CallerRegistry = new MemoryCallerRegistry();
  const parked = new MemoryParkedEvents();
  const senders = recordingSenders();
  const log = recordingLog();
  const metrics = recordingMetrics();
  const deps: FinishNoticeDeps = {
    config: options.config ?? teamConfig(),
    clock,
    sageMaker: options.sageMaker ?? sageMaker,
    ledger,
    callers,
    parked,
    email: senders.email,
    slack: senders.slack,
    emailReach: options.emailReach ?? reachEveryone,
    actionLinks: noActionLinks,
    metrics,
    log,
  };
  return { deps, clock, sageMaker, ledger, callers, parked, senders, log, metrics };
}

export { CREATED, finishWorld, NOW };
