import { describe, expect, it } from 'vitest';
import { parseBoundArgs } from '../../scripts/informed-bound.js';

describe('informed-bound arguments', () => {
  it('defaults to interactive, seeds 1–6 and 40 training traces', () => {
    expect(parseBoundArgs([])).toEqual({
      scenario: 'interactive',
      seeds: [1, 2, 3, 4, 5, 6],
      training: 40,
    });
  });

  it('takes a scenario, a seed list and a training count', () => {
    expect(parseBoundArgs(['hpo', '0,7', '3'])).toEqual({
      scenario: 'hpo',
      seeds: [0, 7],
      training: 3,
    });
  });

  it.each([
    [['bogus'], 'unknown scenario bogus; one of interactive, hpo, batch, mixed'],
    [['interactive', '1,,2'], 'seed "" in 1,,2 is not a whole number from 0 to 999999999'],
    [['interactive', '1.5'], 'seed "1.5" in 1.5 is not a whole number from 0 to 999999999'],
    [['interactive', '-1'], 'seed "-1" in -1 is not a whole number from 0 to 999999999'],
    [['interactive', '1', '0'], 'training traces 0 must be a whole number from 1 to 200'],
    [
      ['interactive', '1', '99999999'],
      'training traces 99999999 must be a whole number from 1 to 200',
    ],
    [['interactive', '1', '2', 'extra'], 'unexpected argument extra'],
  ])('refuses %j, naming the argument', (argv, problem) => {
    expect(parseBoundArgs(argv)).toEqual({ problem });
  });
});
