import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeEach, describe, expect, it } from 'vitest';
import { readTrace, splitCsv } from '../../../src/sim/trace/read-trace.js';
import { TraceError } from '../../../src/sim/trace/trace.js';

const HEADER = 'submit_time,duration_s,key,instance_type,instance_count';
const KEY = 'role=arn:aws:iam::111122223333:role/vision|type=ml.g5.2xlarge|count=1';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-trace-'));
});

async function file(name: string, text: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The TraceError a read throws, so its issues can be compared exactly. */
async function issuesOf(path: string, options?: { maxProblems?: number }): Promise<string[]> {
  const error = await readTrace(path, options).then(
    () => undefined,
    (e: unknown) => e
  );
  expect(error).toBeInstanceOf(TraceError);
  expect((error as TraceError).code).toBe('TRACE_INVALID');
  return [...(error as TraceError).issues];
}

describe('splitCsv', () => {
  it('keeps commas, doubled quotes and empty cells inside quoted cells', () => {
    expect(splitCsv('a,"b,c","say ""hi""",,"",x')).toEqual(['a', 'b,c', 'say "hi"', '', '', 'x']);
  });

  it('reports a quoted cell left open so the next line can continue it', () => {
    expect(splitCsv('a,"b\nc')).toBe('open');
  });

  it('rejects a quote inside an unquoted cell and text after a closing quote', () => {
    expect(splitCsv('a,b"c')).toMatch(/quote inside unquoted cell 2/);
    expect(splitCsv('"a"b,c')).toMatch(/text after a closing quote in cell 1/);
  });

  it('keeps a trailing empty cell after a final comma', () => {
    expect(splitCsv('"a",')).toEqual(['a', '']);
    expect(splitCsv('a,')).toEqual(['a', '']);
  });
});

describe('readTrace (CSV)', () => {
  it('reads every column, quoted JSON tags and CRLF line ends', async () => {
    // Prepare
    const path = await file(
      'jobs.csv',
      `${HEADER},owner,team,account,tags,input_mode,keep_alive_s\r\n` +
        `2026-03-02T09:15:00Z,300.5,"${KEY}",ml.g5.2xlarge,2,anna@example.com,vision,111122223333,"{""project"":""resnet, v2""}",ffm,1800\r\n`
    );

    // Act
    const trace = await readTrace(path);

    // Assess
    expect(trace.source).toBe(path);
    expect(trace.warnings).toEqual([]);
    expect(trace.jobs).toEqual([
      {
        submitTime: Date.UTC(2026, 2, 2, 9, 15),
        durationMs: 300_500,
        key: KEY,
        instanceType: 'ml.g5.2xlarge',
        instanceCount: 2,
        owner: 'anna@example.com',
        team: 'vision',
        account: '111122223333',
        tags: { project: 'resnet, v2' },
        inputMode: 'ffm',
        keepAliveMs: 1_800_000,
        line: 2,
      },
    ]);
  });

  it('reads a quoted cell that spans lines and numbers later rows by their physical line', async () => {
    const path = await file(
      'multi.csv',
      `${HEADER},team\n` +
        '1772443800,60,k1,ml.m5.xlarge,1,"vision,\r\nand ""nlp"""\r\n' +
        '1772443860,60,k2,ml.m5.xlarge,1,\n'
    );

    const trace = await readTrace(path);

    expect(trace.jobs.map((j) => [j.key, j.line, j.team])).toEqual([
      ['k1', 2, 'vision,\nand "nlp"'],
      ['k2', 4, undefined],
    ]);
  });

  it('accepts ISO times with offsets and fractions, and epoch seconds', async () => {
    const path = await file(
      'times.csv',
      `${HEADER}\n` +
        '2026-03-02T10:15:00+01:00,1,a,ml.m5.xlarge,1\n' +
        '2026-03-02T09:15:00.250Z,1,b,ml.m5.xlarge,1\n' +
        '1772443800.5,1,c,ml.m5.xlarge,1\n' +
        '2026-03-02 14:45:00+0530,1,d,ml.m5.xlarge,1\n'
    );

    const trace = await readTrace(path);

    const at = Object.fromEntries(trace.jobs.map((j) => [j.key, j.submitTime]));
    expect(at).toEqual({
      a: Date.UTC(2026, 2, 2, 9, 15),
      b: Date.UTC(2026, 2, 2, 9, 15, 0, 250),
      c: 1_772_443_800_500,
      d: Date.UTC(2026, 2, 2, 9, 15),
    });
  });

  it('sorts unsorted rows by submit time, keeping file order for equal times', async () => {
    const path = await file(
      'unsorted.csv',
      `${HEADER}\n` +
        '2026-03-02T12:00:00Z,1,late,ml.m5.xlarge,1\n' +
        '2026-03-02T09:00:00Z,1,tie-1,ml.m5.xlarge,1\n' +
        '2026-03-02T09:00:00Z,1,tie-2,ml.m5.xlarge,1\n' +
        '2026-03-02T08:00:00Z,1,early,ml.m5.xlarge,1\n'
    );

    const trace = await readTrace(path);

    expect(trace.jobs.map((j) => j.key)).toEqual(['early', 'tie-1', 'tie-2', 'late']);
  });

  it('warns about an unknown column and still reads the rows', async () => {
    const path = await file(
      'extra.csv',
      `${HEADER},notes\n2026-03-02T09:00:00Z,1,k,ml.m5.xlarge,1,hello\n`
    );

    const trace = await readTrace(path);

    expect(trace.warnings).toEqual([`${path}:1: unknown column "notes" ignored`]);
    expect(trace.jobs).toHaveLength(1);
  });

  it('refuses a header without a required column', async () => {
    const path = await file(
      'missing.csv',
      'submit_time,key,instance_type\n1772443800,k,ml.m5.xlarge\n'
    );

    expect(await issuesOf(path)).toEqual([
      `${path}:1: missing required columns duration_s, instance_count (the first line must be the header)`,
    ]);
  });

  it('names the column a misspelt or capitalised header cell may have meant', async () => {
    const path = await file(
      'caps.csv',
      'SUBMIT_TIME,duration-s,key,instance_type,instance_count\n1772443800,1,k,ml.m5.xlarge,1\n'
    );
    const noHeader = await file('no-header.csv', '1772443800,1,k,ml.m5.xlarge,1\n');

    expect(await issuesOf(path)).toEqual([
      `${path}:1: missing required columns submit_time, duration_s (the first line must be the header; did you mean "SUBMIT_TIME" for submit_time?, "duration-s" for duration_s?)`,
    ]);
    expect(await issuesOf(noHeader)).toEqual([
      `${noHeader}:1: missing required columns submit_time, duration_s, key, instance_type, instance_count (the first line must be the header)`,
    ]);
  });

  it.each([
    [
      'a quote inside an unquoted cell, at its row',
      `${HEADER}\n1772443800,60,k,ml.m5.xlarge,1\n1772443800,60,k"x,ml.m5.xlarge,1\n`,
      ':3: malformed CSV: a quote inside unquoted cell 3 (quote the whole cell and double the quote)',
    ],
    [
      'a column named twice',
      `${HEADER},key\n1772443800,60,k,ml.m5.xlarge,1,k\n`,
      ':1: column "key" appears twice',
    ],
    [
      'one missing column in the singular, names read without their spaces',
      'submit_time,duration_s , instance_type,instance_count\n1772443800,60,ml.m5.xlarge,1\n',
      ':1: missing required column key (the first line must be the header)',
    ],
    [
      'a near miss of four letters',
      'submit_time,duration_s,keys,instance_type,instance_count\n1772443800,60,k,ml.m5.xlarge,1\n',
      ':1: missing required column key (the first line must be the header; did you mean "keys" for key?)',
    ],
    [
      'a header that is only an open quote, and not also an empty trace',
      '"submit_time,duration_s\n',
      ':1: malformed CSV: a quoted cell is never closed',
    ],
  ])('refuses %s', async (_, text, issue) => {
    const path = await file('bad.csv', text);

    expect(await issuesOf(path)).toEqual([`${path}${issue}`]);
  });

  it('names each bad field with its line and reason', async () => {
    // Prepare: one problem per row, then one row with two.
    const rows = [
      '2026-03-02T09:00:00,1,k,ml.m5.xlarge,1,,',
      '1772443800000,1,k,ml.m5.xlarge,1,,',
      '20260302,1,k,ml.m5.xlarge,1,,',
      '2026-02-30T09:00:00Z,1,k,ml.m5.xlarge,1,,',
      'yesterday,1,k,ml.m5.xlarge,1,,',
      '1772443800,-5,k,ml.m5.xlarge,1,,',
      '1772443800,1e3,k,ml.m5.xlarge,1,,',
      '1772443800,1,,ml.m5.xlarge,1,,',
      '1772443800,1,k,m5.xlarge,1,,',
      '1772443800,1,k,ml.m5.xlarge,0,,',
      '1772443800,1,k,ml.m5.xlarge,1.5,,',
      '1772443800,1,k,ml.m5.xlarge,1,lustre,',
      '1772443800,1,k,ml.m5.xlarge,1,,21601',
      '1772443800,1,k,ml.m5.xlarge,1,,60.5',
      '1772443800,1,k,ml.m5.xlarge,1',
      ',,k,ml.m5.xlarge,1,,',
    ];
    const path = await file('bad.csv', `${HEADER},input_mode,keep_alive_s\n${rows.join('\n')}\n`);

    // Act
    const issues = await issuesOf(path);

    // Assess
    expect(issues).toEqual([
      `${path}:2: submit_time: a time without a zone is ambiguous: add Z or an offset such as +01:00, got "2026-03-02T09:00:00"`,
      `${path}:3: submit_time: 1772443800000 looks like epoch milliseconds; give epoch seconds or an ISO 8601 time`.replace(
        '1772443800000',
        '"1772443800000"'
      ),
      `${path}:4: submit_time: epoch seconds before 2000-01-01 are not a job time, got "20260302"`,
      `${path}:5: submit_time: no such date, got "2026-02-30T09:00:00Z"`,
      `${path}:6: submit_time: expected an ISO 8601 time with a zone (2026-03-02T09:15:00Z) or epoch seconds, got "yesterday"`,
      `${path}:7: duration_s: expected a number from 0 to 31622400 (366 days), got "-5"`,
      `${path}:8: duration_s: expected a number from 0 to 31622400 (366 days), got "1e3"`,
      `${path}:9: key: missing`,
      `${path}:10: instance_type: "m5.xlarge" is not a SageMaker instance type (ml.<family>.<size>)`,
      `${path}:11: instance_count: expected an integer from 1 to 10000, got "0"`,
      `${path}:12: instance_count: expected an integer from 1 to 10000, got "1.5"`,
      `${path}:13: input_mode: expected fsx, ffm or file (or SageMaker's File, FastFile, Pipe), got "lustre"`,
      `${path}:14: keep_alive_s: expected an integer from 0 to 21600 (6 h, SageMaker's maximum), got "21601"`,
      `${path}:15: keep_alive_s: expected an integer from 0 to 21600 (6 h, SageMaker's maximum), got "60.5"`,
      `${path}:16: row has 5 cells, the header has 7`,
      `${path}:17: submit_time: missing`,
      `${path}:17: duration_s: missing`,
    ]);
  });

  it('refuses sizes and times no job has: they would overflow the costs or the service', async () => {
    // Prepare: a year of training, ten thousand instances and 2000-01-01 are the limits.
    const rows = [
      '1772443800,31622400,big,ml.m5.xlarge,10000',
      '1772443800,31622401,k,ml.m5.xlarge,1',
      `1772443800,${'9'.repeat(300)},k,ml.m5.xlarge,1`,
      '1772443800,1,k,ml.m5.xlarge,10001',
      '1772443800,1,k,ml.m5.xlarge,100000000000000000000',
      '2000-01-01T00:00:00Z,1,k,ml.m5.xlarge,1',
      '1999-12-31T23:59:59Z,1,k,ml.m5.xlarge,1',
      '0001-01-01T00:00:00Z,1,k,ml.m5.xlarge,1',
      '0050-06-01T00:00:00+01:00,1,k,ml.m5.xlarge,1',
      '9000-03-02T09:00:00Z,1,k,ml.m5.xlarge,1',
    ];
    const path = await file('sizes.csv', `${HEADER}\n${rows.join('\n')}\n`);

    // Act
    const issues = await issuesOf(path);

    // Assess
    const days = 'expected a number from 0 to 31622400 (366 days)';
    expect(issues).toEqual([
      `${path}:3: duration_s: ${days}, got "31622401"`,
      `${path}:4: duration_s: ${days}, got "${'9'.repeat(40)}…"`,
      `${path}:5: instance_count: expected an integer from 1 to 10000, got "10001"`,
      `${path}:6: instance_count: expected an integer from 1 to 10000, got "100000000000000000000"`,
      `${path}:8: submit_time: times before 2000-01-01 are not a job time, got "1999-12-31T23:59:59Z"`,
      `${path}:9: submit_time: times before 2000-01-01 are not a job time, got "0001-01-01T00:00:00Z"`,
      `${path}:10: submit_time: times before 2000-01-01 are not a job time, got "0050-06-01T00:00:00+01:00"`,
      `${path}:11: submit_time: times from 5138-11-16T09:46:40Z (epoch 10^11 s) on are not a job time, got "9000-03-02T09:00:00Z"`,
    ]);
  });

  it('stops after the problem limit and says so', async () => {
    const rows = Array.from({ length: 50 }, () => 'soon,1,k,ml.m5.xlarge,1').join('\n');
    const path = await file('many.csv', `${HEADER}\n${rows}\n`);

    const error = await readTrace(path, { maxProblems: 3 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TraceError);
    expect((error as TraceError).issues.map((i) => i.split(': ')[0])).toEqual([
      `${path}:2`,
      `${path}:3`,
      `${path}:4`,
    ]);
    expect((error as TraceError).message).toMatch(/stopped after 3 problems/);
  });

  it('rejects tags that are not a JSON object of strings', async () => {
    const path = await file(
      'tags.csv',
      `${HEADER},tags\n` +
        '1772443800,1,k,ml.m5.xlarge,1,project=x\n' +
        '1772443800,1,k,ml.m5.xlarge,1,"[1,2]"\n' +
        '1772443800,1,k,ml.m5.xlarge,1,"{""n"":1}"\n'
    );

    expect(await issuesOf(path)).toEqual([
      `${path}:2: tags: expected a JSON object such as {"project":"vision"}, got "project=x"`,
      `${path}:3: tags: expected a JSON object of string values, got [1,2]`,
      `${path}:4: tags: tag "n" must have a non-empty key and a string value`,
    ]);
  });

  it('pools each instance configuration of a key apart, with a warning', async () => {
    // Prepare: key "same" on 8 × p4d, 1 × m5 and 4 × p4d, each twice or more; key "one" on
    // one configuration.
    const path = await file(
      'mixed-key.csv',
      `${HEADER}\n` +
        '1772443800,60,same,ml.p4d.24xlarge,8\n' +
        '1772444400,60,same,ml.m5.xlarge,1\n' +
        '1772445000,60,same,ml.p4d.24xlarge,4\n' +
        '1772445600,60,same,ml.p4d.24xlarge,8\n' +
        '1772446200,60,one,ml.m5.xlarge,1\n' +
        '1772446800,60,same,ml.m5.xlarge,1\n' +
        '1772447400,60,same,ml.p4d.24xlarge,4\n'
    );
    // Act
    const trace = await readTrace(path);
    // Assess: SageMaker would never hand one configuration's pool to another's job.
    expect(trace.jobs.map((j) => j.key)).toEqual([
      'same (8 × ml.p4d.24xlarge)',
      'same (1 × ml.m5.xlarge)',
      'same (4 × ml.p4d.24xlarge)',
      'same (8 × ml.p4d.24xlarge)',
      'one',
      'same (1 × ml.m5.xlarge)',
      'same (4 × ml.p4d.24xlarge)',
    ]);
    // Each configuration at the line it was first seen on
    expect(trace.warnings).toEqual([
      `${path}:2: key "same" runs on 3 instance configurations, 8 × ml.p4d.24xlarge (line 2), 1 × ml.m5.xlarge (line 3), 4 × ml.p4d.24xlarge (line 4); a pool serves only its own type and count, so each is pooled apart as "same (8 × ml.p4d.24xlarge)", "same (1 × ml.m5.xlarge)", "same (4 × ml.p4d.24xlarge)"`,
    ]);
  });

  it("writes the row's type and count into a canonical key, keeping its role", async () => {
    // Prepare: a canonical key on 1 × g5.12xlarge, with one row on 2 instances; and the
    // canonical key of that second configuration, written out.
    const key = (count: number) =>
      `role=arn:aws:iam::111122223333:role/VisionTraining|type=ml.g5.12xlarge|count=${count}|volume=30|kms=-|subnets=|sgs=|isolation=false|encryption=false`;
    const path = await file(
      'canonical.csv',
      `${HEADER}\n` +
        `1772443800,60,"${key(1)}",ml.g5.12xlarge,1\n` +
        `1772444400,60,"${key(1)}",ml.g5.12xlarge,2\n` +
        `1772445000,60,"${key(2)}",ml.g5.12xlarge,2\n`
    );
    // Act
    const trace = await readTrace(path);
    // Assess: the 2-instance row joins the key that says so: same role, same match configuration.
    expect(trace.jobs.map((j) => j.key)).toEqual([key(1), key(2), key(2)]);
    expect(trace.warnings).toEqual([
      `${path}:2: key "${key(1)}" runs on 2 instance configurations, 1 × ml.g5.12xlarge (line 2), 2 × ml.g5.12xlarge (line 3); each row is pooled under the key with its own type and count written in (a pool serves only its own type and count)`,
    ]);
  });

  it('names five configurations of a key and counts the rest, however many', async () => {
    // Prepare: one key on 2,000 instance counts.
    const rows = Array.from({ length: 2000 }, (_, i) => `1772443800,60,k,ml.m5.xlarge,${i + 1}\n`);
    const path = await file('wide.csv', `${HEADER}\n${rows.join('')}`);
    // Act
    const trace = await readTrace(path);
    // Assess
    expect(trace.warnings).toEqual([
      `${path}:2: key "k" runs on 2000 instance configurations, 1 × ml.m5.xlarge (line 2), 2 × ml.m5.xlarge (line 3), 3 × ml.m5.xlarge (line 4), 4 × ml.m5.xlarge (line 5), 5 × ml.m5.xlarge (line 6) and 1995 more; a pool serves only its own type and count, so each is pooled apart as "k (1 × ml.m5.xlarge)", "k (2 × ml.m5.xlarge)", "k (3 × ml.m5.xlarge)", "k (4 × ml.m5.xlarge)", "k (5 × ml.m5.xlarge)" and 1995 more`,
    ]);
    expect(new Set(trace.jobs.map((j) => j.key)).size).toBe(2000);
  });

  it('pools a key apart when only its instance type differs, the count being the same', async () => {
    // Prepare
    const path = await file(
      'types.csv',
      `${HEADER}\n1772443800,60,k,ml.m5.xlarge,2\n1772444400,60,k,ml.c5.xlarge,2\n`
    );
    // Act
    const trace = await readTrace(path);
    // Assess
    expect(trace.jobs.map((j) => j.key)).toEqual(['k (2 × ml.m5.xlarge)', 'k (2 × ml.c5.xlarge)']);
    expect(trace.warnings).toHaveLength(1);
  });

  it.each([
    [5, undefined],
    [7, '2 more keys run on several instance configurations'],
  ])(
    'counts the keys on several configurations past the five named: %i keys',
    async (keys, more) => {
      // Prepare: each key on one and two instances
      const rows = Array.from(
        { length: keys },
        (_, i) => `1772443800,60,k${i},ml.m5.xlarge,1\n1772444400,60,k${i},ml.m5.xlarge,2\n`
      );
      const path = await file('mixed.csv', `${HEADER}\n${rows.join('')}`);
      // Act
      const { warnings } = await readTrace(path);
      // Assess: one warning per named key, then the count of the rest if any
      expect(
        warnings.slice(0, 5).every((w) => w.includes('runs on 2 instance configurations'))
      ).toBe(true);
      expect(warnings.slice(5)).toEqual(
        more === undefined ? [] : [`${path}: ${more}; each configuration is pooled apart`]
      );
    }
  );

  it('names five keys on several configurations and counts the rest', async () => {
    // Prepare: keys k0–k5, each on two instance counts; and a key spelt like a split name.
    const rows = Array.from(
      { length: 6 },
      (_, i) =>
        `177244${3800 + i},60,k${i},ml.m5.xlarge,1\n177245${3800 + i},60,k${i},ml.m5.xlarge,2\n`
    );
    const path = await file(
      'many-mixed.csv',
      `${HEADER}\n${rows.join('')}1772463800,60,k0 (1 × ml.m5.xlarge),ml.m5.xlarge,1\n`
    );
    // Act
    const trace = await readTrace(path);
    // Assess: a split name never merges with a key the trace already has.
    expect(trace.warnings).toHaveLength(6);
    expect(trace.warnings[5]).toBe(
      `${path}: 1 more key runs on several instance configurations; each configuration is pooled apart`
    );
    expect(new Set(trace.jobs.map((j) => j.key)).size).toBe(13);
    expect(trace.jobs.filter((j) => j.key === 'k0 (1 × ml.m5.xlarge)')).toHaveLength(1);
  });

  it('skips a line of spaces or tabs, and reads an input mode with spaces or none', async () => {
    const path = await file(
      'spaces.csv',
      `${HEADER},input_mode\n` +
        '1772443800,60,k,ml.m5.xlarge,1, fsx \n' +
        '  \t\n' +
        '1772444400,60,k,ml.m5.xlarge,1,\n'
    );

    const trace = await readTrace(path);

    expect(trace.jobs.map((j) => j.inputMode)).toEqual(['fsx', undefined]);
  });

  it("reads an input mode in any case, and SageMaker's own names File, FastFile and Pipe", async () => {
    const modes = ['FSX', 'Ffm', 'File', 'FastFile', 'Fast File', 'fast_file', 'Pipe'];
    const rows = modes.map((mode) => `1772443800,60,k,ml.m5.xlarge,1,${mode}\n`).join('');
    const path = await file('modes.csv', `${HEADER},input_mode\n${rows}`);

    const trace = await readTrace(path);

    // Assess: Pipe streams as Fast File does, and `warden trace export` writes it as ffm too.
    expect(trace.jobs.map((j) => j.inputMode)).toEqual([
      'fsx',
      'ffm',
      'file',
      'ffm',
      'ffm',
      'ffm',
      'ffm',
    ]);
  });

  it('says a header separated by semicolons or tabs is not comma-separated', async () => {
    const semi = await file(
      'semi.csv',
      `${HEADER.replaceAll(',', ';')}\n1772443800;60;k;ml.m5.xlarge;1\n`
    );
    const tabs = await file(
      'tabs.csv',
      `${HEADER.replaceAll(',', '\t')}\n1772443800\t60\tk\tml.m5.xlarge\t1\n`
    );

    const [semiIssue] = await issuesOf(semi);
    const [tabIssue] = await issuesOf(tabs);

    expect(semiIssue).toContain(
      'the header has no commas but ";" between names: save the file with commas between columns'
    );
    expect(tabIssue).toContain('the header has no commas but tabs between names');
  });

  it('reports a quoted cell that is never closed at the line it opened', async () => {
    const path = await file('open.csv', `${HEADER}\n1772443800,1,"k,ml.m5.xlarge,1\n`);

    expect(await issuesOf(path)).toEqual([
      `${path}:2: malformed CSV: a quoted cell is never closed`,
    ]);
  });

  it('refuses an empty file and a header without rows', async () => {
    const empty = await file('empty.csv', '');
    const headerOnly = await file('header.csv', `${HEADER}\n`);

    expect(await issuesOf(empty)).toEqual([
      `${empty}: the trace is empty: a CSV trace needs a header row`,
    ]);
    expect(await issuesOf(headerOnly)).toEqual([
      `${headerOnly}: the trace is empty (a header and no rows); a simulation needs at least one job`,
    ]);
  });

  it('refuses JSON Lines of blank lines only as having no rows (JSON Lines has no header)', async () => {
    const blank = await file('blank.jsonl', '\n  \n\t\n');

    expect(await issuesOf(blank)).toEqual([
      `${blank}: the trace is empty (no rows); a simulation needs at least one job`,
    ]);
  });

  it('refuses a file whose extension names no trace format', async () => {
    const path = await file('jobs.txt', `${HEADER}\n`);

    expect(await issuesOf(path)).toEqual([
      `${path}: unknown trace format ".txt": use .csv, .jsonl or .ndjson`,
    ]);
  });

  it('says a path without a trace extension is missing or a folder before asking for a format', async () => {
    // A typo in the path, or the folder the trace is in, is not a question of format.
    expect(await issuesOf(join(dir, 'jobs'))).toEqual([
      `${join(dir, 'jobs')}: cannot read: file not found (ENOENT)`,
    ]);
    expect(await issuesOf(join(dir, 'jobs.cvs'))).toEqual([
      `${join(dir, 'jobs.cvs')}: cannot read: file not found (ENOENT)`,
    ]);
    expect(await issuesOf(dir)).toEqual([
      `${dir}: cannot read: is a folder, not a trace file (EISDIR)`,
    ]);
  });
});

/** A JSON Lines row's required fields, without and with its duration. */
const JSON_WITHOUT_DURATION =
  '"submit_time":1772443800,"key":"k","instance_type":"ml.m5.xlarge","instance_count":1';
const JSON_ROW = `${JSON_WITHOUT_DURATION},"duration_s":1`;

describe('readTrace: what editors and spreadsheets add', () => {
  const row = (key: string, type = 'ml.m5.xlarge') => `2026-03-02T09:00:00Z,60,${key},${type},1`;

  it('reads a CSV with a byte-order mark, CRLF line ends and blank or spaced lines', async () => {
    const path = await file(
      'excel.csv',
      `\uFEFF${HEADER}\r\n${row('a')}\r\n\r\n   \r\n\t\n${row('b')}\r\n \n`
    );

    const trace = await readTrace(path);

    expect(trace.jobs.map((j) => [j.key, j.line])).toEqual([
      ['a', 2],
      ['b', 6],
    ]);
  });

  it('counts the lines it skipped when it names a bad row', async () => {
    // A mark alone on line 1 is a blank line
    const path = await file('gaps.csv', `\uFEFF\n${HEADER}\n\n  \n${row('a', 'ml.bad')}\n`);

    expect(await issuesOf(path)).toEqual([
      `${path}:5: instance_type: "ml.bad" is not a SageMaker instance type (ml.<family>.<size>)`,
    ]);
  });

  it('reads a quoted header after a byte-order mark', async () => {
    const quoted = HEADER.split(',')
      .map((name) => `"${name}"`)
      .join(',');
    const path = await file('quoted.csv', `\uFEFF${quoted}\n${row('a')}\n`);

    expect((await readTrace(path)).jobs.map((j) => j.key)).toEqual(['a']);
  });

  it('says why a file cannot be read, with the system code to search for', async () => {
    const trace = await file('t.csv', `${HEADER}\n${row('a')}\n`);
    const message = (path: string) =>
      readTrace(path).then(
        () => 'read',
        (e: unknown) => (e instanceof TraceError ? e.message : String(e))
      );

    expect(await message(join(dir, 'gone.csv'))).toBe(
      `cannot read trace:\n  ${join(dir, 'gone.csv')}: cannot read: file not found (ENOENT)`
    );
    expect(await message(join(trace, 'under-a-file.csv'))).toBe(
      `cannot read trace:\n  ${join(trace, 'under-a-file.csv')}: cannot read: a part of the path is a file, not a folder (ENOTDIR)`
    );
  });

  it('reads JSON Lines with a byte-order mark, indents and blank lines', async () => {
    const path = await file(
      'marked.jsonl',
      `\uFEFF{${JSON_ROW}}\r\n\r\n  {${JSON_ROW.replace('"k"', '"b"')}}  \n\t\n`
    );

    const trace = await readTrace(path);

    expect(trace.jobs.map((j) => [j.key, j.line])).toEqual([
      ['k', 1],
      ['b', 3],
    ]);
  });
});

describe('readTrace: submit times, against a calendar of their own', () => {
  /** A date-time as fields; any of them may be out of range. */
  const moment = fc.record({
    year: fc.integer({ min: 2001, max: 4999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 24 }),
    minute: fc.integer({ min: 0, max: 60 }),
    second: fc.integer({ min: 0, max: 60 }),
    millis: fc.option(fc.integer({ min: 0, max: 999 }), { nil: undefined }),
    // The forms a writer may use; `Z` and `.mmm` are the reader's fast path
    form: fc.constantFrom('Z', 'z', 'space', '+hh:mm', '-hhmm', 'no seconds'),
    offsetHours: fc.integer({ min: 0, max: 24 }),
    offsetMinutes: fc.integer({ min: 0, max: 60 }),
  });
  type Moment = typeof moment extends fc.Arbitrary<infer M> ? M : never;
  const LEAP_DAY: Moment = {
    year: 2024,
    month: 2,
    day: 29,
    hour: 12,
    minute: 0,
    second: 0,
    millis: undefined,
    form: 'Z',
    offsetHours: 1,
    offsetMinutes: 30,
  };
  const two = (n: number) => String(n).padStart(2, '0');

  function written(m: Moment): string {
    const date = `${String(m.year).padStart(4, '0')}-${two(m.month)}-${two(m.day)}`;
    const fraction = m.millis === undefined ? '' : `.${String(m.millis).padStart(3, '0')}`;
    const time = `${two(m.hour)}:${two(m.minute)}`;
    const seconds = m.form === 'no seconds' ? '' : `:${two(m.second)}${fraction}`;
    const zone = {
      Z: 'Z',
      z: 'z',
      space: 'Z',
      '+hh:mm': `+${two(m.offsetHours)}:${two(m.offsetMinutes)}`,
      '-hhmm': `-${two(m.offsetHours)}${two(m.offsetMinutes)}`,
      'no seconds': 'Z',
    }[m.form];
    return `${date}${m.form === 'space' ? ' ' : m.form === 'z' ? 't' : 'T'}${time}${seconds}${zone}`;
  }

  /** What the README promises for it: its instant, or why it is no time. */
  function expected(m: Moment): number | string {
    // The calendar as Date knows it: day 0 of the next month is this month's last
    const monthDays = new Date(Date.UTC(m.year, m.month, 0)).getUTCDate();
    if (m.month < 1 || m.month > 12 || m.day < 1 || m.day > monthDays) return 'no such date';
    const second = m.form === 'no seconds' ? 0 : m.second;
    if (m.hour > 23 || m.minute > 59 || second > 59) return 'no such time of day';
    const signed = m.form === '+hh:mm' ? 1 : m.form === '-hhmm' ? -1 : 0;
    if (signed !== 0 && (m.offsetHours > 23 || m.offsetMinutes > 59)) {
      return 'no such zone offset';
    }
    const millis = m.form === 'no seconds' ? 0 : (m.millis ?? 0);
    const local = Date.UTC(m.year, m.month - 1, m.day, m.hour, m.minute, second, millis);
    return local - signed * (m.offsetHours * 60 + m.offsetMinutes) * 60_000;
  }

  it('reads every form to its instant and refuses each impossible one with its reason', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(moment, { minLength: 1, maxLength: 40 }), async (moments) => {
        const rows = moments.map((m, i) => ({ key: `r${i}`, text: written(m), want: expected(m) }));
        const body = (list: typeof rows) =>
          `${HEADER}\n${list.map((r) => `${r.text},60,${r.key},ml.m5.xlarge,1`).join('\n')}\n`;
        const good = rows.filter((r) => typeof r.want === 'number');
        const bad = rows.filter((r) => typeof r.want === 'string');

        if (good.length > 0) {
          const trace = await readTrace(await file('good.csv', body(good)));
          const at = Object.fromEntries(trace.jobs.map((j) => [j.key, j.submitTime]));
          expect(at).toEqual(Object.fromEntries(good.map((r) => [r.key, r.want])));
        }
        if (bad.length > 0) {
          const path = await file('bad.csv', body(bad));
          expect(await issuesOf(path, { maxProblems: 100 })).toEqual(
            bad.map((r, i) => `${path}:${i + 2}: submit_time: ${r.want}, got "${r.text}"`)
          );
        }
      }),
      {
        numRuns: 40,
        // The calendar's corners, which random fields rarely meet: February 29th of a leap
        // year, of a century that is none and of one that is; the last second of a month
        examples: [
          [[2024, 2100, 2400, 2026].map((year) => ({ ...LEAP_DAY, year }))],
          [
            [2024, 2100, 2400, 2026].map((year) => ({
              ...LEAP_DAY,
              year,
              form: '+hh:mm' as const,
            })),
          ],
          [[{ ...LEAP_DAY, month: 4, day: 30, hour: 23, minute: 59, second: 59, millis: 999 }]],
          [
            [
              { ...LEAP_DAY, month: 4, day: 31 },
              { ...LEAP_DAY, month: 12, day: 31, offsetHours: 0, offsetMinutes: 0 },
            ],
          ],
          // A leap second, the 60th minute and hour 24, which Date would roll into the next
          [
            [
              { ...LEAP_DAY, second: 60 },
              { ...LEAP_DAY, minute: 60 },
              { ...LEAP_DAY, hour: 24 },
            ],
          ],
        ],
      }
    );
  });

  it.each([
    // The length and the final Z of the fast path's form, one separator wrong
    ['2026/03/02T09:15:00Z', 'expected'],
    ['2026-03/02T09:15:00Z', 'expected'],
    ['2026-03-02X09:15:00Z', 'expected'],
    ['2026-03-02T09.15:00Z', 'expected'],
    ['2026-03-02T09:15.00Z', 'expected'],
    ['2026-03-02T09:15:00,250Z', 'expected'],
    ['2026-03-02T09:15:00.25Z', 'read'],
    ['2026-03-02T09:15:00Y', 'expected'],
    ['2026-3-2T09:15:00Z', 'expected'],
    // No zone at all
    ['2026-03-02T09:15:00', 'no zone'],
    ['2026-03-02 09:15', 'no zone'],
    ['2026-03-02t09:15:00.5', 'no zone'],
    ['2026-03-02', 'no zone'],
  ])('reads %j as %s', async (text, outcome) => {
    const path = await file(
      'one.jsonl',
      `{${JSON_ROW.replace('1772443800', JSON.stringify(text))}}\n`
    );
    const why = {
      expected: `expected an ISO 8601 time with a zone (2026-03-02T09:15:00Z) or epoch seconds, got "${text}"`,
      'no zone': `a time without a zone is ambiguous: add Z or an offset such as +01:00, got "${text}"`,
    }[outcome];

    const result = await readTrace(path).then(
      (trace) => trace.jobs.map((j) => j.submitTime),
      (e: unknown) => [...(e as TraceError).issues]
    );

    expect(result).toEqual(
      why === undefined ? [Date.UTC(2026, 2, 2, 9, 15, 0, 250)] : [`${path}:1: submit_time: ${why}`]
    );
  });
});

