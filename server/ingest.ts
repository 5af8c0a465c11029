/**
 * Turning an ingest body into one node snapshot: a snapshot JSON document
 * (validated field by field) or a terminal transcript (read by readEvidence).
 * Every refusal is a 400 that names the field or the line at fault. Pure:
 * the caller reads the body and stores the result.
 */
import type { ApiError } from '../lib/api/types';
import { readEvidence } from '../lib/read/readEvidence';
import type { ReadWarning, SkippedBlock, UsedBlock } from '../lib/read/types';
import type { Snapshot } from '../lib/snapshot/schema';
import { LIMITS } from '../lib/snapshot/schema';
import { validateSnapshot } from '../lib/snapshot/validate';
import { HttpError } from './http';
import { jsonSyntaxError } from '../lib/read/jsonLocation';
import { gunzipLimitedSync, hasUtf8Bom, utf8 } from './body';
import { receivedBytes } from './store/contentHash';
import type { ReceivedDocument } from './store/types';

/** A body understood as one node's snapshot. */
export interface ParsedIngest {
  node: string;
  snapshot: Snapshot;
  /**
   * The JSON text (without a byte-order mark) when `snapshot` is exactly that
   * text parsed: the store may keep and key the received bytes themselves.
   * Absent when the server assembled or changed the document.
   */
  json?: string;
  used: UsedBlock[];
  skipped: SkippedBlock[];
  warnings: ReadWarning[];
}

/** How the body is to be read, from its media type. */
export type IngestFormat =
  /** `application/json` (or `+json`): one snapshot format v1 document. */
  | 'json'
  /** `text/plain`: a terminal transcript or raw command output. */
  | 'transcript';

/** The format for a media type, or undefined for one the endpoint refuses (415). */
export function ingestFormat(mediaType: string): IngestFormat | undefined {
  if (mediaType === 'application/json' || /^application\/[\w.+-]*\+json$/.test(mediaType)) return 'json';
  if (mediaType === 'text/plain') return 'transcript';
  return undefined;
}

/** Checks a `?node=` value against the snapshot schema's bounds. */
export function checkNodeName(node: string): void {
  if (node.length > LIMITS.name || /[\u0000-\u001f\u007f/]/.test(node)) {
    throw new HttpError(400, { error: `node must be 1-${LIMITS.name} characters without '/' or control characters`, field: 'node' });
  }
}

/** Lines of a text, as `text.split('\n').length` counts them, without building the lines. */
function lineCount(text: string): number {
  let n = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

function parseJsonSnapshot(text: string, nodeOverride: string | undefined): ParsedIngest {
  let doc: unknown;
  const json = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    doc = JSON.parse(json);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const line = jsonSyntaxError(text)?.line;
    const body: ApiError = { error: `the body is not valid JSON: ${message.slice(0, 300)}` };
    if (line !== undefined) body.line = line;
    throw new HttpError(400, body);
  }
  const v = validateSnapshot(doc);
  if (!v.ok) {
    const first = v.issues[0];
    const field = first && first.path !== '(document)' ? first.path : undefined;
    throw new HttpError(400, {
      error: `not a valid podnet snapshot: ${first ? `${first.path}: ${first.message}` : 'invalid'}`,
      ...(field !== undefined ? { field } : {}),
      issues: v.issues.slice(0, 20).map((i) => ({ field: i.path, message: i.message })),
    });
  }
  const node = nodeOverride ?? v.snapshot.node.name;
  // The store keys the snapshot by node; the document must agree with its key.
  const snapshot = node === v.snapshot.node.name ? v.snapshot : { ...v.snapshot, node: { ...v.snapshot.node, name: node } };
  return {
    node,
    snapshot,
    // zod strips keys the fast check refused; only the untouched document is its text.
    ...(snapshot === doc ? { json } : {}),
    used: [{ startLine: 1, endLine: lineCount(text), command: 'snapshot JSON', context: node, summary: `${snapshot.namespaces.length} netns` }],
    skipped: [],
    warnings: [],
  };
}

