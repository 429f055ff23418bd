import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configJsonSchema } from '../../../src/domain/config/config-json-schema.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

describe('config JSON Schema', () => {
  it('matches the committed schema/warden-config.schema.json, so editors see the current rules', async () => {
    const committed = JSON.parse(
      await readFile(join(ROOT, 'schema', 'warden-config.schema.json'), 'utf8')
    );

    // If this fails: npx tsx scripts/write-config-schema.ts
    expect(committed).toEqual(configJsonSchema());
  });

  it('closes every object, so a misspelt key is flagged in the editor as it is by validation', () => {
    const schema = configJsonSchema() as {
      properties: Record<string, { additionalProperties?: unknown }>;
    };

    expect(schema).toMatchObject({ additionalProperties: false, required: ['version', 'owners'] });
    expect(schema.properties.owners?.additionalProperties).toBe(false);
    expect(schema.properties.notices?.additionalProperties).toBe(false);
  });
});
