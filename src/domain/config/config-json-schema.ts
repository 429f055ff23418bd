import * as z from 'zod/mini';
import { wardenConfig } from './warden-config.js';

/**
 * The JSON Schema of the config file, generated from the same schema that validates it, so
 * editors (YAML language server) complete and check exactly what Pool Warden accepts.
 */
function configJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(wardenConfig, { io: 'input', unrepresentable: 'any' }),
    $id: 'https://pool-warden.dev/schema/warden-config.schema.json',
    title: 'Pool Warden configuration',
  };
}

export { configJsonSchema };
