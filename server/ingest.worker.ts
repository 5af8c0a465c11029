/**
 * An ingest worker thread (server/ingestPool.ts): decodes JSON pushes —
 * gunzip, UTF-8, parse, validate, hash — so the server's main thread only
 * reads requests and writes the store.
 */
import { parentPort } from 'node:worker_threads';
import { HttpError } from './http';
import { decodeJsonPush, toWire } from './ingest';
import type { IngestJob, IngestReply } from './ingestPool';

const port = parentPort;
if (port === null) throw new Error('ingest.worker runs only as a worker thread');

port.on('message', (job: IngestJob) => {
  let reply: IngestReply;
  try {
    reply = { id: job.id, ok: true, value: toWire(decodeJsonPush(job.raw, job.gzipped, job.limit, job.node), job.raw) };
  } catch (err) {
    reply =
      err instanceof HttpError
        ? { id: job.id, ok: false, status: err.status, body: err.body, headers: err.headers }
        : { id: job.id, ok: false, fault: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  port.postMessage(reply);
});
