import { access, mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { ConfiguredRetryStrategy } from '@smithy/core/retry';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { awsClientOptions } from '../../src/adapters/aws/client-options.js';
import {
  SdkTraceExportSource,
  type TraceExportSource,
} from '../../src/adapters/aws/trace-export-source.js';
import { main } from '../../src/cli/main.js';
import { createTraceCommand, type TraceCommandDeps } from '../../src/cli/trace-command.js';
import { DependencyError } from '../../src/domain/errors.js';
import type { Clock } from '../../src/domain/ports/clock.js';
import { readTrace } from '../../src/sim/trace/read-trace.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import {
  awsError,
  internalFailure,
  LoopbackAwsJson,
  throttling,
} from '../helpers/loopback-aws-json.js';
import { closeServer, listenOnLoopback, loopbackClientConfig } from '../helpers/loopback-http.js';
import { LoopbackSageMaker } from '../helpers/loopback-sagemaker.js';

const ACCOUNT = '111122223333';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/VisionTraining`;
/** Jobs are created a minute apart from here. */
const BASE = Date.UTC(2026, 2, 2, 9);
/** As the deployed client retries, without waiting between attempts. */
const MAX_ATTEMPTS = 4;

function arnOf(name: string): string {
  return `arn:aws:sagemaker:us-east-1:${ACCOUNT}:training-job/${name}`;
}

/** A finished job's DescribeTrainingJob answer on the JSON wire (times in epoch seconds). */
function finished(i: number): Record<string, unknown> {
  const created = BASE + i * 60_000;
  return {
    TrainingJobName: `job-${i}`,
    TrainingJobArn: arnOf(`job-${i}`),
    TrainingJobStatus: i % 10 === 9 ? 'Failed' : 'Completed',
    RoleArn: ROLE,
    AlgorithmSpecification: {
      TrainingImage: 'pytorch-training:2.3',
      TrainingInputMode: i % 2 === 0 ? 'FastFile' : 'File',
    },
    ResourceConfig: {
      InstanceType: 'ml.g5.xlarge',
      InstanceCount: 1,
      VolumeSizeInGB: 50,
      KeepAlivePeriodInSeconds: 600,
    },
    CreationTime: created / 1000,
    TrainingStartTime: (created + 90_000) / 1000,
    TrainingEndTime: (created + 390_000) / 1000,
    LastModifiedTime: (created + 391_000) / 1000,
  };
}

function collector(isTTY = false) {
  let text = '';
  return {
    stream: { write: (chunk: string) => (text += chunk), isTTY },
    get text() {
      return text;
    },
  };
}

let dir: string;
let out: string;
let sagemaker: LoopbackSageMaker;
let clients: SageMakerClient[];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-trace-export-'));
  out = join(dir, 'trace.csv');
  clients = [];
  // SageMaker's own rate limits: an export that paces itself is never throttled.
  sagemaker = await LoopbackSageMaker.start({
    rateLimits: { ListTrainingJobs: 2, DescribeTrainingJob: 10, ListTags: 10 },
  });
});

afterEach(async () => {
  for (const client of clients) client.destroy();
  await sagemaker.stop();
});

function sdkClient(endpoint: string): SageMakerClient {
  const client = new SageMakerClient({
    ...loopbackClientConfig(endpoint),
    retryStrategy: new ConfiguredRetryStrategy(MAX_ATTEMPTS, () => 0),
  });
  clients.push(client);
  return client;
}

/** The command wired to a loopback endpoint and a clock; `wrap` may decorate the source. */
function depsFor(
  endpoint: string,
  clock: Clock,
  wrap: (source: TraceExportSource) => TraceExportSource = (s) => s
): TraceCommandDeps {
  return {
    clock,
    openSource: () => ({
      source: wrap(new SdkTraceExportSource(sdkClient(endpoint), clock)),
      close: () => undefined,
    }),
  };
}

async function run(argv: string[], deps: TraceCommandDeps, tty = false) {
  const stdout = collector();
  const stderr = collector(tty);
  const code = await createTraceCommand(deps)(argv, {
    stdout: stdout.stream,
    stderr: stderr.stream,
  });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A run that is expected to fail: its error, and what it wrote to stderr before failing. */
async function attempt(argv: string[], deps: TraceCommandDeps) {
  const stderr = collector();
  const error = await createTraceCommand(deps)(argv, {
    stdout: collector().stream,
    stderr: stderr.stream,
  }).then(
    () => undefined,
    (e: unknown) => e
  );
  return { error, stderr: stderr.text };
}

function loadJobs(count: number): void {
  for (let i = 0; i < count; i++) {
    sagemaker.addJob(finished(i), [
      { Key: 'warden:owner', Value: `user${i % 3}@example.com` },
      { Key: 'team', Value: 'vision' },
    ]);
  }
}

/** The checkpoint an export of `days` days, stopped before its first page, leaves beside `out`. */
async function writeCheckpoint(
  days: number,
  createdBefore: number,
  region: string | null = null
): Promise<void> {
  const checkpoint = {
    version: 1,
    days,
    region,
    createdAfter: 0,
    createdBefore,
    pageToken: null,
    listed: 0,
  };
  await writeFile(`${out}.checkpoint.json`, JSON.stringify(checkpoint));
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false
  );
}

describe('warden trace export', () => {
  it('exports a tag named __proto__, which SageMaker allows, and reads it back', async () => {
    sagemaker.addJob(finished(0), [
      { Key: '__proto__', Value: 'x' },
      { Key: 'team', Value: 'vision' },
    ]);

    const result = await run(
      ['export', '--days', '14', '--out', out],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    );

    expect(result.code).toBe(0);
    const [job] = (await readTrace(out)).jobs;
    expect(Object.entries(job?.tags ?? {})).toEqual([
      ['__proto__', 'x'],
      ['team', 'vision'],
    ]);
  });

  it('exports every finished job of the window as a trace read-trace accepts', async () => {
    // Prepare: 230 finished jobs (three pages), one still running, one that never started.
    loadJobs(230);
    sagemaker.addJob({
      ...finished(230),
      TrainingJobStatus: 'InProgress',
      TrainingEndTime: undefined,
      LastModifiedTime: undefined,
    });
    sagemaker.addJob({
      ...finished(231),
      TrainingJobStatus: 'Failed',
      TrainingStartTime: undefined,
      TrainingEndTime: undefined,
    });
    const started = sagemaker.clock.now();

    // Act
    const result = await run(
      ['export', '--days', '14', '--out', out],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `exported 230 jobs created in the last 14 days to ${out} (232 listed; skipped 1 still running, 1 never started, 0 deleted meanwhile, 0 unreadable)\n`
    );
    const trace = await readTrace(out);
    expect(trace.jobs).toHaveLength(230);
    const { line: _, ...first } = trace.jobs[0] ?? { line: 0 };
    expect(first).toEqual({
      submitTime: BASE,
      durationMs: 300_000,
      key: `role=${ROLE}|type=ml.g5.xlarge|count=1|volume=50|kms=-|subnets=|sgs=|isolation=false|encryption=false`,
      instanceType: 'ml.g5.xlarge',
      instanceCount: 1,
      owner: 'user0@example.com',
      team: 'vision',
      account: ACCOUNT,
      tags: { 'warden:owner': 'user0@example.com', team: 'vision' },
      inputMode: 'ffm',
      keepAliveMs: 600_000,
    });
    const [list] = sagemaker.service.callsTo('ListTrainingJobs');
    expect(list?.input).toEqual({
      CreationTimeAfter: (started - 14 * 86_400_000) / 1000,
      CreationTimeBefore: started / 1000,
      SortBy: 'CreationTime',
      SortOrder: 'Ascending',
      MaxResults: 100,
    });
    // Paced under SageMaker's limits: three pages, no throttled call, no retry.
    expect(sagemaker.service.callsTo('ListTrainingJobs')).toHaveLength(3);
    expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(232);
    expect(sagemaker.service.callsTo('ListTags')).toHaveLength(230);
    expect(sagemaker.clock.now() - started).toBeGreaterThanOrEqual(((232 + 230 - 1) / 8) * 1000);
    expect(await exists(`${out}.checkpoint.json`)).toBe(false);
    expect(await exists(`${out}.partial.jsonl`)).toBe(false);
  });

  it('continues where it stopped when run again with --resume after SageMaker failed', async () => {
    // Prepare: SageMaker fails for good on the 150th describe, past every retry.
    loadJobs(230);
    let describes = 0;
    const failing = depsFor(sagemaker.endpoint, sagemaker.clock, (source) => ({
      listPage: (...args) => source.listPage(...args),
      listTags: (arn) => source.listTags(arn),
      describe: (name) => {
        describes += 1;
        if (describes === 150) {
          sagemaker.service.fail(
            'DescribeTrainingJob',
            ...Array.from({ length: MAX_ATTEMPTS }, internalFailure)
          );
        }
        return source.describe(name);
      },
    }));

    // Act
    const stopped = await attempt(['export', '--days', '14', '--out', out], failing);
    const refused = await run(
      ['export', '--days', '14', '--out', out],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    ).catch((error: unknown) => error);
    sagemaker.service.reset();
    const resumed = await run(
      ['export', '--days', '14', '--out', out, '--resume'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    );

    // Assess
    expect(stopped.error).toMatchObject({ code: 'DEPENDENCY_FAILED' });
    expect(String((stopped.error as Error).message)).toMatch(
      /DescribeTrainingJob of \S+ failed: InternalFailure/
    );
    expect(stopped.stderr).toBe(
      'warden trace: stopped after 149 jobs; run again with --resume to continue\n'
    );
    expect(refused).toMatchObject({ code: 'USAGE' });
    expect(String((refused as Error).message)).toMatch(/pass --resume to continue it/);
    expect(resumed.code).toBe(0);
    // Only the second page onwards is listed again, and only the jobs not yet done described.
    expect(sagemaker.service.callsTo('ListTrainingJobs')).toHaveLength(2);
    expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(230 - 149);
    const trace = await readTrace(out);
    expect(trace.jobs.map((j) => j.submitTime)).toEqual(
      Array.from({ length: 230 }, (_, i) => BASE + i * 60_000)
    );
  });

  it('rides out a throttled ListTrainingJobs and empty pages that still carry a token', async () => {
    // Prepare: a service whose listing starts with an empty page, as filtered listings do.
    const pages: Record<string, { names: string[]; next?: string }> = {
      '': { names: [], next: 'p2' },
      p2: { names: ['a', 'b'], next: 'p3' },
      p3: { names: [], next: 'p4' },
      p4: { names: ['c'] },
    };
    const service = await LoopbackAwsJson.start('SageMaker', {
      ListTrainingJobs: (input) => {
        const page = pages[String(input.NextToken ?? '')];
        if (page === undefined) return awsError(400, 'ValidationException', 'Invalid token');
        return {
          status: 200,
          body: {
            TrainingJobSummaries: page.names.map((name, i) => ({
              TrainingJobName: name,
              TrainingJobArn: arnOf(name),
              CreationTime: BASE / 1000 + i,
              TrainingJobStatus: 'Completed',
            })),
            ...(page.next === undefined ? {} : { NextToken: page.next }),
          },
        };
      },
      DescribeTrainingJob: (input) => {
        const i = { a: 0, b: 1, c: 2 }[String(input.TrainingJobName)] ?? 0;
        return {
          status: 200,
          body: {
            ...finished(i),
            TrainingJobName: input.TrainingJobName,
            TrainingJobArn: arnOf(String(input.TrainingJobName)),
          },
        };
      },
      ListTags: () => ({ status: 200, body: { Tags: [] } }),
    });
    service.fail('ListTrainingJobs', throttling());
    const stderr = collector(true);

    try {
      // Act: an hour on, so the jobs (created a minute apart from BASE) are in the window
      const code = await createTraceCommand(
        depsFor(service.endpoint, new VirtualClock(BASE + 3_600_000))
      )(['export', '--days', '3', '--out', join(dir, 'small.jsonl')], {
        stdout: collector().stream,
        stderr: stderr.stream,
      });

      // Assess
      expect(code).toBe(0);
      expect(service.callsTo('ListTrainingJobs').map((c) => c.input.NextToken)).toEqual([
        undefined,
        undefined,
        'p2',
        'p3',
        'p4',
      ]);
      expect((await readTrace(join(dir, 'small.jsonl'))).jobs).toHaveLength(3);
      expect(stderr.text).toContain('exporting: 3 done / 3 listed');
    } finally {
      await service.stop();
    }
  });

  it('stops, resumable, when ListTrainingJobs hands back a page token it gave before', async () => {
    // Prepare: a listing whose second page points back at itself.
    const service = await LoopbackAwsJson.start('SageMaker', {
      ListTrainingJobs: (input) => ({
        status: 200,
        body: {
          TrainingJobSummaries:
            input.NextToken === undefined
              ? [{ TrainingJobName: 'a', TrainingJobArn: arnOf('a'), CreationTime: BASE / 1000 }]
              : [],
          NextToken: 'SAME',
        },
      }),
      DescribeTrainingJob: () => ({ status: 200, body: { ...finished(0), TrainingJobName: 'a' } }),
      ListTags: () => ({ status: 200, body: { Tags: [] } }),
    });

    try {
      // Act
      const error = await run(
        ['export', '--days', '3', '--out', out],
        depsFor(service.endpoint, new VirtualClock(BASE))
      ).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as Error).message).toBe(
        'SageMaker: ListTrainingJobs answered a page token it had already given (after 1 job listed): stopping rather than reading the same pages forever'
      );
      expect(service.callsTo('ListTrainingJobs')).toHaveLength(2);
      expect(await exists(`${out}.checkpoint.json`)).toBe(true);
    } finally {
      await service.stop();
    }
  });

  it('names each unreadable job and why, and says how far it got without a terminal', async () => {
    // Prepare: 501 finished jobs, two of them answered without what a row needs.
    loadJobs(499);
    const { InstanceCount: _, ...noCount } = finished(499).ResourceConfig as Record<
      string,
      unknown
    >;
    sagemaker.addJob({ ...finished(499), ResourceConfig: noCount });
    sagemaker.addJob({ ...finished(500), TrainingEndTime: undefined });

    // Act
    const result = await run(
      ['export', '--days', '14', '--out', out],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    );

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      '(501 listed; skipped 0 still running, 0 never started, 0 deleted meanwhile, 2 unreadable)'
    );
    expect(result.stderr).toBe(
      'exporting: 500 done / 500 listed\n' +
        'unreadable: job-499: no ResourceConfig.InstanceCount\n' +
        'unreadable: job-500: no TrainingEndTime\n'
    );
  });

  it('leaves out, counts and names each job its trace reader would refuse or the window excludes', async () => {
    // Prepare: SageMaker filters the listing by the window; here the listing ignores the filter,
    // and answers a job of 1998, one a month before the window, and one that ran 40,000,000 s.
    const at = (i: number, created: number, runSeconds = 300) => ({
      ...finished(i),
      CreationTime: created / 1000,
      TrainingStartTime: created / 1000 + 90,
      TrainingEndTime: created / 1000 + 90 + runSeconds,
      LastModifiedTime: created / 1000 + 91 + runSeconds,
    });
    sagemaker.addJob(at(0, Date.UTC(1998, 0, 1)));
    sagemaker.addJob(at(1, BASE - 30 * 86_400_000));
    sagemaker.addJob(at(2, BASE, 40_000_000));
    sagemaker.addJob(finished(3));
    const unfiltered = depsFor(sagemaker.endpoint, new VirtualClock(BASE + 86_400_000), (s) => ({
      listPage: (_after, before, token) => s.listPage(0, before, token),
      describe: (name) => s.describe(name),
      listTags: (arn) => s.listTags(arn),
    }));

    // Act
    const result = await run(['export', '--days', '7', '--out', out], unfiltered);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `exported 1 job created in the last 7 days to ${out} (4 listed; skipped 0 still running, 0 never started, 0 deleted meanwhile, 3 unreadable)\n`
    );
    expect(result.stderr).toBe(
      'unreadable: job-0: CreationTime 1998-01-01T00:00:00.000Z is before 2000-01-01, the earliest job time a trace takes\n' +
        'unreadable: job-1: CreationTime 2026-01-31T09:00:00.000Z is outside the window exported (2026-02-24T09:00:00.000Z to 2026-03-03T09:00:00.000Z)\n' +
        'unreadable: job-2: TrainingEndTime is 40000000 s after TrainingStartTime, longer than a trace takes (366 days)\n'
    );
    expect((await readTrace(out)).jobs.map((j) => j.submitTime)).toEqual([BASE + 3 * 60_000]);
    expect(sagemaker.service.callsTo('ListTags')).toHaveLength(1);
  });

  it('takes jobs created at either edge of the window, counts one deleted meanwhile, and names 20 unreadable jobs before counting the rest', async () => {
    // Prepare: a one-day window ending at NOW, with a listing that ignores its filter: jobs at
    // both edges, a second outside each, 22 from 1998, and one deleted before it is described.
    // A SageMaker without rate limits: the clock of this export stands still.
    const NOW = BASE + 86_400_000;
    const open = await LoopbackSageMaker.start();
    const at = (name: string, created: number) => ({
      ...finished(0),
      TrainingJobName: name,
      TrainingJobArn: arnOf(name),
      CreationTime: created / 1000,
      TrainingStartTime: created / 1000 + 90,
      TrainingEndTime: created / 1000 + 390,
      LastModifiedTime: created / 1000 + 391,
    });
    open.addJob(at('first', BASE));
    open.addJob(at('last', NOW));
    open.addJob(at('early', BASE - 1000));
    open.addJob(at('late', NOW + 1000));
    for (let i = 0; i < 22; i++) open.addJob(at(`old-${i}`, Date.UTC(1998, 0, 1 + i)));
    open.addJob(at('deleted', BASE + 60_000));
    const unfiltered = depsFor(open.endpoint, new VirtualClock(NOW), (s) => ({
      listPage: (_after, before, token) => s.listPage(0, before + 3_600_000, token),
      describe: (name) => (name === 'deleted' ? Promise.resolve(undefined) : s.describe(name)),
      listTags: (arn) => s.listTags(arn),
    }));

    // Act
    const result = await run(['export', '--days', '1', '--out', out], unfiltered).finally(() =>
      open.stop()
    );

    // Assess
    expect(result.stdout).toBe(
      `exported 2 jobs created in the last 1 day to ${out} (27 listed; skipped 0 still running, 0 never started, 1 deleted meanwhile, 24 unreadable)\n`
    );
    const shown = result.stderr.split('\n').filter((line) => line.startsWith('unreadable: '));
    expect(shown).toHaveLength(21);
    expect(new Set(shown).size).toBe(21);
    expect(shown[20]).toBe('unreadable: … and 4 more');
    expect((await readTrace(out)).jobs.map((j) => j.submitTime)).toEqual([BASE, NOW]);
  });

  it('says a window without a finished job gives an empty trace', async () => {
    const result = await run(
      ['export', '--days', '2', '--out', out],
      depsFor(sagemaker.endpoint, new VirtualClock(BASE))
    );

    expect(result.stdout).toBe(
      `exported 0 jobs created in the last 2 days to ${out} (0 listed; skipped 0 still running, 0 never started, 0 deleted meanwhile, 0 unreadable); no finished job in the window, so the trace is empty\n`
    );
  });

  it("says in one line that an answer was not SageMaker's JSON, with its HTTP status", async () => {
    // Prepare: a proxy in the way answers every call with an HTML error page.
    const server = createServer((_, response) => {
      response.writeHead(502, { 'content-type': 'text/html' });
      response.end('<html><body>Bad Gateway</body></html>');
    });
    const endpoint = await listenOnLoopback(server);

    try {
      // Act
      const error = await run(
        ['export', '--days', '3', '--out', out],
        depsFor(endpoint, new VirtualClock(BASE))
      ).catch((e: unknown) => e);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message).not.toContain('$response');
      expect((error as Error).message).toMatch(
        /^SageMaker: ListTrainingJobs failed: .*\(HTTP 502, an answer that is not SageMaker's JSON\)$/
      );
    } finally {
      await closeServer(server);
    }
  });

  it('resumes only in the region the export began in, --region or AWS_REGION alike', async () => {
    // Prepare: an export begun with AWS_REGION=us-east-1 that stopped before its first page.
    await writeCheckpoint(14, BASE, 'us-east-1');
    loadJobs(3);
    const inRegion = (region: string | undefined) => ({
      ...depsFor(sagemaker.endpoint, sagemaker.clock),
      envRegion: () => region,
    });

    // Act
    const elsewhere = await run(
      ['export', '--days', '14', '--out', out, '--resume'],
      inRegion('eu-west-1')
    ).catch((e: unknown) => e);
    const byFlag = await run(
      ['export', '--days', '14', '--out', out, '--resume', '--region', 'us-east-1'],
      inRegion(undefined)
    );

    // Assess
    expect((elsewhere as Error).message).toBe(
      `--resume: ${out}.checkpoint.json is an export of 14 days in us-east-1, not of 14 days in eu-west-1; pass the same --days and --region (or AWS_REGION)`
    );
    expect(byFlag.code).toBe(0);
  });

  it('refuses an --out whose folder cannot be written, before calling SageMaker', async () => {
    const error = await run(
      ['export', '--days', '3', '--out', '/proc/trace.csv'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({ code: 'USAGE' });
    expect((error as Error).message).toMatch(
      /^--out \/proc\/trace\.csv: cannot write its checkpoint beside it \(E[A-Z]+\)$/
    );
    expect(sagemaker.service.calls).toEqual([]);
  });

  it('refuses to resume when its progress file cannot be appended to, before calling SageMaker', async () => {
    // Prepare: a folder where the jobs done so far are listed
    loadJobs(2);
    await writeCheckpoint(14, sagemaker.clock.now());
    await mkdir(`${out}.partial.jsonl`);

    // Act
    const error = await run(
      ['export', '--days', '14', '--out', out, '--resume'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      code: 'USAGE',
      message: `--out ${out}.partial.jsonl: is a folder, not a file`,
    });
    expect(sagemaker.service.calls).toEqual([]);
  });

  it('refuses --resume without a checkpoint, a bad --days and an unknown output format', async () => {
    const deps = depsFor(sagemaker.endpoint, sagemaker.clock);
    const attempts = [
      ['export', '--days', '14', '--out', out, '--resume'],
      ['export', '--days', 'two', '--out', out],
      ['export', '--out', out],
      ['export', '--days', '14', '--out', join(dir, 'trace.xlsx')],
    ];

    const errors = await Promise.all(
      attempts.map((argv) => run(argv, deps).catch((error: unknown) => error))
    );

    expect(errors.map((e) => (e as { code?: string }).code)).toEqual([
      'USAGE',
      'USAGE',
      'USAGE',
      'USAGE',
    ]);
    expect(errors.map((e) => (e as Error).message.split('\n')[0])).toEqual([
      `--resume: no checkpoint ${out}.checkpoint.json to continue`,
      '--days must be a whole number from 1 to 3650, got "two"',
      'trace export needs --days N',
      `--out ${join(dir, 'trace.xlsx')}: use a .csv, .jsonl or .ndjson file name`,
    ]);
    expect(sagemaker.service.calls).toEqual([]);
  });

  it('leaves nothing to resume when the very first call is refused, so the same command runs again', async () => {
    // Prepare: the role may not list training jobs
    loadJobs(3);
    sagemaker.service.fail(
      'ListTrainingJobs',
      awsError(
        400,
        'AccessDeniedException',
        'not authorized to perform: sagemaker:ListTrainingJobs'
      )
    );
    const deps = depsFor(sagemaker.endpoint, sagemaker.clock);

    // Act
    const refused = await attempt(['export', '--days', '14', '--out', out], deps);
    const leftBehind = await exists(`${out}.checkpoint.json`);
    const again = await run(['export', '--days', '14', '--out', out], deps);

    // Assess
    expect(String(refused.error)).toContain('AccessDenied');
    expect(refused.stderr).toBe(
      'warden trace: nothing exported; once the problem below is fixed, run the same command again\n'
    );
    expect(leftBehind).toBe(false);
    expect(again.code).toBe(0);
    expect((await readTrace(out)).jobs).toHaveLength(3);
  });

  it('says how to give a region when the SDK has none (exit 2), leaving no checkpoint', async () => {
    // The SDK's own words when neither --region, AWS_REGION nor a profile names one.
    const noRegion = depsFor(sagemaker.endpoint, sagemaker.clock, (source) => ({
      ...source,
      listPage: () => Promise.reject(new Error('Region is missing')),
    }));

    const error = await run(['export', '--days', '14', '--out', out], noRegion).catch(
      (e: unknown) => e
    );

    expect(error).toMatchObject({
      code: 'USAGE',
      message: 'no AWS region: pass --region (e.g. --region eu-west-1) or set AWS_REGION',
    });
    expect(await exists(`${out}.checkpoint.json`)).toBe(false);
  });

  it('gives up on a SageMaker that never answers, with the deployed timeouts, leaving nothing', async () => {
    // Prepare: an endpoint that accepts every request and answers none
    const silent = createServer(() => undefined);
    const endpoint = await listenOnLoopback(silent);
    const client = new SageMakerClient({
      ...loopbackClientConfig(endpoint),
      ...awsClientOptions(150),
      maxAttempts: 2,
    });
    clients.push(client);
    const deps: TraceCommandDeps = {
      clock: sagemaker.clock,
      openSource: () => ({
        source: new SdkTraceExportSource(client, sagemaker.clock),
        close: () => undefined,
      }),
    };

    try {
      // Act
      const { error, stderr } = await attempt(['export', '--days', '14', '--out', out], deps);

      // Assess
      expect(error).toBeInstanceOf(DependencyError);
      // In one line, without the SDK's note of which package gave up
      expect((error as Error).message).toMatch(
        /^SageMaker: ListTrainingJobs failed: \w+: a request has exceeded the configured 150 ms requestTimeout\.$/
      );
      // One prefix, as on the error line the CLI prints under it
      expect(stderr).toContain('warden trace: nothing exported');
      expect(await exists(`${out}.checkpoint.json`)).toBe(false);
    } finally {
      await closeServer(silent);
    }
  });

  it('keeps the checkpoint when a resumed export fails before doing anything', async () => {
    // Prepare: an export killed during its first listing left only its checkpoint
    loadJobs(2);
    await writeCheckpoint(14, sagemaker.clock.now());
    sagemaker.service.fail(
      'ListTrainingJobs',
      ...Array.from({ length: MAX_ATTEMPTS }, internalFailure)
    );
    const deps = depsFor(sagemaker.endpoint, sagemaker.clock);
    const resume = ['export', '--days', '14', '--out', out, '--resume'];

    // Act
    const failed = await run(resume, deps).catch((e: unknown) => e);
    const again = await run(resume, deps);

    // Assess: "run it again with --resume" stays true advice
    expect(failed).toBeInstanceOf(Error);
    expect(again.code).toBe(0);
    expect((await readTrace(out)).jobs).toHaveLength(2);
  });

  it('takes every partition prefix of a region, eusc-de-east-1 too', async () => {
    loadJobs(1);

    const result = await run(
      ['export', '--days', '14', '--out', out, '--region', 'eusc-de-east-1'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    );

    expect(result.code).toBe(0);
  });

  it('refuses a --region that is no region before calling anyone or writing a checkpoint', async () => {
    const error = await run(
      ['export', '--days', '14', '--out', out, '--region', 'eu west 1'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    ).catch((e: unknown) => e);

    expect(error).toMatchObject({
      code: 'USAGE',
      message: '--region "eu west 1" is not an AWS region such as eu-west-1',
    });
    expect(sagemaker.service.calls).toEqual([]);
    expect(await exists(`${out}.checkpoint.json`)).toBe(false);
  });

  it.each(['', 'eu west 1'])(
    'refuses an AWS_REGION of %j the same way, naming it, when no --region is given',
    async (env) => {
      const error = await run(['export', '--days', '14', '--out', out], {
        ...depsFor(sagemaker.endpoint, sagemaker.clock),
        envRegion: () => env,
      }).catch((e: unknown) => e);

      expect(error).toMatchObject({
        code: 'USAGE',
        message: `AWS_REGION ${JSON.stringify(env)} is not an AWS region such as eu-west-1: set it to one, unset it, or pass --region`,
      });
      expect(sagemaker.service.calls).toEqual([]);
      expect(await exists(`${out}.checkpoint.json`)).toBe(false);
    }
  );

  it('resumes from a damaged progress file, redoing only the jobs it cannot take as done', async () => {
    // Prepare: six jobs; the progress file has job-0 as a row and job-1 as unreadable, each
    // listed twice, beside lines it cannot take: a row of an unknown input mode and a row
    // missing its instance type (job-2), a skip of no known reason (job-3), a row of the wrong shape (job-4), no name, not an
    // object, not JSON, and a torn last line
    loadJobs(6);
    await writeCheckpoint(14, sagemaker.clock.now());
    const row = {
      submitTime: BASE,
      durationMs: 300_000,
      key: 'k',
      instanceType: 'ml.g5.xlarge',
      instanceCount: 1,
    };
    const { instanceType: _, ...noType } = row;
    const lines = [
      { name: 'job-0', row },
      { name: 'job-1', skip: 'invalid', why: 'job-1: no TrainingEndTime' },
      { name: 'job-0', skip: 'gone' },
      { name: 'job-1', row },
      { name: 'job-2', row: { ...row, inputMode: 'lustre' } },
      { name: 'job-2', row: noType },
      { name: 'job-3', skip: 'lost' },
      { name: 'job-4', row: { ...row, tags: { team: 7 } } },
      { row },
      [1],
    ].map((line) => JSON.stringify(line));
    await writeFile(`${out}.partial.jsonl`, `${lines.join('\n')}\nnot json\n{"name":"job-5","ro`);

    // Act
    const result = await run(
      ['export', '--days', '14', '--out', out, '--resume'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    );

    // Assess: job-0 and job-1 stand as first written; the rest are described again
    expect(result.code).toBe(0);
    expect(sagemaker.service.callsTo('DescribeTrainingJob')).toHaveLength(4);
    expect(result.stdout).toContain(
      'exported 5 jobs created in the last 14 days to ' +
        `${out} (6 listed; skipped 0 still running, 0 never started, 0 deleted meanwhile, 1 unreadable)`
    );
    expect(result.stderr).toContain('unreadable: job-1: no TrainingEndTime\n');
    const trace = await readTrace(out);
    expect(trace.jobs.map((j) => [j.submitTime, j.key === 'k'])).toEqual([
      [BASE, true],
      ...[2, 3, 4, 5].map((i) => [BASE + i * 60_000, false]),
    ]);
  });

  it.each([
    ['not JSON', '{"version":1,'],
    ['not an object', '[1]'],
    ['another version', { version: 2 }],
    ['days as text', { days: '14' }],
    ['no createdAfter', { createdAfter: undefined }],
    ['createdBefore as text', { createdBefore: 'now' }],
    ['no listed count', { listed: undefined }],
    ['a page token that is a number', { pageToken: 3 }],
    ['a region that is a number', { region: 1 }],
  ])('refuses to resume from a checkpoint with %s, before calling SageMaker', async (_, damage) => {
    // Prepare
    const good = {
      version: 1,
      days: 14,
      region: null,
      createdAfter: 0,
      createdBefore: BASE,
      pageToken: null,
      listed: 0,
    };
    const file = `${out}.checkpoint.json`;
    await writeFile(
      file,
      typeof damage === 'string' ? damage : JSON.stringify({ ...good, ...damage })
    );

    // Act
    const error = await run(
      ['export', '--days', '14', '--out', out, '--resume'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    ).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({ code: 'USAGE' });
    expect((error as Error).message.split('\n')[0]).toBe(
      `--resume: ${file} is not a trace export checkpoint; delete it to start over`
    );
    expect(sagemaker.service.calls).toEqual([]);
  });

  it('refuses to resume an export of a different window', async () => {
    await writeCheckpoint(7, 1);

    const error = await run(
      ['export', '--days', '14', '--out', out, '--resume'],
      depsFor(sagemaker.endpoint, sagemaker.clock)
    ).catch((e: unknown) => e);

    expect((error as Error).message).toBe(
      `--resume: ${out}.checkpoint.json is an export of 7 days in the default region, not of 14 days in the default region; pass the same --days and --region (or AWS_REGION)`
    );
  });
});

