import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/admin-cli.js';
import { EXAMPLE_CONFIG, EXAMPLE_DESCRIBE } from '../helpers/replayed-state.js';

/** A p4d fine-tune tagged project=llm: the example policy's second rule (mode off) takes it. */
const LLAMA = join(EXAMPLE_DESCRIBE, 'llama-8b-sft-v3.json');
/** A vision g5 job: the third rule (adaptive, Berlin working hours) takes it. */
const RESNET = join(EXAMPLE_DESCRIBE, 'resnet-sweep-001.json');

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-explain-'));
});

function explain(...argv: string[]) {
  return runCli(['policy', 'explain', '--config', EXAMPLE_CONFIG, ...argv]);
}

/** The printed line that starts with `label`. */
function line(stdout: string, label: string): string | undefined {
  return stdout.split('\n').find((l) => l.startsWith(label));
}

describe('warden policy explain', () => {
  it('shows the second rule matching, why the first did not, and what the steward does', async () => {
    // Act
    const { code, stdout, stderr } = await explain('--job', LLAMA);

    // Assess
    expect([code, stderr]).toEqual([0, '']);
    expect(stdout).toBe(
      [
        'job       llama-8b-sft-v3 (Stopped), ended 2026-11-24 14:52 Europe/Berlin',
        'owner     alice (tag warden:owner)',
        'team      vision',
        'pool      ml.p4d.24xlarge×2, key f62bb2e160a73be7, keep-alive 1h, expires 2026-11-24 15:52',
        'price     $30.50 per instance-hour (config)',
        'history   none (--gaps): adaptive rules use the break-even keep-alive',
        'rules     first match wins',
        '  1       vision-nightly-eval       no        owner "alice" does not match',
        '  2       llm-by-hand               MATCH     { tags: { project: llm } }',
        '  3       vision-gpu-working-hours  no        instanceType "ml.p4d.24xlarge" does not match',
        'decision  at 2026-11-24 14:53 Europe/Berlin: keep until 2026-11-24 15:52 (rule llm-by-hand)',
        'reason    rule llm-by-hand is off',
        'send      nothing (a keep leaves the keep-alive as it is)',
        '',
      ].join('\n')
    );
  });

  it('gives the break-even extension and the seconds to send when the key has no history', async () => {
    const { code, stdout } = await explain('--job', RESNET);

    expect(code).toBe(0);
    expect(line(stdout, '  3')).toContain('vision-gpu-working-hours  MATCH');
    expect(line(stdout, 'decision')).toBe(
      'decision  at 2026-11-24 10:42 Europe/Berlin: extend until 2026-11-24 11:41 (rule vision-gpu-working-hours)'
    );
    expect(line(stdout, 'send')).toBe(
      'send      KeepAlivePeriodInSeconds=3600 (counted from the job end: expires 2026-11-24 11:41)'
    );
    expect(line(stdout, 'note')).toContain('has a budget, not checked here');
  });

  it('decides from the --gaps history instead of break-even, and sends what makes its target', async () => {
    // Act
    const none = await explain('--job', RESNET);
    const gaps = await explain('--job', RESNET, '--gaps', '5m,7m,3m,6m,4m');

    // Assess
    expect(gaps.code).toBe(0);
    expect(line(gaps.stdout, 'history')).toBe('history   5 gaps: 5m, 7m, 3m, 6m, 4m');
    expect(line(none.stdout, 'reason')).toContain('too little history for this key');
    expect(line(gaps.stdout, 'reason')).toMatch(/^reason {4}adaptive: /);
    expect(line(gaps.stdout, 'reason')).not.toContain('too little history');
    // The seconds sent end the pool exactly at the decided time (job-end anchor, 10:41 Berlin).
    const until = /until 2026-11-24 (\d\d:\d\d)/.exec(line(gaps.stdout, 'decision') ?? '')?.[1];
    const sent =
      /KeepAlivePeriodInSeconds=(\d+) \(counted from the job end: expires 2026-11-24 (\d\d:\d\d)\)/.exec(
        line(gaps.stdout, 'send') ?? ''
      );
    expect(sent?.[2]).toBe(until);
    const [hours, minutes] = (until ?? '').split(':').map(Number);
    expect(Number(sent?.[1])).toBe(((hours ?? 0) * 60 + (minutes ?? 0) - (10 * 60 + 41)) * 60);
  });

  it('decides at --at, given as ISO 8601 or as time after the job ended', async () => {
    // Act
    const iso = await explain('--job', RESNET, '--at', '2026-11-24T09:51Z');
    const after = await explain('--job', RESNET, '--at', '10m');
    const expired = await explain('--job', RESNET, '--at', '2h');

    // Assess
    expect(line(iso.stdout, 'decision')).toMatch(
      /^decision {2}at 2026-11-24 10:51 Europe\/Berlin: /
    );
    expect(line(after.stdout, 'decision')).toBe(line(iso.stdout, 'decision'));
    expect(line(expired.stdout, 'reason')).toBe('reason    the pool has already expired');
  });

  it('finds the owner through the role map when the answer has no Tags', async () => {
    // Prepare
    const answer = JSON.parse(await readFile(RESNET, 'utf8'));
    delete answer.Tags;
    const file = join(dir, 'untagged.json');
    await writeFile(file, JSON.stringify(answer));

    // Act
    const { code, stdout } = await explain('--job', file);

    // Assess
    expect(code).toBe(0);
    expect(line(stdout, 'owner')).toBe('owner     vision (role map)');
    expect(line(stdout, '  2')).toContain('no        tags.project: the job has no such tag');
  });

  it('exits 1 when the job has no Available warm pool', async () => {
    const { code, stderr } = await explain(
      '--job',
      join(EXAMPLE_DESCRIBE, 'bert-finetune-qa.json')
    );

    expect(code).toBe(1);
    expect(stderr).toBe(
      'warden policy explain: no warm pool to decide on: warm pool status is missing\n'
    );
  });

  it('exits 2 for bad flags, a folder of answers and a broken answer', async () => {
    // Prepare
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{"TrainingJobName": "x"}');

    // Act
    const cases = await Promise.all([
      explain(),
      explain('--job', RESNET, '--gaps', '5m,,3m'),
      explain('--job', RESNET, '--at', 'teatime'),
      explain('--job', RESNET, '--at', '1999-01-01T00:00Z'),
      explain('--job', EXAMPLE_DESCRIBE),
      explain('--job', broken),
      explain('--job', join(dir, 'absent.json')),
      runCli(['policy', 'explain', '--job', RESNET, '--config', join(dir, 'absent.yaml')]),
    ]);

    // Assess
    expect(cases.map((c) => c.code)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    expect(cases[0]?.stderr).toContain('policy explain needs --job DESCRIBE.json');
    expect(cases[1]?.stderr).toContain('--gaps: "" is not a duration');
    expect(cases[2]?.stderr).toContain('--at "teatime" is neither an ISO 8601 time');
    expect(cases[3]?.stderr).toContain(
      '--at "1999-01-01T00:00Z" is before the job ended (2026-11-24T09:41:00.000Z): a warm pool exists only after its job'
    );
    expect(cases[4]?.stderr).toContain('needs exactly one DescribeTrainingJob answer');
    expect(cases[5]?.stderr).toContain(
      `describe fixture ${broken}: DescribeTrainingJob.TrainingJobArn is missing`
    );
    expect(cases[6]?.stderr).toContain(join(dir, 'absent.json'));
    expect(cases[7]?.stderr).toContain(`${join(dir, 'absent.yaml')}: file not found`);
  });
});
