import { loadConfigFile } from '../adapters/config/load-config-file.js';
import type { WardenConfig } from '../domain/config/warden-config.js';
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

export { loadConfigOption };
