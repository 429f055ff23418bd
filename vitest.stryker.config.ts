import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

/**
 * The suite as Stryker runs it. Stryker runs vitest in worker threads, where `process.chdir`
 * throws, so the two tests of "reads ./… when none is named" cannot run there; and the
 * packaging, bundle and browser tests test build output, not the mutated sources.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'test/cli/policy-command.test.ts',
        'test/cli/pools-command.test.ts',
        'test/bundle/**',
        'test/deploy/**',
        'test/e2e/**',
        '**/node_modules/**',
      ],
    },
  })
);
