import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import type { ActionGrant } from '../../src/domain/actions/action-grant.js';
import { parseConfig } from '../../src/domain/config/parse-config.js';
import type { WardenConfig } from '../../src/domain/config/warden-config.js';
import type { Tags } from '../../src/domain/event/tags.js';
import type { TrainingJobSnapshot } from '../../src/domain/job/training-job.js';
import type { EmailMessage } from '../../src/domain/notice/render-email.js';
import type { SlackMessage } from '../../src/domain/notice/render-slack.js';
import type { ActionLinks } from '../../src/domain/ports/action-links.js';
import type { Log } from '../../src/domain/ports/log.js';
import type { MetricName, Metrics } from '../../src/domain/ports/metrics.js';
import type { SageMakerGateway } from '../../src/domain/ports/sagemaker-gateway.js';
import type {
  EmailReach,
  EmailSender,
  NoticeRef,
  SlackSender,
  SlackTarget,
} from '../../src/domain/ports/senders.js';
import { lambdaContext as replayContext } from '../../src/sim/lambda-context.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');

/** A fixture file under test/fixtures, parsed. */
function fixture(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')) as Record<string, unknown>;
}

const AWS_DOCS_SAMPLE = 'events/sagemaker-training-job-state-change.completed.aws-docs.json';
const SYNTHETIC_FAILED =
  'events/SYNTHETIC-sagemaker-training-job-state-change.failed.epoch-ms-numbers.tags-list.json';
const SYNTHETIC_IN_PROGRESS =
  'events/SYNTHETIC-sagemaker-training-job-state-change.inprogress-training.non-terminal.json';

/** 2026-11-26T10:00:00Z, a Thursday. */
const T0 = Date.UTC(2026, 10, 26, 10, 0, 0);

interface EventOptions {
  readonly name?: string;
  readonly status?: string;
  readonly secondaryStatus?: string;
  readonly endTime?: number;
  readonly tags?: Record<string, string> | readonly { Key: string; Value: string }[];
  readonly detail?: Record<string, unknown>;
  readonly id?: string;
}

/**
 * A realistic "SageMaker Training Job State Change" event: a 1 × ml.g5.2xlarge job that ran
 * from T0 − 1 h to T0. `detail` entries are merged over the defaults.
 */
function stateChangeEvent(options: EventOptions = {}): Record<string, unknown> {
  const name = options.name ?? 'resnet-sweep-017';
  const end = options.endTime ?? T0;
  const status = options.status ?? 'Completed';
  const arn = `arn:aws:sagemaker:us-east-1:111122223333:training-job/${name}`;
  return {
    version: '0',
    id: options.id ?? `evt-${name}-${status}`,
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account: '111122223333',
    time: new Date(end).toISOString(),
    region: 'us-east-1',
    resources: [arn],
    detail: {
      TrainingJobName: name,
      TrainingJobArn: arn,
      TrainingJobStatus: status,
      SecondaryStatus: options.secondaryStatus ?? status,
      RoleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
      ResourceConfig: { InstanceType: 'ml.g5.2xlarge', InstanceCount: 1, VolumeSizeInGB: 100 },
      CreationTime: end - 3_900_000,
      TrainingStartTime: end - 3_600_000,
      TrainingEndTime: end,
      LastModifiedTime: end,
      Tags: options.tags ?? [{ Key: 'warden:owner', Value: 'alice' }],
      ...options.detail,
    },
  };
}

/**
 * What DescribeTrainingJob answers, on the JSON wire (epoch seconds), for the job of `event`
 * right after it ended: 30 min keep-alive, warm pool Available, 1 h billable.
 */
function describeAnswer(event: Record<string, unknown>): Record<string, unknown> {
  const detail = event.detail as Record<string, unknown>;
  const seconds = (key: string) => Number(detail[key]) / 1000;
  return {
    ...detail,
    CreationTime: seconds('CreationTime'),
    TrainingStartTime: seconds('TrainingStartTime'),
    TrainingEndTime: seconds('TrainingEndTime'),
    LastModifiedTime: seconds('LastModifiedTime'),
    ResourceConfig: {
      InstanceType: 'ml.g5.2xlarge',
      InstanceCount: 1,
      KeepAlivePeriodInSeconds: 1800,
    },
    WarmPoolStatus: { Status: 'Available' },
    BillableTimeInSeconds: 3600,
    ModelArtifacts: { S3ModelArtifacts: 's3://example-bucket/output/model.tar.gz' },
    StoppingCondition: { MaxRuntimeInSeconds: 86400 },
  };
}

/** A config built the way admins write one, from YAML; throws with the issues if invalid. */
function configFrom(yaml: string): WardenConfig {
  const result = parseConfig(yaml, 'test.yaml');
  if (!result.ok) throw new Error(result.issues.join('\n'));
  return result.config;
}

/** A team setup used across tests: alice (email + Slack DM), bob (email only), team vision. */
/** An `accounts:` section to append to a config: the hub and one member, `research`. */
const MEMBER_ACCOUNTS_YAML = `accounts:
  hub: '111122223333'
  members:
    - id: '444455556666'
      name: research
      externalId: pool-warden-research-7f3a
      regions: [eu-west-1, us-west-2]
`;

