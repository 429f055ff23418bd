// esbuild plugins for the Lambda bundles, used by serverless-esbuild (serverless.yml
// `custom.esbuild.plugins`) and by the benchmark, so both build the same thing.
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tsImport } from 'tsx/esm/api';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const bundledConfigModule = resolve(root, 'src/handlers/bundled-config.ts');
/** Modules replaced by a stub that throws when the inlined config does not need them. */
const OPTIONAL_MODULES = [
  {
    filter: /ses-transport\.ts$/,
    module: resolve(root, 'src/handlers/ses-transport.ts'),
    needed: (config) => config.notices.email?.transport === 'ses',
    stub: 'export const sesTransport = () => { throw new Error("SES was not bundled: the config chose SNS when this was packaged"); };',
  },
  {
    filter: /sns-transport\.ts$/,
    module: resolve(root, 'src/handlers/sns-transport.ts'),
    needed: (config) => (config.notices.email?.transport ?? 'sns') === 'sns',
    stub:
      'const unbundled = () => { throw new Error("SNS was not bundled: the config chose SES when this was packaged"); }; ' +
      'export const snsTransport = unbundled, snsEmailSender = unbundled, snsSubscriptionCheck = unbundled;',
  },
  {
    filter: /sts-credentials\.ts$/,
    module: resolve(root, 'src/adapters/aws/sts-credentials.ts'),
    needed: (config) => config.accounts !== undefined,
    stub:
      'export const REFRESH_BEFORE_MS = 300000; export const stsClientFor = () => undefined; ' +
      'export class StsRoleCredentials { constructor() { throw new Error("STS was not bundled: the config listed no accounts when this was packaged"); } }',
  },
];
/** Config files already named, so a package of five functions says it once. */
const announced = new Set();

/**
 * Replaces src/handlers/bundled-config.ts with the checked config as a literal. The file is
 * `warden.config.yaml` in the service folder unless WARDEN_CONFIG_FILE names another. For a
 * stage other than `dev`, a config whose contacts are all placeholders (the example's
 * `ml-platform@example.com`) is refused: every notice would go to nobody.
 */
function wardenConfigPlugin({ file, stage }) {
  // Each function's bundle asks about the config once for its inlined copy and once per optional
  // module: the file is read each time (it may change between builds), checked once per text.
  const checks = new Map();
  const checked = async (text) => {
    if (!checks.has(text)) {
      const { checkConfigText } = await tsImport(
        '../src/adapters/config/load-config-file.ts',
        import.meta.url
      );
      checks.set(text, checkConfigText(text, file));
    }
    return checks.get(text);
  };
  return {
    name: 'warden-config',
    setup(build) {
      // Modules only some configs need are bundled only for them: every function must stay
      // under 400 KB, and the SES, SNS and STS clients are 60, 30 and 40 KB of it.
      for (const optional of OPTIONAL_MODULES) {
        build.onLoad({ filter: optional.filter }, async (args) => {
          if (resolve(args.path) !== optional.module) return undefined;
          const text = await readFile(resolve(root, file), 'utf8').catch(() => undefined);
          if (text === undefined) return undefined;
          const result = await checked(text);
          if (!result.ok || optional.needed(result.config)) return undefined;
          return { contents: optional.stub, loader: 'js' };
        });
      }
      build.onLoad({ filter: /bundled-config\.ts$/ }, async (args) => {
        if (resolve(args.path) !== bundledConfigModule) return undefined;
        const path = resolve(root, file);
        let text;
        try {
          text = await readFile(path, 'utf8');
        } catch {
          return refuse([`Pool Warden config ${file} not found`]);
        }
        // The loader's guarded check: binary or huge files, alias bombs and __proto__ keys are
        // config errors with file and line, not exceptions from inside the YAML parser.
        const result = await checked(text);
        if (!result.ok) return refuse(result.issues);
        if (stage !== 'dev') {
          const { onlyPlaceholderContacts } = await tsImport(
            '../src/adapters/config/placeholder-contacts.ts',
            import.meta.url
          );
          const placeholders = onlyPlaceholderContacts(result.config);
          if (placeholders !== undefined) {
            return refuse([
              `${file}: every contact is a placeholder (${placeholders.join(', ') || 'none at all'}), so notices for stage "${stage}" would reach nobody. ` +
                'Put real addresses (or Slack member ids) under directory: and owners.fallback, ' +
                'or point WARDEN_CONFIG_FILE at your own config.',
            ]);
          }
        }
        if (!announced.has(path)) {
          announced.add(path);
          console.error(`Pool Warden: inlining the checked config ${file} (stage ${stage})`);
        }
        return {
          contents: `export const loadBundledConfig = async () => (${JSON.stringify(result.config)});`,
          loader: 'js',
          watchFiles: [path],
        };
      });
    },
  };
}

