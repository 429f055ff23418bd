// Cold start of every function in serverless.yml, three ways side by side in one run:
//   bundle     the handler bundled as `serverless package` bundles it (minified, config inlined);
//   floor      a bundle of a tiny module that imports, constructs and calls only the SDK clients
//              and commands that survive tree-shaking in the handler's bundle;
//   unbundled  the same handler's modules transpiled one by one (esbuild, no bundling) into a
//              temporary folder and imported from there by plain node, dependencies from
//              node_modules (so the SDK's own default credential chain, not the bundles' swap).
// Each is imported in fresh Node processes, interleaved so a burst of load on the shared machine
// hits all three alike; the figure is the median of BENCH_LOAD_RUNS (default 15, at least 15).
// Targets (issue 8): bundle ≤ 400 KB; load ≤ 1.5× floor and ≤ 0.5× unbundled.
// Alone: `npx tsx scripts/bench-cold-start.ts`; scripts/bench.ts calls `benchColdStart`.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { deflateRawSync } from 'node:zlib';
import {
  type BundleInput,
  bundleLambda,
  handlerEntries,
  transpileModules,
} from './lambda-bundles.js';

const ROOT = resolve(import.meta.dirname, '..');
const MIN_LOAD_RUNS = 15;
const TARGETS = { bundleBytes: 400 * 1024, floorRatio: 1.5, unbundledRatio: 0.5 };

/** One SDK package a bundle keeps: its client class and the commands it sends. */
interface SdkUse {
  readonly pkg: string;
  readonly client: string;
  readonly commands: readonly string[];
}

/** Sizes in bytes, loads in milliseconds (every run, for the raw report). */
interface ColdStartRow {
  readonly name: string;
  readonly sdk: readonly SdkUse[];
  readonly bundleBytes: number;
  readonly bundleZipBytes: number;
  readonly floorBytes: number;
  readonly floorZipBytes: number;
  readonly unbundledModules: number;
  readonly bundleLoadMs: readonly number[];
  readonly floorLoadMs: readonly number[];
  readonly unbundledLoadMs: readonly number[];
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

/** What the file costs inside a Lambda zip: its deflated size (zip's method 8, best level). */
async function zipBytes(file: string): Promise<number> {
  return deflateRawSync(await readFile(file), { level: 9 }).length;
}

/** The SDK clients and commands a bundle kept, from the modules esbuild wrote into it. */
function sdkUsage(inputs: readonly BundleInput[]): SdkUse[] {
  const byPkg = new Map<string, { client: string; commands: Set<string> }>();
  for (const { path, bytesInOutput } of inputs) {
    if (bytesInOutput === 0) continue;
    const match =
      /@aws-sdk\/(client-[a-z0-9-]+)\/dist-es\/(?:commands\/(\w+Command)|(\w+Client))\.js$/.exec(
        path
      );
    if (!match?.[1]) continue;
    const use = byPkg.get(match[1]) ?? { client: '', commands: new Set<string>() };
    if (match[2]) use.commands.add(match[2]);
    if (match[3]) use.client = match[3];
    byPkg.set(match[1], use);
  }
  return [...byPkg]
    .filter(([, use]) => use.client !== '')
    .map(([pkg, use]) => ({ pkg, client: use.client, commands: [...use.commands].sort() }));
}

/** A handler that only constructs the same clients and sends the same commands. */
function floorSource(sdk: readonly SdkUse[]): string {
  const imports = sdk.map(
    ({ pkg, client, commands }) =>
      `import { ${[client, ...commands].join(', ')} } from '@aws-sdk/${pkg}';`
  );
  const clients = sdk.map(({ client }) => `const ${client.toLowerCase()} = new ${client}({});`);
  const calls = sdk.flatMap(({ client, commands }) =>
    commands.map((command) => `await ${client.toLowerCase()}.send(new ${command}(input as never));`)
  );
  return `${imports.join('\n')}\n${clients.join('\n')}\nexport const handler = async (input: unknown) => {\n  ${calls.join('\n  ')}\n};\n`;
}

/**
 * The handler's own modules (the repository's TypeScript in its import graph), transpiled into
 * a temporary folder that sees the repository's node_modules; returns the handler's file there.
 */
async function unbundledHandler(
  entry: string,
  inputs: readonly BundleInput[],
  dir: string
): Promise<{ file: string; modules: number }> {
  const own = inputs
    .map(({ path }) => path)
    .filter((path) => !path.includes('node_modules/') && /\.ts$/.test(path));
  await transpileModules(own, dir);
  return { file: join(dir, entry.replace(/\.ts$/, '.js')), modules: own.length };
}

/** A fresh process's time to import `file`: module loading and top-level code, nothing else. */
async function coldLoadMs(file: string): Promise<number> {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  // A loader the bench itself runs under (tsx) must not reach the measured processes.
  const { NODE_OPTIONS: _options, ...env } = process.env;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '-e', script],
    { env: { ...env, AWS_REGION: 'us-east-1', POWERTOOLS_LOG_LEVEL: 'SILENT' } }
  );
  const ms = Number(stdout);
  if (!Number.isFinite(ms)) throw new Error(`loading ${file} printed ${JSON.stringify(stdout)}`);
  return ms;
}

