import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { closestName } from '../../domain/config/closest-name.js';
import { MAX_INSTANCE_COUNT, MAX_JOB_SECONDS } from '../../domain/job/training-job.js';
import { jsonSyntaxError } from '../../domain/json-syntax.js';
import { isRecord, setOwn } from '../../domain/objects.js';
import { matchKeyOf, parseMatchKey } from '../../domain/pool/match-key.js';
import {
  INSTANCE_TYPE,
  type InputMode,
  MAX_KEEP_ALIVE_SECONDS,
  MILLIS_FROM,
  MIN_EPOCH_SECONDS,
  makeTrace,
  type Trace,
  TraceError,
  type TraceJob,
} from './trace.js';
import { type TraceFormat, traceFormatOf } from './write-trace.js';

/**
 * Reads a job trace for `warden simulate`: CSV (`.csv`) or JSON Lines (`.jsonl`, `.ndjson`),
 * one job per row, in any order. The file is streamed, so hundreds of thousands of rows load in
 * about a second; every bad row is reported as `file:LINE: field: reason`, and any bad row fails
 * the whole read (a backtest on a silently thinned trace would mislead).
 */

const REQUIRED = ['submit_time', 'duration_s', 'key', 'instance_type', 'instance_count'] as const;
const OPTIONAL = ['owner', 'team', 'account', 'tags', 'input_mode', 'keep_alive_s'] as const;

type Field = (typeof REQUIRED)[number] | (typeof OPTIONAL)[number];

const FIELDS: ReadonlySet<string> = new Set<string>([...REQUIRED, ...OPTIONAL]);
/** Made once: JSONL asks it of every row. */
const isField = (key: string): boolean => FIELDS.has(key);

/** A row with every field and a few hundred tags is a few KiB; anything this long is not one. */
const MAX_LINE_CHARS = 1_048_576;

/**
 * Input modes in any case, spaces, `_` and `-` ignored, and SageMaker's own names for them
 * (`TrainingInputMode` says `File`, `FastFile` and `Pipe`): a trace written from
 * DescribeTrainingJob carries those. Pipe streams as Fast File does, and counts as `ffm`, as
 * `warden trace export` writes it.
 */
const INPUT_MODE_NAMES: ReadonlyMap<string, InputMode> = new Map([
  ['fsx', 'fsx'],
  ['ffm', 'ffm'],
  ['fastfile', 'ffm'],
  ['pipe', 'ffm'],
  ['file', 'file'],
]);

/** Keys on several instance configurations named one by one in the warnings; the rest counted. */
const MAX_MIXED_KEYS_NAMED = 5;
/** Configurations of one such key named in its warning; the rest counted. */
const MAX_CONFIGS_NAMED = 5;

/** Reading stops after this many problems: the first ones are enough to fix the generator. */
const DEFAULT_MAX_PROBLEMS = 20;

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(?:([Zz])|([+-])(\d{2}):?(\d{2}))$/;

/** What the upper limits of numeric fields are, for messages. */
const LIMIT_NOTES: Partial<Record<Field, string>> = {
  duration_s: ' (366 days)',
  keep_alive_s: " (6 h, SageMaker's maximum)",
};

interface ReadTraceOptions {
  /** Problems collected before reading stops (default 20). */
  readonly maxProblems?: number;
}

/**
 * The trace in `file`, sorted by submit time; throws TraceError naming each bad row.
 *
 * @example const trace = await readTrace('jobs.csv'); trace.jobs.length
 */
async function readTrace(file: string, options: ReadTraceOptions = {}): Promise<Trace> {
  const format = await formatOfReadable(file);
  const sink = new RowSink(file, options.maxProblems ?? DEFAULT_MAX_PROBLEMS);
  const parser = format === 'csv' ? new CsvRows(sink) : new JsonlRows(sink);
  const stream = createReadStream(file, { highWaterMark: 1 << 20 });
  const decoder = new Utf8Chunks(file);
  let rest = '';
  let line = 0;
  try {
    for await (const bytes of stream as AsyncIterable<Buffer>) {
      const chunk = decoder.write(bytes, line);
      const text = rest + chunk;
      // Only the new chunk is searched: `rest` was searched with the chunk before it.
      const nul = chunk.indexOf('\u0000');
      if (nul !== -1) {
        // A NUL never occurs in CSV or JSON text: this is some other file, or UTF-16.
        throw new TraceError(
          [
            `${file}:${line + countLines(text, rest.length + nul)}: binary data (a NUL byte): not a CSV or JSON Lines text file (if it is UTF-16, save it as UTF-8)`,
          ],
          'cannot read trace'
        );
      }
      let from = 0;
      for (let nl = text.indexOf('\n'); nl !== -1; nl = text.indexOf('\n', from)) {
        if (nl - from > MAX_LINE_CHARS) throw tooLong(file, line + 1, text.slice(from, nl));
        parser.line(text.slice(from, nl), ++line);
        from = nl + 1;
      }
      rest = text.slice(from);
      // Unfinished, and already too long: holding and re-scanning it would grow without end.
      if (rest.length > MAX_LINE_CHARS) throw tooLong(file, line + 1, rest);
      if (sink.full) break;
    }
    rest += decoder.end(line, rest);
  } catch (error) {
    if (error instanceof TraceError) throw error;
    throw new TraceError([`${file}: cannot read: ${readFailure(error)}`], 'cannot read trace');
  } finally {
    stream.destroy();
  }
  if (line === 0 && /\r[^\r]/.test(rest)) throw bareCrLines(file);
  if (!sink.full && rest !== '') parser.line(rest, ++line);
  if (!sink.full) parser.end();
  return sink.finish(format);
}