/** The stage the serverless CLI was given (`--stage prod`, `-s prod`); `dev` as in serverless.yml. */
function stageOf(argv) {
  for (const [i, arg] of argv.entries()) {
    if (arg === '--stage' || arg === '-s') return argv[i + 1] ?? 'dev';
    if (arg.startsWith('--stage=')) return arg.slice('--stage='.length);
  }
  return 'dev';
}

/**
 * Stops packaging on a config error. Under the serverless CLI an esbuild error leaves the
 * packaging hanging (serverless-esbuild waits on the failed build), so the problems are printed
 * once, with file and line, and the process exits; elsewhere (the bench, the bundle tests) they
 * are returned as esbuild errors for the caller to handle.
 */
function refuse(issues) {
  const underServerless = /(?:^|[\\/])(?:serverless|sls|osls)(?:\.js)?$/.test(
    process.argv[1] ?? ''
  );
  if (underServerless) {
    console.error(`Pool Warden config is invalid; nothing was packaged:\n  ${issues.join('\n  ')}`);
    process.exit(1);
  }
  return { errors: issues.map((issue) => ({ text: issue })) };
}

/** Swaps the SDK's default credential chain for env-only credentials (see lambda-credentials.ts). */
const lambdaCredentials = {
  name: 'lambda-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, () => ({
      path: resolve(root, 'src/adapters/aws/lambda-credentials.ts'),
    }));
  },
};

/** Swaps mnemonist's LRU cache for the few lines the SDK uses of it (see endpoint-lru-cache.ts). */
const endpointLruCache = {
  name: 'endpoint-lru-cache',
  setup(build) {
    // Only for the SDK's ESM import: another importer may use more of mnemonist's cache, and a
    // require() would get an ES module's namespace, not the class.
    build.onResolve({ filter: /^mnemonist\/lru-cache(?:\.js)?$/ }, (args) =>
      args.kind === 'import-statement' &&
      /@aws-sdk[\\/]endpoint-cache[\\/]dist-es[\\/]/.test(args.importer)
        ? { path: resolve(root, 'src/adapters/aws/endpoint-lru-cache.ts') }
        : undefined
    );
  },
};

/**
 * None of the services Pool Warden calls streams events, yet the SDK's HTTP protocol imports
 * the event-stream codec (about 9 KB) dynamically, and a bundle inlines dynamic imports. Only an
 * event-stream operation would load it, so a stub that says so stands in for it.
 */
const noEventStreams = {
  name: 'no-event-streams',
  setup(build) {
    build.onResolve({ filter: /^@smithy\/core\/event-streams$/ }, () => ({
      path: 'no-event-streams',
      namespace: 'pool-warden-stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'pool-warden-stub' }, () => ({
      contents:
        'const unbundled = () => { throw new Error("SDK event streams are not bundled: no Pool Warden call uses them"); };' +
        ' export const EventStreamSerde = unbundled; export const eventStreamSerdeProvider = unbundled;',
      loader: 'js',
    }));
  },
};

/**
 * An SDK client's shape schemas are array literals, one `export var` each; a REST client's
 * operation schemas carry their HTTP binding under a computed key (`{ [_h]: [...] }`), which
 * esbuild must assume may have side effects, so every operation of the service is kept: 45 KB
 * of SES v2's 141 operations for the one Pool Warden sends. Marking each literal pure (an
 * immediately called arrow, evaluated in the same order) lets the unused ones go. The same
 * file registers the service's error classes; most of those go too (`withoutPlainErrorClasses`).
 */
