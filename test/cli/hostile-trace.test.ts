import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/admin-cli.js';

const HOSTILE = join(import.meta.dirname, '..', 'fixtures', 'hostile');
const HEADER = 'submit_time,duration_s,key,instance_type,instance_count';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-hostile-trace-'));
});

function simulate(trace: string) {
  return runCli(['simulate', '--trace', trace, '--policies', 'none']);
}

describe('a hostile trace', () => {
  it('counts lines right after CRLF and a quoted cell spanning two lines', async () => {
    // Prepare
    const trace = join(HOSTILE, 'crlf-multiline.csv');

    // Act
    const { code, stderr } = await simulate(trace);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:5: instance_type: "ml.bad" is not a SageMaker instance`);
  });

  it('says a file with bare-CR line ends has them, instead of calling it empty', async () => {
    // Prepare
    const trace = join(HOSTILE, 'cr-only.csv');

    // Act
    const { code, stderr } = await simulate(trace);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:1: lines end in a bare CR (\\r); save the file with LF`);
  });

  it('says rows run together by bare CRs after an LF header are mixed line ends', async () => {
    const trace = join(dir, 'mixed.csv');
    const row = '2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1';
    await writeFile(trace, `${HEADER}\n${row}\r${row}\n`);

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(
      `${trace}:2: a bare CR (\\r) inside the line: the file mixes line ends`
    );
  });

  it('reports an unclosed quote at its line in linear time, not quadratic', async () => {
    // Prepare: 100k lines after the open quote took minutes when every line re-split the record.
    const trace = join(dir, 'open-quote.csv');
    await writeFile(
      trace,
      `${HEADER}\n2026-03-02T09:00:00Z,60,"k,ml.g5.xlarge,1\n${'x,y\n'.repeat(100_000)}`
    );

    // Act
    const { code, stderr } = await simulate(trace);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:2: malformed CSV: a quoted cell is never closed`);
  });

  it('names the line of a NUL byte instead of parsing binary data', async () => {
    // Prepare
    const trace = join(dir, 'binary.csv');
    await writeFile(trace, Buffer.concat([Buffer.from(`${HEADER}\nab`), Buffer.from([0, 0x1b])]));

    // Act
    const { code, stderr } = await simulate(trace);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:2: binary data (a NUL byte): not a CSV or JSON Lines`);
  });

  it('says a folder or a symlink loop is what it is', async () => {
    // Prepare
    const loop = join(dir, 'loop.csv');
    await symlink(loop, loop);
    const folder = join(dir, 'folder.csv');
    await mkdir(folder);

    // Act
    const asFolder = await simulate(folder);
    const looped = await simulate(loop);

    // Assess
    expect(asFolder.code).toBe(1);
    expect(asFolder.stderr).toContain(`${folder}: cannot read: is a folder, not a trace file`);
    expect(looped.code).toBe(1);
    expect(looped.stderr).toContain(`${loop}: cannot read: a loop of symbolic links (ELOOP)`);
  });

  it('escapes terminal control sequences a bad cell would echo into the message', async () => {
    // Prepare
    const trace = join(dir, 'ansi.csv');
    await writeFile(trace, `${HEADER}\n2026-03-02T09:00:00Z,60,k,\x1b]0;pwned\x07,1\n`);

    // Act
    const { code, stderr } = await simulate(trace);

    // Assess
    expect(code).toBe(1);
    expect(stderr).toContain('"\\x1b]0;pwned\\x07" is not a SageMaker instance type');
    expect(stderr).not.toContain('\x1b');
    expect(stderr).not.toContain('\x07');
  });

  it('escapes them in the warning about a column or field it does not know', async () => {
    // Prepare
    const csv = join(dir, 'ansi-header.csv');
    await writeFile(csv, `${HEADER},\x1b[31mcol\n2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1,x\n`);
    const jsonl = join(dir, 'ansi-field.jsonl');
    await writeFile(
      jsonl,
      '{"submit_time":"2026-03-02T09:00:00Z","duration_s":60,"key":"k","instance_type":"ml.g5.xlarge","instance_count":1,"\\u001b[31mf":1}\n'
    );

    // Act
    const runs = [await simulate(csv), await simulate(jsonl)];

    // Assess
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(runs[0]?.stderr).toContain('unknown column "\\x1b[31mcol" ignored');
    expect(runs[1]?.stderr).toContain('unknown field "\\x1b[31mf" ignored');
    expect(runs.map((r) => r.stderr).join('')).not.toContain('\x1b');
  });
});

