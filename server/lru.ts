/**
 * A least-recently-used map bounded both by entry count and by an estimate
 * of the bytes its values hold, so a few huge clusters cannot push the
 * server out of memory while many small ones still fit.
 */
export class BoundedLru<K, V> {
  private readonly map = new Map<K, { value: V; bytes: number }>();
  private total = 0;

  constructor(
    private readonly maxEntries: number,
    private readonly maxBytes: number,
  ) {}

  get size(): number {
    return this.map.size;
  }

  get bytes(): number {
    return this.total;
  }

  get(key: K): V | undefined {
    const hit = this.map.get(key);
    if (hit === undefined) return undefined;
    // Map keeps insertion order: re-inserting marks the entry most recent.
    this.map.delete(key);
    this.map.set(key, hit);
    return hit.value;
  }

  /** Stores a value; one larger than the whole budget is not kept at all. */
  set(key: K, value: V, bytes: number): void {
    this.delete(key);
    if (bytes > this.maxBytes) return;
    this.map.set(key, { value, bytes });
    this.total += bytes;
    while (this.map.size > this.maxEntries || this.total > this.maxBytes) {
      const oldest = this.map.keys().next();
      if (oldest.done) break;
      this.delete(oldest.value);
    }
  }

  delete(key: K): void {
    const hit = this.map.get(key);
    if (hit === undefined) return;
    this.map.delete(key);
    this.total -= hit.bytes;
  }

  clear(): void {
    this.map.clear();
    this.total = 0;
  }
}
