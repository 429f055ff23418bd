import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { generateScenario } from '../../src/sim/trace/scenarios.js';

function collector(isTTY = false) {
  let text = '';
  return {
    stream: { write: (chunk: string) => (text += chunk), isTTY },
    get text() {
      return text;
    },
  };
}

async function run(argv: string[], tty = false) {
  const stdout = collector();
  const stderr = collector(tty);
  const code = await main(['simulate', ...argv], { stdout: stdout.stream, stderr: stderr.stream });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A small CSV trace: two fsx jobs of one key 5 min apart, one of them on an unpriced type. */
const CSV = `submit_time,duration_s,key,instance_type,instance_count,team,input_mode,keep_alive_s
2026-03-02T09:00:00Z,100,k,ml.m5.xlarge,1,vision,fsx,600
2026-03-02T09:08:56Z,100,k,ml.m5.xlarge,1,vision,fsx,
2026-03-02T12:00:00Z,100,q,ml.zz9.mega,1,nlp,,
`;

let dir: string;
let traceFile: string;
let configFile: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-simulate-'));
  traceFile = join(dir, 'jobs.csv');
  configFile = join(dir, 'warden.config.yaml');
  await writeFile(traceFile, CSV);
  await writeFile(
    configFile,
    'version: 1\nowners:\n  fallback: ops@example.com\nprices:\n  ml.m5.xlarge: 3.6\n  ml.zz9.mega: 1.2\n'
  );
});

