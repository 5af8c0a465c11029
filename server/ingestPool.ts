/**
 * Worker threads for the CPU-heavy part of an ingest (decodeJsonPush: ~7 ms
 * of gunzip, JSON.parse, validation and hashing per 400 KB snapshot). On the
 * main thread those milliseconds would cap a server at one core; here they
 * run beside it, one worker per core, while the main thread serves HTTP and
 * writes the store. Where workers cannot start, pushes are decoded inline.
 */
import { Worker } from 'node:worker_threads';
import type { ApiError } from '../lib/api/types';
import { HttpError } from './http';
import { decodeJsonPush, type DecodedJsonPush, type WireDecodedPush } from './ingest';

/** One push for a worker. */
export interface IngestJob {
  id: number;
  raw: Uint8Array;
  gzipped: boolean;
  limit: number;
  node?: string;
}

/** A worker's answer: the decoded push, a refusal (an HttpError's parts), or a fault. */
export type IngestReply =
  | { id: number; ok: true; value: WireDecodedPush }
  | { id: number; ok: false; status: number; body: ApiError; headers: Record<string, string> }
  | { id: number; ok: false; fault: string };

interface Slot {
  worker: Worker;
  inFlight: number;
}

interface Waiting {
  slot: Slot;
  raw: Uint8Array;
  resolve: (v: DecodedJsonPush) => void;
  reject: (e: unknown) => void;
}

/** Buffers come back from postMessage as plain Uint8Arrays; the store and zlib want Buffers. */
function asBuffer(u: Uint8Array): Buffer {
  return Buffer.isBuffer(u) ? u : Buffer.from(u.buffer, u.byteOffset, u.byteLength);
}

class IngestPool {
  private readonly slots: Slot[] = [];
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 1;
  broken = false;

  constructor(size: number) {
    for (let i = 0; i < size; i++) this.slots.push(this.start());
  }

  private start(): Slot {
    // Turbopack bundles the worker entry named by this exact `new URL(…, import.meta.url)` form.
    const worker = new Worker(new URL('./ingest.worker.ts', import.meta.url));
    const slot: Slot = { worker, inFlight: 0 };
    // Idle workers must not keep a stopping server alive.
    worker.unref();
    worker.on('message', (reply: IngestReply) => this.settle(reply));
    worker.on('error', (err) => this.fail(slot, err));
    worker.on('exit', (code) => this.fail(slot, new Error(`ingest worker exited with code ${code}`)));
    return slot;
  }

  private settle(reply: IngestReply): void {
    const w = this.waiting.get(reply.id);
    if (w === undefined) return;
    this.waiting.delete(reply.id);
    w.slot.inFlight--;
    if (reply.ok) {
      const { received, ...rest } = reply.value;
      w.resolve(received === undefined ? rest : { ...rest, received: { ...received, gzip: asBuffer(received.gzip ?? w.raw) } });
    } else if ('fault' in reply) {
      w.reject(new Error(`ingest worker: ${reply.fault}`));
    } else {
      w.reject(new HttpError(reply.status, reply.body, reply.headers));
    }
  }

  /** A worker died: its pushes fail (the collectors retry) and later ones are decoded inline. */
  private fail(slot: Slot, err: Error): void {
    this.broken = true;
    console.warn(`podnet: ingest worker failed, decoding pushes on the main thread from now on: ${err.message}`);
    for (const [id, w] of this.waiting) {
      if (w.slot !== slot) continue;
      this.waiting.delete(id);
      w.reject(err);
    }
  }

  run(job: Omit<IngestJob, 'id'>): Promise<DecodedJsonPush> {
    let slot = this.slots[0]!;
    for (const s of this.slots) if (s.inFlight < slot.inFlight) slot = s;
    const id = this.nextId++;
    slot.inFlight++;
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { slot, raw: job.raw, resolve, reject });
      // Copied, not transferred: a small Buffer's memory is Node's shared pool.
      slot.worker.postMessage({ ...job, id } satisfies IngestJob);
    });
  }
}

const POOL_KEY = Symbol.for('podnet.server.ingestPool');

/** The process's pool of `size` workers (the first call's size; 0: none). */
function pool(size: number): IngestPool | undefined {
  const g = globalThis as typeof globalThis & { [POOL_KEY]?: IngestPool | null };
  if (g[POOL_KEY] === undefined) {
    try {
      g[POOL_KEY] = size === 0 ? null : new IngestPool(size);
    } catch (err) {
      console.warn(`podnet: no ingest workers (${err instanceof Error ? err.message : String(err)}); decoding pushes on the main thread`);
      g[POOL_KEY] = null;
    }
  }
  const p = g[POOL_KEY];
  return p && !p.broken ? p : undefined;
}

/** decodeJsonPush on one of `workers` threads (ServerConfig.ingestWorkers), or inline where there are none. */
export async function decodeJsonPushOffThread(workers: number, raw: Buffer, gzipped: boolean, limit: number, node?: string): Promise<DecodedJsonPush> {
  const p = pool(workers);
  if (p === undefined) return decodeJsonPush(raw, gzipped, limit, node);
  return p.run({ raw, gzipped, limit, ...(node !== undefined ? { node } : {}) });
}
