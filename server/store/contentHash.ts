/**
 * Canonical JSON and its hash: the idempotency key of a snapshot the server
 * assembled itself (a transcript, a renamed node, the store API). A document
 * pushed as JSON is keyed by its exact bytes instead (see PutOptions.json):
 * a collector's retry resends the very bytes it spooled.
 */
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { ReceivedDocument } from './types';

/** One object key order seen while canonicalising, and the order it is written in. */
interface Shape {
  keys: string[];
  sorted: string[];
}

/**
 * Shapes by first key. Snapshots hold ~10,000 objects of a few dozen shapes
 * (every route, every address looks alike): sorting each one's keys anew was
 * most of the work. Bounded: a document of ever-new shapes falls back to
 * sorting, and the table stays small.
 */
const shapes = new Map<string, Shape[]>();
const MAX_SHAPES_PER_KEY = 16;
const MAX_FIRST_KEYS = 512;

function sortedKeys(keys: string[]): string[] {
  const first = keys.length === 0 ? '' : keys[0]!;
  let list = shapes.get(first);
  if (list !== undefined) {
    outer: for (const shape of list) {
      if (shape.keys.length !== keys.length) continue;
      for (let i = 0; i < keys.length; i++) if (shape.keys[i] !== keys[i]) continue outer;
      return shape.sorted;
    }
  }
  const sorted = [...keys].sort();
  if (list === undefined && shapes.size < MAX_FIRST_KEYS) {
    list = [];
    shapes.set(first, list);
  }
  if (list !== undefined && list.length < MAX_SHAPES_PER_KEY) list.push({ keys, sorted });
  return sorted;
}

/**
 * A copy of a JSON value with every object's keys inserted in sorted order.
 * Plain objects, not null-prototype ones: V8 keeps objects built with the
 * same keys in the same order on one fast hidden class, which is what makes
 * the JSON.stringify after this cheap; a "__proto__" key is defined as data.
 */
function sortedCopy(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    const n = value.length;
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) out[i] = sortedCopy(value[i]);
    return out;
  }
  // A toJSON (a Date) decides its own form, as JSON.stringify would let it.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return sortedCopy((value as { toJSON(): unknown }).toJSON());
  const obj = value as Record<string, unknown>;
  const keys = sortedKeys(Object.keys(obj));
  const out: Record<string, unknown> = {};
  for (let i = 0; i < keys.length; i++) {
    const key = keys[i]!;
    const v = sortedCopy(obj[key]);
    if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
    else out[key] = v;
  }
  return out;
}

/**
 * JSON with object keys sorted at every depth and no whitespace. Array order
 * is kept: it is meaningful in snapshots (routes, rules). Values JSON cannot
 * carry (undefined, functions) are dropped exactly as JSON.stringify drops
 * them, because JSON.stringify does the writing, over a copy whose keys were
 * inserted sorted (2.4× faster on a 400 KB snapshot than a sorting replacer).
 *
 * The order is the one a JS object gives keys inserted sorted: integer-like
 * keys ("2", "10") first in numeric order, then the others by UTF-16 code
 * unit. Any fixed order serves as a canonical form; this one is free.
 */
export function canonicalJson(value: unknown): string {
  const out = JSON.stringify(sortedCopy(value)) as string | undefined;
  if (out === undefined) throw new TypeError('canonicalJson: value has no JSON form');
  return out;
}

/** sha256 of a string's UTF-8 bytes (or of bytes), lower-case hex. */
export function sha256Hex(data: string | Uint8Array): string {
  return typeof data === 'string' ? createHash('sha256').update(data, 'utf8').digest('hex') : createHash('sha256').update(data).digest('hex');
}

/**
 * A received JSON document ready for Store.putReceived: its hash and size,
 * and gzip bytes to keep — the ones it arrived in when given (they must
 * decompress to exactly `json`), else a fast compression of it. Pure, so an
 * ingest worker thread can do it off the server's main thread.
 */
export function receivedDocument(json: string, collectedAt: string | undefined, gzip?: Buffer): ReceivedDocument {
  return receivedBytes(Buffer.from(json, 'utf8'), collectedAt, gzip);
}

/** receivedDocument of the text's UTF-8 bytes as they arrived (valid UTF-8, no byte-order mark): no re-encoding. */
export function receivedBytes(bytes: Buffer, collectedAt: string | undefined, gzip?: Buffer): ReceivedDocument {
  return { gzip: gzip ?? gzipSync(bytes, { level: 1 }), contentHash: sha256Hex(bytes), sizeBytes: bytes.length, collectedAt };
}
