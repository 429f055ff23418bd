import { cp, mkdir, mkdtemp, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readTrainingJob } from '../../src/domain/job/training-job.js';
import { createHandler } from '../../src/handlers/job-state-change.js';
import { finishWorld } from '../domain/finish/finish-world.js';
import { runCli } from '../helpers/admin-cli.js';
import { lambdaContext, stateChangeEvent, T0, TEAM_CONFIG_YAML } from '../helpers/factories.js';
import {
  type Expectation,
  eventsOf,
  type HostileCase,
  hostileCases,
  KINDS,
  type OutcomeKind,
  type Phrases,
  regex,
} from './corpus.js';

/** The 20 MB case is written, parsed and rendered several times. */
const SLOW = 120_000;

afterEach(() => {
  // No case may pollute every object of the process.
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.keys(Object.prototype)).toEqual([]);
});

/**
 * Every string inside a message, one per line. Slack shows `plain_text` objects verbatim (no
 * mention, link or formatting is parsed in them), so those are left out when `markupOnly`.
 */
function stringsOf(value: unknown, markupOnly = false): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => stringsOf(v, markupOnly)).join('\n');
  if (typeof value === 'object' && value !== null) {
    if (markupOnly && 'type' in value && value.type === 'plain_text') return '';
    return Object.values(value)
      .map((v) => stringsOf(v, markupOnly))
      .join('\n');
  }
  return '';
}

function assessPhrases(where: string, text: string, phrases: Phrases | undefined): void {
  if (phrases === undefined) return;
  for (const p of phrases.contains) expect(text, `${where} must contain ${p}`).toContain(p);
  for (const p of phrases.excludes) {
    expect(text, `${where} must not contain ${JSON.stringify(p)}`).not.toContain(p);
  }
  for (const p of phrases.matches) expect(text, `${where} must match ${p}`).toMatch(regex(p));
  for (const p of phrases.notMatches) {
    expect(text, `${where} must not match ${p}`).not.toMatch(regex(p));
  }
}

function assessOutcomes(where: string, actual: readonly OutcomeKind[], want: Expectation): void {
  const expected = want.outcomes;
  if (expected === undefined) return;
  if (Array.isArray(expected)) {
    expect(actual, `${where}: outcomes`).toHaveLength(expected.length);
    expected.forEach((allowed, i) => {
      const kinds = typeof allowed === 'string' ? [allowed] : allowed;
      expect(kinds, `${where}: outcome ${i + 1} was ${actual[i]}`).toContain(actual[i]);
    });
    return;
  }
  const counts = Object.fromEntries(KINDS.map((k) => [k, actual.filter((a) => a === k).length]));
  expect(counts, `${where}: outcomes`).toEqual({
    ...Object.fromEntries(KINDS.map((k) => [k, 0])),
    ...expected,
  });
}

function assessExit(code: number, kinds: readonly OutcomeKind[], want: Expectation): void {
  const derived = kinds.some((k) => k === 'rejected' || k === 'failed') ? 1 : 0;
  const allowed = want.exit === undefined ? [derived] : [want.exit].flat();
  expect(allowed, `replay exited ${code}`).toContain(code);
}

interface Delivered {
  readonly emails: readonly string[];
  readonly slacks: readonly string[];
}

function assessDelivered(where: string, delivered: Delivered, want: Expectation): void {
  if (want.counts !== undefined) {
    expect({ email: delivered.emails.length, slack: delivered.slacks.length }, where).toEqual(
      want.counts
    );
  }
  assessPhrases(`${where} messages`, [...delivered.emails, ...delivered.slacks].join('\n'), {
    contains: want.delivered?.contains ?? [],
    matches: want.delivered?.matches ?? [],
    excludes: [],
    notMatches: [],
  });
  for (const text of [...delivered.emails, ...delivered.slacks]) {
    assessPhrases(`${where} message`, text, {
      contains: [],
      matches: [],
      excludes: want.delivered?.excludes ?? [],
      notMatches: want.delivered?.notMatches ?? [],
    });
  }
  for (const [channel, texts] of [
    ['email', delivered.emails],
    ['slack', delivered.slacks],
  ] as const) {
    const rule = want[channel];
    if (rule === undefined) continue;
    expect(texts.length, `${where}: no ${channel} to check`).toBeGreaterThan(0);
    for (const text of texts) {
      assessPhrases(`${where} ${channel}`, text, rule);
      if (rule.maxBytes !== undefined) {
        expect(Buffer.byteLength(text), `${where} ${channel} size`).toBeLessThanOrEqual(
          rule.maxBytes
        );
      }
    }
  }
}

/** The Lambda handler with in-memory adapters, SageMaker answering from the case's describe.json. */
async function throughHandler(hostile: HostileCase) {
  const answer =
    hostile.spec.describe === undefined
      ? undefined
      : readTrainingJob(
          JSON.parse(await readFile(join(hostile.dir, hostile.spec.describe), 'utf8')),
          hostile.spec.describe
        );
  if (answer !== undefined && !answer.ok) throw new Error(answer.reason);
  const { deps, senders, parked, log } = finishWorld({ now: T0, answers: [answer?.job] });
  const handler = createHandler(async () => deps);
  const kinds: OutcomeKind[] = [];
  for (const event of eventsOf(hostile)) {
    try {
      kinds.push((await handler(event, lambdaContext())).kind);
    } catch {
      kinds.push('failed');
    }
  }
  return { kinds, senders, parked, log };
}

/** A fresh folder with the team config, an outbox and a state folder. */
async function workspace() {
  const dir = await mkdtemp(join(tmpdir(), 'warden-hostile-'));
  const config = join(dir, 'team.yaml');
  await writeFile(config, TEAM_CONFIG_YAML);
  return { dir, config };
}

