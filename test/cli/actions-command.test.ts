import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigFile } from '../../src/adapters/config/load-config-file.js';
import { createActionsCommand, startActionsServer } from '../../src/cli/actions-command.js';
import { main } from '../../src/cli/main.js';
import { EXAMPLE_CONFIG, replayExamples } from '../helpers/replayed-state.js';

function collectingIo() {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: { write: (t: string) => out.push(t) },
      stderr: { write: (t: string) => err.push(t) },
    },
    out: () => out.join(''),
    err: () => err.join(''),
  };
}

describe('warden actions', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'warden-actions-'));
    await replayExamples(dir, { inputs: 3 });
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses a port that is not a number, naming the flag (exit 2)', async () => {
    // Prepare
    const { io, err } = collectingIo();

    // Act
    const status = await main(['actions', 'serve', '--port', '80a'], io);

    // Assess
    expect(status).toBe(2);
    expect(err()).toContain('--port "80a" is not a port number');
  });

  it('refuses an unknown subcommand and a missing state, each with exit 2', async () => {
    // Prepare
    const first = collectingIo();
    const second = collectingIo();

    // Act
    const unknown = await main(['actions', 'click'], first.io);
    const missing = await main(
      [
        'actions',
        'serve',
        '--port',
        '0',
        '--state',
        join(dir, 'nowhere'),
        '--config',
        EXAMPLE_CONFIG,
      ],
      second.io
    );

    // Assess
    expect(unknown).toBe(2);
    expect(first.err()).toContain('unknown actions subcommand "click"');
    expect(missing).toBe(2);
    expect(second.err()).toContain('no state here');
  });

  it('refuses a state where the used links cannot be recorded, before serving', async () => {
    // Prepare: a copy of the state with a folder where the used nonces are kept
    const state = join(dir, 'nonces-blocked');
    await cp(join(dir, 'state'), state, { recursive: true });
    await mkdir(join(state, 'action-nonces.json'));

    // Act
    const error = await startActionsServer({
      stateDir: state,
      port: 0,
      config: await loadConfigFile(EXAMPLE_CONFIG),
      log: () => undefined,
    }).catch((e: unknown) => e);

    // Assess
    expect(error).toMatchObject({
      code: 'USAGE',
      message: `--state ${join(state, 'action-nonces.json')}: is a folder, not a file`,
    });
  });

  it('serves until stopped and says where, with the world time', async () => {
    // Prepare
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => {
      stop = resolve;
    });
    const { io, out } = collectingIo();
    const command = createActionsCommand({ stopped: () => stopped });

    // Act
    const running = command(
      ['serve', '--port', '0', '--state', join(dir, 'state'), '--config', EXAMPLE_CONFIG],
      io
    );
    await expect.poll(() => out()).toContain('Pool Warden actions on http://127.0.0.1:');
    stop();

    // Assess
    expect(await running).toBe(0);
    expect(out()).toContain('its clock stands at Tue 24 Nov, 10:41 CET');
  });

  it('answers a forged link with a 4xx page and a form post of the wrong type with 415', async () => {
    // Prepare
    const server = await startActionsServer({
      stateDir: join(dir, 'state'),
      port: 0,
      config: await loadConfigFile(EXAMPLE_CONFIG),
      log: () => undefined,
    });

    try {
      // Act
      const forged = await fetch(`${server.url}/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAA`);
      const json = await fetch(`${server.url}/a/AAAAAAAAAAAAAAAAAAAAAAAAAAAA`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });

      // Assess
      expect(forged.status).toBeGreaterThanOrEqual(400);
      expect(forged.status).toBeLessThan(500);
      expect(forged.headers.get('content-type')).toContain('text/html');
      expect(await forged.text()).toContain('Nothing was changed');
      expect(json.status).toBe(415);
    } finally {
      await server.close();
    }
  });
});
