import packageJson from '../../package.json' with { type: 'json' };
import { closestName } from '../domain/config/closest-name.js';
import { WardenError } from '../domain/errors.js';
import { printable } from '../domain/printable.js';
import type { CliIo } from './io.js';

const USAGE = `usage: warden <command> [options]
       warden --version

commands:
  actions  serve the notices' keep-warm and release links locally (warden actions --help)
  audit    print the steward's audit of decisions (warden audit --help)
  dlq      list and redrive the stage's dead-letter queues (warden dlq --help)
  policy   check a config, or explain its decision for a job (warden policy --help)
  pools    list the warm pools the steward tracks (warden pools list --help)
  replay   run SageMaker events through the real handler, locally (warden replay --help)
  simulate backtest keep-alive policies on a trace of jobs (warden simulate --help)
  steward  pause, resume or show the warm-pool steward (warden steward --help)
  trace    export a trace from the account, or write a built-in scenario (warden trace --help)

Exit status: 0 success, 1 some input was rejected or failed, 2 bad arguments or configuration.`;

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

// Each command is loaded when it is run: `warden --help` need not load the AWS SDK.
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  actions: async () => (await import('./actions-command.js')).actionsCommand,
  audit: async () => (await import('./audit-command.js')).auditCommand,
  dlq: async () => (await import('./dlq-command.js')).dlqCommand,
  policy: async () => (await import('./policy-command.js')).policyCommand,
  pools: async () => (await import('./pools-command.js')).poolsCommand,
  replay: async () => (await import('./replay-command.js')).replayCommand,
  simulate: async () => (await import('./simulate-command.js')).simulateCommand,
  steward: async () => (await import('./steward-command.js')).stewardCommand,
  trace: async () => (await import('./trace-command.js')).traceCommand,
};

/** Runs one `warden` command and returns its exit status; never throws. */
async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    // `warden help simulate` is `warden simulate --help`.
    const [topic] = rest;
    if (name === 'help' && topic !== undefined && Object.hasOwn(COMMANDS, topic)) {
      return main([topic, '--help'], io);
    }
    io.stdout.write(`${USAGE}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-v' || name === 'version') {
    io.stdout.write(`warden ${packageJson.version}\n`);
    return 0;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    io.stderr.write(
      `warden: unknown command "${printable(name)}"${commandHint(name)}\n\n${USAGE}\n`
    );
    return 2;
  }
  try {
    return await (await load())(rest, io);
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

/** "; did you mean --version?" for a misspelt command or top-level flag, else nothing. */
function commandHint(name: string): string {
  const known = [...Object.keys(COMMANDS), '--help', '--version'];
  const hint = closestName(name.replace(/^-+/, name.startsWith('-') ? '--' : ''), known);
  return hint === undefined ? '' : `; did you mean ${hint}?`;
}

export { main };
