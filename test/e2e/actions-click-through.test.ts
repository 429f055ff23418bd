import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadState, saveState } from '../../src/adapters/memory/state-dir.js';
import { type ActionsServer, startActionsServer } from '../../src/cli/actions-command.js';
import { readDescribeFixtures } from '../../src/cli/read-describe-fixtures.js';
import { readInputs } from '../../src/cli/read-inputs.js';
import { parseConfig } from '../../src/domain/config/parse-config.js';
import type { WardenConfig } from '../../src/domain/config/warden-config.js';
import type { PoolRecord } from '../../src/domain/pool/pool-record.js';
import { startReplay } from '../../src/sim/replay.js';
import { EXAMPLE_CONFIG, EXAMPLE_DESCRIBE } from '../helpers/replayed-state.js';

/** Debian's chromium, or one CI names; the suite says so, visibly, when there is none. */
const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser']
  .filter((p): p is string => p !== undefined && p !== '')
  .find((p) => existsSync(p));
const SUITE =
  CHROMIUM === undefined
    ? 'actions click-through (SKIPPED: no Chromium at /usr/bin/chromium or $CHROMIUM_PATH; install Debian’s chromium package)'
    : 'actions click-through in headless Chromium';
if (CHROMIUM === undefined) console.warn(`${SUITE}`);

const EVENTS = join(
  import.meta.dirname,
  '..',
  '..',
  'examples',
  'events',
  '2026-11-24.vision-team.jsonl'
);
const JOB = 'resnet-sweep-001';

/**
 * The demo's directory and settings, with one rule that leaves pools to their owners, so the
 * steward does not extend resnet-sweep-001 before its owner can.
 */
async function worldConfig(): Promise<WardenConfig> {
  const text = await readFile(EXAMPLE_CONFIG, 'utf8');
  const rules = "rules:\n  - name: by-hand\n    match: {}\n    mode: 'off'\n";
  const parsed = parseConfig(`${text.slice(0, text.indexOf('\nrules:'))}\n${rules}`, 'e2e.yaml');
  if (!parsed.ok) throw new Error(parsed.issues.join('\n'));
  return parsed.config;
}

/** The demo day up to resnet-sweep-001's end (09:41Z): its pool is Available until 10:11Z. */
async function replayWorld(dir: string, config: WardenConfig): Promise<void> {
  const session = startReplay({
    config,
    outboxDir: join(dir, 'outbox'),
    fixtures: await readDescribeFixtures([EXAMPLE_DESCRIBE]),
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  for (const input of (await readInputs(EVENTS)).slice(0, 3)) await session.run(input);
  await saveState(join(dir, 'state'), session.steward.store);
}

/** The notice's link for `label`, moved to the port the server got. */
async function linkFor(dir: string, label: string, server: ActionsServer): Promise<string> {
  const email = await readFile(join(dir, 'outbox', `${JOB}-Completed.eml`), 'utf8');
  const line = email.split('\r\n').find((l) => l.trimStart().startsWith(`${label}: `));
  if (line === undefined) throw new Error(`no "${label}" link in the notice:\n${email}`);
  const url = new URL(line.slice(line.indexOf(': ') + 2));
  return `${server.url}${url.pathname}`;
}

async function poolNow(dir: string): Promise<PoolRecord> {
  const { store } = await loadState(join(dir, 'state'));
  const pool = store.snapshot().pools.find((p) => p.jobName === JOB);
  if (pool === undefined) throw new Error(`${JOB} is not in the state`);
  return pool;
}

describe.skipIf(CHROMIUM === undefined)(SUITE, () => {
  let dir: string;
  let server: ActionsServer;
  let browser: Browser;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-e2e-'));
    const config = await worldConfig();
    await replayWorld(dir, config);
    server = await startActionsServer({
      stateDir: join(dir, 'state'),
      port: 0,
      config,
      log: () => undefined,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('confirms on GET without changing the pool, extends it on POST, and refuses a second POST', async () => {
    // Prepare: the finish notice offers 11:41 CET, the most SageMaker allows (job end + 1h)
    const before = await poolNow(dir);
    const link = await linkFor(dir, 'Keep warm until 11:41 CET', server);
    const page = await browser.newPage();

    // Act: open the link, as a mail client (or a scanner) would
    const opened = await page.goto(link);

    // Assess: a confirmation page, and nothing changed
    expect(opened?.status()).toBe(200);
    const confirm = page.getByRole('button');
    await expect(confirm.textContent()).resolves.toMatch(/keep warm/i);
    await page.screenshot({ path: '/tmp/h11-confirm.png', fullPage: true });
    expect(await poolNow(dir)).toEqual(before);

    // Act: confirm
    const [posted] = await Promise.all([page.waitForNavigation(), confirm.click()]);

    // Assess: the pool is kept until 10:41Z (11:41 CET), audited as the owner's choice
    expect(posted?.status()).toBe(200);
    await page.screenshot({ path: '/tmp/h11-result.png', fullPage: true });
    const after = await poolNow(dir);
    expect(after.expiresAt).toBe(Date.parse('2026-11-24T10:41:00Z'));
    expect(after.expiresAt).toBeGreaterThan(before.expiresAt);
    expect(after.state).toBe('Available');
    expect(after.decisions.at(-1)).toMatchObject({ action: 'extend', outcome: 'applied' });
    expect(await page.textContent('body')).toMatch(/11:41/);

    // Act: the same link again, confirmed again
    await page.goto(link);
    const [again] = await Promise.all([page.waitForNavigation(), page.getByRole('button').click()]);

    // Assess: refused with a clear page, and the pool as the first click left it
    await page.screenshot({ path: '/tmp/h11-refused.png', fullPage: true });
    expect(again?.status()).toBeGreaterThanOrEqual(400);
    expect(again?.status()).toBeLessThan(500);
    expect(await page.textContent('body')).toMatch(/already (been )?used/i);
    expect((await poolNow(dir)).expiresAt).toBe(after.expiresAt);
    await page.close();
  }, 60_000);
});