describe('warden simulate', () => {
  it('prints a table, best first, stating the value of time', async () => {
    // Act
    const { code, stdout } = await run([
      '--scenario',
      'hpo',
      '--days',
      '2',
      '--policies',
      'none,fixed:10m,breakeven,oracle',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('value of time $100/h');
    const rows = stdout.split('\n').filter((line) => /^\s*\d+\s{2}\S/.test(line));
    expect(rows.map((r) => r.trim().split(/\s+/)[1])).toEqual([
      'oracle',
      'breakeven',
      'fixed:10m',
      'none',
    ]);
  });

  it('writes the documented JSON with the names as written', async () => {
    // Act
    const { code, stdout } = await run([
      '--trace',
      traceFile,
      '--config',
      configFile,
      '--policies',
      'requested,fixed:600s,oracle',
      '--value-of-time',
      '36',
      '--json',
    ]);
    // Assess
    expect(code).toBe(0);
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual(['trace', 'settings', 'policies']);
    expect(json.settings.valueOfTimeUsdPerHour).toBe(36);
    const names = json.policies.map((p: { name: string }) => p.name);
    expect(names.sort()).toEqual(['fixed:600s', 'oracle', 'requested']);
    const fixed = json.policies.find((p: { name: string }) => p.name === 'fixed:600s');
    // j1 keeps 600 s, j2 reuses it after 300 s and keeps 600 s; q's pool idles 600 s at $1.20/h.
    expect(fixed).toMatchObject({
      jobs: 3,
      coldStarts: 2,
      warmStarts: 1,
      idleInstanceSeconds: 1500,
    });
  });

  it('refuses a trace with an unpriced instance type, naming it', async () => {
    // Act
    const { code, stderr } = await run(['--trace', traceFile, '--policies', 'none']);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('ml.zz9.mega (first at line 4) has no price');
  });

  it('names the first line of the file with the unpriced type, not its earliest job', async () => {
    // Prepare: line 2 is submitted after line 4.
    await writeFile(
      traceFile,
      `submit_time,duration_s,key,instance_type,instance_count
2026-03-02T12:00:00Z,100,q,ml.zz9.mega,1
2026-03-02T09:00:00Z,100,k,ml.m5.xlarge,1
2026-03-02T10:00:00Z,100,q,ml.zz9.mega,1
`
    );
    // Act
    const { code, stderr } = await run(['--trace', traceFile, '--policies', 'none']);
    // Assess
    expect(code).toBe(2);
    expect(stderr).toContain('ml.zz9.mega (first at line 2) has no price');
  });

  it('makes no report folder for a run it refuses', async () => {
    // Act
    const { code } = await run(['--trace', traceFile, '--report', join(dir, 'new-report')]);
    // Assess
    expect(code).toBe(2);
    expect(await readdir(dir)).not.toContain('new-report');
  });

  it('writes an offline HTML report with SVG charts', async () => {
    // Prepare
    const reportDir = join(dir, 'report');
    // Act
    const { code, stderr } = await run([
      '--scenario',
      'batch',
      '--days',
      '2',
      '--policies',
      'none,fixed:10m,fixed:30m,oracle',
      '--report',
      reportDir,
    ]);
    // Assess
    expect(code).toBe(0);
    const html = await readFile(join(reportDir, 'simulate-report.html'), 'utf8');
    expect(html).toContain('<svg');
    expect(html).toContain('Total cost per team');
    expect(stderr).toContain('simulate-report.html');
  });

  it('shows a progress bar on a terminal only, filling as it goes, and clears it', async () => {
    // Act: a year of searches, about 48,000 jobs a run, so the engine reports more than once
    const argv = ['--scenario', 'hpo', '--days', '366', '--policies', 'none'];
    const tty = await run(argv, true);
    const pipe = await run(argv, false);
    // Assess: each frame redraws the line; every percent once, rising to a full bar
    const frames = tty.stderr.split('\r\x1b[K').filter((f) => f !== '');
    const shown = frames.map((f) => /^simulating \[([#.]{30})\] (\d+)%$/.exec(f));
    expect(shown.every((m) => m !== null)).toBe(true);
    const percents = shown.map((m) => Number(m?.[2]));
    expect(percents.length).toBeGreaterThan(2);
    expect(percents).toEqual([...new Set(percents)].sort((a, b) => a - b));
    for (const m of shown) {
      const filled = (m?.[1] ?? '').replace(/\./g, '').length;
      expect(Math.abs(filled - (30 * Number(m?.[2])) / 100)).toBeLessThanOrEqual(0.8);
    }
    expect(frames.at(-1)).toBe(`simulating [${'#'.repeat(30)}] 100%`);
    expect(tty.stderr.endsWith('\r\x1b[K')).toBe(true);
    expect(pipe.stderr).toBe('');
    expect(pipe.stdout).toBe(tty.stdout);
  });

  it('gives the same output for the same scenario and seed', async () => {
    // Act
    const argv = [
      '--scenario',
      'mixed',
      '--days',
      '2',
      '--seed',
      '5',
      '--json',
      '--latency',
      'seeded:3',
    ];
    const a = await run(argv);
    const b = await run(argv);
    // Assess
    expect(a.stdout).toBe(b.stdout);
  });

  it('shapes a scenario with --days and --seed', async () => {
    // Act
    const json = async (...argv: string[]) =>
      JSON.parse(
        (await run(['--scenario', 'batch', ...argv, '--policies', 'none', '--json'])).stdout
      );
    const oneDay = await json('--days', '1', '--seed', '4');
    const twoDays = await json('--days', '2', '--seed', '4');
    const otherSeed = await json('--days', '1', '--seed', '5');
    // Assess
    const jobs = (days: number, seed: number) =>
      generateScenario('batch', { days, seed }).jobs.length;
    expect([oneDay.trace.jobs, twoDays.trace.jobs, otherSeed.trace.jobs]).toEqual([
      jobs(1, 4),
      jobs(2, 4),
      jobs(1, 5),
    ]);
    expect(twoDays.trace.jobs).toBeGreaterThan(oneDay.trace.jobs);
    expect(otherSeed.policies[0].totalCostUsd).not.toBe(oneDay.policies[0].totalCostUsd);
  });

  it('runs with every setting its flags give, as the JSON shows', async () => {
    // Act: values at the edges each flag allows
    const settingsOf = async (...flags: string[]) => {
      const argv = ['--scenario', 'batch', '--days', '1', '--policies', 'none', '--json'];
      const { code, stdout } = await run([...argv, ...flags]);
      expect(code).toBe(0);
      return JSON.parse(stdout).settings;
    };
    const high = await settingsOf(
      '--value-of-time=1000000',
      '--cold-start-billed=3600',
      '--max-keep-alive=6h',
      '--anchor=update-time',
      '--latency=seeded:4294967295',
      '--quota=ml.m5.xlarge=0, ml.g5.xlarge=100000'
    );
    const low = await settingsOf(
      '--value-of-time=62.5',
      '--cold-start-billed=0',
      '--max-keep-alive=1m',
      '--latency=p90'
    );
    // Assess
    expect(high).toMatchObject({
      valueOfTimeUsdPerHour: 1_000_000,
      coldStartBilledSeconds: 3600,
      maxKeepAliveSeconds: 21_600,
      anchor: 'update-time',
      latency: 'seeded:4294967295',
      quota: { 'ml.m5.xlarge': 0, 'ml.g5.xlarge': 100_000 },
      oracleIgnoresQuota: true,
    });
    expect(low).toMatchObject({
      valueOfTimeUsdPerHour: 62.5,
      coldStartBilledSeconds: 0,
      maxKeepAliveSeconds: 60,
      anchor: 'job-end',
      latency: 'p90',
      quota: {},
    });
  });

  it.each([
    [
      ['--scenario', 'hpo', '--polices', 'none'],
      'unknown flag --polices; did you mean --policies?',
    ],
    [[], 'give a trace: --trace FILE or --scenario NAME'],
    [['--trace', 'x.csv', '--scenario', 'hpo'], 'give either --trace or --scenario, not both'],
    [['--scenario', 'hpq'], 'unknown scenario "hpq" (did you mean "hpo"?)'],
    [['--trace', 'x.csv', '--days', '3'], '--days and --seed shape a --scenario'],
    [['--scenario', 'hpo', '--days', '0'], '--days: "0" is not a whole number from 1 to 366'],
    [['--scenario', 'hpo', '--anchor', 'start'], '--anchor: "start" is not job-end or update-time'],
    [
      ['--scenario', 'hpo', '--max-keep-alive', '7h'],
      '--max-keep-alive: 7h must be whole seconds from 1m to 6h',
    ],
    [
      ['--scenario', 'hpo', '--max-keep-alive', 'long'],
      '--max-keep-alive: "long" is not a duration',
    ],
    [['--scenario', 'hpo', '--value-of-time=-5'], '--value-of-time: "-5" is not a number'],
    [['--scenario', 'hpo', '--quota', 'ml.g5.xlarge'], '--quota: "ml.g5.xlarge" is not TYPE=N'],
    [['--scenario', 'hpo', '--quota', 'g5=2'], '--quota: "g5" is not an instance type'],
    [
      ['--scenario', 'hpo', '--latency', 'random'],
      '--latency: "random" is not p90 or seeded:<seed>',
    ],
    [
      ['--scenario', 'hpo', '--policies', 'fixed:2h'],
      '"fixed:2h" is above the maximum keep-alive 1h',
    ],
    [
      ['--scenario', 'hpo', '--policies', 'orcale'],
      'unknown policy "orcale" (did you mean "oracle"?)',
    ],
    [['extra.csv'], 'unexpected argument "extra.csv" (give the trace as --trace FILE)'],
    [['--trace', ' '], '--trace needs a file name'],
    [['--scenario', 'hpo', '--seed', '4294967296'], '--seed: "4294967296" is not a whole number'],
    [['--scenario', 'hpo', '--days', '367'], '--days: "367" is not a whole number from 1 to 366'],
    [['--scenario', 'hpo', '--days', '1.5'], '--days: "1.5" is not a whole number'],
    [['--scenario', 'hpo', '--cold-start-billed', '3601'], '--cold-start-billed: "3601" is not'],
    [['--scenario', 'hpo', '--value-of-time', '1000000.5'], '--value-of-time: "1000000.5" is not'],
    [['--scenario', 'hpo', '--value-of-time', '1e3'], '--value-of-time: "1e3" is not'],
    [['--scenario', 'hpo', '--value-of-time', '1.'], '--value-of-time: "1." is not'],
    [
      ['--scenario', 'hpo', '--max-keep-alive', '59s'],
      '--max-keep-alive: 59s must be whole seconds',
    ],
    [['--scenario', 'hpo', '--max-keep-alive', '361m'], '--max-keep-alive: 361m must be whole'],
    [
      ['--scenario', 'hpo', '--quota', 'ml.g5.xlarge=1=2'],
      '--quota: "ml.g5.xlarge=1=2" is not TYPE=N',
    ],
    [
      ['--scenario', 'hpo', '--quota', 'ml.g5.xlarge=1,ml.g5.xlarge=2'],
      '--quota: ml.g5.xlarge is given twice',
    ],
    [
      ['--scenario', 'hpo', '--quota', 'ml.g5.xlarge=100001'],
      '--quota ml.g5.xlarge: "100001" is not a whole number from 0 to 100000',
    ],
    [
      ['--scenario', 'hpo', '--latency', 'seeded:4294967296'],
      '--latency: "seeded:4294967296" is not',
    ],
    [['--scenario', 'hpo', '--latency', 'seeded:'], '--latency: "seeded:" is not'],
    [['--scenario', 'hpo', '--latency', 'seeded:7x'], '--latency: "seeded:7x" is not'],
    [['--scenario', 'hpo', '--latency', 'my-seeded:7'], '--latency: "my-seeded:7" is not'],
    [['--scenario', 'hpo', '--outbox', 'o'], '--outbox and --state belong to --mode service'],
  ])('exits 2 with a clear message for %j', async (argv, message) => {
    // Act
    const { code, stdout, stderr } = await run(argv);
    // Assess
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain(message);
  });

  it('warns about a config rule the trace cannot evaluate, and uses the config prices', async () => {
    // Prepare
    const withRule = join(dir, 'rules.yaml');
    await writeFile(
      withRule,
      `${await readFile(configFile, 'utf8')}rules:\n  - name: llm\n    match: { tags: { project: llm } }\n    mode: off\n`
    );
    // Act
    const { code, stderr, stdout } = await run([
      '--trace',
      traceFile,
      '--config',
      withRule,
      '--policies',
      'none',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(stderr).toMatch(/warning: rule "llm" cannot be evaluated .*tag "project"/);
    expect(stdout).toContain('none');
    expect(stdout).toContain(
      "adaptive decides as the config's steward: cold-start wait 120 s (settings.coldStartWaitSeconds)"
    );
  });

  it('refuses a --max-keep-alive the config’s rules do not fit, as policy validate would', async () => {
    // Prepare: a fixed 40 minutes, within a rule's hour
    const fixed = join(dir, 'fixed.yaml');
    await writeFile(
      fixed,
      `${await readFile(configFile, 'utf8')}rules:\n  - name: steady\n    match: {}\n    mode: fixed\n    keepAlive: { max: 1h, fixed: 40m }\n`
    );
    const base = ['--trace', traceFile, '--config', fixed, '--policies', 'adaptive'];

    // Act
    const cut = await run([...base, '--max-keep-alive', '5m']);
    const raised = await run([...base, '--max-keep-alive', '2h']);

    // Assess: a rule cut to 5m would be another policy than the one deployed
    expect(cut.code).toBe(2);
    expect(cut.stderr).toContain(
      `--max-keep-alive 5m: ${fixed} does not fit it (as with settings.maxKeepAlive: 5m):\n  rules.0.keepAlive.max: 1h is above settings.maxKeepAlive (5m)`
    );
    expect(cut.stdout).toBe('');
    expect(raised.code).toBe(0);
  });

  it('gives every warning on stderr and in the JSON, none in the table', async () => {
    // Prepare: an unknown column (the trace's warning), a rule and a quota the trace cannot use.
    await writeFile(
      traceFile,
      'submit_time,duration_s,key,instance_type,instance_count,colour\n' +
        '2026-03-02T09:00:00Z,100,k,ml.m5.xlarge,1,red\n'
    );
    const withRule = join(dir, 'rules.yaml');
    await writeFile(
      withRule,
      `${await readFile(configFile, 'utf8')}rules:\n  - name: llm\n    match: { tags: { project: llm } }\n    mode: off\n`
    );
    const argv = ['--trace', traceFile, '--config', withRule, '--quota', 'ml.p5.48xlarge=8'];
    // Act
    const table = await run([...argv, '--policies', 'none']);
    const json = await run([...argv, '--policies', 'none', '--json']);
    // Assess
    const warnings = (JSON.parse(json.stdout) as { trace: { warnings: string[] } }).trace.warnings;
    expect(warnings).toEqual([
      expect.stringMatching(/jobs\.csv:1: unknown column "colour" ignored/),
      expect.stringMatching(/^rule "llm" cannot be evaluated/),
      expect.stringMatching(/^--quota ml\.p5\.48xlarge: no job in the trace runs on/),
    ]);
    for (const { stderr } of [table, json]) {
      expect(stderr.split('\n').filter((l) => l.startsWith('warning: '))).toEqual(
        warnings.map((w) => `warning: ${w}`)
      );
    }
    expect(table.stdout).not.toContain('warning');
  });

  it('prints its usage on --help', async () => {
    // Act
    const { code, stdout } = await run(['--help']);
    // Assess
    expect(code).toBe(0);
    expect(stdout).toContain('usage: warden simulate');
  });

  it('allows fixed keep-alives up to a raised maximum', async () => {
    // Act
    const { code, stdout } = await run([
      '--scenario',
      'hpo',
      '--days',
      '1',
      '--max-keep-alive',
      '6h',
      '--anchor',
      'update-time',
      '--policies',
      'fixed:2h,oracle',
      '--json',
    ]);
    // Assess
    expect(code).toBe(0);
    expect(JSON.parse(stdout).settings).toMatchObject({
      maxKeepAliveSeconds: 21_600,
      anchor: 'update-time',
    });
  });
});

describe('warden simulate --mode service', () => {
  it('adds the service row to the policy table and writes the outbox and the steward state', async () => {
    // Prepare
    const outbox = join(dir, 'outbox');
    const state = join(dir, 'state');

    // Act
    const { code, stdout, stderr } = await run([
      '--mode',
      'service',
      '--scenario',
      'mixed',
      '--days',
      '1',
      '--policies',
      'none,fixed:10m,adaptive,oracle',
      '--config',
      join(import.meta.dirname, '..', '..', 'examples', 'mixed-team.config.yaml'),
      '--outbox',
      outbox,
      '--state',
      state,
    ]);

    // Assess
    expect(code).toBe(0);
    const rows = stdout.split('\n').filter((line) => /^\s*\d+\s{2}\S/.test(line));
    expect(rows.map((r) => r.replace(/^\s*\d+\s+/, '').split(/\s{2,}/)[0]).sort()).toEqual([
      'adaptive',
      'adaptive (service)',
      'fixed:10m',
      'none',
      'oracle',
    ]);
    expect(rows.find((r) => r.includes('adaptive (service)'))).toMatch(/\d\.\d\d×/);
    const decided =
      /service mode: (\d+) decisions \((\d+) extend, (\d+) shrink, (\d+) release applied\)/.exec(
        stderr
      );
    const [decisions = 0, extend = 0, shrink = 0, release = 0] = (decided ?? [])
      .slice(1)
      .map(Number);
    expect(shrink).toBeGreaterThan(0);
    expect(decisions).toBeGreaterThanOrEqual(extend + shrink + release);
    expect(stderr).not.toContain('earlier runs');
    // The summary counts the files it wrote; the config's directory addressed them
    const files = await readdir(outbox);
    const emails = files.filter((f) => f.endsWith('.eml'));
    const slack = files.filter((f) => f.endsWith('.slack.json'));
    expect(stderr).toContain(
      `outbox: ${files.length} files in ${outbox} (${emails.length} emails, ${slack.length} Slack messages)\n`
    );
    expect(slack.length).toBeGreaterThan(0);
    expect(files.some((f) => f.endsWith('-pool-shrunk.eml'))).toBe(true);
    const anna = await Promise.all(
      emails.map(async (f) =>
        (await readFile(join(outbox, f), 'utf8')).includes('To: anna@example.com')
      )
    );
    expect(anna).toContain(true);
    const saved = JSON.parse(await readFile(join(state, 'steward-state.json'), 'utf8'));
    expect(saved).toMatchObject({ pools: expect.any(Array) });
  });

  it("counts an earlier run's notices apart from its own, and leaves them in place", async () => {
    // Prepare
    const outbox = join(dir, 'outbox');
    await mkdir(outbox);
    await writeFile(join(outbox, 'old-job-Completed.eml'), 'From: earlier run\n');
    await writeFile(join(outbox, 'notes.txt'), 'not a notice\n');
    const args = ['--mode', 'service', '--scenario', 'batch', '--days', '1', '--policies', 'none'];
    const service = ['--outbox', outbox, '--state', join(dir, 'state')];

    // Act
    const first = await run([...args, ...service]);
    const second = await run([...args, ...service]);

    // Assess
    const summary = (stderr: string) => stderr.split('\n').find((l) => l.startsWith('outbox: '));
    expect(first.code).toBe(0);
    expect(summary(first.stderr)).toMatch(/; 1 more from earlier runs, left in place$/);
    // The second run rewrites the first's notices under the same names: only the old one is extra
    expect(summary(second.stderr)).toBe(summary(first.stderr));
    expect(await readFile(join(outbox, 'old-job-Completed.eml'), 'utf8')).toBe(
      'From: earlier run\n'
    );
  });

  it('shows the policy-mode and the service-mode progress on a terminal', async () => {
    // Act
    const { code, stderr } = await run(
      [
        '--mode',
        'service',
        '--scenario',
        'batch',
        '--days',
        '1',
        '--policies',
        'none',
        '--outbox',
        join(dir, 'outbox'),
        '--state',
        join(dir, 'state'),
      ],
      true
    );

    // Assess
    expect(code).toBe(0);
    expect(stderr).toContain('policy mode  [');
    expect(stderr).toContain('service mode [');
    expect(stderr).toContain('100%');
  });

  it('refuses an unknown mode, and an outbox without service mode', async () => {
    // Act
    const unknown = await run(['--mode', 'serivce', '--scenario', 'batch']);
    const stray = await run(['--scenario', 'batch', '--outbox', join(dir, 'outbox')]);

    // Assess
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--mode: "serivce" is not policy or service');
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain('--outbox and --state belong to --mode service');
  });
});
