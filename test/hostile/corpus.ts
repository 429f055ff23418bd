import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

/**
 * The hostile corpus: one folder per case under test/fixtures/hostile/{events,configs,trees},
 * each with a `case.yaml` that says what must happen. Adding a case is adding a folder.
 */
const HOSTILE = join(import.meta.dirname, '..', 'fixtures', 'hostile');

const KINDS = ['notice', 'ignored', 'rejected', 'failed'] as const;
type OutcomeKind = (typeof KINDS)[number];

const kind = z.enum(KINDS);
const texts = z.array(z.string()).default([]);
/** Phrases that must (`contains`, `matches`) and must not (`excludes`, `notMatches`) appear. */
const phrases = z
  .object({ contains: texts, excludes: texts, matches: texts, notMatches: texts })
  .strict();
const sized = phrases.extend({ maxBytes: z.number().int().positive().optional() }).strict();

/** Fills a field of the event at test time, for inputs too big to commit. */
const generator = z.union([
  z
    .object({
      path: z.array(z.string()).min(1),
      repeat: z.string().min(1),
      bytes: z.number().int().positive(),
    })
    .strict(),
  z
    .object({
      path: z.array(z.string()).min(1),
      items: z.unknown(),
      count: z.number().int().positive(),
      last: z.array(z.unknown()).default([]),
    })
    .strict(),
  z
    .object({
      path: z.array(z.string()).min(1),
      nest: z.string().min(1),
      depth: z.number().int().positive(),
    })
    .strict(),
]);

const expectation = z
  .object({
    /**
     * Outcomes in order (an entry may list several acceptable kinds), or a count per kind (kinds
     * not named must not occur). Decisions of the steward are not outcomes.
     */
    outcomes: z.union([
      z.array(z.union([kind, z.array(kind).min(1)])),
      z.partialRecord(kind, z.number()),
    ]),
    /** Replay's exit status; by default 1 when any outcome is rejected or failed, else 0. */
    exit: z.union([z.number().int(), z.array(z.number().int())]).optional(),
    /** Messages delivered on each channel (the handler's senders, replay's outbox files). */
    counts: z.object({ email: z.number(), slack: z.number() }).strict().optional(),
    /** Files in replay's outbox. */
    outboxFiles: z.number().int().optional(),
    /** Every email and every Slack message. */
    delivered: phrases.optional(),
    email: sized.optional(),
    slack: sized.optional(),
    /** Raw outbox files (configs: the .eml headers). */
    outbox: phrases.optional(),
    /** What `warden replay` printed, human form, stdout and stderr. */
    printed: phrases.optional(),
    /** The handler's log lines, as JSON. */
    log: phrases.optional(),
  })
  .strict();

const caseFile = z
  .object({
    about: z.string().min(1),
    /** The numbered case of issue 7 this guards, if any. */
    issue: z.number().int().optional(),
    describe: z.string().optional(),
    generate: z.union([z.array(generator), z.object({ bytes: z.array(z.number()) })]).optional(),
    setup: z
      .object({
        links: z.record(z.string(), z.string()).default({}),
        dirs: z.array(z.string()).default([]),
      })
      .strict()
      .optional(),
    expect: expectation.partial({ outcomes: true }),
  })
  .strict();

type CaseFile = z.infer<typeof caseFile>;
type Phrases = z.infer<typeof phrases>;
type Expectation = CaseFile['expect'];
type Generator = z.infer<typeof generator>;

interface HostileCase {
  readonly group: 'events' | 'configs' | 'trees';
  readonly name: string;
  readonly dir: string;
  readonly spec: CaseFile;
}

/** Every case of a group, in name order; a malformed case.yaml fails loudly, naming its file. */
function hostileCases(group: HostileCase['group']): HostileCase[] {
  const root = join(HOSTILE, group);
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const file = join(dir, 'case.yaml');
      if (!existsSync(file)) throw new Error(`${file} is missing`);
      let yaml: unknown;
      try {
        yaml = parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`${file}: ${error instanceof Error ? error.message : String(error)}`);
      }
      const result = caseFile.safeParse(yaml);
      if (!result.success) throw new Error(`${file}: ${z.prettifyError(result.error)}`);
      return { group, name, dir, spec: result.data };
    });
}

/** The case's events: `event.json` (one) or `events.json` (a list), generated fields filled in. */
function eventsOf(hostile: HostileCase): unknown[] {
  const single = join(hostile.dir, 'event.json');
  const events: unknown[] = existsSync(single)
    ? [JSON.parse(readFileSync(single, 'utf8'))]
    : (JSON.parse(readFileSync(join(hostile.dir, 'events.json'), 'utf8')) as unknown[]);
  const generate = hostile.spec.generate;
  if (Array.isArray(generate)) {
    for (const event of events) for (const g of generate) fill(event, g);
  }
  return events;
}

function fill(event: unknown, g: Generator): void {
  const value =
    'repeat' in g
      ? g.repeat.repeat(Math.ceil(g.bytes / g.repeat.length)).slice(0, g.bytes)
      : 'items' in g
        ? [...Array.from({ length: g.count }, () => g.items), ...g.last]
        : nested(g.nest, g.depth);
  let at = event as Record<string, unknown>;
  for (const key of g.path.slice(0, -1)) at = at[key] as Record<string, unknown>;
  at[g.path.at(-1) as string] = value;
}

function nested(key: string, depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) value = { [key]: value };
  return value;
}

/** `(?i)` at the start of a pattern makes it case-insensitive, as in most regex dialects. */
function regex(pattern: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'i') : new RegExp(pattern);
}

export type { Expectation, HostileCase, OutcomeKind, Phrases };
export { eventsOf, HOSTILE, hostileCases, KINDS, regex };
