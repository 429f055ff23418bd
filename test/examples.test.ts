import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfigFile } from '../src/adapters/config/load-config-file.js';
import { main } from '../src/cli/main.js';

const ROOT = join(import.meta.dirname, '..');

describe('bundled examples', () => {
  it('keeps the deployable config and the example config valid', async () => {
    await expect(loadConfigFile(join(ROOT, 'warden.config.yaml'))).resolves.toMatchObject({
      version: 1,
    });
    await expect(
      loadConfigFile(join(ROOT, 'examples', 'warden.config.yaml'))
    ).resolves.toMatchObject({ version: 1 });
  });

  it('replays the demo day into one notice per finished job and nothing rejected', async () => {
    // Prepare
    const outbox = join(await mkdtemp(join(tmpdir(), 'warden-demo-')), 'outbox');
    let stdout = '';
    const io = { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: () => true } };

    // Act
    const code = await main(
      [
        'replay',
        '--json',
        '--config',
        join(ROOT, 'examples', 'warden.config.yaml'),
        '--describe',
        join(ROOT, 'examples', 'describe'),
        '--outbox',
        outbox,
        join(ROOT, 'examples', 'events'),
      ],
      io
    );

    // Assess
    const outcomes = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { kind: string; job: string; owner?: string });
    const notices = outcomes.filter((o) => o.kind === 'notice');
    expect(code).toBe(0);
    expect(outcomes.filter((o) => o.kind === 'rejected')).toEqual([]);
    expect(new Set(notices.map((n) => n.job)).size).toBe(notices.length);
    expect(Object.fromEntries(notices.map((n) => [n.job, n.owner]))).toEqual({
      'resnet-sweep-001': 'alice',
      'resnet-sweep-002': 'alice',
      'resnet-sweep-003': 'alice',
      'resnet-sweep-004': 'alice',
      'bert-finetune-qa': 'bob',
      'llama-8b-sft-v3': 'alice',
      'churn-xgb-berlin': 'carol.studio',
      'detr-eval-nightly': 'vision',
      'vit-l-pretrain-probe': 'bob',
      'tmp-debug-run': 'platform',
    });
    // Each finish notice and each applied pool change reaches its owner by email and Slack.
    const applied = outcomes.filter(
      (o) => o.kind === 'decision' && (o as { outcome?: string }).outcome === 'applied'
    );
    expect(applied.length).toBeGreaterThan(0);
    expect((await readdir(outbox)).length).toBe(2 * (notices.length + applied.length));
  });
});
