import { WardenError } from '../domain/errors.js';
import { auditCommand } from './audit-command.js';
import type { CliIo } from './io.js';
import { policyCommand } from './policy-command.js';
import { poolsCommand } from './pools-command.js';
import { printable } from './printable.js';
import { replayCommand } from './replay-command.js';
import { simulateCommand } from './simulate-command.js';
import { stewardCommand } from './steward-command.js';
import { traceCommand } from './trace-command.js';

const USAGE = `usage: warden <command> [options]

commands:
  audit    print the steward's audit of decisions (warden audit --help)
  policy   check the warm-pool policy in a config file (warden policy validate [FILE])
  pools    list the warm pools the steward tracks (warden pools list --help)
  replay   run SageMaker events through the real handler, locally (warden replay --help)
  simulate backtest keep-alive policies on a trace of jobs (warden simulate --help)
  steward  pause, resume or show the warm-pool steward (warden steward --help)
  trace    export a trace from the account, or write a built-in scenario (warden trace --help)

Exit status: 0 success, 1 some input was rejected or failed, 2 bad arguments or configuration.`;

const COMMANDS: Readonly<Record<string, (argv: readonly string[], io: CliIo) => Promise<number>>> =
  {
    audit: auditCommand,
    policy: policyCommand,
    pools: poolsCommand,
    replay: replayCommand,
    simulate: simulateCommand,
    steward: stewardCommand,
    trace: traceCommand,
  };

/** Runs one `warden` command and returns its exit status; never throws. */
async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`warden: unknown command "${printable(name)}"\n\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof WardenError) {
      // Messages quote file contents and arguments, which may carry terminal escapes.
      io.stderr.write(`warden ${name}: ${printable(error.message, true)}\n`);
      return error.code === 'USAGE' || error.code === 'CONFIG_INVALID' ? 2 : 1;
    }
    // A user gets one line; a developer chasing the bug asks for the stack.
    const detail =
      error instanceof Error
        ? process.env.WARDEN_DEBUG === undefined
          ? `${error.message.replace(/\s*\n\s*/g, ' ')} (set WARDEN_DEBUG=1 for the stack trace)`
          : (error.stack ?? error.message)
        : String(error);
    io.stderr.write(`warden ${name}: unexpected error: ${printable(detail, true)}\n`);
    return 1;
  }
}

export { main };