/**
 * UTF-8 text of a file's chunks, refusing a byte that is not UTF-8 (Latin-1 "ü") at its line: a
 * name read so would silently be another name. The decoder turns such a byte into U+FFFD; a
 * chunk whose text holds more U+FFFD than its bytes spell (EF BF BD) had one. Only chunks with a
 * U+FFFD are counted, so a clean file pays nothing (a fatal TextDecoder cost a third more time).
 */
class Utf8Chunks {
  private readonly decoder = new StringDecoder('utf8');
  /** The last two bytes of the previous chunk: an EF BF BD may straddle two chunks. */
  private carry: Buffer = Buffer.alloc(0);

  constructor(private readonly file: string) {}

  write(bytes: Buffer, line: number): string {
    const text = this.decoder.write(bytes);
    const carry = this.carry;
    const searched = carry.length === 0 ? bytes : Buffer.concat([carry, bytes]);
    this.carry = bytes.subarray(Math.max(0, bytes.length - 2));
    if (text.includes('\uFFFD') && countChars(text) > countBytes(searched)) {
      this.refuseLine(text, line, carry, bytes);
    }
    return text;
  }

  /**
   * Finds the line with the byte that is not UTF-8: the first whose text holds more U+FFFD than
   * its bytes spell, so a real U+FFFD on an earlier line is not blamed. Text and bytes have the
   * same line ends, as no UTF-8 sequence holds a newline byte.
   */
  private refuseLine(text: string, line: number, carry: Buffer, bytes: Buffer): never {
    const lines = text.split('\n');
    let from = 0;
    for (let k = 0; k < lines.length; k++) {
      const nl = bytes.indexOf(10, from);
      const end = nl === -1 ? bytes.length : nl;
      const own = bytes.subarray(from, end);
      const lineBytes = k === 0 && carry.length > 0 ? Buffer.concat([carry, own]) : own;
      if (countChars(lines[k] as string) > countBytes(lineBytes)) this.refuseAt(line + 1 + k);
      from = end + 1;
    }
    this.refuseAt(line + 1);
  }

  /** What an unfinished character at the end leaves: always a byte that is not UTF-8. */
  end(line: number, rest: string): string {
    const text = this.decoder.end();
    if (text.includes('\uFFFD')) this.refuse(text, line, rest);
    return text;
  }

  private refuse(text: string, line: number, rest: string): never {
    this.refuseAt(line + countLines(rest + text, rest.length + text.indexOf('\uFFFD')));
  }

  private refuseAt(at: number): never {
    throw new TraceError(
      [`${this.file}:${at}: not UTF-8 text (a byte such as Latin-1 "ü"); save the file as UTF-8`],
      'invalid trace'
    );
  }
}

/** U+FFFD as UTF-8 bytes. */
const REPLACEMENT = Buffer.from('\uFFFD', 'utf8');

/** How many U+FFFD `text` holds. */
function countChars(text: string): number {
  let n = 0;
  for (let at = text.indexOf('\uFFFD'); at !== -1; at = text.indexOf('\uFFFD', at + 1)) n++;
  return n;
}

/** How often `bytes` spell U+FFFD. */
function countBytes(bytes: Buffer): number {
  let n = 0;
  for (let at = bytes.indexOf(REPLACEMENT); at !== -1; at = bytes.indexOf(REPLACEMENT, at + 3)) n++;
  return n;
}

/** No row is this long: a line of a few hundred MB took a minute and gigabytes to reject. */
function tooLong(file: string, line: number, text: string): TraceError {
  if (line === 1 && /\r[^\r]/.test(text)) return bareCrLines(file);
  return new TraceError(
    [`${file}:${line}: a line longer than ${MAX_LINE_CHARS / 1_048_576} MiB: not a trace row`],
    'invalid trace'
  );
}

