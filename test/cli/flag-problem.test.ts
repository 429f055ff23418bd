import type { ParseArgsConfig } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flagProblem, parseFlags } from '../../src/cli/flag-problem.js';

const USAGE = `usage: warden policy validate [FILE]
       warden policy explain --job DESCRIBE.json [--config FILE] [--at TIME]`;

function problemWith(args: string[], options: ParseArgsConfig['options']): string {
  try {
    parseFlags({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    return flagProblem(error, USAGE);
  }
  throw new Error('parseFlags accepted the arguments');
}

describe('flagProblem', () => {
  it('says how to give a value that starts with a dash, instead of "needs a value" alone', () => {
    const message = problemWith(['--at', '-5'], { at: { type: 'string' } });

    expect(message).toBe('--at needs a value (write one that starts with "-" as --at=-…)');
    expect(problemWith(['--at'], { at: { type: 'string' } })).toBe('--at needs a value');
  });

  it('refuses a flag with a value given twice, which Node would settle silently by the last', () => {
    const options = { at: { type: 'string' }, json: { type: 'boolean' } } as const;

    expect(problemWith(['--at', '1', '--at=2'], options)).toBe('--at is given twice; give it once');
    // A switch said twice says the same thing, and a `multiple` flag is meant to repeat.
    expect(parseFlags({ args: ['--json', '--json'], options, strict: true }).values.json).toBe(
      true
    );
    expect(
      parseFlags({
        args: ['--d', 'a', '--d', 'b'],
        options: { d: { type: 'string', multiple: true } },
        strict: true,
      }).values.d
    ).toEqual(['a', 'b']);
  });

  it('suggests the nearest flag of the usage for a misspelt one', () => {
    // Act
    const message = problemWith(['--confg', 'x'], { job: { type: 'string' } });

    // Assess
    expect(message).toBe('unknown flag --confg; did you mean --config?');
  });

  it('says a flag belongs to another form of the command instead of suggesting it again', () => {
    // Act: `policy validate` takes no --config, `policy explain` does
    const message = problemWith(['--config', 'x.yaml'], {});

    // Assess
    expect(message).toBe('--config is not a flag of this form of the command');
    expect(message).not.toContain('did you mean --config');
  });

  it('offers no suggestion when nothing is near', () => {
    // Act
    const message = problemWith(['--zzzzzzzz'], {});

    // Assess
    expect(message).toBe('unknown flag --zzzzzzzz');
  });
});
