import { loadConfigFile } from '../adapters/config/load-config-file.js';
import type { WardenConfig } from '../domain/config/warden-config.js';

/**
 * The configuration a deployed function runs with. Bundling replaces this module with the
 * config file's already-checked contents (`scripts/esbuild-plugins.mjs`), so an invalid
 * config fails `serverless package` with file and line, and Lambda never parses YAML. Run
 * unbundled (tests, tsx), it reads and checks the file itself.
 */
function loadBundledConfig(file = 'warden.config.yaml'): Promise<WardenConfig> {
  return loadConfigFile(file);
}

export { loadBundledConfig };
