import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { readTrace } from '../../../src/sim/trace/read-trace.js';
import { generateMixed } from '../../../src/sim/trace/scenarios.js';
import type { TraceJob } from '../../../src/sim/trace/trace.js';
import { TraceError } from '../../../src/sim/trace/trace.js';
import { csvRow, writeTrace } from '../../../src/sim/trace/write-trace.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'warden-write-trace-'));
});

/** A job with only the fields every row has. */
const PLAIN: TraceJob = {
  submitTime: Date.UTC(2026, 2, 2),
  durationMs: 60_000,
  key: 'k',
  instanceType: 'ml.m5.xlarge',
  instanceCount: 1,
};

/** A job without its source line, which a written file renumbers. */
function withoutLine({ line: _, ...job }: TraceJob) {
  return job;
}

describe('writeTrace', () => {
  it.each(['csv', 'jsonl', 'ndjson'])(
    'writes a .%s file that reads back to the same jobs',
    async (ext) => {
      // Prepare
      const trace = generateMixed({ seed: 21, days: 3 });
      const path = join(dir, `mixed.${ext}`);

      // Act
      await writeTrace(trace, path);
      const back = await readTrace(path);

      // Assess
      expect(back.warnings).toEqual([]);
      expect(back.jobs.map(withoutLine)).toEqual(trace.jobs.map(withoutLine));
    }
  );

  it('quotes cells holding commas, quotes and line breaks so they survive a round trip', async () => {
    const job: TraceJob = {
      submitTime: Date.UTC(2026, 2, 2, 9),
      durationMs: 1500,
      key: 'role=a,b|type="x"',
      instanceType: 'ml.g5.xlarge',
      instanceCount: 1,
      owner: 'Smith, Anna\nVision',
      tags: { note: 'a, "b"' },
    };
    const path = join(dir, 'odd.csv');

    await writeTrace({ jobs: [job] }, path);
    const back = await readTrace(path);

    expect(csvRow(job)).toBe(
      '2026-03-02T09:00:00.000Z,1.5,"role=a,b|type=""x""",ml.g5.xlarge,1,"Smith, Anna\nVision",,,"{""note"":""a, \\""b\\""""}",,'
    );
    expect(back.jobs.map(withoutLine)).toEqual([job]);
  });

  it.each([
    ['a comma', ',', ','],
    ['a quote', '"', '""'],
    ['a line feed', '\n', '\n'],
    ['a carriage return', '\r', '\r'],
  ])('quotes a cell holding only %s', (_, char, written) => {
    const job: TraceJob = { ...PLAIN, owner: `a${char}b` };

    expect(csvRow(job)).toBe(`2026-03-02T00:00:00.000Z,60,k,ml.m5.xlarge,1,"a${written}b",,,,,`);
  });

  it('writes a CSV row with empty cells for the fields a job lacks', () => {
    const job: TraceJob = { ...PLAIN, keepAliveMs: 0 };

    expect(csvRow(job)).toBe('2026-03-02T00:00:00.000Z,60,k,ml.m5.xlarge,1,,,,,,0');
  });

  it('writes JSON Lines without the fields a job lacks', async () => {
    const path = join(dir, 'plain.jsonl');

    await writeTrace(
      {
        jobs: [{ ...PLAIN, keepAliveMs: 0 }],
      },
      path
    );

    expect(await readFile(path, 'utf8')).toBe(
      '{"submit_time":"2026-03-02T00:00:00.000Z","duration_s":60,"key":"k","instance_type":"ml.m5.xlarge","instance_count":1,"keep_alive_s":0}\n'
    );
  });

  it('refuses a file name whose extension names no trace format', async () => {
    await expect(writeTrace({ jobs: [] }, join(dir, 'trace.parquet'))).rejects.toBeInstanceOf(
      TraceError
    );
    await expect(writeTrace({ jobs: [] }, join(dir, 'trace'))).rejects.toThrow(
      /^cannot write trace[\s\S]*trace: unknown trace format "\(no extension\)": use \.csv, \.jsonl or \.ndjson$/
    );
  });
});
