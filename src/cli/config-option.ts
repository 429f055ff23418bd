import { access } from 'node:fs/promises';
import { loadConfigFile } from '../adapters/config/load-config-file.js';
import { parseConfig } from '../domain/config/parse-config.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
import type { CliIo } from './io.js';
import { statOrError } from './output-dir.js';
import { UsageError } from './usage-error.js';

/**
 * The config a flag names. A folder is a usage error naming the flag; a file that is missing
 * or has problems is a ConfigError listing them by line (exit 2 either way).
 */
async function loadConfigOption(file: string, flag = '--config'): Promise<WardenConfig> {
  const info = await statOrError(file);
  if (!(info instanceof Error) && info.isDirectory()) {
    throw new UsageError(`${flag} ${file}: is a folder, not a config file`);
  }
  // A file that is missing or unreadable is said so by the loader, as a config error.
  return loadConfigFile(file);
}

const DEFAULT_CONFIG_FILE = 'warden.config.yaml';
/** Used when no config file exists, so a first replay or serve needs nothing but its input. */
const BUILT_IN_CONFIG = 'version: 1\nowners:\n  fallback: unowned@example.com\n';

/**
 * `--config FILE` when given, else ./warden.config.yaml when there is one, else built-in
 * defaults (every notice to unowned@example.com, dry run), with a note on stderr that says so.
 */
async function configOrDefaults(file: string | undefined, io: CliIo): Promise<WardenConfig> {
  if (file !== undefined) return loadConfigOption(file);
  const local = await access(DEFAULT_CONFIG_FILE).then(
    () => true,
    () => false
  );
  if (local) return loadConfigOption(DEFAULT_CONFIG_FILE);
  io.stderr.write(
    `note: no --config and no ./${DEFAULT_CONFIG_FILE}; built-in defaults: every notice goes to unowned@example.com, dry run\n`
  );
  const builtIn = parseConfig(BUILT_IN_CONFIG, 'built-in config');
  if (!builtIn.ok) throw new TypeError(`built-in config is invalid: ${builtIn.issues.join('; ')}`);
  return builtIn.config;
}

export { configOrDefaults, DEFAULT_CONFIG_FILE, loadConfigOption };
