// Builds the `warden` CLI into one ESM file, dist/warden.mjs, so a command starts in a tenth
// of a second instead of compiling TypeScript through tsx on every call. Run by `npm install`
// and `npm ci` (the `prepare` script) and by `npm run build:cli`. bin/warden.js runs the
// bundle only while no source it was built from has changed since (see bin/cli-bundle.js).
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = resolve(root, 'dist');

let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  // An install without dev dependencies still has a working `warden`, through tsx.
  console.error('warden: esbuild is not installed; the CLI will run from its TypeScript sources');
  process.exit(0);
}

const startedAt = Date.now();
const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/warden.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Without `module` first the AWS SDK is not tree-shaken (see DESIGN.md).
  mainFields: ['module', 'main'],
  // CommonJS dependencies inside an ESM bundle still call require().
  banner: {
    js: "import { createRequire as __wardenCreateRequire } from 'node:module'; const require = __wardenCreateRequire(import.meta.url);",
  },
  // A smaller file is parsed faster at every start; names are kept for error messages.
  minify: true,
  keepNames: true,
  metafile: true,
  write: false,
  logLevel: 'warning',
});

// Every file of this checkout the bundle holds (sources and package.json, not node_modules):
// if one is newer than the build, the bundle is stale.
const inputs = Object.keys(result.metafile.inputs)
  .filter((path) => !path.includes('node_modules/'))
  .map((path) => relative(root, resolve(root, path)));
await mkdir(dist, { recursive: true });
// Written beside and renamed, so a `warden` started meanwhile never reads half a file.
for (const file of result.outputFiles) {
  await writeFile(`${file.path}.tmp`, file.contents);
  await rename(`${file.path}.tmp`, file.path);
}
const manifest = resolve(dist, 'warden.inputs.json');
await writeFile(`${manifest}.tmp`, `${JSON.stringify({ startedAt, inputs })}\n`);
await rename(`${manifest}.tmp`, manifest);
console.error(
  `warden: built ${relative(root, resolve(dist, 'warden.mjs'))} (${inputs.length} sources)`
);
