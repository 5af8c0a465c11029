/**
 * How route handlers answer: JSON bodies, ApiError bodies for refusals, and
 * one wrapper that turns thrown refusals (HttpError, StoreError) into the
 * right status while keeping server faults' details out of the response.
 */
import type { ApiError } from '../lib/api/types';
import type { StoreError, StoreErrorCode } from './store/types';

/** A refusal with an HTTP status and an ApiError body. */
export class HttpError extends Error {
  readonly status: number;
  readonly body: ApiError;
  readonly headers: Record<string, string>;
  constructor(status: number, body: ApiError, headers: Record<string, string> = {}) {
    super(body.error);
    this.name = 'HttpError';
    this.status = status;
    this.body = body;
    this.headers = headers;
  }
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

/** A JSON answer. */
export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  const text = jsonBody(body);
  return new Response(text, { status, headers: jsonHeaders(text, headers) });
}

/** The headers of a JSON answer whose body is `text` (a string, or a stream for a large one). */
export function jsonHeaders(text: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Record<string, string> {
  // `next start` gzips every answer a client accepts gzip for (it drops a
  // Content-Length, so the compressor's 1 KiB threshold never applies). For a
  // small answer such as an ingest receipt that costs the server more than it
  // saves on the wire; no-transform is the compressor's documented opt-out.
  const small: Record<string, string> = typeof text === 'string' && text.length < 4096 ? { 'cache-control': 'no-store, no-transform' } : {};
  return { ...JSON_HEADERS, ...small, ...headers };
}

/** Arrays longer than this are written element by element. */
const STREAM_ARRAY_MIN = 512;
/** Chunks handed to the response stream are about this many characters. */
const CHUNK_CHARS = 1 << 16;

/**
 * The JSON text of `body`: one string when small, else a stream. A 1,000-node
 * topology serialises to more characters than V8's longest string, so large
 * arrays are written element by element in ~64 KB chunks. The output equals
 * `JSON.stringify(body)` (undefined members omitted, no toJSON on plain data).
 */
export function jsonBody(body: unknown): string | ReadableStream<Uint8Array> {
  if (!hasLargeArray(body, 0)) return JSON.stringify(body);
  const encoder = new TextEncoder();
  const parts = jsonParts(body);
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = '';
      for (;;) {
        const next = parts.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
        if (chunk.length >= CHUNK_CHARS) {
          controller.enqueue(encoder.encode(chunk));
          return;
        }
      }
    },
  });
}

function hasLargeArray(v: unknown, depth: number): boolean {
  if (depth > 3 || v === null || typeof v !== 'object') return false;
  if (Array.isArray(v)) return v.length >= STREAM_ARRAY_MIN;
  for (const x of Object.values(v)) if (hasLargeArray(x, depth + 1)) return true;
  return false;
}

/** JSON text in pieces: plain objects and large arrays are opened up, the rest stringified whole. */
export function* jsonParts(v: unknown): Generator<string> {
  if (Array.isArray(v)) {
    if (v.length < STREAM_ARRAY_MIN) {
      yield JSON.stringify(v);
      return;
    }
    yield '[';
    for (let i = 0; i < v.length; i++) {
      if (i > 0) yield ',';
      const x: unknown = v[i];
      // As JSON.stringify: undefined and functions inside arrays become null.
      yield x === undefined || typeof x === 'function' ? 'null' : (JSON.stringify(x) ?? 'null');
    }
    yield ']';
    return;
  }
  if (v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
    yield '{';
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined || typeof x === 'function') continue;
      yield `${first ? '' : ','}${JSON.stringify(k)}:`;
      first = false;
      yield* jsonParts(x);
    }
    yield '}';
    return;
  }
  yield JSON.stringify(v) ?? 'null';
}

const STORE_ERROR_CODES: ReadonlySet<string> = new Set<StoreErrorCode>([
  'cluster_not_found',
  'cluster_exists',
  'revision_out_of_range',
  'invalid_argument',
]);

/**
 * Recognises a StoreError by shape, not by class: Next bundles modules per
 * entry (instrumentation, each route), and the store singleton may have been
 * created by another bundle's copy of the class, so `instanceof` fails.
 */
export function isStoreError(err: unknown): err is StoreError {
  return err instanceof Error && err.name === 'StoreError' && STORE_ERROR_CODES.has(String((err as { code?: unknown }).code));
}

/** What an answer to a thrown value is made of: status, ApiError body, extra headers. */
export interface ErrorParts {
  status: number;
  body: ApiError;
  headers: Record<string, string>;
}

/** The answer for a thrown value, in parts: its own status for refusals, a bare 500 for faults. */
export function errorParts(err: unknown): ErrorParts {
  if (err instanceof HttpError || (err instanceof Error && err.name === 'HttpError' && 'status' in err && 'body' in err)) {
    const h = err as HttpError;
    return { status: h.status, body: h.body, headers: h.headers };
  }
  if (isStoreError(err)) {
    switch (err.code) {
      case 'cluster_not_found':
        return { status: 404, body: { error: err.message, field: 'cluster' }, headers: {} };
      case 'revision_out_of_range':
        return { status: 404, body: { error: err.message, field: 'at' }, headers: {} };
      case 'invalid_argument':
        return { status: 400, body: { error: err.message }, headers: {} };
      case 'cluster_exists':
        return { status: 409, body: { error: err.message, field: 'cluster' }, headers: {} };
      default: {
        const never: never = err.code;
        return { status: 400, body: { error: `store refused: ${String(never)}` }, headers: {} };
      }
    }
  }
  // The message may carry a connection string or a file path: log it, answer plainly.
  console.error('podnet api: unexpected failure', err instanceof Error ? (err.stack ?? err.message) : String(err));
  return { status: 500, body: { error: 'internal server error' }, headers: {} };
}

/** The answer for a thrown value: its own status for refusals, a bare 500 for faults. */
export function errorResponse(err: unknown): Response {
  const e = errorParts(err);
  return json(e.body, e.status, e.headers);
}

/** Runs a handler body and turns whatever it throws into an answer. */
export async function answer(fn: () => Promise<Response>): Promise<Response> {
  try {
    return await fn();
  } catch (err) {
    return errorResponse(err);
  }
}

/** An optional non-negative integer query parameter (`at`, `size`, `limit`). */
export function intParam(url: URL, name: string, opts: { min?: number; max?: number } = {}): number | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, { error: `${name} must be a whole number (got ${JSON.stringify(raw.slice(0, 40))})`, field: name });
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min) throw new HttpError(400, { error: `${name} must be at least ${opts.min}`, field: name });
  if (opts.max !== undefined && n > opts.max) throw new HttpError(400, { error: `${name} must be at most ${opts.max}`, field: name });
  return n;
}

/** A required string query parameter, bounded in length. */
export function stringParam(url: URL, name: string, maxLength = 256): string {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') throw new HttpError(400, { error: `query parameter ${name} is required`, field: name });
  if (raw.length > maxLength) throw new HttpError(400, { error: `${name} is longer than ${maxLength} characters`, field: name });
  return raw;
}

/** An optional string query parameter, bounded in length. */
export function optionalStringParam(url: URL, name: string, maxLength = 256): string | undefined {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return undefined;
  if (raw.length > maxLength) throw new HttpError(400, { error: `${name} is longer than ${maxLength} characters`, field: name });
  return raw;
}

/** A snapshot id from a path segment. */
export function snapshotIdParam(raw: string, name = 'id'): number {
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < 1) throw new HttpError(400, { error: `${name} must be a snapshot id (a positive whole number)`, field: name });
  return Number(raw);
}
