import { userInfo } from 'node:os';
import type { StewardControl } from '../domain/ports/pool-store.js';
import { printable } from '../domain/printable.js';
import { formatTime, optionalConfig, zoneOf } from './admin-output.js';
import { parseFlags, subcommandOf, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import {
  defaultTargetDeps,
  type StoreTarget,
  type StoreTargetDeps,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetSpecOf,
  withStoreTarget,
} from './store-target.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden steward pause|resume|status (--stage S | --table NAME | --state DIR) [--by NAME] [--json] [--config FILE]

Stops a bad policy in seconds, without a deploy.

pause    the steward takes no action from its next run on: pools stay tracked and due, and
         are decided once it is resumed
resume   clears the pause AND a tripped circuit breaker
status   prints both

  --by NAME      who pauses or resumes, for the record (default: the login name)
  --json         status as one JSON object
  --config FILE  times in the config's default time zone (default: UTC)
${TARGET_USAGE}

Exit status: 0 done, 1 the table could not be read or written, 2 bad arguments or an
unreadable state.`;

const ACTIONS = ['pause', 'resume', 'status'] as const;
type StewardAction = (typeof ACTIONS)[number];

/**
 * `warden steward …` with the way to AWS injected, so tests can use a loopback DynamoDB.
 *
 * @example await createStewardCommand(defaultTargetDeps)(['pause', '--stage', 'prod'], io)
 */
function createStewardCommand(deps: StoreTargetDeps) {
  return async (argv: readonly string[], io: CliIo): Promise<number> => {
    const picked = subcommandOf(argv, USAGE, {
      command: 'steward',
      subs: ACTIONS,
      needs: 'pause, resume or status',
    });
    const args = picked === 'help' ? 'help' : parseStewardArgs(picked.sub, picked.rest);
    if (args === 'help') {
      io.stdout.write(`${USAGE}\n`);
      return 0;
    }
    const timeZone = zoneOf(await optionalConfig(args.config));
    return withStoreTarget(args.target, deps, async (target) => {
      const control = await target.store.getControl();
      const said = (c: StewardControl) => describeControl(c, timeZone);
      switch (args.action) {
        case 'status':
          io.stdout.write(
            args.json
              ? `${JSON.stringify(controlJson(control, target))}\n`
              : `${target.label}\n${said(control)}\n`
          );
          return 0;
        case 'pause': {
          if (control.paused) {
            io.stdout.write(`already paused; nothing changed\n${said(control)}\n`);
            return 0;
          }
          const paused = { ...control, paused: true, pausedBy: args.by, pausedAt: target.now };
          await write(target, paused);
          io.stdout.write(`paused the steward of ${target.label}\n${said(paused)}\n`);
          return 0;
        }
        case 'resume': {
          // The hourly breaker counts afresh from now, or it would trip again at once.
          const resumed: StewardControl = { paused: false, resumedAt: target.now };
          await write(target, resumed);
          const was = control.paused || control.breakerTrippedAt !== undefined;
          io.stdout.write(
            `${was ? 'resumed' : 'was running; nothing to resume'}: the steward of ${target.label} (by ${args.by})\n${said(resumed)}\n`
          );
          return 0;
        }
      }
    });
  };
}

/** `warden steward …` against the real AWS (or a local state). */
const stewardCommand = createStewardCommand(defaultTargetDeps);

async function write(target: StoreTarget, control: StewardControl): Promise<void> {
  await target.store.putControl(control);
  await target.save();
}

function describeControl(control: StewardControl, timeZone: string): string {
  const pause = control.paused
    ? `paused by ${control.pausedBy ?? 'someone'} at ${formatTime(control.pausedAt, timeZone)} ${timeZone}`
    : 'running';
  const breaker =
    control.breakerTrippedAt === undefined
      ? 'closed'
      : `TRIPPED at ${formatTime(control.breakerTrippedAt, timeZone)} ${timeZone}: ${control.breakerReason ?? 'no reason recorded'}`;
  // A pausedBy or breakerReason read from a table or state file may carry terminal escapes.
  return `steward:         ${printable(pause)}\ncircuit breaker: ${printable(breaker)}`;
}

function controlJson(control: StewardControl, target: StoreTarget): Record<string, unknown> {
  const iso = (ms: number | undefined) =>
    ms === undefined ? undefined : new Date(ms).toISOString();
  return {
    store: target.label,
    paused: control.paused,
    ...(control.pausedBy === undefined ? {} : { pausedBy: control.pausedBy }),
    ...(control.pausedAt === undefined ? {} : { pausedAt: iso(control.pausedAt) }),
    breakerTripped: control.breakerTrippedAt !== undefined,
    ...(control.breakerTrippedAt === undefined
      ? {}
      : { breakerTrippedAt: iso(control.breakerTrippedAt) }),
    ...(control.breakerReason === undefined ? {} : { breakerReason: control.breakerReason }),
  };
}

interface StewardArgs {
  readonly action: StewardAction;
  readonly by: string;
  readonly json: boolean;
  readonly config?: string;
  readonly target: ReturnType<typeof targetSpecOf>;
}

function parseStewardArgs(action: StewardAction, argv: readonly string[]): StewardArgs | 'help' {
  return withUsage(USAGE, () => {
    const { values, positionals } = parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        ...TARGET_OPTIONS,
        by: { type: 'string' },
        json: { type: 'boolean' },
        config: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
    if (values.help) return 'help';
    if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
    if (values.by !== undefined && action === 'status') {
      throw new UsageError('--by goes with pause or resume');
    }
    if (values.json && action !== 'status') throw new UsageError('--json goes with status');
    const by = (values.by ?? loginName()).trim();
    if (by === '') throw new UsageError('--by needs a name');
    // The name is stored and shown to every later admin; a control character has no place in it.
    if (printable(by) !== by) {
      throw new UsageError(`--by "${printable(by)}" holds control characters; give a plain name`);
    }
    return {
      action,
      by,
      json: values.json ?? false,
      ...(values.config === undefined ? {} : { config: values.config }),
      // A pause must name its store: pausing a local state by default would look like success.
      target: targetSpecOf(values, undefined),
    };
  });
}

function loginName(): string {
  try {
    return process.env.USER ?? userInfo().username;
  } catch {
    return 'unknown';
  }
}

export { createStewardCommand, stewardCommand };
