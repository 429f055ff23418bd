import type { DecisionContext } from '../../src/domain/policy/decision.js';
import {
  emptyHistogram,
  type GapHistogram,
  observeGap,
} from '../../src/domain/policy/gap-history.js';
import type { Policy, PoolRule, StewardSettings } from '../../src/domain/policy/policy.js';
import type { PoolRecord } from '../../src/domain/pool/pool-record.js';

/** 2026-11-26T14:00:00Z, a Thursday afternoon (15:00 in Berlin, 09:00 in New York). */
const NOW = Date.UTC(2026, 10, 26, 14, 0, 0);

const MINUTE = 60_000;
const HOUR = 3_600_000;

/** Settings as a new installation gets them, with the conservative `job-end` anchor. */
function stewardSettings(overrides: Partial<StewardSettings> = {}): StewardSettings {
  return {
    dryRun: false,
    maxActionsPerRun: 20,
    maxActionsPerHour: 60,
    keepAliveAnchor: 'job-end',
    maxKeepAliveMs: HOUR,
    leadTimeMs: 10 * MINUTE,
    // Off, so each unit test sees one decision per lead time unless it asks for more.
    revisitEveryMs: 0,
    safetyMarginMs: 2 * MINUTE,
    auditRetentionDays: 30,
    valueOfTimeUsdPerHour: 100,
    coldStartBilledSeconds: 30,
    coldStartWaitSeconds: 140,
    ...overrides,
  };
}

/** A rule that matches every pool and keeps it a fixed 30 minutes, unless told otherwise. */
function poolRule(overrides: Partial<PoolRule> = {}): PoolRule {
  return {
    name: 'everyone',
    match: { text: '{}' },
    mode: 'fixed',
    keepAlive: { minMs: 0, maxMs: HOUR, fixedMs: 30 * MINUTE },
    outside: { action: 'release' },
    warnBeforeReleaseMs: 0,
    ...overrides,
  };
}

/** A policy of the given rules (default: one `poolRule()`), with `stewardSettings()`. */
function policyOf(
  rules: readonly PoolRule[] = [poolRule()],
  settings: Partial<StewardSettings> = {}
): Policy {
  return { settings: stewardSettings(settings), rules };
}

/**
 * An Available 1 × ml.g5.2xlarge pool of alice (team vision) whose job ended 5 minutes before
 * `NOW` with a 10-minute keep-alive, so it expires 5 minutes after `NOW`.
 */
function availablePool(overrides: Partial<PoolRecord> = {}): PoolRecord {
  const endTime = overrides.endTime ?? NOW - 5 * MINUTE;
  const keepAliveSeconds = overrides.keepAliveSeconds ?? 600;
  return {
    jobArn: 'arn:aws:sagemaker:us-east-1:111122223333:training-job/resnet-sweep-017',
    jobName: 'resnet-sweep-017',
    creationTime: endTime - HOUR,
    region: 'us-east-1',
    owner: 'alice',
    team: 'vision',
    matchKey: 'role=arn:aws:iam::111122223333:role/VisionTraining|type=ml.g5.2xlarge|count=1',
    instanceType: 'ml.g5.2xlarge',
    instanceCount: 1,
    tags: {},
    endTime,
    keepAliveSeconds,
    expiresAt: endTime + keepAliveSeconds * 1000,
    state: 'Available',
    decisions: [],
    version: 1,
    ...overrides,
  };
}

/** A histogram of the given gaps (ms), all observed at `at`. */
function historyOf(gapsMs: readonly number[], at: number = NOW): GapHistogram {
  return gapsMs.reduce((history, gap) => observeGap(history, gap, at), emptyHistogram());
}

/** A decision context with an empty history and a known price, unless told otherwise. */
function contextOf(overrides: Partial<DecisionContext> = {}): DecisionContext {
  return { history: emptyHistogram(), usdPerHour: 1.5, ...overrides };
}

export {
  availablePool,
  contextOf,
  HOUR,
  historyOf,
  MINUTE,
  NOW,
  policyOf,
  poolRule,
  stewardSettings,
};