/** Classic Mac line ends: read as one line, every row would vanish into the header. */
function bareCrLines(file: string): TraceError {
  return new TraceError(
    [`${file}:1: lines end in a bare CR (\\r); save the file with LF or CRLF line ends`],
    'invalid trace'
  );
}

/** Lines up to `end` in `text`, counting the one `end` is on. */
function countLines(text: string, end: number): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < end; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/**
 * The trace's format by extension. A path that is missing or a folder says so first: a typo in
 * the path is not a question of format.
 */
async function formatOfReadable(file: string): Promise<TraceFormat> {
  try {
    return traceFormatOf(file, 'cannot read trace');
  } catch (error) {
    const info = await stat(file).catch((e: unknown) => (e instanceof Error ? e : undefined));
    const why =
      info instanceof Error ? readFailure(info) : info?.isDirectory() ? FOLDER : undefined;
    if (why === undefined) throw error;
    throw new TraceError([`${file}: cannot read: ${why}`], 'cannot read trace');
  }
}

const FOLDER = 'is a folder, not a trace file (EISDIR)';

/** A file-system error as a short phrase, its code kept for searching. */
function readFailure(error: unknown): string {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  const what: Readonly<Record<string, string>> = {
    ENOENT: 'file not found',
    EISDIR: 'is a folder, not a trace file',
    ENOTDIR: 'a part of the path is a file, not a folder',
    ELOOP: 'a loop of symbolic links',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
  };
  const known = typeof code === 'string' && Object.hasOwn(what, code) ? what[code] : undefined;
  if (known !== undefined) return `${known} (${String(code)})`;
  return error instanceof Error ? error.message : String(error);
}

/** An instance configuration of a key, as first seen. */
interface ConfigSeen {
  readonly instanceType: string;
  readonly count: number;
  readonly line: number;
}

/** A key's first configuration; a key on several also lists each of them, in file order. */
interface KeySeen extends ConfigSeen {
  all?: Map<string, ConfigSeen>;
}

/** A raw row: the value of a field, `undefined` when the cell is empty or the key absent. */
type RawRow = (field: Field) => unknown;

/** Collects jobs, problems and warnings, and turns raw rows into jobs. */
class RowSink {
  readonly jobs: TraceJob[] = [];
  readonly problems: string[] = [];
  readonly warnings: string[] = [];
  /**
   * Each key's first instance configuration (`count × type`) and line; a key on several also
   * keeps each configuration's first line, so a trace of a million keys holds no Map per key.
   */
  private readonly keys = new Map<string, KeySeen>();

  constructor(
    readonly file: string,
    private readonly maxProblems: number
  ) {}

  get full(): boolean {
    return this.problems.length >= this.maxProblems;
  }

  problem(line: number | undefined, text: string): void {
    if (this.full) return;
    this.problems.push(
      line === undefined ? `${this.file}: ${text}` : `${this.file}:${line}: ${text}`
    );
  }

  warn(line: number, text: string): void {
    this.warnings.push(`${this.file}:${line}: ${text}`);
  }

  row(raw: RawRow, line: number): void {
    const before = this.problems.length;
    const bad = (field: Field, reason: string) => this.problem(line, `${field}: ${reason}`);
    const submitTime = readSubmitTime(raw('submit_time'), bad);
    const durationS = readNumber(raw('duration_s'), 'duration_s', 0, MAX_JOB_SECONDS, false, bad);
    const key = readText(raw('key'), 'key', true, bad);
    const instanceType = readText(raw('instance_type'), 'instance_type', true, bad);
    if (instanceType !== undefined && !INSTANCE_TYPE.test(instanceType)) {
      bad(
        'instance_type',
        `"${instanceType}" is not a SageMaker instance type (ml.<family>.<size>)`
      );
    }
    const count = readNumber(
      raw('instance_count'),
      'instance_count',
      1,
      MAX_INSTANCE_COUNT,
      true,
      bad
    );
    const owner = readText(raw('owner'), 'owner', false, bad);
    const team = readText(raw('team'), 'team', false, bad);
    const account = readText(raw('account'), 'account', false, bad);
    const tags = readTags(raw('tags'), bad);
    const inputMode = readInputMode(raw('input_mode'), bad);
    const keepAlive = readNumber(
      raw('keep_alive_s'),
      'keep_alive_s',
      0,
      MAX_KEEP_ALIVE_SECONDS,
      true,
      bad
    );
    if (this.problems.length > before || this.full) return;
    const seen = this.keys.get(key as string);
    if (seen === undefined) {
      this.keys.set(key as string, {
        instanceType: instanceType as string,
        count: count as number,
        line,
      });
    } else if (seen.instanceType !== instanceType || seen.count !== count) {
      const config = configName(count as number, instanceType as string);
      seen.all ??= new Map([[configName(seen.count, seen.instanceType), seen]]);
      if (!seen.all.has(config)) {
        seen.all.set(config, {
          instanceType: instanceType as string,
          count: count as number,
          line,
        });
      }
    }
    // One object shape for every job (absent fields are undefined) keeps V8's property access
    // monomorphic in the simulator's hot loop.
    this.jobs.push({
      submitTime: submitTime as number,
      durationMs: Math.round((durationS as number) * 1000),
      key: key as string,
      instanceType: instanceType as string,
      instanceCount: count as number,
      owner: owner === undefined ? undefined : owner,
      team: team === undefined ? undefined : team,
      account: account === undefined ? undefined : account,
      tags,
      inputMode,
      keepAliveMs: keepAlive === undefined ? undefined : keepAlive * 1000,
      line,
    });
  }

