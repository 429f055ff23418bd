import { readFile } from 'node:fs/promises';
import { parseConfig } from '../../domain/config/parse-config.js';
import type { WardenConfig } from '../../domain/config/warden-config.js';
import { ConfigError } from '../../domain/errors.js';

/** Reads and checks a config file; every problem is reported at once, with file and line. */
async function loadConfigFile(path: string): Promise<WardenConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason =
      error instanceof Error && 'code' in error && error.code === 'ENOENT'
        ? 'file not found'
        : String(error);
    throw new ConfigError([`${path}: ${reason}`]);
  }
  const result = parseConfig(text, path);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.config;
}

export { loadConfigFile };
