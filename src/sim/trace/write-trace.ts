import { open } from 'node:fs/promises';
import { extname } from 'node:path';
import { type Trace, TraceError, type TraceJob } from './trace.js';

/**
 * Writes a trace in the format `read-trace` reads back, chosen by the file's extension: CSV
 * (`.csv`, every column, empty cells for absent values) or JSON Lines (`.jsonl`, `.ndjson`,
 * absent fields left out). Times are written as ISO 8601 UTC with milliseconds, so a round trip
 * is exact.
 */

const COLUMNS = [
  'submit_time',
  'duration_s',
  'key',
  'instance_type',
  'instance_count',
  'owner',
  'team',
  'account',
  'tags',
  'input_mode',
  'keep_alive_s',
] as const;

/** Rows per write: large traces are written in pieces, never as one huge string. */
const BATCH = 10_000;

type TraceFormat = 'csv' | 'jsonl';

/**
 * The format a trace file's extension names; anything else is an error naming the file, under
 * the headline `doing` (the reader passes its own).
 */
function traceFormatOf(file: string, doing = 'cannot write trace'): TraceFormat {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  throw new TraceError(
    [`${file}: unknown trace format "${ext || '(no extension)'}": use .csv, .jsonl or .ndjson`],
    doing
  );
}

/**
 * Writes `trace` to `file` (replacing it), as CSV or JSON Lines by extension.
 *
 * @example await writeTrace(generateScenario('hpo'), 'hpo.csv')
 */
async function writeTrace(trace: Pick<Trace, 'jobs'>, file: string): Promise<void> {
  const format = traceFormatOf(file);
  const handle = await open(file, 'w');
  try {
    if (format === 'csv') await handle.write(`${COLUMNS.join(',')}\n`);
    const row = format === 'csv' ? csvRow : jsonlRow;
    for (let i = 0; i < trace.jobs.length; i += BATCH) {
      let text = '';
      const end = Math.min(i + BATCH, trace.jobs.length);
      for (let j = i; j < end; j++) text += `${row(trace.jobs[j] as TraceJob)}\n`;
      await handle.write(text);
    }
  } finally {
    await handle.close();
  }
}

/**
 * One job as a CSV row under the standard header.
 *
 * @example csvRow(job) // '2026-03-02T09:00:00.000Z,300,role=…,ml.g5.xlarge,1,,,,,,'
 */
function csvRow(job: TraceJob): string {
  return [
    new Date(job.submitTime).toISOString(),
    String(job.durationMs / 1000),
    csvCell(job.key),
    csvCell(job.instanceType),
    String(job.instanceCount),
    csvCell(job.owner ?? ''),
    csvCell(job.team ?? ''),
    csvCell(job.account ?? ''),
    job.tags === undefined ? '' : csvCell(JSON.stringify(job.tags)),
    job.inputMode ?? '',
    job.keepAliveMs === undefined ? '' : String(Math.round(job.keepAliveMs / 1000)),
  ].join(',');
}

/** A cell quoted when it holds a comma, a quote or a line break, with quotes doubled. */
function csvCell(text: string): string {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 44 || c === 34 || c === 10 || c === 13) return `"${text.replaceAll('"', '""')}"`;
  }
  return text;
}

/**
 * One job as a JSON Lines record, absent fields left out.
 *
 * @example jsonlRow(job) // '{"submit_time":"2026-03-02T09:00:00.000Z","duration_s":300,…}'
 */
function jsonlRow(job: TraceJob): string {
  const record: Record<string, unknown> = {
    submit_time: new Date(job.submitTime).toISOString(),
    duration_s: job.durationMs / 1000,
    key: job.key,
    instance_type: job.instanceType,
    instance_count: job.instanceCount,
  };
  if (job.owner !== undefined) record.owner = job.owner;
  if (job.team !== undefined) record.team = job.team;
  if (job.account !== undefined) record.account = job.account;
  if (job.tags !== undefined) record.tags = job.tags;
  if (job.inputMode !== undefined) record.input_mode = job.inputMode;
  if (job.keepAliveMs !== undefined) record.keep_alive_s = Math.round(job.keepAliveMs / 1000);
  return JSON.stringify(record);
}

export type { TraceFormat };
export { COLUMNS as TRACE_COLUMNS, csvRow, jsonlRow, traceFormatOf, writeTrace };