/** Builds the three forms of every function and times their cold loads, interleaved. */
async function benchColdStart(outDir: string, runs = MIN_LOAD_RUNS): Promise<ColdStartRow[]> {
  if (runs < MIN_LOAD_RUNS) throw new Error(`at least ${MIN_LOAD_RUNS} cold loads, not ${runs}`);
  await mkdir(outDir, { recursive: true });
  const scratch = await mkdtemp(join(tmpdir(), 'warden-unbundled-'));
  try {
    // Plain node resolves the transpiled modules' imports as in the repository: ESM, same deps.
    await writeFile(join(scratch, 'package.json'), '{ "type": "module" }\n');
    await symlink(join(ROOT, 'node_modules'), join(scratch, 'node_modules'));
    const rows: ColdStartRow[] = [];
    for (const [name, entry] of Object.entries(await handlerEntries())) {
      const bundleFile = resolve(outDir, `${name}.mjs`);
      const floorFile = resolve(outDir, `${name}.floor.mjs`);
      const bundle = await bundleLambda(entry, bundleFile);
      const sdk = sdkUsage(bundle.inputs);
      const floor = await bundleLambda(
        { contents: floorSource(sdk), name: `${name}.floor.ts` },
        floorFile
      );
      const unbundled = await unbundledHandler(entry, bundle.inputs, join(scratch, name));
      const loads = { bundle: [] as number[], floor: [] as number[], unbundled: [] as number[] };
      for (let i = 0; i < runs; i++) {
        loads.bundle.push(await coldLoadMs(bundleFile));
        loads.floor.push(await coldLoadMs(floorFile));
        loads.unbundled.push(await coldLoadMs(unbundled.file));
      }
      rows.push({
        name,
        sdk,
        bundleBytes: bundle.bytes,
        bundleZipBytes: await zipBytes(bundleFile),
        floorBytes: floor.bytes,
        floorZipBytes: await zipBytes(floorFile),
        unbundledModules: unbundled.modules,
        bundleLoadMs: loads.bundle,
        floorLoadMs: loads.floor,
        unbundledLoadMs: loads.unbundled,
      });
    }
    return rows;
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

const kb = (bytes: number) => (bytes / 1024).toFixed(1);
const mark = (ok: boolean) => (ok ? 'ok' : 'MISS');

/** Prints the table and each target's verdict; returns how many targets were missed. */
function printColdStart(rows: readonly ColdStartRow[], runs: number): number {
  console.log(
    `Cold start (minified bundles as \`serverless package\` builds them; load = median of ${runs} fresh node ${process.version} processes)`
  );
  const header = [
    'function'.padEnd(16),
    'bundle KB'.padStart(9),
    'zip KB'.padStart(7),
    'floor KB'.padStart(8),
    'zip KB'.padStart(7),
    'load ms'.padStart(8),
    'floor ms'.padStart(8),
    'unbundled ms'.padStart(12),
    '×floor'.padStart(7),
    '×unbundled'.padStart(10),
  ];
  console.log(`  ${header.join('  ')}`);
  let missed = 0;
  for (const row of rows) {
    const load = median(row.bundleLoadMs);
    const floor = median(row.floorLoadMs);
    const unbundled = median(row.unbundledLoadMs);
    const sizeOk = row.bundleBytes <= TARGETS.bundleBytes;
    const floorOk = load <= TARGETS.floorRatio * floor;
    const unbundledOk = load <= TARGETS.unbundledRatio * unbundled;
    missed += Number(!sizeOk) + Number(!floorOk) + Number(!unbundledOk);
    const cells = [
      row.name.padEnd(16),
      kb(row.bundleBytes).padStart(9),
      kb(row.bundleZipBytes).padStart(7),
      kb(row.floorBytes).padStart(8),
      kb(row.floorZipBytes).padStart(7),
      load.toFixed(1).padStart(8),
      floor.toFixed(1).padStart(8),
      unbundled.toFixed(1).padStart(12),
      `${(load / floor).toFixed(2)}×`.padStart(7),
      `${(load / unbundled).toFixed(2)}×`.padStart(10),
    ];
    console.log(`  ${cells.join('  ')}`);
    const sdk = row.sdk
      .map(
        (u) =>
          `${u.pkg.replace('client-', '')}(${u.commands.map((c) => c.replace(/Command$/, '')).join(',')})`
      )
      .join(' ');
    console.log(
      `  ${''.padEnd(16)}  ${mark(sizeOk)} ≤ ${kb(TARGETS.bundleBytes)} KB; ${mark(floorOk)} ≤ ${TARGETS.floorRatio}× floor; ` +
        `${mark(unbundledOk)} ≤ ${TARGETS.unbundledRatio}× unbundled (${row.unbundledModules} own modules); SDK: ${sdk || 'none'}`
    );
  }
  return missed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const runs = Number(process.env.BENCH_LOAD_RUNS ?? MIN_LOAD_RUNS);
  const rows = await benchColdStart(resolve(ROOT, 'out/bench'), runs);
  process.exitCode = printColdStart(rows, runs) === 0 ? 0 : 1;
}

export type { ColdStartRow, SdkUse };
export { benchColdStart, median, printColdStart, TARGETS };
