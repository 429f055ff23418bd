// Writes examples/events/ and examples/describe/: one realistic working day of the vision
// team, as EventBridge would deliver it (duplicates, a late InProgress, a job nobody tagged)
// and as DescribeTrainingJob would answer for each finished job.
// Run: npx tsx scripts/generate-examples.ts
import { mkdir, rm, writeFile } from 'node:fs/promises';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const DAY = Date.UTC(2026, 10, 24);
const at = (hh: number, mm: number) => DAY + (hh * 60 + mm) * 60_000;

interface Job {
  name: string;
  role: string;
  instanceType: string;
  count: number;
  keepAlive: number;
  created: number;
  started: number;
  ended: number;
  status: 'Completed' | 'Failed' | 'Stopped';
  failure?: string;
  tags: Record<string, string>;
  /** What DescribeTrainingJob says of the pool right after the job ends; undefined = no field. */
  pool?: 'Available' | 'Terminated';
  spot?: boolean;
}

const VISION = `arn:aws:iam::${ACCOUNT}:role/VisionTraining`;
const STUDIO = `arn:aws:iam::${ACCOUNT}:role/service-role/AmazonSageMaker-ExecutionRole-Studio`;

const jobs: Job[] = [
  // Alice iterates on a ResNet sweep: short jobs, 30 min keep-alive, the pool hops along.
  ...[0, 1, 2].map(
    (i): Job => ({
      name: `resnet-sweep-00${i + 1}`,
      role: VISION,
      instanceType: 'ml.g5.2xlarge',
      count: 1,
      keepAlive: 1800,
      created: at(9 + i, 5),
      started: at(9 + i, i === 0 ? 8 : 5),
      ended: at(9 + i, 41),
      status: 'Completed',
      tags: { 'warden:owner': 'alice', project: 'resnet' },
      pool: 'Available',
    })
  ),
  {
    name: 'bert-finetune-qa',
    role: VISION,
    instanceType: 'ml.p3.2xlarge',
    count: 1,
    keepAlive: 0,
    created: at(10, 12),
    started: at(10, 15),
    ended: at(10, 34),
    status: 'Failed',
    failure:
      'AlgorithmError: ExecuteUserScriptError: ExitCode 1 ErrorMessage "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB"',
    tags: { owner: 'bob', project: 'qa' },
  },
  {
    name: 'llama-8b-sft-v3',
    role: VISION,
    instanceType: 'ml.p4d.24xlarge',
    count: 2,
    keepAlive: 3600,
    created: at(8, 0),
    started: at(8, 9),
    ended: at(13, 52),
    status: 'Stopped',
    tags: { 'warden:owner': 'alice', project: 'llm' },
    pool: 'Available',
  },
  // Carol works in SageMaker Studio and tags nothing: CloudTrail would name her profile; here
  // the job carries the `created-by` tag that her team's notebooks set.
  {
    name: 'churn-xgb-berlin',
    role: STUDIO,
    instanceType: 'ml.m5.xlarge',
    count: 1,
    keepAlive: 600,
    created: at(14, 2),
    started: at(14, 5),
    ended: at(14, 19),
    status: 'Completed',
    tags: { 'created-by': 'carol.studio' },
    pool: 'Available',
    spot: true,
  },
  // Nobody tagged this one: the role map sends it to the vision team channel.
  {
    name: 'detr-eval-nightly',
    role: VISION,
    instanceType: 'ml.g5.12xlarge',
    count: 1,
    keepAlive: 1200,
    created: at(15, 30),
    started: at(15, 34),
    ended: at(16, 2),
    status: 'Completed',
    tags: {},
    pool: 'Available',
  },
  // Keep-alive asked for, but the account's warm-pool quota for this type is 0: no pool.
  {
    name: 'vit-l-pretrain-probe',
    role: VISION,
    instanceType: 'ml.g6.12xlarge',
    count: 1,
    keepAlive: 1800,
    created: at(16, 40),
    started: at(16, 44),
    ended: at(17, 1),
    status: 'Completed',
    tags: { 'warden:owner': 'eve', owner: 'bob' },
  },
  // Alice's last run of the day ends after Berlin working hours: the policy releases its pool,
  // after warning her.
  {
    name: 'resnet-sweep-004',
    role: VISION,
    instanceType: 'ml.g5.2xlarge',
    count: 1,
    keepAlive: 3600,
    created: at(17, 40),
    started: at(17, 44),
    ended: at(18, 10),
    status: 'Completed',
    tags: { 'warden:owner': 'alice', project: 'resnet' },
    pool: 'Available',
  },
  // An ad-hoc job from a contractor's role: nothing names an owner, so the fallback hears.
  {
    name: 'tmp-debug-run',
    role: `arn:aws:iam::${ACCOUNT}:role/ContractorSandbox`,
    instanceType: 'ml.m5.large',
    count: 1,
    keepAlive: 300,
    created: at(17, 30),
    started: at(17, 33),
    ended: at(17, 36),
    status: 'Completed',
    tags: {},
    pool: 'Available',
  },
];