  finish(format: TraceFormat): Trace {
    if (this.problems.length > 0) {
      const stopped = this.full ? ` (stopped after ${this.problems.length} problems)` : '';
      throw new TraceError(this.problems, `invalid trace ${this.file}${stopped}`);
    }
    if (this.jobs.length === 0) {
      const what = format === 'csv' ? 'a header and no rows' : 'no rows';
      throw new TraceError(
        [`${this.file}: the trace is empty (${what}); a simulation needs at least one job`],
        'empty trace'
      );
    }
    this.poolMixedKeysApart();
    return makeTrace(this.jobs, this.file, this.warnings);
  }

  /**
   * SageMaker hands a pool only to a job of the same instance type and count, so a key naming
   * two (a trace keyed by project or user, not by match configuration) cannot share one pool
   * between them: each configuration of such a key becomes a key of its own, `key (count ×
   * type)`, with a warning, rather than letting an 8-GPU pool serve a 1-CPU job. A canonical
   * key (`role=…|type=…|count=…|…`, what the service and `warden trace export` write) gets the
   * row's own type and count written into it instead, so its role and the rest still read.
   */
  private poolMixedKeysApart(): void {
    const mixed = [...this.keys].filter(([, seen]) => seen.all !== undefined);
    if (mixed.length === 0) return;
    // Each configuration's new name (its `count × type` → name), by key.
    const renamed = new Map<string, Map<string, string>>();
    // A new name never merges with a key of the trace, nor with another new name; a canonical
    // one may, since equal canonical keys are the same match configuration.
    const taken = new Set<string>();
    for (const [i, [key, seen]] of mixed.entries()) {
      const fields = parseMatchKey(key);
      const all = [...(seen.all?.values() ?? [])];
      const names = new Map<string, string>();
      for (const { instanceType, count } of all) {
        const config = configName(count, instanceType);
        if (fields !== undefined) {
          names.set(config, matchKeyOf({ ...fields, instanceType, instanceCount: count }));
          continue;
        }
        let name = `${key} (${config})`;
        while (this.keys.has(name) || taken.has(name)) name += "'";
        taken.add(name);
        names.set(config, name);
      }
      renamed.set(key, names);
      if (i >= MAX_MIXED_KEYS_NAMED) continue;
      const listed = all.slice(0, MAX_CONFIGS_NAMED);
      const where = listed
        .map((c) => `${configName(c.count, c.instanceType)} (line ${c.line})`)
        .join(', ');
      const more = all.length > listed.length ? ` and ${all.length - listed.length} more` : '';
      const pooled =
        fields !== undefined
          ? 'each row is pooled under the key with its own type and count written in (a pool serves only its own type and count)'
          : `a pool serves only its own type and count, so each is pooled apart as "${[...names.values()].slice(0, MAX_CONFIGS_NAMED).join('", "')}"${more}`;
      this.warnings.push(
        `${this.file}:${seen.line}: key "${key}" runs on ${all.length} instance configurations, ${where}${more}; ${pooled}`
      );
    }
    for (let i = 0; i < this.jobs.length; i++) {
      const job = this.jobs[i] as TraceJob;
      const name = renamed.get(job.key)?.get(configName(job.instanceCount, job.instanceType));
      if (name !== undefined && name !== job.key) this.jobs[i] = { ...job, key: name };
    }
    const rest = mixed.length - MAX_MIXED_KEYS_NAMED;
    if (rest > 0) {
      this.warnings.push(
        `${this.file}: ${rest} more ${rest === 1 ? 'key runs' : 'keys run'} on several instance configurations; each configuration is pooled apart`
      );
    }
  }
}

/** How a warning names an instance configuration, and the key of a configuration seen. */
function configName(count: number, instanceType: string): string {
  return `${count} × ${instanceType}`;
}

