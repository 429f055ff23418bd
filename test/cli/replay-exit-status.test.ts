import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/admin-cli.js';
import { stateChangeEvent } from '../helpers/factories.js';

/**
 * A folder the CLI's checks accept (it exists and, for root, is writable) but in which no file
 * can be created: every outbox write fails, so the notice fails rather than being rejected.
 */
const UNWRITABLE_FOLDER = '/proc/self/fdinfo';

describe('warden replay exit status (seeded mutant)', () => {
  it.runIf(process.platform === 'linux' && process.getuid?.() === 0)(
    'exits 1 when an input failed even though none was rejected',
    async () => {
      // Prepare
      const dir = await mkdtemp(join(tmpdir(), 'warden-replay-exit-'));
      const event = join(dir, 'event.json');
      await writeFile(event, JSON.stringify(stateChangeEvent()));
      const config = join(dir, 'config.yaml');
      await writeFile(config, 'version: 1\nowners:\n  fallback: unowned@example.com\n');

      // Act
      const { code, lines } = await runCli([
        'replay',
        '--json',
        '--config',
        config,
        '--outbox',
        UNWRITABLE_FOLDER,
        '--state',
        join(dir, 'state'),
        event,
      ]);

      // Assess
      const kinds = lines.map((l) => (JSON.parse(l) as { kind: string }).kind);
      expect(kinds).toContain('failed');
      expect(kinds).not.toContain('rejected');
      expect(code).toBe(1);
    }
  );
});