describe('readTrace: numbers written as text', () => {
  it('reads plain decimals and nothing else, in any CSV cell of a number', async () => {
    // Cells from the characters a number is written with, and a few it is not
    const cell = fc
      .array(fc.constantFrom(...'0123456789.+- e'), { minLength: 1, maxLength: 7 })
      .map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(cell, { minLength: 1, maxLength: 30 }), async (cells) => {
        // The README's rule: an optional sign, digits with at most one point, no exponent
        const plain = (c: string) => /^[+-]?(\d+\.?\d*|\.\d+)$/.test(c.trim());
        const rows = cells.map((c, i) => ({ c, key: `r${i}`, ok: plain(c) && Number(c) >= 0 }));
        const body = (list: typeof rows) =>
          `${HEADER}\n${list.map((r) => `1772443800,${r.c},${r.key},ml.m5.xlarge,1`).join('\n')}\n`;
        const good = rows.filter((r) => r.ok);
        const bad = rows.filter((r) => !r.ok);

        if (good.length > 0) {
          const trace = await readTrace(await file('good.csv', body(good)));
          const ms = Object.fromEntries(trace.jobs.map((j) => [j.key, j.durationMs]));
          expect(ms).toEqual(
            Object.fromEntries(good.map((r) => [r.key, Math.round(Number(r.c) * 1000)]))
          );
        }
        if (bad.length > 0) {
          const path = await file('bad.csv', body(bad));
          const issues = await issuesOf(path, { maxProblems: 100 });
          expect(issues).toEqual(
            bad.map((r, i) =>
              r.c.trim() === ''
                ? `${path}:${i + 2}: duration_s: missing`
                : `${path}:${i + 2}: duration_s: expected a number from 0 to 31622400 (366 days), got "${r.c}"`
            )
          );
        }
      }),
      { numRuns: 60 }
    );
  });
});

