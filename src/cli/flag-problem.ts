import { type ParseArgsConfig, parseArgs } from 'node:util';
import { closestName } from '../domain/config/closest-name.js';
import { printable } from '../domain/printable.js';
import { UsageError } from './usage-error.js';

/**
 * A `parseArgs` failure in the CLI's words: a misspelt flag gets the nearest flag the command's
 * usage text names ("unknown flag --outbx; did you mean --outbox?") instead of Node's advice
 * about `--`. Any other error (a UsageError thrown while checking values) keeps its message.
 *
 * @example flagProblem(error, 'usage: warden replay [--outbox DIR]') // 'unknown flag --outbx; did you mean --outbox?'
 */
function flagProblem(error: unknown, usage: string): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const flag = /Unknown option '([^']+)'/.exec(message)?.[1] ?? '';
    const name = flag.replace(/^-+/, '').split('=')[0] ?? '';
    const known = [...new Set([...usage.matchAll(/--([a-z][a-z-]*)/g)].map((m) => m[1] ?? ''))];
    const hint = flag.startsWith('--') ? closestName(name, known) : undefined;
    // The usage text may list several forms of a command (policy validate | explain): a flag
    // of another form is spelt right, so suggesting it again would only confuse.
    if (hint === name) return `${printable(flag)} is not a flag of this form of the command`;
    return `unknown flag ${printable(flag)}${hint === undefined ? '' : `; did you mean --${hint}?`}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') {
    const flag = /Option '(?:-\w, )?(--[\w-]+)/.exec(message)?.[1];
    if (flag !== undefined && message.includes('does not take an argument')) {
      return `${flag} takes no value`;
    }
    // Node reads `--value-of-time -5` as a flag with no value, followed by a flag -5.
    if (flag !== undefined && message.includes('ambiguous')) {
      return `${flag} needs a value (write one that starts with "-" as ${flag}=-…)`;
    }
    if (flag !== undefined) return `${flag} needs a value`;
  }
  return message;
}

/**
 * `parseArgs`, refusing a flag that takes a value and is given twice: Node keeps the last one
 * silently, so `--policies none --policies oracle` would run only the oracle. Flags declared
 * `multiple` may repeat, and so may switches (they say the same thing twice).
 *
 * @example const { values } = withUsage(USAGE, () => parseFlags({ args, options, strict: true }))
 */
function parseFlags<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  // One parse: the tokens come along with the values the caller's options type.
  const result = parseArgs({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const token of result.tokens ?? []) {
    if (token.kind !== 'option') continue;
    const option = config.options?.[token.name];
    if (option?.type !== 'string' || option.multiple === true) continue;
    if (seen.has(token.name)) throw new Error(`--${token.name} is given twice; give it once`);
    seen.add(token.name);
  }
  return result as ReturnType<typeof parseArgs<T>>;
}

/**
 * Runs `parse` (a `parseArgs` call, with the checks of its values that belong with it): any
 * error comes out as a UsageError in `flagProblem`'s words, followed by the usage.
 *
 * @example const { values } = withUsage(USAGE, () => parseArgs({ args, options }))
 */
function withUsage<T>(usage: string, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    throw new UsageError(`${flagProblem(error, usage)}\n\n${usage}`);
  }
}

/**
 * The subcommand `argv` starts with and the arguments after it; 'help' for --help, -h or help.
 * A missing or unknown one is a UsageError followed by the usage.
 *
 * @example subcommandOf(argv, USAGE, { command: 'dlq', subs: ['list', 'redrive'], needs: 'list or redrive' })
 */
function subcommandOf<S extends string>(
  argv: readonly string[],
  usage: string,
  spec: { readonly command: string; readonly subs: readonly S[]; readonly needs: string }
): { readonly sub: S; readonly rest: string[] } | 'help' {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') return 'help';
  if (sub === undefined) throw new UsageError(`${spec.command} needs ${spec.needs}\n\n${usage}`);
  if (!(spec.subs as readonly string[]).includes(sub)) {
    const hint = closestName(sub, spec.subs);
    throw new UsageError(
      `unknown ${spec.command} subcommand "${printable(sub)}"${hint === undefined ? '' : `; did you mean ${hint}?`}\n\n${usage}`
    );
  }
  return { sub: sub as S, rest };
}

export { flagProblem, parseFlags, subcommandOf, withUsage };
