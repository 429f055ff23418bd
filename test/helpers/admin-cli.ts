import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoPoolStore } from '../../src/adapters/aws/dynamo-pool-store.js';
import type { MemoryPoolStore } from '../../src/adapters/memory/memory-pool-store.js';
import type { CliIo } from '../../src/cli/io.js';
import { main } from '../../src/cli/main.js';
import type { StoreTargetDeps } from '../../src/cli/store-target.js';
import { WardenError } from '../../src/domain/errors.js';
import { VirtualClock } from '../../src/sim/virtual-clock.js';
import { loopbackClientConfig } from './loopback-http.js';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

/** Runs a command (`warden` itself by default) and collects what it printed. */
async function runCli(argv: readonly string[], command?: Command) {
  let stdout = '';
  let stderr = '';
  const io = {
    stdout: { write: (t: string) => (stdout += t) },
    stderr: { write: (t: string) => (stderr += t) },
  };
  const code = command === undefined ? await main(argv, io) : await asMain(command, argv, io);
  return { code, stdout, stderr, lines: stdout.split('\n').filter(Boolean) };
}

/** A command called directly throws what `main` turns into an exit status: do the same. */
async function asMain(command: Command, argv: readonly string[], io: CliIo): Promise<number> {
  try {
    return await command(argv, io);
  } catch (error) {
    if (!(error instanceof WardenError)) throw error;
    io.stderr.write(`warden: ${error.message}\n`);
    return error.code === 'USAGE' || error.code === 'CONFIG_INVALID' ? 2 : 1;
  }
}

/** The admin commands' way to DynamoDB, pointed at a loopback server, with time stopped at `now`. */
function loopbackTargetDeps(endpoint: string, now: number): StoreTargetDeps {
  return {
    clock: new VirtualClock(now),
    dynamoClient: () => new DynamoDBClient({ ...loopbackClientConfig(endpoint), maxAttempts: 1 }),
  };
}

/**
 * Copies a replayed store's live pools (as first versions) and its audit into the table, as
 * the deployed steward would have written them.
 */
async function seedTable(
  client: DynamoDBClient,
  tableName: string,
  from: MemoryPoolStore
): Promise<void> {
  const { takenAt, audit } = from.snapshot();
  const table = new DynamoPoolStore(client, { tableName, clock: new VirtualClock(takenAt) });
  for (const pool of await from.livePools()) {
    if ((await table.putPool({ ...pool, version: 1 })) !== 'ok') throw new Error('seed conflict');
  }
  for (const { entry } of audit) await table.audit(entry, 90);
}

export { loopbackTargetDeps, runCli, seedTable };