describe('readTrace (JSON Lines)', () => {
  it('reads a number written as text by the CSV cell rules, and refuses what they refuse', async () => {
    const good = await file(
      'text-numbers.jsonl',
      '{"submit_time":"1772443800","duration_s":" 90.5","key":"k","instance_type":"ml.m5.xlarge","instance_count":"2","keep_alive_s":"600"}\n'
    );
    const bad = await file(
      'text-numbers-bad.jsonl',
      `{${JSON_WITHOUT_DURATION},"duration_s":"1e3"}\n{${JSON_ROW},"keep_alive_s":"0x10"}\n`
    );

    const [job] = (await readTrace(good)).jobs;

    expect(job).toMatchObject({
      submitTime: 1772443800000,
      durationMs: 90500,
      instanceCount: 2,
      keepAliveMs: 600000,
    });
    expect(await issuesOf(bad)).toEqual([
      `${bad}:1: duration_s: expected a number from 0 to 31622400 (366 days), got "1e3"`,
      `${bad}:2: keep_alive_s: expected an integer from 0 to 21600 (6 h, SageMaker's maximum), got "0x10"`,
    ]);
  });

  it('keeps a tag named __proto__ as a tag', async () => {
    const path = await file('proto.jsonl', `{${JSON_ROW},"tags":{"__proto__":"x","env":"dev"}}\n`);

    const [job] = (await readTrace(path)).jobs;

    expect(Object.entries(job?.tags ?? {})).toEqual([
      ['__proto__', 'x'],
      ['env', 'dev'],
    ]);
  });

  it('reads typed and textual values, skips blank lines and warns once per unknown field', async () => {
    const path = await file(
      'jobs.jsonl',
      [
        JSON.stringify({
          submit_time: '2026-03-02T09:15:00Z',
          duration_s: 90,
          key: KEY,
          instance_type: 'ml.g5.2xlarge',
          instance_count: 1,
          tags: { project: 'resnet' },
          input_mode: 'fsx',
          keep_alive_s: 600,
          job_name: 'a',
        }),
        '',
        JSON.stringify({
          submit_time: 1772443800,
          duration_s: '30',
          key: KEY,
          instance_type: 'ml.g5.2xlarge',
          instance_count: 1,
          owner: null,
          job_name: 'b',
        }),
      ].join('\n')
    );

    const trace = await readTrace(path);

    expect(trace.warnings).toEqual([
      `${path}:1: unknown field "job_name" ignored (first seen here)`,
    ]);
    expect(
      trace.jobs.map((j) => [j.submitTime, j.durationMs, j.tags, j.inputMode, j.line])
    ).toEqual([
      [Date.UTC(2026, 2, 2, 9, 15), 90_000, { project: 'resnet' }, 'fsx', 1],
      [1_772_443_800_000, 30_000, undefined, undefined, 3],
    ]);
  });

  it('refuses a field given twice on a line, which JSON.parse would settle by the last', async () => {
    const path = await file(
      'twice.jsonl',
      [
        `{${JSON_WITHOUT_DURATION},"duration_s":-5,"duration_s":300}`,
        // The same name inside tags or a text value is no repeat.
        `{${JSON_WITHOUT_DURATION},"duration_s":300,"tags":{"duration_s":"1"},"owner":"a \\"duration_s\\" b"}`,
        `{${JSON_WITHOUT_DURATION}, "owner" : "a", "owner" : "b", "duration_s" : 1}`,
        // One spaced key beside a repeat, and a repeat spelt with an escape.
        `{${JSON_WITHOUT_DURATION},"duration_s":1,"team":"a","team":"b","owner" :"o"}`,
        `{${JSON_WITHOUT_DURATION},"duration_s":1,"k\\u0065y":"k2"}`,
        // A tag given twice, also with an escape; a tag beside a nested object of the same key.
        `{${JSON_WITHOUT_DURATION},"duration_s":1,"tags":{"a":"b","\\u0061":"c"}}`,
        `{${JSON_WITHOUT_DURATION},"duration_s":1,"tags":{"a":"b"},"x":{"a":{"a":1}}}`,
      ].join('\n')
    );

    expect(await issuesOf(path)).toEqual([
      `${path}:1: duration_s: given twice`,
      `${path}:3: owner: given twice`,
      `${path}:4: team: given twice`,
      `${path}:5: key: given twice`,
      `${path}:6: tags: tag "a" given twice`,
    ]);
  });

  it('finds the first field or tag given twice, whatever else a line nests or quotes', async () => {
    // Text that looks like structure: quotes, braces, brackets, commas, escapes
    const tricky = fc.constantFrom('a', 'b', 'a"b', '{', '}', '[', ']', ',', ':', '\\', 'é');
    const name = fc.oneof(fc.constantFrom('owner', 'team', 'account', 'note'), tricky);
    const fields = [
      ...['submit_time', 'duration_s', 'key', 'instance_type', 'instance_count', 'owner', 'team'],
      ...['account', 'tags', 'input_mode', 'keep_alive_s'],
    ];
    const value: fc.Arbitrary<string> = fc.letrec<{ v: string }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        tricky.map((t) => JSON.stringify(t)),
        fc.integer().map(String),
        fc.array(tie('v'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
        fc
          .array(fc.tuple(tricky, tie('v')), { maxLength: 3 })
          .map((pairs) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}: ${v}`).join(',')}}`)
      ),
    })).v;
    const extra = fc.oneof(
      fc.tuple(name, value),
      // Tags: text values, or now and then anything (a tag's value may nest keys of its own)
      fc.tuple(
        fc.constant('tags'),
        fc.array(fc.tuple(tricky, fc.oneof({ weight: 3, arbitrary: fc.constant('"v"') }, value)), {
          maxLength: 4,
        })
      )
    );
    const rows = fc.array(fc.array(extra, { maxLength: 5 }), { minLength: 1, maxLength: 20 });

    await fc.assert(
      fc.asyncProperty(rows, async (lines) => {
        const expected: string[] = [];
        const text = lines.map((extras, i) => {
          // The row as written, and its first repeat as the README defines it
          const top = new Set([
            'submit_time',
            'duration_s',
            'key',
            'instance_type',
            'instance_count',
          ]);
          let repeat: string | undefined;
          const parts = extras.map(([field, v]) => {
            if (repeat === undefined && top.has(field) && fields.includes(field)) {
              repeat = `${field}: given twice`;
            }
            top.add(field);
            if (typeof v === 'string') return `${JSON.stringify(field)}:${v}`;
            const seen = new Set<string>();
            for (const [tag] of v) {
              if (repeat === undefined && seen.has(tag)) repeat = `tags: tag "${tag}" given twice`;
              seen.add(tag);
            }
            return `"tags":{${v.map(([tag, text]) => `${JSON.stringify(tag)}:${text}`).join(',')}}`;
          });
          // A row with no repeat is valid only if its fields are: text for owner, team,
          // account and each tag
          const text = (v: string) => v.startsWith('"');
          const typed = extras.every(([field, v]) =>
            typeof v !== 'string'
              ? v.every(([, tag]) => text(tag))
              : !['owner', 'team', 'account'].includes(field) || text(v)
          );
          if (repeat !== undefined) expected.push(`:${i + 1}: ${repeat}`);
          else if (!typed) expected.push(`:${i + 1}: (other)`);
          return `{${JSON_ROW}${parts.map((p) => `,${p}`).join('')}}`;
        });
        const path = await file('repeats.jsonl', text.join('\n'));

        const issues = await readTrace(path, { maxProblems: 100 }).then(
          () => [],
          (e: unknown) => [...(e as TraceError).issues]
        );

        // Rows whose only fault is a mistyped field are not what this checks
        const mine = (issue: string) => {
          const at = issue.slice(path.length);
          return expected.includes(at) ? at : at.replace(/^(:\d+: ).*$/s, '$1(other)');
        };
        expect([...new Set(issues.map(mine))]).toEqual(expected);
      }),
      { numRuns: 60 }
    );
  });

  it('names the text field that is not text, and a blank instance type as missing', async () => {
    const path = await file(
      'types.jsonl',
      [
        `{${JSON_ROW},"owner":5,"team":true,"account":[]}`,
        `{${JSON_ROW.replace('"ml.m5.xlarge"', '" "')}}`,
      ].join('\n')
    );

    expect(await issuesOf(path)).toEqual([
      `${path}:1: owner: expected text, got 5`,
      `${path}:1: team: expected text, got true`,
      `${path}:1: account: expected text, got []`,
      `${path}:2: instance_type: missing`,
    ]);
  });

  it('reads a cell of spaces as an empty cell: missing when required, absent when optional', async () => {
    const csv = await file(
      'blank.csv',
      [
        `${HEADER},keep_alive_s`,
        '   ,1,k,ml.m5.xlarge,1,',
        '1772443800,  ,k,ml.m5.xlarge,1,',
        '1772443800,1,k,ml.m5.xlarge," ",',
        '1772443800,1,k,ml.m5.xlarge,1,  ',
      ].join('\n')
    );
    const jsonl = await file(
      'blank.jsonl',
      `{${JSON_ROW.replace('"duration_s":', '"duration_s":" ","x":')}}`
    );

    expect(await issuesOf(csv)).toEqual([
      `${csv}:2: submit_time: missing`,
      `${csv}:3: duration_s: missing`,
      `${csv}:4: instance_count: missing`,
    ]);
    expect(await issuesOf(jsonl)).toEqual([`${jsonl}:1: duration_s: missing`]);
  });

  it('refuses a CSV tag given twice in its JSON cell', async () => {
    const path = await file(
      'tags-twice.csv',
      `${HEADER},tags\n1772443800,1,k,ml.m5.xlarge,1,"{""a"":""b"",""a"":""c""}"\n`
    );

    expect(await issuesOf(path)).toEqual([`${path}:2: tags: tag "a" given twice`]);
  });

  it('tells keys from values, nested objects and escaped quotes when looking for repeats', async () => {
    const lines = [
      // Accepted: a value that names a field; a repeat of a field not ours. Refused: a tag
      // given twice (as a tag, not as the field).
      `{${JSON_ROW},"owner":"team","team":"x"}`,
      `{${JSON_ROW},"tags":{"team":"1","team":"2"},"team":"x"}`,
      `{${JSON_ROW},"zz":1,"zz":2}`,
      // Refused: after a nested object; after an escaped quote; the very first key; after arrays.
      `{${JSON_ROW},"tags":{"a":"1"},"team":"x","team":"y"}`,
      `{${JSON_ROW},"owner":"\\"","team":"a","team":"b"}`,
      `{"team":"a","team":"b",${JSON_ROW}}`,
      `{${JSON_ROW},"x":[1,["a"]],"team":"a","team":"b"}`,
    ];
    const path = await file('keys.jsonl', lines.join('\n'));

    expect(await issuesOf(path)).toEqual([
      `${path}:2: tags: tag "team" given twice`,
      `${path}:4: team: given twice`,
      `${path}:5: team: given twice`,
      `${path}:6: team: given twice`,
      `${path}:7: team: given twice`,
    ]);
  });

  it('reads a row with a deeply nested unknown field (no recursion to overflow)', async () => {
    const path = await file(
      'deep.jsonl',
      `{${JSON_ROW},"x":${'['.repeat(5000)}${']'.repeat(5000)}}\n`
    );

    const trace = await readTrace(path);

    expect(trace.jobs).toHaveLength(1);
    expect(trace.warnings).toEqual([`${path}:1: unknown field "x" ignored (first seen here)`]);
  });

  it('shows a number JSON cannot hold as what it read, not as null', async () => {
    const row = '"submit_time":1772443800,"key":"k","instance_type":"ml.m5.xlarge"';
    const path = await file(
      'huge.jsonl',
      [
        `{${row},"duration_s":1e400,"instance_count":1}`,
        `{${row},"duration_s":1,"instance_count":12345678901234567890123}`,
      ].join('\n')
    );

    expect(await issuesOf(path)).toEqual([
      `${path}:1: duration_s: expected a number from 0 to 31622400 (366 days), got Infinity`,
      `${path}:2: instance_count: expected an integer from 1 to 10000, got 1.2345678901234568e+22`,
    ]);
  });

  it('says at which column a line is not JSON, and that a pretty-printed file is not JSONL', async () => {
    const path = await file('pretty.jsonl', '{\n  "submit_time": NaN\n}\n');
    const row = await file('nan.jsonl', '    {"submit_time": NaN}\n');

    expect((await issuesOf(path))[0]).toBe(
      `${path}:1: invalid JSON at column 2: expected a field name in double quotes or } but the line ends (JSON Lines takes one whole object per line: is this a pretty-printed JSON file?)`
    );
    expect(await issuesOf(row)).toEqual([
      `${row}:1: invalid JSON at column 21: expected a value but found 'N'`,
    ]);
  });

  it('names bad lines: invalid JSON, not an object, a missing field and a wrong type', async () => {
    const good = {
      submit_time: 1772443800,
      duration_s: 1,
      key: 'k',
      instance_type: 'ml.m5.xlarge',
    };
    const path = await file(
      'bad.ndjson',
      [
        '{"submit_time": ',
        '[1, 2]',
        JSON.stringify(good),
        JSON.stringify({ ...good, instance_count: 1, key: 7 }),
        '{} x',
      ].join('\n')
    );

    const issues = await issuesOf(path);

    expect(issues).toEqual([
      `${path}:1: invalid JSON at column 17: expected a value but the line ends`,
      `${path}:2: not a JSON object`,
      `${path}:3: instance_count: missing`,
      `${path}:4: key: expected text, got 7`,
      `${path}:5: invalid JSON at column 4: expected the end of the line but found 'x'`,
    ]);
  });
});

