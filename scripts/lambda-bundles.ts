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

/** Bundles `entry` (relative to the repo, or a source string) into `outfile`; returns its size. */
async function buildLambdaBundle(
  entry: string | { contents: string; name: string },
  outfile: string
): Promise<number> {
  const settings = (await serverlessSettings()).custom.esbuild;
  const plugins = settings.plugins
    ? ((await import(resolve(root, settings.plugins))) as { default: Plugin[] }).default
    : [];
  const options: BuildOptions = {
    bundle: true,
    minify: settings.minify ?? false,
    target: settings.target ?? 'node22',
    platform: 'node',
    format: settings.format ?? 'esm',
    mainFields: settings.mainFields ?? ['module', 'main'],
    banner: settings.banner ?? {},
    plugins,
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
  return output.bytes;
}

export { buildLambdaBundle, handlerEntries };
