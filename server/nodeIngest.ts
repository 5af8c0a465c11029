/**
 * `POST /api/v1/clusters/{cluster}/snapshots` answered on node's own request
 * and response, for the server scripts/start.mjs runs. Collectors push every
 * 30 s from every node: through Next's app router each push paid ~2 ms of
 * main-thread CPU for route matching, the Web Request and body stream it
 * builds, its tracing wrappers and the response adaptation — as much as the
 * store's writes. This path runs the route's own code (ingestSnapshot, the
 * same auth, limits, refusals and receipt), compiled in the same Next build:
 * instrumentation.ts publishes it on globalThis when the server starts, and
 * start.mjs hands Next anything this does not take. Under `next dev` nobody
 * calls it: the route answers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { IngestResult } from '../lib/api/types';
import { readLimitedNode } from './body';
import { ingestSnapshot, type IngestRequest } from './data';
import { errorParts, jsonHeaders } from './http';

/**
 * What start.mjs calls for each request: true when it took the request (and
 * answers it), false to hand it to Next.
 */
export type FastRoutes = (req: IncomingMessage, res: ServerResponse) => boolean;

/** Where the handler is published; start.mjs reads the same symbol. */
export const FAST_ROUTES_KEY = Symbol.for('podnet.server.fastRoutes');

/** The ingest path exactly as the app router matches it (no trailing slash: Next redirects those). */
const INGEST_PATH = /^\/api\/v1\/clusters\/([^/?#]+)\/snapshots(?:\?|$)/;

/** A node request as ingestSnapshot reads it: header names are lower-cased as node stores them. */
function nodeIngestRequest(req: IncomingMessage): IngestRequest {
  return {
    headers: {
      get(name: string): string | null {
        const v = req.headers[name.toLowerCase()];
        if (v === undefined) return null;
        return Array.isArray(v) ? v.join(', ') : v;
      },
    },
    body: (limit) => readLimitedNode(req, limit),
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  const out: Record<string, string | number> = { ...jsonHeaders(text, headers), 'content-length': Buffer.byteLength(text) };
  // Past the limit the rest of the body is not read, so the connection cannot carry another request.
  // Other early refusals (401, 403, 415) keep it: node reads and drops the rest of their bodies.
  if (status === 413 && !req.complete) out.connection = 'close';
  res.writeHead(status, out);
  res.end(text);
}

async function serveIngest(req: IncomingMessage, res: ServerResponse, cluster: string): Promise<void> {
  let result: IngestResult;
  try {
    result = await ingestSnapshot(cluster, nodeIngestRequest(req), new URL(req.url ?? '/', 'http://localhost'));
  } catch (err) {
    // A client that left (a collector past its timeout) has nobody to answer, and its leaving is no server failure to log.
    if (res.destroyed || req.socket.destroyed) return;
    const e = errorParts(err);
    send(req, res, e.status, e.body, e.headers);
    return;
  }
  send(req, res, 201, result, {});
}

/** The fast routes: the ingest POST, nothing else. */
export const fastRoutes: FastRoutes = (req, res) => {
  if (req.method !== 'POST' || req.url === undefined) return false;
  const m = INGEST_PATH.exec(req.url);
  if (m === null) return false;
  let cluster: string;
  try {
    cluster = decodeURIComponent(m[1]!);
  } catch {
    // Next would answer malformed percent-encoding with a bare 500; the path names the field instead.
    send(req, res, 400, { error: 'the cluster name in the URL is not valid percent-encoding', field: 'cluster' }, {});
    return true;
  }
  serveIngest(req, res, cluster).catch((err: unknown) => {
    console.error('podnet api: ingest answer failed', err instanceof Error ? (err.stack ?? err.message) : String(err));
    const fresh = !res.headersSent;
    if (fresh) res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store, no-transform' });
    res.end(fresh ? JSON.stringify({ error: 'internal server error' }) : undefined);
  });
  return true;
};

/** Publishes fastRoutes for start.mjs (idempotent: Next may run instrumentation's module more than once). */
export function registerFastIngest(): void {
  (globalThis as typeof globalThis & { [FAST_ROUTES_KEY]?: FastRoutes })[FAST_ROUTES_KEY] = fastRoutes;
}