/**
 * `warden replay` in-process, twice: `--json` for the outcomes and the outbox, and the human
 * form for what a person reads in a terminal.
 */
async function replay(dir: string, config: string, inputs: readonly string[], extra: string[]) {
  const args = (name: string) => [
    '--config',
    config,
    '--outbox',
    join(dir, `${name}-outbox`),
    '--state',
    join(dir, `${name}-state`),
    ...extra,
    ...inputs,
  ];
  const json = await runCli(['replay', '--json', ...args('json')]);
  const human = await runCli(['replay', ...args('human')]);
  const kinds = json.lines
    .map((line) => (JSON.parse(line) as { kind: string }).kind)
    .filter((k): k is OutcomeKind => (KINDS as readonly string[]).includes(k));
  const outboxDir = join(dir, 'json-outbox');
  const files = await readdir(outboxDir).catch(() => [] as string[]);
  const read = async (suffix: string) =>
    Promise.all(
      files.filter((f) => f.endsWith(suffix)).map((f) => readFile(join(outboxDir, f), 'utf8'))
    );
  const emails = await read('.eml');
  const slacks = (await read('.slack.json')).map((t) => stringsOf(JSON.parse(t), true));
  return {
    kinds,
    code: json.code,
    humanCode: human.code,
    printed: `${human.stdout}\n${human.stderr}`,
    files,
    raw: [...emails, ...(await read('.slack.json'))].join('\n'),
    delivered: { emails, slacks },
  };
}

describe('hostile events through the Lambda handler', () => {
  it.each(hostileCases('events').map((c) => [c.name, c] as const))(
    'handles %s as its case.yaml says',
    async (_name, hostile) => {
      // Act
      const { kinds, senders, parked, log } = await throughHandler(hostile);

      // Assess
      const want = hostile.spec.expect;
      assessOutcomes('handler', kinds, want);
      expect(parked.entries).toHaveLength(kinds.filter((k) => k === 'rejected').length);
      for (const entry of parked.entries) expect(entry.reason).not.toBe('');
      assessDelivered(
        'handler',
        {
          emails: senders.emails.map(({ message }) => stringsOf(message)),
          slacks: senders.slacks.map(({ message }) => stringsOf(message, true)),
        },
        want
      );
      assessPhrases('handler log', log.lines.map((l) => JSON.stringify(l)).join('\n'), want.log);
    },
    SLOW
  );
});

describe('hostile events through warden replay', () => {
  it.each(hostileCases('events').map((c) => [c.name, c] as const))(
    'replays %s as its case.yaml says',
    async (_name, hostile) => {
      // Prepare
      const { dir, config } = await workspace();
      const events = eventsOf(hostile);
      const input = join(dir, events.length === 1 ? 'event.json' : 'events.json');
      await writeFile(input, JSON.stringify(events.length === 1 ? events[0] : events));
      const describe =
        hostile.spec.describe === undefined
          ? []
          : ['--describe', join(hostile.dir, hostile.spec.describe)];

      // Act
      const result = await replay(dir, config, [input], describe);

      // Assess
      const want = hostile.spec.expect;
      assessOutcomes('replay', result.kinds, want);
      assessExit(result.code, result.kinds, want);
      expect(result.humanCode).toBe(result.code);
      assessDelivered('replay', result.delivered, want);
      assessPhrases('replay output', result.printed, want.printed);
      assessPhrases('outbox', result.raw, want.outbox);
      if (want.outboxFiles !== undefined) expect(result.files).toHaveLength(want.outboxFiles);
    },
    SLOW
  );
});

describe('hostile configs through warden replay', () => {
  it.each(hostileCases('configs').map((c) => [c.name, c] as const))(
    'answers %s as its case.yaml says',
    async (_name, hostile) => {
      // Prepare
      const { dir } = await workspace();
      const config = join(dir, 'config.yaml');
      const generate = hostile.spec.generate;
      if (generate !== undefined && !Array.isArray(generate)) {
        await writeFile(config, Buffer.from(generate.bytes));
      } else {
        await cp(join(hostile.dir, 'config.yaml'), config);
      }
      const event = join(dir, 'event.json');
      await writeFile(event, JSON.stringify(stateChangeEvent()));

      // Act
      const result = await replay(dir, config, [event], []);

      // Assess
      const want = hostile.spec.expect;
      assessOutcomes('replay', result.kinds, want);
      assessExit(result.code, result.kinds, want);
      assessPhrases('replay output', result.printed, want.printed);
      assessPhrases('outbox', result.raw, want.outbox);
      assessDelivered('replay', result.delivered, want);
    }
  );
});

describe('hostile input trees through warden replay', () => {
  it.each(hostileCases('trees').map((c) => [c.name, c] as const))(
    'walks %s as its case.yaml says',
    async (_name, hostile) => {
      // Prepare: links and empty folders are made here, as git keeps neither well.
      const { dir, config } = await workspace();
      const tree = join(dir, 'tree');
      await cp(join(hostile.dir, 'tree'), tree, { recursive: true }).catch(async () => {
        await mkdir(tree);
      });
      for (const sub of hostile.spec.setup?.dirs ?? []) {
        await mkdir(join(tree, sub), { recursive: true });
      }
      for (const [name, target] of Object.entries(hostile.spec.setup?.links ?? {})) {
        await symlink(target, join(tree, name));
      }

      // Act
      const result = await replay(dir, config, [tree], []);

      // Assess
      const want = hostile.spec.expect;
      assessOutcomes('replay', result.kinds, want);
      assessExit(result.code, result.kinds, want);
      assessPhrases('replay output', result.printed, want.printed);
    }
  );
});