/** CSV (RFC 4180): a header row, quoted cells may hold commas, doubled quotes and newlines. */
class CsvRows {
  private columns: Partial<Record<Field, number>> | undefined;
  private width = 0;
  private headerBroken = false;
  /**
   * A record whose quoted cell continues on the next physical line, with the quotes in it so
   * far: an odd count means the cell is still open, so the record is only split again once it
   * can be complete (re-splitting at every line made an unclosed quote quadratic).
   */
  private pending: { parts: string[]; line: number; quotes: number; chars: number } | undefined;

  constructor(private readonly sink: RowSink) {}

  line(physical: string, lineNo: number): void {
    const text = physical.endsWith('\r') ? physical.slice(0, -1) : physical;
    let record = text;
    let line = lineNo;
    if (this.pending !== undefined) {
      const pending = this.pending;
      pending.parts.push(text);
      pending.quotes += countQuotes(text);
      pending.chars += text.length + 1;
      // A record of quoted lines is capped like a line: an unclosed quote would hold the rest.
      if (pending.chars > MAX_LINE_CHARS) {
        throw new TraceError(
          [
            `${this.sink.file}:${pending.line}: a quoted cell runs on for more than ${MAX_LINE_CHARS / 1_048_576} MiB: a quote left open?`,
          ],
          'invalid trace'
        );
      }
      if (pending.quotes % 2 === 1) return;
      record = pending.parts.join('\n');
      line = pending.line;
      this.pending = undefined;
    } else if (
      text === '' ||
      (lineNo === 1 && text === '\uFEFF') ||
      // A line of spaces or tabs is blank, as in JSONL (checked only when it starts with one).
      (text.charCodeAt(0) <= 32 && text.trim() === '')
    ) {
      return;
    }
    const cells = splitCsv(line === 1 ? stripBom(record) : record);
    if (cells === 'open') {
      this.pending = { parts: [record], line, quotes: countQuotes(record), chars: record.length };
      return;
    }
    if (typeof cells === 'string') {
      this.sink.problem(line, `malformed CSV: ${cells}`);
      return;
    }
    if (this.columns === undefined) {
      this.header(cells, line);
      return;
    }
    // Without its required columns every row would repeat the header's problem.
    if (this.headerBroken) return;
    if (cells.length !== this.width) {
      // Rows ended by a bare CR run together into one line of too many cells.
      const bareCr = cells.some((cell) => cell.includes('\r'));
      this.sink.problem(
        line,
        bareCr
          ? 'a bare CR (\\r) inside the line: the file mixes line ends; save it with LF or CRLF line ends'
          : `row has ${cells.length} cells, the header has ${this.width}`
      );
      return;
    }
    const columns = this.columns;
    this.sink.row((field) => {
      const index = columns[field];
      if (index === undefined) return undefined;
      const cell = cells[index];
      return cell === '' ? undefined : cell;
    }, line);
  }

  end(): void {
    if (this.pending !== undefined) {
      this.sink.problem(this.pending.line, 'malformed CSV: a quoted cell is never closed');
    }
    if (this.columns === undefined && this.sink.problems.length === 0) {
      this.sink.problem(undefined, 'the trace is empty: a CSV trace needs a header row');
    }
  }

  private header(cells: readonly string[], line: number): void {
    const columns: Partial<Record<Field, number>> = {};
    for (const [index, raw] of cells.entries()) {
      const name = raw.trim();
      if (!FIELDS.has(name)) {
        this.sink.warn(line, `unknown column "${name}" ignored`);
        continue;
      }
      if (columns[name as Field] !== undefined) {
        this.sink.problem(line, `column "${name}" appears twice`);
      }
      columns[name as Field] = index;
    }
    const missing = REQUIRED.filter((field) => columns[field] === undefined);
    if (missing.length > 0) {
      this.headerBroken = true;
      // The warnings are not shown when the run fails: name a near miss here (SUBMIT_TIME).
      const near = cells
        .map((cell) => cell.trim())
        .filter((name) => !FIELDS.has(name))
        .map((name) => {
          const normal = name.toLowerCase().replace(/[\s-]+/g, '_');
          // A short data cell (a header line left out) is near any short name: only exact.
          const field = (missing as readonly string[]).includes(normal)
            ? normal
            : normal.length >= 4
              ? closestName(normal, missing)
              : undefined;
          return [name, field];
        })
        .filter((pair): pair is [string, string] => pair[1] !== undefined)
        .map(([name, field]) => `"${name}" for ${field}?`);
      // One cell holding every column: a spreadsheet exported with `;` or tabs between them.
      const separator =
        cells.length === 1 ? [';', '\t', '|'].find((c) => cells[0]?.includes(c)) : undefined;
      const split =
        separator === undefined
          ? ''
          : `; the header has no commas but ${separator === '\t' ? 'tabs' : `"${separator}"`} between names: save the file with commas between columns`;
      this.sink.problem(
        line,
        `missing required column${missing.length === 1 ? '' : 's'} ${missing.join(', ')} (the first line must be the header${near.length === 0 ? '' : `; did you mean ${near.join(', ')}`}${split})`
      );
    }
    this.columns = columns;
    this.width = cells.length;
  }
}

