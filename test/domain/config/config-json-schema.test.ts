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
    expect(schema.properties.settings?.additionalProperties).toBe(false);
    expect(schema).toMatchObject({
      properties: {
        rules: {
          items: {
            additionalProperties: false,
            required: ['name', 'match', 'mode'],
            properties: {
              match: { additionalProperties: false },
              keepAlive: { additionalProperties: false },
              window: { additionalProperties: false },
              budget: { additionalProperties: false },
            },
          },
        },
      },
    });
  });

  it('tells editors that dry run is on unless turned off, and which durations are valid', () => {
    const settings = (
      configJsonSchema() as {
        properties: { settings: { properties: Record<string, Record<string, unknown>> } };
      }
    ).properties.settings.properties;

    expect(settings.dryRun).toMatchObject({ type: 'boolean', default: true });
    expect(settings.leadTime).toMatchObject({ type: 'string', default: '5m' });
    const pattern = new RegExp(String(settings.leadTime?.pattern));
    expect(['90s', '1h30m', '0'].map((d) => pattern.test(d))).toEqual([true, true, true]);
    expect(['90', '1 h', 'ten minutes'].map((d) => pattern.test(d))).toEqual([false, false, false]);
  });
});
