/**
 * Stands in for `mnemonist/lru-cache` in Lambda bundles (see `scripts/esbuild-plugins.mjs`).
 * The SDK's DynamoDB client keeps discovered endpoints in it (`@aws-sdk/endpoint-cache`), which
 * is off unless configured, so it is made and rarely filled; mnemonist's general cache and its
 * iterator helpers are about 7 KB of every bundle with DynamoDB. This is the part that cache
 * uses: a Map kept in order of use, the oldest entry dropped beyond `capacity`.
 */
class LruCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {
    if (typeof capacity !== 'number' || !(capacity > 0)) {
      throw new Error('LruCache: capacity must be a positive number');
    }
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, without counting as a use. */
  peek(key: K): V | undefined {
    return this.entries.get(key);
  }

  get(key: K): V | undefined {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key) as V;
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key: K, value: V): this {
    this.entries.delete(key);
    this.entries.set(key, value);
    // Over capacity means at least two entries: the first is the oldest
    if (this.entries.size > this.capacity)
      this.entries.delete(this.entries.keys().next().value as K);
    return this;
  }

  clear(): void {
    this.entries.clear();
  }
}

export default LruCache;
