import { type ParseArgsConfig, parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { flagProblem } from '../../src/cli/flag-problem.js';

const USAGE = `usage: warden policy validate [FILE]
       warden policy explain --job DESCRIBE.json [--config FILE] [--at TIME]`;

function problemWith(args: string[], options: ParseArgsConfig['options']): string {
  try {
    parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    return flagProblem(error, USAGE);
  }
  throw new Error('parseArgs accepted the arguments');
}

describe('flagProblem', () => {
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
