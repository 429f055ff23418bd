import { isRecord, setOwn } from '../objects.js';

type Tags = Readonly<Record<string, string>>;

/**
 * Normalises the two tag shapes SageMaker events use: a `[{Key, Value}]` list (schema
 * registry) or a `{key: value}` map (AWS sample). Returns `undefined` when the value is neither,
 * so the caller can fall back to `ListTags`. Entries with a non-string key or value are dropped.
 */
function normalizeTags(value: unknown): Tags | undefined {
  const tags: Record<string, string> = {};
  if (Array.isArray(value)) {
    for (const entry of value) {
      if (!isRecord(entry)) continue;
      const { Key: key, Value: tagValue } = entry;
      if (typeof key === 'string' && key !== '' && typeof tagValue === 'string') {
        setOwn(tags, key, tagValue);
      }
    }
    return tags;
  }
  if (isRecord(value)) {
    for (const [key, tagValue] of Object.entries(value)) {
      if (key !== '' && typeof tagValue === 'string') setOwn(tags, key, tagValue);
    }
    return tags;
  }
  return undefined;
}

export type { Tags };
export { normalizeTags };
