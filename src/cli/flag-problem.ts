import { closestName } from '../domain/config/closest-name.js';
import { printable } from './printable.js';

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
    if (flag !== undefined) return `${flag} needs a value`;
  }
  return message;
}

export { flagProblem };