describe('warden trace', () => {
  it('prints the usage of a subcommand on its --help, and on no subcommand fails to stderr', async () => {
    const help = collector();
    const bare = { stdout: collector(), stderr: collector() };

    const helpCode = await main(['trace', 'export', '--help'], {
      stdout: help.stream,
      stderr: collector().stream,
    });
    const bareCode = await main(['trace'], {
      stdout: bare.stdout.stream,
      stderr: bare.stderr.stream,
    });

    expect(helpCode).toBe(0);
    expect(help.text).toMatch(/^usage: warden trace export --days N/);
    expect(bareCode).toBe(2);
    expect(bare.stdout.text).toBe('');
    expect(bare.stderr.text).toMatch(/^warden trace: trace needs export or scenario/);
  });

  it('prints its usage on --help and exits 0', async () => {
    const stdout = collector();

    const code = await main(['trace', '--help'], {
      stdout: stdout.stream,
      stderr: collector().stream,
    });

    expect(code).toBe(0);
    expect(stdout.text).toMatch(/^usage: warden trace export --days N/);
  });
});

describe('warden trace scenario', () => {
  it('writes a built-in scenario that reads back, through the warden entry point', async () => {
    const file = join(dir, 'hpo.jsonl');
    const stdout = collector();

    const code = await main(
      ['trace', 'scenario', 'hpo', '--days', '7', '--seed', '4', '--out', file],
      {
        stdout: stdout.stream,
        stderr: collector().stream,
      }
    );

    expect(code).toBe(0);
    const trace = await readTrace(file);
    expect(stdout.text).toBe(
      `wrote ${trace.jobs.length} jobs of scenario:hpo(seed=4,days=7) to ${file}\n`
    );
    expect(await readFile(file, 'utf8')).toMatch(/^\{"submit_time":"2026-03-0/);
  });

  it('exits 2 on an unknown scenario', async () => {
    const stderr = collector();

    const code = await main(['trace', 'scenario', 'nightly', '--out', join(dir, 'x.csv')], {
      stdout: collector().stream,
      stderr: stderr.stream,
    });

    expect(code).toBe(2);
    expect(stderr.text).toMatch(
      /^warden trace: trace scenario needs one of interactive, hpo, batch, mixed \("nightly" is none\)/
    );
  });

  it('names a misspelt scenario with the one it most likely meant, and two as too many', async () => {
    const run = async (...words: string[]) => {
      const stderr = collector();
      await main(['trace', 'scenario', ...words], {
        stdout: collector().stream,
        stderr: stderr.stream,
      });
      return stderr.text.split('\n')[0];
    };

    expect(await run('mixd')).toBe(
      'warden trace: trace scenario needs one of interactive, hpo, batch, mixed ("mixd" is none; did you mean mixed?)'
    );
    expect(await run('hpo', 'mixed')).toBe(
      'warden trace: trace scenario needs one of interactive, hpo, batch, mixed (one scenario, not 2)'
    );
  });
});
