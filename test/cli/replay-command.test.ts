import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import {
  AWS_DOCS_SAMPLE,
  describeAnswer,
  stateChangeEvent,
  TEAM_CONFIG_YAML,
} from '../helpers/factories.js';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures');
const SAMPLE = join(FIXTURES, AWS_DOCS_SAMPLE);

function collector(isTTY = false) {
  let text = '';
  return {
    stream: { write: (chunk: string) => (text += chunk), isTTY },
    get text() {
      return text;
    },
  };
}

/** `warden replay --json` with the fallback-only config and the test's outbox. */
function runJson(...paths: string[]) {
  return run(['replay', '--json', '--config', fallbackOnly, '--outbox', outbox, ...paths]);
}

async function run(argv: string[]) {
  const stdout = collector();
  const stderr = collector();
  const code = await main(argv, { stdout: stdout.stream, stderr: stderr.stream });
  return {
    code,
    stdout: stdout.text,
    stderr: stderr.text,
    lines: stdout.text.trim().split('\n').filter(Boolean),
  };
}

let dir: string;
let outbox: string;
/** A config whose only contact is the fallback, so results do not depend on the cwd's config. */
let fallbackOnly: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-replay-'));
  outbox = join(dir, 'outbox');
  fallbackOnly = join(dir, 'fallback-only.yaml');
  await writeFile(fallbackOnly, 'version: 1\nowners:\n  fallback: unowned@example.com\n');
});

