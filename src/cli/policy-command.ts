import { checkConfigText, readConfigText } from '../adapters/config/load-config-file.js';
import { compilePolicy } from '../domain/config/compile-policy.js';
import { ConfigError } from '../domain/errors.js';
import { DEFAULT_CONFIG_FILE } from './config-option.js';
import { explainCommand } from './explain-command.js';
import { parseFlags, subcommandOf, withUsage } from './flag-problem.js';
import type { CliIo } from './io.js';
import { UsageError } from './usage-error.js';

const USAGE = `usage: warden policy validate [FILE | --config FILE]
       warden policy explain --job DESCRIBE.json [--config FILE] [--at TIME] [--gaps LIST]

Checks the warm-pool policy (settings: and rules:) and the rest of a Pool Warden config,
without touching AWS. Every problem is printed as FILE:LINE: FIELD: MESSAGE, sorted by line.

  FILE   the config file (default: $WARDEN_CONFIG_FILE, else ./warden.config.yaml: the file
         \`serverless package\` inlines)

explain shows which rule matches one job's pool and what the steward would decide
(warden policy explain --help).

Exit status: 0 valid, 1 the file has problems, 2 bad arguments or an unreadable file.`;

/** `warden policy <subcommand>`. */
async function policyCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const picked = subcommandOf(argv, USAGE, {
    command: 'policy',
    subs: ['validate', 'explain'],
    needs: 'a subcommand',
  });
  if (picked === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  return picked.sub === 'validate' ? validate(picked.rest, io) : explainCommand(picked.rest, io);
}

async function validate(argv: readonly string[], io: CliIo): Promise<number> {
  const file = parseValidateArgs(argv);
  if (file === 'help') {
    io.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const text = await readConfigText(file).catch((error: unknown) => {
    // Unreadable is exit 2 (the usage says so); a readable file with problems is exit 1.
    throw error instanceof ConfigError ? new UsageError(error.issues.join('; ')) : error;
  });
  const result = checkConfigText(text, file);
  if (!result.ok) {
    for (const issue of byLine(result.issues, file)) io.stdout.write(`${issue}\n`);
    const n = result.issues.length;
    io.stderr.write(`${file}: invalid — ${n} problem${n === 1 ? '' : 's'}\n`);
    return 1;
  }
  const policy = compilePolicy(result.config);
  const n = policy.rules.length;
  const rules = n === 0 ? 'no rules (every pool is left alone)' : `${n} rule${n === 1 ? '' : 's'}`;
  io.stdout.write(`${file}: valid — ${rules}, dry run ${policy.settings.dryRun ? 'ON' : 'OFF'}\n`);
  return 0;
}

function parseValidateArgs(argv: readonly string[]): string | 'help' {
  const parsed = withUsage(USAGE, () =>
    parseFlags({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: { help: { type: 'boolean', short: 'h' }, config: { type: 'string' } },
    })
  );
  if (parsed.values.help) return 'help';
  const { config } = parsed.values;
  const named = [...parsed.positionals, ...(config === undefined ? [] : [config])];
  if (named.length > 1) {
    throw new UsageError(`policy validate takes one FILE\n\n${USAGE}`);
  }
  if (named[0] === '') throw new UsageError(`policy validate: FILE is empty\n\n${USAGE}`);
  // What packaging inlines, so that a deploy never meets a problem validate did not show.
  return named[0] ?? (process.env.WARDEN_CONFIG_FILE || DEFAULT_CONFIG_FILE);
}

/** Issues in line order; ones without a line (an empty file) come first, order kept on ties. */
function byLine(issues: readonly string[], file: string): string[] {
  const lineOf = (issue: string) => {
    const m = /^:(\d+):/.exec(issue.slice(file.length));
    return m === null ? 0 : Number(m[1]);
  };
  return [...issues].sort((a, b) => lineOf(a) - lineOf(b));
}

export { policyCommand };
