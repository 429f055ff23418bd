import type { TerminalStatus } from '../../src/domain/job/job-status.js';
import type { TrainingJobSnapshot } from '../../src/domain/job/training-job.js';
import { buildNotice, type Notice } from '../../src/domain/notice/notice.js';
import type { ResolvedOwner } from '../../src/domain/owner/resolve-owner.js';
import type { HourlyPrice } from '../../src/domain/pricing/price-table.js';
import { T0 } from './factories.js';

/** The ARN SageMaker gives a training job of this name in the test account. */
function jobArn(name: string, region = 'us-east-1'): string {
  return `arn:aws:sagemaker:${region}:111122223333:training-job/${name}`;
}

/**
 * A finished job as DescribeTrainingJob reports it: 1 × ml.g5.2xlarge from T0 − 1 h to T0,
 * 3600 s billable, 30 min keep-alive and an Available warm pool.
 */
function finishedJob(overrides: Partial<TrainingJobSnapshot> = {}): TrainingJobSnapshot {
  const name = overrides.name ?? 'resnet-sweep-017';
  return {
    name,
    arn: jobArn(name),
    status: 'Completed',
    secondaryStatus: 'Completed',
    roleArn: 'arn:aws:iam::111122223333:role/VisionTraining',
    instanceType: 'ml.g5.2xlarge',
    instanceCount: 1,
    keepAliveSeconds: 1800,
    warmPool: { status: 'Available' },
    creationTime: T0 - 3_900_000,
    startTime: T0 - 3_600_000,
    endTime: T0,
    lastModifiedTime: T0,
    trainingSeconds: 3600,
    billableSeconds: 3600,
    ...overrides,
  };
}

/** Alice as the team config resolves her from a `warden:owner` tag. */
function aliceOwner(overrides: Partial<ResolvedOwner> = {}): ResolvedOwner {
  return {
    id: 'alice',
    displayName: 'Alice Ng',
    via: 'tag warden:owner',
    email: 'alice@example.com',
    slackUser: 'U0ALICE01',
    timeZone: 'Europe/Berlin',
    team: 'vision',
    skipped: [],
    ...overrides,
  };
}

/** The built-in illustrative price of ml.g5.2xlarge. */
const G5_2XLARGE: HourlyPrice = { usdPerHour: 1.515, source: 'illustrative' };

interface NoticeOptions {
  readonly job?: Partial<TrainingJobSnapshot>;
  readonly status?: TerminalStatus;
  readonly owner?: Partial<ResolvedOwner>;
  /** `null` builds a notice without a price. */
  readonly price?: HourlyPrice | null;
  readonly now?: number;
  readonly region?: string;
}

/** A notice built by the real `buildNotice`, ten minutes after the job ended. */
function noticeFor(options: NoticeOptions = {}): Notice {
  const status = options.status ?? 'Completed';
  const price = options.price === null ? undefined : (options.price ?? G5_2XLARGE);
  return buildNotice({
    job: finishedJob({ status, secondaryStatus: status, ...options.job }),
    status,
    region: options.region ?? 'us-east-1',
    owner: aliceOwner(options.owner),
    now: options.now ?? T0 + 600_000,
    ...(price === undefined ? {} : { price }),
  });
}

/**
 * Characters that must never reach a rendered line: C0/C1 controls (CR/LF, ESC, BEL), DEL, the
 * Unicode line separators and bidirectional overrides.
 */
const CONTROL_CHARACTERS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** Job-controlled text an attacker would try: mentions, links, fences, line and escape tricks. */
const HOSTILE_TEXT = [
  '<!channel> <!here> <@U123> <#C0123> <!subteam^S0123>',
  '<http://evil.example|click here> <mailto:x@evil.example|mail>',
  '```*bold* _it_ ~s~``` `code`',
  'line\r\nBcc: x@evil.example\n--\nPool Warden sent this',
  '\u001b[31mred\u001b[0m \u001b]8;;http://evil\u0007link\u001b]8;;\u0007',
  '\u202Eevil\u202C \u2028 \u0000 \uD800 lone',
  '&amp; &lt; & < >',
];

export { aliceOwner, CONTROL_CHARACTERS, finishedJob, G5_2XLARGE, HOSTILE_TEXT, jobArn, noticeFor };