const arnOf = (name: string) => `arn:aws:sagemaker:${REGION}:${ACCOUNT}:training-job/${name}`;

function event(job: Job, status: string, secondary: string, time: number, id: string) {
  const terminal = status === job.status;
  return {
    version: '0',
    id,
    'detail-type': 'SageMaker Training Job State Change',
    source: 'aws.sagemaker',
    account: ACCOUNT,
    time: new Date(time).toISOString().replace('.000', ''),
    region: REGION,
    resources: [arnOf(job.name)],
    detail: {
      TrainingJobName: job.name,
      TrainingJobArn: arnOf(job.name),
      TrainingJobStatus: status,
      SecondaryStatus: secondary,
      ...(terminal && job.failure ? { FailureReason: job.failure } : {}),
      AlgorithmSpecification: {
        TrainingImage: `763104351884.dkr.ecr.${REGION}.amazonaws.com/pytorch-training:2.5-gpu-py311`,
        TrainingInputMode: 'FastFile',
      },
      RoleArn: job.role,
      ResourceConfig: {
        InstanceType: job.instanceType,
        InstanceCount: job.count,
        VolumeSizeInGB: 200,
      },
      StoppingCondition: { MaxRuntimeInSeconds: 86400 },
      CreationTime: job.created,
      TrainingStartTime: job.started,
      ...(terminal ? { TrainingEndTime: job.ended } : {}),
      LastModifiedTime: time,
      Tags: Object.entries(job.tags).map(([Key, Value]) => ({ Key, Value })),
    },
  };
}

function describe(job: Job) {
  const training = Math.round((job.ended - job.started) / 1000);
  return {
    TrainingJobName: job.name,
    TrainingJobArn: arnOf(job.name),
    TrainingJobStatus: job.status,
    SecondaryStatus: job.status === 'Failed' ? 'Failed' : job.status,
    ...(job.failure ? { FailureReason: job.failure } : {}),
    RoleArn: job.role,
    ResourceConfig: {
      InstanceType: job.instanceType,
      InstanceCount: job.count,
      VolumeSizeInGB: 200,
      ...(job.keepAlive > 0 ? { KeepAlivePeriodInSeconds: job.keepAlive } : {}),
    },
    ...(job.pool ? { WarmPoolStatus: { Status: job.pool } } : {}),
    // The JSON wire format (and `aws sagemaker describe-training-job`) uses epoch seconds.
    CreationTime: job.created / 1000,
    TrainingStartTime: job.started / 1000,
    TrainingEndTime: job.ended / 1000,
    LastModifiedTime: job.ended / 1000,
    TrainingTimeInSeconds: training,
    BillableTimeInSeconds: job.spot ? Math.round(training * 0.35) : training,
    EnableManagedSpotTraining: job.spot ?? false,
    Tags: Object.entries(job.tags).map(([Key, Value]) => ({ Key, Value })),
  };
}

const lines: { time: number; event: object }[] = [];
for (const job of jobs) {
  const base = `${job.name}-${job.status.toLowerCase()}`;
  lines.push({
    time: job.started,
    event: event(job, 'InProgress', 'Training', job.started, `${job.name}-training`),
  });
  lines.push({ time: job.ended, event: event(job, job.status, job.status, job.ended, base) });
}
const sorted = lines.sort((a, b) => a.time - b.time).map((l) => l.event);
// EventBridge delivers duplicates and out of order: SageMaker sends the sweep's second
// Completed twice, and the second job's InProgress arrives after it finished.
const first = jobs[0];
const second = jobs[1];
if (first === undefined || second === undefined) throw new Error('jobs list is empty');
sorted.push(event(first, 'Completed', 'Completed', first.ended, `${first.name}-completed-again`));
const lateIndex = sorted.findIndex((e) => 'id' in e && e.id === `${second.name}-training`);
const [late] = sorted.splice(lateIndex, 1);
if (late !== undefined) sorted.push(late);

await rm('examples/events', { recursive: true, force: true });
await rm('examples/describe', { recursive: true, force: true });
await mkdir('examples/events', { recursive: true });
await mkdir('examples/describe', { recursive: true });
await writeFile(
  'examples/events/2026-11-24.vision-team.jsonl',
  `${sorted.map((e) => JSON.stringify(e)).join('\n')}\n`
);
for (const job of jobs) {
  await writeFile(
    `examples/describe/${job.name}.json`,
    `${JSON.stringify(describe(job), null, 2)}\n`
  );
}
console.log(`wrote ${sorted.length} events and ${jobs.length} describe answers`);