describe('readTrace: what is not a trace row, reported as itself', () => {
  const MIB = 1_048_576;
  /** A JSON Lines row of exactly `chars` characters, padded in a field the reader only warns about. */
  const rowOf = (chars: number) => {
    const bare = `{${JSON_ROW},"note":""}`;
    return `{${JSON_ROW},"note":"${'x'.repeat(chars - bare.length)}"}`;
  };

  it('reads a line of exactly 1 MiB, ended or last, and refuses one character more at its line', async () => {
    // Prepare
    const ended = await file('ended.jsonl', `${rowOf(MIB)}\n{${JSON_ROW}}\n`);
    const last = await file('last.jsonl', `{${JSON_ROW}}\n${rowOf(MIB)}`);
    const endedOver = await file('ended-over.jsonl', `${rowOf(MIB + 1)}\n{${JSON_ROW}}\n`);
    const lastOver = await file('last-over.jsonl', `{${JSON_ROW}}\n${rowOf(MIB + 1)}`);
    expect(rowOf(MIB)).toHaveLength(MIB);

    // Act
    const read = await Promise.all([readTrace(ended), readTrace(last)]);

    // Assess
    expect(read.map((t) => t.jobs.length)).toEqual([2, 2]);
    expect(await issuesOf(endedOver)).toEqual([
      `${endedOver}:1: a line longer than 1 MiB: not a trace row`,
    ]);
    expect(await issuesOf(lastOver)).toEqual([
      `${lastOver}:2: a line longer than 1 MiB: not a trace row`,
    ]);
  });

  it('names a NUL byte and a byte that is not UTF-8 as they are, not as a failure to read', async () => {
    // Prepare
    const nul = await file('nul.jsonl', `{${JSON_ROW}}\nab\u0000\n`);
    const latin1 = join(dir, 'latin1.jsonl');
    await writeFile(latin1, Buffer.from(`{${JSON_ROW}}\n{"owner":"j\xfcrgen"}\n`, 'latin1'));

    // Act
    const issues = [await issuesOf(nul), await issuesOf(latin1)];

    // Assess
    expect(issues).toEqual([
      [
        `${nul}:2: binary data (a NUL byte): not a CSV or JSON Lines text file (if it is UTF-16, save it as UTF-8)`,
      ],
      [`${latin1}:2: not UTF-8 text (a byte such as Latin-1 "ü"); save the file as UTF-8`],
    ]);
  });
});

