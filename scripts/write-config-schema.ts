// Regenerates schema/warden-config.schema.json from the config schema in src/domain.
// Run after changing the config schema: npx tsx scripts/write-config-schema.ts
import { writeFile } from 'node:fs/promises';
import { configJsonSchema } from '../src/domain/config/config-json-schema.js';

await writeFile(
  'schema/warden-config.schema.json',
  `${JSON.stringify(configJsonSchema(), null, 2)}\n`
);
console.log('wrote schema/warden-config.schema.json');
