import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { AWS_CLIENT_OPTIONS } from '../adapters/aws/client-options.js';
import { DynamoPoolStore } from '../adapters/aws/dynamo-pool-store.js';
import { systemClock } from '../adapters/clock/system-clock.js';
import { saveState } from '../adapters/memory/state-dir.js';
import { DependencyError, WardenError } from '../domain/errors.js';
import type { PoolRecord } from '../domain/pool/pool-record.js';
import type { Clock } from '../domain/ports/clock.js';
import type { PoolStore } from '../domain/ports/pool-store.js';
import { loadStateDir } from './output-dir.js';
import { regionOption } from './region-option.js';
import { checkStage } from './stage-name.js';
import { UsageError } from './usage-error.js';

/** The table `serverless deploy --stage S` creates (`${self:service}-${self:provider.stage}`). */
const TABLE_PREFIX = 'pool-warden-';

/** Options every admin command shares, for `parseArgs`. */
const TARGET_OPTIONS = {
  stage: { type: 'string' },
  state: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
} as const;

/** The usage lines for `TARGET_OPTIONS`. */
const TARGET_USAGE = `  --stage S      the deployed table pool-warden-S (AWS credentials from the SDK's default chain)
  --table NAME   the table by name instead (with or without --stage)
  --region R     the table's region (default: the SDK's, from AWS_REGION or the profile)
  --state DIR    the state a local \`warden replay --state DIR\` left`;

type TargetSpec =
  | { readonly kind: 'table'; readonly table: string; readonly region?: string }
  | { readonly kind: 'state'; readonly dir: string };

/** A pool store opened for one command. */
interface StoreTarget {
  readonly store: PoolStore;
  /** "Now" for relative times: the wall clock for a table, the snapshot's time for a state. */
  readonly now: number;
  /** `table pool-warden-dev` or `state out/state`, for messages. */
  readonly label: string;
  /** Every pool, gone ones too: only a state holds them (a table keeps live pools listed). */
  readonly allPools?: () => readonly PoolRecord[];
  /** Writes a state back; a table needs nothing. */
  save(): Promise<void>;
}

interface StoreTargetDeps {
  readonly clock: Clock;
  /** A DynamoDB client for `region`, or for the SDK's default region when undefined. */
  dynamoClient(region: string | undefined): DynamoDBClient;
}

/** The real AWS: the default credential chain, adaptive retries. */
const defaultTargetDeps: StoreTargetDeps = {
  clock: systemClock,
  dynamoClient: (region) =>
    new DynamoDBClient({
      ...AWS_CLIENT_OPTIONS,
      ...(region === undefined ? {} : { region }),
    }),
};

/**
 * The store the flags name: `--stage`/`--table` (+ `--region`) for DynamoDB, `--state` for a
 * local state, `defaultState` when none is given (undefined: one is required).
 */
function targetSpecOf(
  values: { stage?: string; state?: string; table?: string; region?: string },
  defaultState: string | undefined
): TargetSpec {
  const { stage, state, table, region } = values;
  const wantsTable = stage !== undefined || table !== undefined;
  if (state !== undefined && wantsTable) {
    throw new UsageError('--state is a local state: it cannot go with --stage or --table');
  }
  if (region !== undefined && !wantsTable) {
    throw new UsageError('--region needs --stage or --table');
  }
  if (stage !== undefined) checkStage(stage);
  if (table === '') throw new UsageError('--table needs a name');
  if (wantsTable) {
    regionOption(region, process.env.AWS_REGION);
    return {
      kind: 'table',
      table: table ?? `${TABLE_PREFIX}${stage}`,
      ...(region === undefined ? {} : { region }),
    };
  }
  const dir = state ?? defaultState;
  if (dir === undefined)
    throw new UsageError('name the store: --stage S, --table NAME or --state DIR');
  if (dir === '') throw new UsageError('--state needs a folder');
  return { kind: 'state', dir };
}

/**
 * Opens the store, runs `work` on it and closes it. Failures come out as one line each: a
 * state file that is missing or corrupt is a UsageError (exit 2); a missing table, missing
 * credentials or region, or a DynamoDB refusal is a DependencyError (exit 1).
 */
async function withStoreTarget<T>(
  spec: TargetSpec,
  deps: StoreTargetDeps,
  work: (target: StoreTarget) => Promise<T>
): Promise<T> {
  if (spec.kind === 'state') {
    const loaded = await loadStateDir(spec.dir);
    const { store } = loaded;
    return work({
      store,
      now: loaded.takenAt,
      label: `state ${spec.dir}`,
      allPools: () => store.snapshot().pools,
      save: async () => {
        await saveState(spec.dir, store);
      },
    });
  }
  const client = deps.dynamoClient(spec.region);
  const clock = deps.clock;
  try {
    const store = new DynamoPoolStore(client, { tableName: spec.table, clock });
    return await work({
      store,
      now: clock.now(),
      label: `table ${spec.table}`,
      save: async () => undefined,
    });
  } catch (error) {
    throw clearer(error, spec);
  } finally {
    client.destroy();
  }
}

/** A DynamoDB failure as one line that says what to do about it. */
function clearer(error: unknown, spec: TargetSpec & { kind: 'table' }): unknown {
  if (!(error instanceof DependencyError)) return error;
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const where = spec.region === undefined ? 'the default region' : spec.region;
  const say = (message: string) => new DependencyError('DynamoDB', message, { cause: error });
  if (cause?.name === 'ResourceNotFoundException') {
    return say(
      `table ${spec.table} not found in ${where} (is the stage deployed there? see --table, --region)`
    );
  }
  if (cause?.name === 'CredentialsProviderError') {
    return say(
      `no AWS credentials (set AWS_PROFILE, or log in with aws sso login): ${oneLine(cause.message)}`
    );
  }
  if (cause !== undefined && /region is missing/i.test(cause.message)) {
    return say('no AWS region: pass --region or set AWS_REGION');
  }
  return new WardenError(error.code, oneLine(error.message), { cause: error });
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

export type { StoreTarget, StoreTargetDeps, TargetSpec };
export {
  defaultTargetDeps,
  TABLE_PREFIX,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetSpecOf,
  withStoreTarget,
};