/**
 * The first key an object of the JSON text `text` (valid JSON) names twice, which JSON.parse
 * would settle silently by the last: at the top level when `accept` takes it, or anywhere in
 * the object that is the top-level value of `nested` (`inside` then says so). One pass, no
 * recursion: strings, most of a row, are skipped with indexOf, and a key is decoded only when
 * it holds an escape.
 *
 * @example repeatedKey('{"a":1,"t":{"x":"1","x":"2"}}', () => true, 't') // { key: 'x', inside: 't' }
 */
function repeatedKey(
  text: string,
  accept: (key: string) => boolean,
  nested?: string
): { readonly key: string; readonly inside?: string } | undefined {
  const top = new Set<string>();
  // The keys of the object under `nested`, while the scan is inside it.
  let inner: Set<string> | undefined;
  let lastTopKey: string | undefined;
  let depth = 0;
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34) {
      let j = text.indexOf('"', i + 1);
      while (j !== -1 && isEscaped(text, j)) j = text.indexOf('"', j + 1);
      if (j === -1) return undefined;
      if (expectKey) {
        const raw = text.slice(i + 1, j);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        if (depth === 1) {
          if (top.has(key) && accept(key)) return { key };
          top.add(key);
          lastTopKey = key;
        } else if (inner !== undefined) {
          if (inner.has(key)) return { key, inside: nested as string };
          inner.add(key);
        }
      }
      expectKey = false;
      i = j;
    } else if (c === 123 || c === 91) {
      depth++;
      if (c === 123 && depth === 2 && nested !== undefined && lastTopKey === nested) {
        inner = new Set();
      }
      expectKey = c === 123 && (depth === 1 || (depth === 2 && inner !== undefined));
    } else if (c === 125 || c === 93) {
      if (depth === 2) inner = undefined;
      depth--;
    } else if (c === 44) expectKey = depth === 1 || (depth === 2 && inner !== undefined);
  }
  return undefined;
}

/** Is the quote at `at` escaped (an odd number of backslashes before it)? */
function isEscaped(text: string, at: number): boolean {
  let n = 0;
  for (let k = at - 1; k >= 0 && text.charCodeAt(k) === 92; k--) n++;
  return n % 2 === 1;
}

/** JSON Lines: one object per line, blank lines skipped. */
class JsonlRows {
  private readonly unknown = new Set<string>();

  constructor(private readonly sink: RowSink) {}

  line(physical: string, lineNo: number): void {
    const raw = lineNo === 1 ? stripBom(physical) : physical;
    // JSON.parse skips surrounding whitespace itself; trimming every line would copy it.
    const text = raw.charCodeAt(0) === 123 ? raw : raw.trim();
    if (text === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      this.sink.problem(lineNo, invalidJson(raw, lineNo));
      return;
    }
    if (!isRecord(value)) {
      this.sink.problem(lineNo, 'not a JSON object');
      return;
    }
    const twice = repeatedKey(text, isField, 'tags');
    if (twice !== undefined) {
      // JSON.parse keeps the last silently; a CSV with the column twice is refused too.
      this.sink.problem(
        lineNo,
        twice.inside === undefined
          ? `${twice.key}: given twice`
          : `tags: tag "${twice.key}" given twice`
      );
      return;
    }
    for (const name in value) {
      if (!FIELDS.has(name) && !this.unknown.has(name)) {
        this.unknown.add(name);
        this.sink.warn(lineNo, `unknown field "${name}" ignored (first seen here)`);
      }
    }
    const record = value;
    this.sink.row((field) => {
      const v = Object.hasOwn(record, field) ? record[field] : undefined;
      return v === null ? undefined : v;
    }, lineNo);
  }

  end(): void {}
}

/**
 * Why a line is not JSON, at its column (V8's own message quotes the row and counts from 0),
 * with a hint when the file looks like pretty-printed JSON rather than one object a line.
 */
function invalidJson(line: string, lineNo: number): string {
  // Columns count on the line as written, its indent included.
  const fault = jsonSyntaxError(line);
  // The checker reads whole files; here its text is one line.
  const why =
    fault === undefined
      ? ''
      : ` at column ${fault.column}: ${fault.message.replace('the file ends', 'the line ends').replace('the end of the file', 'the end of the line')}`;
  const text = line.trim();
  const pretty =
    lineNo === 1 && (text === '{' || text === '[')
      ? ' (JSON Lines takes one whole object per line: is this a pretty-printed JSON file?)'
      : '';
  return `invalid JSON${why}${pretty}`;
}