describe('readTrace: edges of the field rules', () => {
  const row = (fields: string) => `{${JSON_ROW},${fields}}`;

  it('reads optional text and an input mode of spaces as absent, in CSV and JSON Lines', async () => {
    // Prepare
    const csv = await file(
      'blank.csv',
      `${HEADER},owner,team,account,input_mode\n1772443800,60,k,ml.m5.xlarge,1,  ,\t, ,  \n`
    );
    const jsonl = await file('blank.jsonl', `${row('"owner":" ","team":"","input_mode":""')}\n`);
    // Act
    const jobs = [...(await readTrace(csv)).jobs, ...(await readTrace(jsonl)).jobs];
    // Assess
    const absent = [undefined, undefined, undefined, undefined];
    expect(jobs.map((j) => [j.owner, j.team, j.account, j.inputMode])).toEqual([absent, absent]);
  });

  it('takes an instance type only when all of it is spelt ml.<family>.<size>', async () => {
    // Prepare: each holds a valid type inside it
    const types = ['xml.g5.xlarge', 'ml.g5.xlarge.x', 'ml.g5.xlarge/2', 'ml.g5.xlarge;'];
    const rows = types.map((type) => `1772443800,60,k,${type},1`);
    const path = await file('types.csv', `${HEADER}\n${rows.join('\n')}\n`);
    // Act
    const issues = await issuesOf(path);
    // Assess
    expect(issues).toEqual(
      types.map(
        (type, i) =>
          `${path}:${i + 2}: instance_type: "${type}" is not a SageMaker instance type (ml.<family>.<size>)`
      )
    );
  });

  it('reads epoch seconds up to 10^11 − 1 and takes 10^11 for milliseconds', async () => {
    // Prepare
    const last = await file('last.jsonl', `{${JSON_ROW.replace('1772443800', '99999999999')}}\n`);
    const ms = await file('ms.jsonl', `{${JSON_ROW.replace('1772443800', '100000000000')}}\n`);
    // Act
    const trace = await readTrace(last);
    // Assess
    expect(trace.jobs.map((j) => j.submitTime)).toEqual([99_999_999_999_000]);
    expect(await issuesOf(ms)).toEqual([
      `${ms}:1: submit_time: 100000000000 looks like epoch milliseconds; give epoch seconds or an ISO 8601 time`,
    ]);
  });

  it('refuses a tag with an empty key', async () => {
    const path = await file('tags.jsonl', `${row('"tags":{"":"x"}')}\n`);

    expect(await issuesOf(path)).toEqual([
      `${path}:1: tags: tag "" must have a non-empty key and a string value`,
    ]);
  });

  it('shows a bad value of up to 40 characters whole and cuts a longer one, text or JSON', async () => {
    // Prepare: text of 40 and 41 characters; JSON of 40 and 41 characters
    const time = (text: string) => `{${JSON_ROW.replace('1772443800', JSON.stringify(text))}}`;
    const count = (n: number) =>
      `{${JSON_ROW.replace('"instance_count":1', `"instance_count":["${'a'.repeat(n)}"]`)}}`;
    const path = await file(
      'long-values.jsonl',
      [time('x'.repeat(40)), time('y'.repeat(41)), count(36), count(37)].join('\n')
    );
    // Act
    const issues = await issuesOf(path);
    // Assess
    const iso = 'expected an ISO 8601 time with a zone (2026-03-02T09:15:00Z) or epoch seconds';
    const integer = 'expected an integer from 1 to 10000';
    expect(issues).toEqual([
      `${path}:1: submit_time: ${iso}, got "${'x'.repeat(40)}"`,
      `${path}:2: submit_time: ${iso}, got "${'y'.repeat(40)}…"`,
      `${path}:3: instance_count: ${integer}, got ["${'a'.repeat(36)}"]`,
      `${path}:4: instance_count: ${integer}, got ["${'a'.repeat(37)}"…`,
    ]);
  });
});
