#!/usr/bin/env node
// The CLI runs the TypeScript sources through tsx, so `warden` always matches the checkout.
// The handlers' Powertools logger writes Lambda-style JSON to stdout; a CLI keeps stdout for
// its own output, so the logger is silenced unless the caller sets a level.
process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';

const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
});