/**
 * One CSV record's cells; `'open'` when a quoted cell runs past the end of the text (it continues
 * on the next line), or a reason when the quoting is malformed.
 */
function splitCsv(text: string): string[] | 'open' | string {
  if (text.indexOf('"') === -1) return text.split(',');
  const cells: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === 34) {
      let cell = '';
      let from = i + 1;
      for (;;) {
        const quote = text.indexOf('"', from);
        if (quote === -1) return 'open';
        cell += text.slice(from, quote);
        if (text.charCodeAt(quote + 1) === 34) {
          cell += '"';
          from = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      cells.push(cell);
      if (i === n) return cells;
      if (text.charCodeAt(i) !== 44) {
        return `text after a closing quote in cell ${cells.length}`;
      }
      i += 1;
    } else {
      const comma = text.indexOf(',', i);
      const end = comma === -1 ? n : comma;
      const cell = text.slice(i, end);
      if (cell.indexOf('"') !== -1) {
        return `a quote inside unquoted cell ${cells.length + 1} (quote the whole cell and double the quote)`;
      }
      cells.push(cell);
      if (comma === -1) return cells;
      i = comma + 1;
    }
    if (i === n) {
      cells.push('');
      return cells;
    }
  }
}

function countQuotes(text: string): number {
  let n = 0;
  for (let i = text.indexOf('"'); i !== -1; i = text.indexOf('"', i + 1)) n++;
  return n;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

type Bad = (field: Field, reason: string) => void;

function readText(value: unknown, field: Field, required: boolean, bad: Bad): string | undefined {
  if (value === undefined) {
    if (required) bad(field, 'missing');
    return undefined;
  }
  if (typeof value !== 'string') {
    bad(field, `expected text, got ${describe(value)}`);
    return undefined;
  }
  const text = value.trim();
  if (text === '') {
    if (required) bad(field, 'missing');
    return undefined;
  }
  return text;
}

/** A decimal number from a JSON number or a plain decimal text (no exponent, hex or spaces). */
function readNumber(
  value: unknown,
  field: Field,
  min: number,
  max: number,
  integer: boolean,
  bad: Bad
): number | undefined {
  const required = field === 'duration_s' || field === 'instance_count';
  const n = typeof value === 'number' ? value : typeof value === 'string' ? decimal(value) : NaN;
  // Checked only off the fast path: a cell of spaces is as empty as an empty cell.
  if (value === undefined || (Number.isNaN(n) && isBlank(value))) {
    if (required) bad(field, 'missing');
    return undefined;
  }
  const range = `from ${min} to ${max}${LIMIT_NOTES[field] ?? ''}`;
  const want = integer ? `an integer ${range}` : `a number ${range}`;
  if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
    bad(field, `expected ${want}, got ${describe(value)}`);
    return undefined;
  }
  return n;
}

function isBlank(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === '';
}

/** Digits with an optional sign and fraction; NaN for anything else. */
function decimal(text: string): number {
  const s = text.trim();
  let i = s.charCodeAt(0) === 45 || s.charCodeAt(0) === 43 ? 1 : 0;
  let digits = 0;
  let dot = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) digits++;
    else if (c === 46 && !dot) dot = true;
    else return NaN;
  }
  return digits === 0 ? NaN : Number(s);
}

/**
 * ISO 8601 with a zone (`2026-03-02T09:15:00Z`, `…+05:30`) or epoch seconds. A time without a
 * zone, or a number that looks like milliseconds, is rejected rather than guessed.
 */
function readSubmitTime(value: unknown, bad: Bad): number | undefined {
  if (value === undefined) {
    bad('submit_time', 'missing');
    return undefined;
  }
  if (typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(decimal(value)))) {
    return epochSeconds(typeof value === 'number' ? value : decimal(value), value, 'epoch', bad);
  }
  if (typeof value !== 'string') {
    bad('submit_time', `expected an ISO 8601 time or epoch seconds, got ${describe(value)}`);
    return undefined;
  }
  const ms = isoTime(value.trim());
  if (typeof ms === 'string') {
    bad('submit_time', isBlank(value) ? 'missing' : `${ms}, got ${describe(value)}`);
    return undefined;
  }
  // The same span as epoch seconds: before 2000 or from 5138-11-16 on, a typo, not a job.
  return epochSeconds(ms / 1000, value, 'iso', bad);
}

