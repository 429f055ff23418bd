/** A plain JSON object (not an array, not null). */
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Removes `key: undefined` entries, so records compare and serialise cleanly. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/**
 * `record[key]` for own keys only: keys from events and tags (say `constructor`) must never
 * find a member of Object.prototype.
 */
function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

/**
 * `record[key] = value` as an own property for every key: a plain assignment with the key
 * `__proto__` (a valid tag key) would set the prototype instead and lose the tag.
 */
function setOwn<T>(record: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(record, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

/** An optional field of an untrusted record: absent, or passing `test`. */
function isOptional(value: unknown, test: (v: unknown) => boolean): boolean {
  return value === undefined || test(value);
}

export { dropUndefined, isOptional, isRecord, ownValue, setOwn };