describe('hostile simulate arguments', () => {
  it('calls an empty --trace a bad argument (exit 2), not an unknown format', async () => {
    const { code, stderr } = await simulate('');

    expect(code).toBe(2);
    expect(stderr).toMatch(/^warden simulate: --trace needs a file name\n/);
  });

  it('says a problem of two empty list items once', async () => {
    const { code, stderr } = await runCli(['simulate', '--scenario', 'hpo', '--policies', ',']);

    expect(code).toBe(2);
    expect(stderr.match(/empty policy name/g)).toHaveLength(1);
  });

  it('warns that a --quota for an instance type no job uses limits nothing (a typo)', async () => {
    const trace = join(dir, 'one.csv');
    await writeFile(trace, `${HEADER}\n2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1\n`);

    const { code, stderr } = await runCli([
      'simulate',
      '--trace',
      trace,
      '--policies',
      'none',
      '--quota',
      'ml.g5.xlarge=2,ml.zz.top=3',
    ]);

    expect(code).toBe(0);
    expect(stderr).toContain(
      'warning: --quota ml.zz.top: no job in the trace runs on ml.zz.top, so it limits nothing'
    );
    expect(stderr).not.toContain('--quota ml.g5.xlarge:');
  });

  it('never lets one configuration of a key warm-start a job of another (a key by project)', async () => {
    // Prepare: a 1-instance job of key k follows an 8-instance one 2 minutes after it ends.
    const trace = join(dir, 'project-key.csv');
    await writeFile(
      trace,
      `${HEADER}\n2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,8\n2026-03-02T09:05:00Z,60,k,ml.g5.xlarge,1\n`
    );

    const { code, stdout, stderr } = await runCli([
      'simulate',
      '--trace',
      trace,
      '--policies',
      'fixed:10m',
      '--json',
    ]);

    expect(code).toBe(0);
    expect(stderr).toContain('key "k" runs on 2 instance configurations');
    const [fixed] = (JSON.parse(stdout) as { policies: { coldStarts: number }[] }).policies;
    expect(fixed?.coldStarts).toBe(2);
  });
});

