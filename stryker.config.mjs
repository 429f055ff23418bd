// @ts-check
/**
 * Mutation testing (`npm run mutate`): StrykerJS with the vitest runner over all of src except
 * the simulator. Not in CI: a full run takes hours on two cores. It is incremental, so a rerun
 * tests only mutants whose code or covering tests changed; narrow a run with
 * `npx stryker run --mutate src/domain/notice/format.ts`.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const config = {
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'vitest.stryker.config.ts', related: true },
  mutate: ['src/**/*.ts', '!src/sim/**'],
  coverageAnalysis: 'perTest',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  // Two cores are shared by everyone on the machine.
  concurrency: 2,
  // Loopback-server tests take seconds; a mutant that hangs one is killed by the timeout.
  timeoutMS: 30_000,
  timeoutFactor: 2,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  thresholds: { high: 80, low: 60, break: null },
};

export default config;