const TEAM_CONFIG_YAML = `version: 1
defaults:
  timeZone: UTC
owners:
  tagKeys: [owner, created-by]
  roles:
    arn:aws:iam::111122223333:role/VisionTraining: vision
  fallback: platform
directory:
  alice:
    name: Alice Ng
    email: alice@example.com
    slack: U0ALICE01
    timeZone: Europe/Berlin
    team: vision
  bob:
    email: bob@example.com
    team: vision
  vision:
    email: vision-ml@example.com
    slackWebhook: vision
    timeZone: America/New_York
  platform:
    email: ml-platform@example.com
`;

function teamConfig(): WardenConfig {
  return configFrom(TEAM_CONFIG_YAML);
}

/** A fixed Lambda context, as the Powertools testing utilities provide one. */
function lambdaContext(): Context {
  return replayContext('c6af9ac6-7b61-11e6-9a41-93e812345678');
}

/** A Log that keeps what it was told. */
function recordingLog(): Log & {
  readonly lines: { level: string; message: string; extra: unknown }[];
} {
  const lines: { level: string; message: string; extra: unknown }[] = [];
  return {
    lines,
    info: (message, extra) => lines.push({ level: 'info', message, extra }),
    warn: (message, extra) => lines.push({ level: 'warn', message, extra }),
    error: (message, extra) => lines.push({ level: 'error', message, extra }),
  };
}

interface CountedMetric {
  readonly name: MetricName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Metrics that keep every count; `total` sums a name, optionally for matching dimensions. */
function recordingMetrics(): Metrics & {
  readonly counts: CountedMetric[];
  total(name: MetricName, dimensions?: Readonly<Record<string, string>>): number;
} {
  const counts: CountedMetric[] = [];
  return {
    counts,
    count: (name, value = 1, dimensions = {}) => {
      counts.push({ name, value, dimensions });
    },
    total: (name, dimensions = {}) =>
      counts
        .filter(
          (c) =>
            c.name === name && Object.entries(dimensions).every(([k, v]) => c.dimensions[k] === v)
        )
        .reduce((sum, c) => sum + c.value, 0),
  };
}

/**
 * An EmailReach that knows which addresses have a confirmed subscription (case-insensitive),
 * as the SNS topic would, and counts how often it was asked.
 */
function subscribedOnly(...addresses: readonly string[]): EmailReach & { asked: string[] } {
  const subscribed = new Set(addresses.map((a) => a.toLowerCase()));
  const asked: string[] = [];
  return {
    asked,
    canReach: async (address) => {
      asked.push(address);
      return subscribed.has(address.toLowerCase());
    },
  };
}

/** Email and Slack senders that record what they send and can be told to fail. */
function recordingSenders() {
  const emails: { message: EmailMessage; ref: NoticeRef }[] = [];
  const slacks: { target: SlackTarget; message: SlackMessage; ref: NoticeRef }[] = [];
  const failures = { email: 0, slack: 0 };
  const email: EmailSender = {
    send: async (message, ref) => {
      if (failures.email > 0) {
        failures.email -= 1;
        throw new Error('email down');
      }
      emails.push({ message, ref });
    },
  };
  const slack: SlackSender = {
    send: async (target, message, ref) => {
      if (failures.slack > 0) {
        failures.slack -= 1;
        throw new Error('slack down');
      }
      slacks.push({ target, message, ref });
    },
  };
  return { email, slack, emails, slacks, failures };
}

/**
 * SageMaker that answers DescribeTrainingJob from a script: each call takes the next answer,
 * the last one repeating. Counts calls, so tests can check retries.
 */
class ScriptedSageMaker implements SageMakerGateway {
  describeCalls = 0;
  listTagsCalls = 0;

  constructor(
    private readonly answers: readonly (TrainingJobSnapshot | undefined)[],
    private readonly tags: Tags = {}
  ) {}

  async describeTrainingJob(): Promise<TrainingJobSnapshot | undefined> {
    const answer = this.answers[Math.min(this.describeCalls, this.answers.length - 1)];
    this.describeCalls += 1;
    return answer;
  }

  async listTags(): Promise<Tags> {
    this.listTagsCalls += 1;
    return this.tags;
  }
}

/**
 * Action links that sign nothing: each grant becomes `https://warden.example/a/tok-N`, and the
 * grants are kept in order for the test to read. The default everywhere else is noActionLinks.
 */
function recordingActionLinks(): ActionLinks & { grants: ActionGrant[] } {
  const grants: ActionGrant[] = [];
  return {
    grants,
    link: async (grant) => {
      grants.push(grant);
      const token = `tok-${grants.length}`;
      return { url: `https://warden.example/a/${token}`, token, slackToken: `slack-${token}` };
    },
  };
}

export type { CountedMetric };
export {
  AWS_DOCS_SAMPLE,
  configFrom,
  describeAnswer,
  fixture,
  lambdaContext,
  MEMBER_ACCOUNTS_YAML,
  recordingActionLinks,
  recordingLog,
  recordingMetrics,
  recordingSenders,
  ScriptedSageMaker,
  SYNTHETIC_FAILED,
  SYNTHETIC_IN_PROGRESS,
  stateChangeEvent,
  subscribedOnly,
  T0,
  TEAM_CONFIG_YAML,
  teamConfig,
};
