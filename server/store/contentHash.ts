/**
 * Canonical JSON and its hash: the idempotency key of a snapshot. A collector
 * that retries a push after a lost answer must hit the same key even if its
 * JSON encoder ordered keys differently the second time.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted (by UTF-16 code unit, recursively) and no
 * whitespace. Array order is kept: it is meaningful in snapshots (routes,
 * rules). Values JSON cannot carry (undefined, functions) are dropped from
 * objects exactly as JSON.stringify drops them.
 */
export function canonicalJson(value: unknown): string {
  const out = stringify(value);
  if (out === undefined) throw new TypeError('canonicalJson: value has no JSON form');
  return out;
}

function stringify(value: unknown): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'object' && 'toJSON' in value && typeof value.toJSON === 'function') {
    return stringify((value as { toJSON: () => unknown }).toJSON());
  }
  if (Array.isArray(value)) {
    // JSON.stringify writes null for array holes and unrepresentable items.
    return `[${value.map((v) => stringify(v) ?? 'null').join(',')}]`;
  }
  if (typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    const parts: string[] = [];
    for (const key of Object.keys(obj).sort()) {
      const v = stringify(obj[key]);
      if (v !== undefined) parts.push(`${JSON.stringify(key)}:${v}`);
    }
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** sha256 of a string's UTF-8 bytes, lower-case hex. */
export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
