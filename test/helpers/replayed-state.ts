import { join } from 'node:path';
import { loadConfigFile } from '../../src/adapters/config/load-config-file.js';
import type { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import { saveState } from '../../src/adapters/memory/state-dir.js';
import { readDescribeFixtures } from '../../src/cli/read-describe-fixtures.js';
import { readInputs } from '../../src/cli/read-inputs.js';
import { startReplay } from '../../src/sim/replay.js';

const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');
/** The demo day's config, as `npm run demo` uses it. */
const EXAMPLE_CONFIG = join(EXAMPLES, 'warden.config.yaml');
const EXAMPLE_DESCRIBE = join(EXAMPLES, 'describe');
const EXAMPLE_EVENTS = join(EXAMPLES, 'events', '2026-11-24.vision-team.jsonl');

/**
 * Replays the demo day (`examples/`) through the real handlers and saves the steward's state
 * in `dir`. `inputs` stops after that many events (pools are still live then); `drain` follows
 * every pool to its end, as `warden replay` does.
 */
async function replayExamples(
  dir: string,
  options: { readonly inputs?: number; readonly drain?: boolean } = {}
): Promise<MemoryPoolStore> {
  const config = await loadConfigFile(EXAMPLE_CONFIG);
  const fixtures = await readDescribeFixtures([EXAMPLE_DESCRIBE]);
  const inputs = (await readInputs(EXAMPLE_EVENTS)).slice(0, options.inputs);
  const session = startReplay({
    config,
    outboxDir: join(dir, 'outbox'),
    fixtures,
    log: { info: () => undefined, warn: () => undefined, error: () => undefined },
  });
  for (const input of inputs) await session.run(input);
  if (options.drain === true) await session.finish();
  await saveState(join(dir, 'state'), session.steward.store);
  return session.steward.store;
}

export { EXAMPLE_CONFIG, EXAMPLE_DESCRIBE, replayExamples };