/** Epoch ms of `n` seconds if within the years a job can have; `form` is how it was written. */
function epochSeconds(
  n: number,
  value: unknown,
  form: 'epoch' | 'iso',
  bad: Bad
): number | undefined {
  const iso = form === 'iso';
  if (!Number.isFinite(n) || n < MIN_EPOCH_SECONDS) {
    const what = iso ? 'times' : 'epoch seconds';
    bad('submit_time', `${what} before 2000-01-01 are not a job time, got ${describe(value)}`);
    return undefined;
  }
  if (n >= MILLIS_FROM) {
    bad(
      'submit_time',
      iso
        ? `times from 5138-11-16T09:46:40Z (epoch 10^11 s) on are not a job time, got ${describe(value)}`
        : `${describe(value)} looks like epoch milliseconds; give epoch seconds or an ISO 8601 time`
    );
    return undefined;
  }
  return Math.round(n * 1000);
}

/** Epoch ms of an ISO 8601 date-time with a zone, or the reason it is not one. */
function isoTime(text: string): number | string {
  const fast = canonicalUtc(text);
  if (fast !== undefined) return fast;
  const m = ISO_TIME.exec(text);
  if (m === null) {
    if (/^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$/.test(text)) {
      return 'a time without a zone is ambiguous: add Z or an offset such as +01:00';
    }
    return 'expected an ISO 8601 time with a zone (2026-03-02T09:15:00Z) or epoch seconds';
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const millis = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * 1000);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return 'no such date';
  if (hour > 23 || minute > 59 || second > 59) return 'no such time of day';
  let offset = 0;
  if (m[8] === undefined) {
    const hours = Number(m[10]);
    const minutes = Number(m[11]);
    if (hours > 23 || minutes > 59) return 'no such zone offset';
    offset = (m[9] === '-' ? -1 : 1) * (hours * 60 + minutes) * 60_000;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offset;
}

/**
 * The form trace writers emit, `2026-03-02T09:15:00Z` or `…:00.250Z`, read digit by digit: on
 * a large trace the general pattern costs more than the rest of the row. Anything else, or an
 * impossible date, is left to the general path (and its messages).
 */
function canonicalUtc(s: string): number | undefined {
  const n = s.length;
  if ((n !== 20 && n !== 24) || s.charCodeAt(n - 1) !== 90) return undefined;
  if (s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 || s.charCodeAt(10) !== 84) return undefined;
  if (s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  if (n === 24 && s.charCodeAt(19) !== 46) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  const millis = n === 24 ? digits(s, 20, 3) : 0;
  if (year < 0 || month < 1 || month > 12 || day < 1 || millis < 0) return undefined;
  if (day > daysIn(year, month) || hour < 0 || hour > 23 || minute < 0 || minute > 59) {
    return undefined;
  }
  if (second < 0 || second > 59) return undefined;
  return Date.UTC(year, month - 1, day, hour, minute, second, millis);
}

/** The number `count` decimal digits at `from` spell, or -1 if any is not a digit. */
function digits(s: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Tags: a JSON object of string values (a quoted JSON cell in CSV). */
function readTags(value: unknown, bad: Bad): Readonly<Record<string, string>> | undefined {
  if (value === undefined) return undefined;
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      bad('tags', `expected a JSON object such as {"project":"vision"}, got ${describe(value)}`);
      return undefined;
    }
    const twice = isRecord(parsed) ? repeatedKey(value, () => true) : undefined;
    if (twice !== undefined) {
      bad('tags', `tag "${twice.key}" given twice`);
      return undefined;
    }
  }
  if (!isRecord(parsed)) {
    bad('tags', `expected a JSON object of string values, got ${describe(parsed)}`);
    return undefined;
  }
  const tags: Record<string, string> = {};
  for (const [key, tag] of Object.entries(parsed)) {
    if (key === '' || typeof tag !== 'string') {
      bad('tags', `tag "${key}" must have a non-empty key and a string value`);
      return undefined;
    }
    setOwn(tags, key, tag);
  }
  return tags;
}

function readInputMode(value: unknown, bad: Bad): InputMode | undefined {
  if (value === undefined) return undefined;
  // Trimmed, and empty is absent, as every other text field.
  const mode = typeof value === 'string' ? value.trim() : value;
  if (mode === '') return undefined;
  const known =
    typeof mode === 'string'
      ? INPUT_MODE_NAMES.get(mode.toLowerCase().replace(/[\s_-]/g, ''))
      : undefined;
  if (known !== undefined) return known;
  bad(
    'input_mode',
    `expected fsx, ffm or file (or SageMaker's File, FastFile, Pipe), got ${describe(value)}`
  );
  return undefined;
}

/** A value as it appears in a message: quoted text, cut short when long. */
function describe(value: unknown): string {
  if (typeof value === 'string') {
    return value.length > 40 ? `"${value.slice(0, 40)}…"` : `"${value}"`;
  }
  // JSON has no Infinity: 1e400 reads as Infinity, which JSON.stringify would show as null.
  const text = typeof value === 'number' ? String(value) : (JSON.stringify(value) ?? String(value));
  return text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

export type { ReadTraceOptions };
export { readTrace, splitCsv };