function parseTranscript(text: string, node: string | undefined, fileName: string | undefined): ParsedIngest {
  if (node === undefined) {
    throw new HttpError(400, { error: 'a transcript needs the node it is about: add ?node=NAME to the URL', field: 'node' });
  }
  const result = readEvidence(text, { nodeName: node, ...(fileName !== undefined ? { fileName } : {}) });
  if (result.error || result.snapshots.length === 0) {
    const message = result.error?.message ?? 'the transcript produced no snapshot';
    const body: ApiError = { error: `could not read the transcript: ${message}` };
    const line = result.error?.line ?? result.skipped[0]?.startLine;
    if (line !== undefined) body.line = line;
    if (result.skipped.length > 0) {
      body.issues = result.skipped.slice(0, 20).map((s) => ({ line: s.startLine, message: `${s.reason}: ${s.text}` }));
    }
    throw new HttpError(400, body);
  }
  const mine = result.snapshots.filter((s) => s.node.name === node);
  const picked = mine.length === 1 ? mine[0] : result.snapshots.length === 1 ? result.snapshots[0] : undefined;
  if (picked === undefined) {
    throw new HttpError(400, {
      error: `the transcript describes ${result.snapshots.length} nodes (${result.snapshots.map((s) => s.node.name).join(', ')}); push one node per request`,
      field: 'node',
    });
  }
  const snapshot = picked.node.name === node ? picked : { ...picked, node: { ...picked.node, name: node } };
  // Run the assembled document through the schema once more: the store trusts what it is given.
  const v = validateSnapshot(snapshot);
  if (!v.ok) {
    throw new HttpError(400, { error: `the transcript did not form a valid snapshot: ${v.issues[0]?.path}: ${v.issues[0]?.message}` });
  }
  return { node, snapshot: v.snapshot, used: result.used, skipped: result.skipped, warnings: result.warnings };
}

/** Reads an ingest body as one node snapshot, or throws a 400 naming the field or line. */
export function parseIngest(text: string, format: IngestFormat, opts: { node?: string; fileName?: string } = {}): ParsedIngest {
  if (opts.node !== undefined) checkNodeName(opts.node);
  switch (format) {
    case 'json':
      return parseJsonSnapshot(text, opts.node);
    case 'transcript':
      return parseTranscript(text, opts.node, opts.fileName);
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
}

/** A JSON push decoded: what the store needs and what the receipt says. */
export interface DecodedJsonPush {
  node: string;
  used: UsedBlock[];
  /** The document as received, when it was accepted unchanged (what a collector sends). */
  received?: ReceivedDocument;
  /** The snapshot, when the server changed it (a `?node=` rename, keys the schema drops): stored in canonical form. */
  snapshot?: Snapshot;
}

/**
 * Everything an ingest of snapshot JSON costs in CPU, from the request's
 * bytes: gunzip within `limit`, strict UTF-8, JSON.parse, schema validation,
 * hash (and gzip of a body that came uncompressed). Pure and synchronous, so
 * an ingest worker thread runs it (server/ingestPool.ts); throws the same
 * HttpErrors as parseIngest.
 */
export function decodeJsonPush(raw: Uint8Array, gzipped: boolean, limit: number, node?: string): DecodedJsonPush {
  const data = gzipped ? gunzipLimitedSync(raw, limit) : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
  const parsed = parseIngest(utf8(data), 'json', node !== undefined ? { node } : {});
  if (parsed.json === undefined) return { node: parsed.node, used: parsed.used, snapshot: parsed.snapshot };
  // utf8() checked the bytes and dropped a byte-order mark: what follows it is
  // exactly the JSON text's UTF-8, hashed as it is instead of encoded again.
  // The received gzip is kept only when it decompresses to exactly the text.
  const bom = hasUtf8Bom(data);
  const keep = gzipped && !bom ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength) : undefined;
  return { node: parsed.node, used: parsed.used, received: receivedBytes(bom ? data.subarray(3) : data, parsed.snapshot.collectedAt, keep) };
}

/**
 * A decoded push as a worker sends it back: when the document is to be kept
 * as the gzip bytes it arrived in, those are the job's own `raw`, which the
 * main thread still holds, so `received.gzip` is left out rather than copied
 * back across threads.
 */
export type WireDecodedPush = Omit<DecodedJsonPush, 'received'> & {
  received?: Omit<ReceivedDocument, 'gzip'> & { gzip?: Uint8Array };
};

/** What a worker sends for `decoded`, the result of decodeJsonPush(job.raw, …). */
export function toWire(decoded: DecodedJsonPush, raw: Uint8Array): WireDecodedPush {
  const r = decoded.received;
  if (r === undefined || r.gzip.buffer !== raw.buffer || r.gzip.byteOffset !== raw.byteOffset || r.gzip.byteLength !== raw.byteLength) return decoded;
  return { ...decoded, received: { contentHash: r.contentHash, sizeBytes: r.sizeBytes, collectedAt: r.collectedAt } };
}