describe('a trace in the wrong encoding or of absurd lines', () => {
  it('says a Latin-1 file is not UTF-8, at its line, instead of misspelling the names', async () => {
    const trace = join(dir, 'latin1.csv');
    const row = '2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1,J\xfcrgen';
    await writeFile(trace, Buffer.from(`${HEADER},owner\n${row}\n`, 'latin1'));

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:2: not UTF-8 text`);
    expect(stderr).toContain('save the file as UTF-8');
  });

  it('names the line of the Latin-1 byte, not an earlier line with a real U+FFFD', async () => {
    const trace = join(dir, 'fffd-then-latin1.csv');
    const row = (owner: string) => `2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1,${owner}\n`;
    await writeFile(
      trace,
      Buffer.concat([
        Buffer.from(`${HEADER},owner\n${row('a\uFFFDb')}${row('x')}`),
        Buffer.from(row('J\xfcrgen'), 'latin1'),
      ])
    );

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:4: not UTF-8 text`);
  });

  it('reads a UTF-8 file that holds the character U+FFFD itself, even across a chunk edge', async () => {
    const trace = join(dir, 'fffd.csv');
    const row = (owner: string) => `2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1,${owner}`;
    // The reader takes 1 MiB at a time: pad so that one U+FFFD straddles the first edge.
    const head = `${HEADER},owner\n${row('a\uFFFDb')}\n`;
    const pad = `${row('x')}\n`;
    const edge = 1 << 20;
    const rows = Math.floor((edge - 1 - Buffer.byteLength(head) - row('').length) / pad.length);
    const before = Buffer.byteLength(head) + rows * pad.length + row('').length;
    const last = row(`${'y'.repeat(edge - 1 - before)}\uFFFD`);
    await writeFile(trace, `${head}${pad.repeat(rows)}${last}\n`);
    expect(
      Buffer.byteLength(`${head}${pad.repeat(rows)}${row('y'.repeat(edge - 1 - before))}`)
    ).toBe(edge - 1);

    const { code, stderr } = await simulate(trace);

    expect(stderr).not.toContain('not UTF-8');
    expect(code).toBe(0);
  });

  it('hints that a file of NUL bytes may be UTF-16 (what spreadsheets save as "Unicode text")', async () => {
    const trace = join(dir, 'utf16.csv');
    await writeFile(trace, Buffer.from(`${HEADER}\n`, 'utf16le'));

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:1: binary data (a NUL byte)`);
    expect(stderr).toContain('if it is UTF-16, save it as UTF-8');
  });

  it('refuses a line longer than 1 MiB at its line number, wherever it falls in a chunk', async () => {
    const trace = join(dir, 'long.jsonl');
    const good = JSON.stringify({
      submit_time: '2026-03-02T09:00:00Z',
      duration_s: 60,
      key: 'k',
      instance_type: 'ml.g5.xlarge',
      instance_count: 1,
    });
    const long = (mib: number) => `{"owner":"${'x'.repeat(mib * 1_048_576)}"}`;
    // 3 MiB spans chunks; 1.5 MiB after 100 KiB of rows ends inside the second chunk.
    await writeFile(trace, `${good}\n${long(3)}\n${good}\n`);
    const inChunk = join(dir, 'in-chunk.jsonl');
    const rows = `${good}\n`.repeat(Math.ceil(100_000 / good.length));
    await writeFile(inChunk, `${rows}${long(1.5)}\n${good}\n`);

    const spanning = await simulate(trace);
    const within = await simulate(inChunk);

    expect(spanning.code).toBe(1);
    expect(spanning.stderr).toContain(`${trace}:2: a line longer than 1 MiB: not a trace row`);
    expect(within.code).toBe(1);
    const at = rows.split('\n').length;
    expect(within.stderr).toContain(`${inChunk}:${at}: a line longer than 1 MiB`);
  });

  it('refuses a quoted CSV cell that runs on over many lines past 1 MiB (a quote left open)', async () => {
    const trace = join(dir, 'open-quote.csv');
    const line = `${'z'.repeat(1000)}\n`;
    await writeFile(trace, `${HEADER}\n2026-03-02T09:00:00Z,60,"k\n${line.repeat(1200)}`);

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(
      `${trace}:2: a quoted cell runs on for more than 1 MiB: a quote left open?`
    );
  });
});

describe('encoding and length limits at the edges of the stream', () => {
  const row = (owner: string) => `2026-03-02T09:00:00Z,60,k,ml.g5.xlarge,1,${owner}`;
  const header = `${HEADER},owner\n`;
  /** Rows that fill more than the reader's first 1 MiB chunk. */
  const filler = `${row('x')}\n`.repeat(Math.ceil((1 << 20) / row('x').length) + 10);

  it('finds a Latin-1 byte after a real U+FFFD in an earlier chunk', async () => {
    const trace = join(dir, 'late-latin1.csv');
    await writeFile(
      trace,
      Buffer.concat([
        Buffer.from(`${header}${row('a\uFFFDb')}\n${filler}`),
        Buffer.from(`${row('J\xfcrgen')}\n`, 'latin1'),
      ])
    );

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    const at = `${header}${row('')}\n${filler}`.split('\n').length;
    expect(stderr).toContain(`${trace}:${at}: not UTF-8 text`);
  });

  it('says a file cut in the middle of a character is not UTF-8', async () => {
    const trace = join(dir, 'cut.csv');
    const whole = Buffer.from(`${header}${row('Jü')}`);
    await writeFile(trace, whole.subarray(0, whole.length - 1));

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:2: not UTF-8 text`);
  });

  it('refuses an endless last line without a newline while reading it', async () => {
    const trace = join(dir, 'endless.jsonl');
    await writeFile(trace, `{"owner":"${'x'.repeat(3 << 20)}`);

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:1: a line longer than 1 MiB`);
  });

  it('calls a large file of bare-CR lines what it is, not one long line', async () => {
    const trace = join(dir, 'mac.csv');
    await writeFile(trace, `${header}${filler}`.replaceAll('\n', '\r'));

    const { code, stderr } = await simulate(trace);

    expect(code).toBe(1);
    expect(stderr).toContain(`${trace}:1: lines end in a bare CR`);
  });
});