const pureSchemas = {
  name: 'pure-sdk-schemas',
  setup(build) {
    build.onLoad(
      { filter: /[\\/]@aws-sdk[\\/]client-[^\\/]+[\\/]dist-es[\\/]schemas[\\/]schemas_\d+\.js$/ },
      async (args) => {
        const text = await readFile(args.path, 'utf8');
        const errors = await readFile(
          resolve(dirname(args.path), '../models/errors.js'),
          'utf8'
        ).catch(() => undefined);
        const { contents, wrapped } = pureSchemaLiterals(
          errors === undefined ? text : withoutPlainErrorClasses(text, errors)
        );
        const literals = text.match(/^export var /gm)?.length ?? 0;
        // A shape this does not know leaves the file as it was: bigger, never wrong.
        const warnings =
          wrapped === literals
            ? []
            : [{ text: `${args.path}: ${literals - wrapped} schema literals not marked pure` }];
        return { contents, loader: 'js', warnings };
      }
    );
  },
};

/**
 * Wraps each `export var X = [...]` literal spanning lines up to a lone `];` in a pure call;
 * the text as it was if one is not closed so.
 */
function pureSchemaLiterals(text) {
  const lines = text.split('\n');
  const out = [];
  let wrapped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (!/^export var [\w$]+ = \[/.test(line)) {
      out.push(line);
      continue;
    }
    const open = line.indexOf('= [') + 2;
    let end = i;
    if (!line.endsWith('];')) {
      while (end < lines.length && lines[end] !== '];') end++;
      if (end === lines.length) return { contents: text, wrapped: 0 };
    }
    const body = [line.slice(open), ...lines.slice(i + 1, end + 1)].join('\n');
    out.push(`${line.slice(0, open)}/* @__PURE__ */ (() => ${body.slice(0, -1)})();`);
    wrapped += 1;
    i = end;
  }
  return { contents: out.join('\n'), wrapped };
}

/**
 * A client registers a class for every error its service models (DynamoDB 36, about 9 KB of
 * classes), and a registration is a side effect, so every class is bundled. Pool Warden tells
 * SDK errors apart by name only (no `instanceof`; sdk-clients.bundle.test.ts checks both), and
 * an error with no class registered still arrives as the service's base exception, with the
 * error code as its `name`, its message, `$fault` and `$metadata`; retries classify by name and
 * status. So a registration goes, unless its class would tell more than that: a query-protocol
 * code that differs from the class name (SNS's `NotFound` is `NotFoundException`) or a class
 * marked retryable. The service's base exception stays registered.
 */
function withoutPlainErrorClasses(schemas, errors) {
  const queryError = schemas.match(/^const (\w+) = "awsQueryError";$/m)?.[1];
  return schemas.replace(
    /^n\d+_registry\.registerError\((\w+)\$, (\w+)\);$/gm,
    (registration, schema, errorClass) => {
      const start = schemas.indexOf(`export var ${schema}$ = [`);
      const literal = start < 0 ? undefined : schemas.slice(start, schemas.indexOf('];', start));
      const classStart = errors.indexOf(`export class ${errorClass} extends `);
      const classEnd = errors.indexOf('\nexport class ', classStart + 1);
      const body =
        classStart < 0 ? undefined : errors.slice(classStart, classEnd < 0 ? undefined : classEnd);
      const plain =
        schema === errorClass &&
        literal !== undefined &&
        (queryError === undefined || !literal.includes(`[${queryError}]`)) &&
        body !== undefined &&
        !body.includes('$retryable');
      return plain ? '' : registration;
    }
  );
}

/**
 * Each SDK client imports its whole package.json (scripts, dependencies: about 2.3 KB) for the
 * one field it reads, `version`, which goes into the user agent.
 */
const slimSdkPackageJson = {
  name: 'slim-sdk-package-json',
  setup(build) {
    build.onLoad({ filter: /[\\/]@aws-sdk[\\/][^\\/]+[\\/]package\.json$/ }, async (args) => {
      const { name, version } = JSON.parse(await readFile(args.path, 'utf8'));
      return { contents: JSON.stringify({ name, version }), loader: 'json' };
    });
  },
};

export { stageOf, wardenConfigPlugin };
export default [
  wardenConfigPlugin({
    // An empty value counts as none, as `warden policy validate` counts it.
    file: process.env.WARDEN_CONFIG_FILE || 'warden.config.yaml',
    stage: stageOf(process.argv),
  }),
  lambdaCredentials,
  endpointLruCache,
  noEventStreams,
  pureSchemas,
  slimSdkPackageJson,
];
