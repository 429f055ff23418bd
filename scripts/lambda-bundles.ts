// Builds Lambda bundles exactly as `serverless package` does, from the esbuild settings in
// serverless.yml (one source of truth), for the benchmark and the bundle test.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildOptions, build, type Plugin } from 'esbuild';
import { parse } from 'yaml';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

interface ServerlessEsbuildSettings {
  minify?: boolean;
  target?: string;
  platform?: 'node';
  format?: 'esm' | 'cjs';
  mainFields?: string[];
  banner?: Record<string, string>;
  plugins?: string;
}

interface ServerlessFile {
  custom: { esbuild: ServerlessEsbuildSettings };
  functions: Record<string, { handler: string }>;
}

async function serverlessSettings(): Promise<ServerlessFile> {
  // CloudFormation tags (!Ref, !GetAtt) are irrelevant here; parse them as plain values.
  const text = await readFile(resolve(root, 'serverless.yml'), 'utf8');
  return parse(text, { logLevel: 'silent', customTags: [] }) as ServerlessFile;
}

/** Each function's handler module, e.g. `{ jobStateChange: 'src/handlers/job-state-change.ts' }`. */
async function handlerEntries(): Promise<Record<string, string>> {
  const { functions } = await serverlessSettings();
  return Object.fromEntries(
    Object.entries(functions).map(([name, fn]) => [
      name,
      `${fn.handler.replace(/\.[^.]+$/, '')}.ts`,
    ])
  );
}

/** One module of a bundle's import graph, from esbuild's metafile. */
interface BundleInput {
  /** Relative to the repository, e.g. `src/handlers/job-state-change.ts`. */
  readonly path: string;
  /** 0 for a module tree-shaking removed entirely. */
  readonly bytesInOutput: number;
}

/** A bundle as written: its size and every module esbuild read for it. */
interface LambdaBundle {
  readonly bytes: number;
  readonly inputs: readonly BundleInput[];
}

interface PluginModule {
  default: Plugin[];
  wardenConfigPlugin?: (options: { file: string; stage: string }) => Plugin;
}

/**
 * The plugins serverless.yml names. They inline the config `WARDEN_CONFIG_FILE` named when they
 * were first imported; `configFile` inlines that one instead, whatever the environment says.
 */
async function bundlePlugins(
  settings: ServerlessEsbuildSettings,
  configFile?: string
): Promise<Plugin[]> {
  if (!settings.plugins) return [];
  const module = (await import(resolve(root, settings.plugins))) as PluginModule;
  if (configFile === undefined || module.wardenConfigPlugin === undefined) return module.default;
  const inlined = module.wardenConfigPlugin({ file: configFile, stage: 'dev' });
  return module.default.map((plugin) => (plugin.name === inlined.name ? inlined : plugin));
}

/**
 * Bundles `entry` (relative to the repo, or a source string) into `outfile`, as Lambda gets it;
 * `configFile` is the config to inline (else as `npx serverless package` would choose).
 */
async function bundleLambda(
  entry: string | { contents: string; name: string },
  outfile: string,
  configFile?: string
): Promise<LambdaBundle> {
  const settings = (await serverlessSettings()).custom.esbuild;
  const options: BuildOptions = {
    bundle: true,
    minify: settings.minify ?? false,
    target: settings.target ?? 'node22',
    platform: 'node',
    format: settings.format ?? 'esm',
    mainFields: settings.mainFields ?? ['module', 'main'],
    banner: settings.banner ?? {},
    plugins: await bundlePlugins(settings, configFile),
    outfile,
    absWorkingDir: root,
    logLevel: 'silent',
    metafile: true,
    ...(typeof entry === 'string'
      ? { entryPoints: [entry] }
      : {
          stdin: {
            contents: entry.contents,
            resolveDir: root,
            sourcefile: entry.name,
            loader: 'ts',
          },
        }),
  };
  const result = await build(options);
  const output = Object.values(result.metafile?.outputs ?? {})[0];
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${outfile}`);
  // Every module read, including those tree-shaking dropped (an unbundled import loads them).
  const inputs = Object.keys(result.metafile?.inputs ?? {}).map((path) => ({
    path,
    bytesInOutput: output.inputs[path]?.bytesInOutput ?? 0,
  }));
  return { bytes: output.bytes, inputs };
}

/** Bundles `entry` (relative to the repo, or a source string) into `outfile`; returns its size. */
async function buildLambdaBundle(
  entry: string | { contents: string; name: string },
  outfile: string,
  configFile?: string
): Promise<number> {
  return (await bundleLambda(entry, outfile, configFile)).bytes;
}

/**
 * Transpiles `files` (TypeScript, relative to the repo) one by one into `outdir`, keeping
 * their folders, with no bundling: what running the handler straight from its modules costs.
 * The same plugins run, so the config is inlined here too; imports stay as written (`.js`).
 */
async function transpileModules(files: readonly string[], outdir: string): Promise<void> {
  const settings = (await serverlessSettings()).custom.esbuild;
  await build({
    entryPoints: [...files],
    bundle: false,
    target: settings.target ?? 'node22',
    platform: 'node',
    format: settings.format ?? 'esm',
    plugins: await bundlePlugins(settings),
    outdir,
    outbase: root,
    absWorkingDir: root,
    logLevel: 'silent',
  });
}

export type { BundleInput, LambdaBundle };
export { buildLambdaBundle, bundleLambda, handlerEntries, transpileModules };