describe('warden replay', () => {
  it('prints one notice for the AWS docs sample', async () => {
    const { code, lines } = await runJson(SAMPLE);

    expect(code).toBe(0);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        kind: 'notice',
        job: '89c96cc8-dded-4739-afcc-6f1dc936701d',
        status: 'Completed',
        owner: 'unowned@example.com',
        channels: ['email'],
      },
    ]);
  });

  it('still prints one notice when the sample is replayed twice', async () => {
    const { code, lines } = await runJson(SAMPLE, SAMPLE);

    expect(code).toBe(0);
    expect(lines.map((l) => JSON.parse(l).kind)).toEqual(['notice', 'ignored']);
    expect(JSON.parse(lines[1] ?? '')).toEqual({
      kind: 'ignored',
      job: '89c96cc8-dded-4739-afcc-6f1dc936701d',
      reason: 'duplicate: Completed notice already sent',
    });
  });

  it('rejects a broken file by name and line, processes its siblings, and exits 1', async () => {
    // Prepare
    const broken = join(dir, 'broken.json');
    await writeFile(broken, '{\n  "source": "aws.sagemaker",\n  "detail": \n');

    // Act
    const { code, lines } = await runJson(broken, SAMPLE);

    // Assess
    expect(code).toBe(1);
    const [rejected, notice] = lines.map((l) => JSON.parse(l));
    expect(rejected).toEqual({
      kind: 'rejected',
      source: `${broken}:4:1`,
      reason: 'invalid JSON: expected a value but the file ends',
    });
    expect(notice).toMatchObject({ kind: 'notice' });
  });

  it('names the line of a JSONL file whose event is malformed', async () => {
    const file = join(dir, 'day.jsonl');
    const lines = [
      JSON.stringify(stateChangeEvent()),
      '',
      JSON.stringify({ source: 'aws.ec2' }),
      '{oops',
    ];
    await writeFile(file, `${lines.join('\n')}\n`);

    const result = await runJson(file);

    expect(result.code).toBe(1);
    expect(result.lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ kind: 'notice', job: 'resnet-sweep-017' }),
      {
        kind: 'rejected',
        source: `${file}:3`,
        reason: 'source is "aws.ec2", expected "aws.sagemaker"',
      },
      {
        kind: 'rejected',
        source: `${file}:4:2`,
        reason: "invalid JSON: expected a field name in double quotes or } but found 'o'",
      },
    ]);
  });

  it('replays a folder in name order and ignores non-terminal events', async () => {
    const { lines } = await runJson(join(FIXTURES, 'events'));

    expect(lines.map((l) => JSON.parse(l))).toEqual([
      expect.objectContaining({ kind: 'notice', job: 'exp-42-lr-3e-4', status: 'Failed' }),
      { kind: 'ignored', job: 'exp-42-lr-3e-4', reason: 'non-terminal status InProgress' },
      expect.objectContaining({ kind: 'notice', job: '89c96cc8-dded-4739-afcc-6f1dc936701d' }),
    ]);
  });

  it('writes the notice to the outbox as .eml and Slack Block Kit, using a describe fixture', async () => {
    // Prepare
    const config = join(dir, 'warden.config.yaml');
    await writeFile(config, TEAM_CONFIG_YAML);
    const describeDir = join(dir, 'describe');
    await mkdir(describeDir);
    const event = stateChangeEvent();
    await writeFile(join(dir, 'event.json'), JSON.stringify(event));
    await writeFile(join(describeDir, 'resnet.json'), JSON.stringify(describeAnswer(event)));

    // Act
    const { code, stdout } = await run([
      'replay',
      '--outbox',
      outbox,
      '--config',
      config,
      '--describe',
      describeDir,
      join(dir, 'event.json'),
    ]);

    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('notice    resnet-sweep-017 Completed -> alice (email, slack)');
    expect((await readdir(outbox)).sort()).toEqual([
      'resnet-sweep-017-Completed.eml',
      'resnet-sweep-017-Completed.slack.json',
    ]);
    const eml = await readFile(join(outbox, 'resnet-sweep-017-Completed.eml'), 'utf8');
    expect(eml).toContain('To: alice@example.com\r\n');
    // alice is in Europe/Berlin: the pool expires 30 min after the 10:00 UTC end.
    expect(eml).toContain('Available until Thu 26 Nov, 11:30 CET (30m 00s left).');
    expect(eml).toContain('At risk:       $0.76 if nobody reuses the pool before it expires');
    const slack = JSON.parse(
      await readFile(join(outbox, 'resnet-sweep-017-Completed.slack.json'), 'utf8')
    );
    expect(slack.target).toEqual({ kind: 'user', id: 'U0ALICE01' });
    expect(slack.blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: 'Completed: resnet-sweep-017' },
    });
  });

  it('never sets its clock before what an event reports, whatever the event’s own time', async () => {
    // Prepare: the example's completion, as sent and re-dated to 1970 and to before the job ended
    const root = join(import.meta.dirname, '..', '..', 'examples');
    const line = (await readFile(join(root, 'events', '2026-11-24.vision-team.jsonl'), 'utf8'))
      .split('\n')
      .find((l) => l.includes('"resnet-sweep-001-completed"')) as string;
    const dated = async (name: string, time: string) => {
      const file = join(dir, `${name}.json`);
      await writeFile(file, line.replace('"time":"2026-11-24T09:41:00Z"', `"time":"${time}"`));
      return file;
    };
    const replayAs = (file: string, out: string) =>
      run([
        'replay',
        '--json',
        '--config',
        join(root, 'warden.config.yaml'),
        '--describe',
        join(root, 'describe'),
        '--outbox',
        join(dir, out),
        file,
      ]);

    // Act
    const runs = [
      await replayAs(await dated('as-sent', '2026-11-24T09:41:00Z'), 'as-sent'),
      await replayAs(await dated('epoch', '1970-01-01T00:00:00Z'), 'epoch'),
      await replayAs(await dated('early', '2026-11-24T08:41:00Z'), 'early'),
    ];

    // Assess: the same decisions, at the same times, in all three
    const decisions = runs.map((r) =>
      r.lines.map((l) => JSON.parse(l) as { kind: string }).filter((o) => o.kind === 'decision')
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(decisions[0]?.length).toBeGreaterThan(0);
    expect(decisions[1]).toEqual(decisions[0]);
    expect(decisions[2]).toEqual(decisions[0]);
  });

  it('refuses a job two --describe paths answer differently, in either order, and takes a copy', async () => {
    // Prepare: one job in three folders: as answered, on another instance type, and reformatted.
    const event = stateChangeEvent();
    await writeFile(join(dir, 'event.json'), JSON.stringify(event));
    const answer = describeAnswer(event);
    const resources = answer.ResourceConfig as Record<string, unknown>;
    const other = { ...answer, ResourceConfig: { ...resources, InstanceType: 'ml.p5.48xlarge' } };
    const texts = {
      first: JSON.stringify(answer),
      other: JSON.stringify(other),
      copy: JSON.stringify(answer, null, 2),
    };
    for (const [folder, text] of Object.entries(texts)) {
      await mkdir(join(dir, folder));
      await writeFile(join(dir, folder, 'job.json'), text);
    }
    const replay = (...folders: string[]) =>
      runJson(...folders.flatMap((f) => ['--describe', join(dir, f)]), join(dir, 'event.json'));

    // Act
    const forward = await replay('first', 'other');
    const reverse = await replay('other', 'first');
    const same = await replay('first', 'copy');

    // Assess
    const differs = (later: string, earlier: string) =>
      `warden replay: describe fixture ${join(dir, later, 'job.json')}: job "${String(answer.TrainingJobName)}" is described differently in ${join(dir, earlier, 'job.json')}; keep one answer per job\n`;
    expect([forward.code, reverse.code, same.code]).toEqual([2, 2, 0]);
    expect(forward.stderr).toBe(differs('other', 'first'));
    expect(reverse.stderr).toBe(differs('first', 'other'));
    expect(forward.stdout).toBe('');
  });

  it('exits 2 with the usage when arguments are wrong', async () => {
    const unknownOption = await run(['replay', '--jsn', SAMPLE]);
    const noPath = await run(['replay']);
    const missingPath = await run(['replay', join(dir, 'nope.json')]);
    const unknownCommand = await run(['replya']);

    expect([unknownOption.code, noPath.code, missingPath.code, unknownCommand.code]).toEqual([
      2, 2, 2, 2,
    ]);
    expect(unknownOption.stderr.split('\n')[0]).toBe(
      'warden replay: unknown flag --jsn; did you mean --json?'
    );
    expect(noPath.stderr).toContain('replay needs at least one PATH');
    expect(missingPath.stderr).toContain(`no such file or folder: ${join(dir, 'nope.json')}`);
    expect(unknownCommand.stderr).toContain('unknown command "replya"');
  });

  it('exits 2 naming file and line when the config is invalid', async () => {
    const config = join(dir, 'bad.yaml');
    await writeFile(config, 'version: 1\nowners:\n  fallback: nobody\n');

    const { code, stderr } = await run(['replay', '--config', config, SAMPLE]);

    expect(code).toBe(2);
    expect(stderr).toContain(`${config}:3: owners.fallback: "nobody" is not a directory id`);
  });

  it('shows progress on a terminal for long replays', async () => {
    const file = join(dir, 'many.jsonl');
    const events = Array.from({ length: 25 }, (_, i) =>
      JSON.stringify(stateChangeEvent({ name: `job-${i}` }))
    );
    await writeFile(file, events.join('\n'));
    const stdout = collector();
    const stderr = collector(true);

    const code = await main(['replay', '--outbox', outbox, file], {
      stdout: stdout.stream,
      stderr: stderr.stream,
    });

    expect(code).toBe(0);
    expect(stderr.text).toContain('replaying 25/25');
    expect(stdout.text).toContain('25 inputs: 25 notices, 0 ignored, 0 rejected, 0 failed');
  });
});

describe('bin/warden.js', () => {
  it('runs replay as an installed command would', async () => {
    const bin = join(import.meta.dirname, '..', '..', 'bin', 'warden.js');

    const { stdout } = await promisify(execFile)(process.execPath, [
      bin,
      'replay',
      '--json',
      '--outbox',
      outbox,
      SAMPLE,
    ]);

    expect(JSON.parse(stdout)).toMatchObject({ kind: 'notice', status: 'Completed' });
  });
});
