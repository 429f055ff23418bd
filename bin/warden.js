#!/usr/bin/env node
// Runs the CLI built at install time (dist/warden.mjs, by the `prepare` script) when it is up
// to date with src/, and otherwise the TypeScript sources through tsx (2 s slower to start),
// so `warden` always matches the checkout.
// The handlers' Powertools logger writes Lambda-style JSON to stdout; a CLI keeps stdout for
// its own output, so the logger is silenced unless the caller sets a level.
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { freshBundle } from './cli-bundle.js';

process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = process.env.WARDEN_FROM_SOURCE === undefined ? freshBundle(root) : undefined;
let main;
if (bundle === undefined) {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
} else {
  ({ main } = await import(pathToFileURL(bundle).href));
}
// A reader that goes away (`warden simulate | head`) only loses the rest of stdout: the run
// goes on, so its report and state files still land. Any other failure to write (a full disk)
// is one line and exit 1, instead of a stack trace.
let outputFailed = false;
process.stdout.on('error', (error) => {
  process.stdout.write = () => true;
  if (error.code === 'EPIPE' || outputFailed) return;
  outputFailed = true;
  process.stderr.write(`warden: cannot write the output: ${error.message}\n`);
  process.exitCode = 1;
});
process.stderr.on('error', () => {
  process.stderr.write = () => true;
});
const code = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
process.exitCode = outputFailed ? 1 : code;
