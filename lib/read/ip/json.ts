/**
 * Helpers for reading the already-parsed JSON of `ip -j` / `bridge -j`.
 * Every accessor checks the type it returns: the document is user data.
 */
import type { ParseOutput } from '../types';
import { emptyOutput, skip } from './text';

/** Where a JSON document came from, so skipped items can point at it. */
export interface JsonReadOptions {
  /** 1-based line of the document's first line in the user's input (default 1). */
  line?: number;
}

/** A plain JSON object. */
export type JsonObject = Record<string, unknown>;

/** True for a non-null, non-array object. */
export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A string field, or undefined. */
export function str(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

/** A string field, also accepting a number (iproute2 prints unnamed tables and protocols as numbers in some versions). */
export function strOrNum(o: JsonObject, key: string): string | undefined {
  const v = o[key];
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** An integer field within [min, max], or undefined. */
export function int(o: JsonObject, key: string, min = 0, max = 2 ** 32): number | undefined {
  const v = o[key];
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max ? v : undefined;
}

/**
 * A flag iproute2 prints as a key with `null` (`"router": null`,
 * `"not": null`) — present means set — or as a boolean.
 */
export function flag(o: JsonObject, key: string): boolean {
  if (!(key in o)) return false;
  const v = o[key];
  return v === null || v === true;
}

/** An array of strings (non-strings dropped), or undefined when the field is not an array. */
export function strArray(o: JsonObject, key: string, maxItems: number): string[] | undefined {
  const v = o[key];
  if (!Array.isArray(v)) return undefined;
  return v.filter((x): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256).slice(0, maxItems);
}

/**
 * Walks the top-level array of an `ip -j` document, handing each object to
 * `read`. Non-arrays and non-objects are reported, never thrown on; empty
 * objects are ignored because `ip -j -4 addr` prints `{}` for links it
 * filtered out.
 */
export function readArray<T>(
  value: unknown,
  what: string,
  opts: JsonReadOptions,
  read: (item: JsonObject, index: number, out: ParseOutput<T>) => T | string | null,
): ParseOutput<T> {
  const out = emptyOutput<T>();
  const line = opts.line !== undefined && Number.isInteger(opts.line) && opts.line > 0 ? opts.line : 1;
  if (!Array.isArray(value)) {
    out.skipped.push(skip(line, `expected a JSON array (the output of ${what})`, preview(value)));
    return out;
  }
  value.forEach((item: unknown, index: number) => {
    if (!isObject(item)) {
      out.skipped.push(skip(line, `item [${index}]: expected an object`, preview(item)));
      return;
    }
    if (Object.keys(item).length === 0) return;
    let result: T | string | null;
    try {
      result = read(item, index, out);
    } catch (e) {
      // Defensive: a reader bug must not turn user data into a crash.
      result = `could not read: ${e instanceof Error ? e.message : String(e)}`;
    }
    if (result === null) return;
    if (typeof result === 'string') out.skipped.push(skip(line, `item [${index}]: ${result}`, preview(item)));
    else out.items.push(result);
  });
  return out;
}

/** Up to 200 characters of a JSON value, for a skipped item's `text`. */
export function preview(v: unknown): string {
  try {
    const s = JSON.stringify(v);
    return (s ?? String(v)).slice(0, 200);
  } catch {
    return String(v).slice(0, 200);
  }
}
