/**
 * Sending snapshots to the podnet server: one gzip POST per spooled file,
 * retried with exponential backoff and full jitter while the server is
 * unreachable or busy, in collection order. The token goes in the
 * Authorization header only; no message here ever contains it.
 */
import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import type { IngestResult } from '../lib/api/types';
import type { Snapshot } from '../lib/snapshot/schema';
import type { Spool, SpoolEntry } from './spool';

/** Where and as whom to push. */
export interface PushTarget {
  /** Server base URL (`https://podnet.example.com`). */
  server: string;
  cluster: string;
  token: string;
}

/** What one POST came to. */
export type PushOutcome =
  /** 2xx: stored (or recognised as a duplicate). */
  | { kind: 'sent'; status: number; result?: IngestResult }
  /** Unreachable, 5xx, 408 or 429: try again later, keep the file. */
  | { kind: 'retry'; reason: string; retryAfterMs?: number }
  /** Any other 4xx: the server will never take this body; set it aside. */
  | { kind: 'rejected'; status: number; reason: string };

/** One POST as the pusher makes it. */
export interface PushRequest {
  method: string;
  headers: Record<string, string>;
  body: Uint8Array;
  signal?: AbortSignal;
}

/** The part of an HTTP answer the pusher reads; a fetch Response has it. */
export interface PushResponse {
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}

/** The fetch the pusher uses; injectable so tests can drop connections on purpose. */
export type Fetch = (url: string, init: PushRequest) => Promise<PushResponse>;

/** Answers above this are not the API's; only their start is ever shown. */
const MAX_ANSWER = 64 * 1024;

/**
 * The default sender: node:http(s), not the global fetch. fetch loads undici
 * on first use, ~14 MB of RSS in a process whose whole budget is 60 MB
 * (collector/bench.ts); node:http costs ~4 MB.
 */
export const httpFetch: Fetch = async (url, init) => {
  const u = new URL(url);
  // TLS only when the server is https: loading it costs memory a plain-http lab does not need.
  const send = u.protocol === 'https:' ? (await import('node:https')).request : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(u, { method: init.method, headers: { ...init.headers, 'content-length': String(init.body.length) }, signal: init.signal }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (d: Buffer) => {
        size += d.length;
        if (size <= MAX_ANSWER) chunks.push(d);
      });
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          headers: {
            get: (name) => {
              const v = res.headers[name.toLowerCase()];
              return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v;
            },
          },
          text: async () => text,
        });
      });
    });
    req.on('error', reject);
    req.end(init.body);
  });
};

/** The snapshot as the body it will be sent as: compact JSON, gzip. */
export function encodeSnapshot(snapshot: Snapshot): Buffer {
  return gzipSync(Buffer.from(JSON.stringify(snapshot)));
}

/** `…/api/v1/clusters/{cluster}/snapshots` for a base URL with or without a trailing slash. */
export function ingestUrl(target: Pick<PushTarget, 'server' | 'cluster'>): string {
  return `${target.server.replace(/\/+$/, '')}/api/v1/clusters/${encodeURIComponent(target.cluster)}/snapshots`;
}

function retryAfter(res: PushResponse): number | undefined {
  const v = res.headers.get('retry-after');
  if (v === null) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}

async function errorMessage(res: PushResponse): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown };
    if (typeof body.error === 'string') return body.error.slice(0, 500);
  } catch {
    // Not the API's JSON error body (a proxy's HTML page): show its start.
  }
  return text.replace(/\s+/g, ' ').slice(0, 200);
}

/** POSTs one gzip body and classifies the answer. Never throws. */
export async function postSnapshot(target: PushTarget, body: Buffer, opts: { fetch?: Fetch; timeoutMs?: number } = {}): Promise<PushOutcome> {
  const doFetch: Fetch = opts.fetch ?? httpFetch;
  let res: PushResponse;
  try {
    res = await doFetch(ingestUrl(target), {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-encoding': 'gzip',
        authorization: `Bearer ${target.token}`,
      },
      body: new Uint8Array(body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
    return { kind: 'retry', reason: `${err instanceof Error ? err.message : String(err)}${cause}` };
  }
  if (res.status >= 200 && res.status < 300) {
    const text = await res.text().catch(() => '');
    try {
      return { kind: 'sent', status: res.status, result: JSON.parse(text) as IngestResult };
    } catch {
      return { kind: 'sent', status: res.status };
    }
  }
  const message = await errorMessage(res);
  // 408 and 429 say "not now", like a 5xx; every other 4xx is about the body or the token and will not change.
  if (res.status === 408 || res.status === 429 || res.status >= 500 || res.status < 400) {
    const after = retryAfter(res);
    return after === undefined
      ? { kind: 'retry', reason: `HTTP ${res.status}: ${message}` }
      : { kind: 'retry', reason: `HTTP ${res.status}: ${message}`, retryAfterMs: after };
  }
  return { kind: 'rejected', status: res.status, reason: `HTTP ${res.status}: ${message}` };
}

/** Backoff settings: the ceiling grows base·2^attempt up to cap, and the wait is uniform below it. */
export interface Backoff {
  baseMs: number;
  capMs: number;
}

/** Full jitter (AWS architecture blog): a uniform wait in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const ceiling = Math.min(backoff.capMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Waits `ms`, or less when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Options of drainSpool. */
export interface DrainOptions {
  target: PushTarget;
  backoff: Backoff;
  /** Give up on this drain (keeping what is left) after this many failed tries of one file... */
  maxAttempts?: number;
  /** ...or at this time (ms since epoch), whichever comes first. */
  deadline?: number;
  fetch?: Fetch;
  random?: () => number;
  now?: () => number;
  signal?: AbortSignal;
  log: (message: string) => void;
}

/** What one drain did. */
export interface DrainReport {
  sent: number;
  duplicates: number;
  rejected: number;
  /** Files still queued (the server stayed unreachable). */
  pending: number;
  lastError?: string;
}

/**
 * Sends the spool oldest first. A file that cannot be sent now stops the
 * drain, so the server never receives a newer snapshot of the node before an
 * older one still queued; it is retried with backoff until maxAttempts or the
 * deadline, then left for the next drain.
 */
export async function drainSpool(spool: Spool, opts: DrainOptions): Promise<DrainReport> {
  const now = opts.now ?? Date.now;
  const report: DrainReport = { sent: 0, duplicates: 0, rejected: 0, pending: 0 };
  const entries = await spool.list();
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as SpoolEntry;
    let body: Buffer;
    try {
      body = await spool.read(entry);
    } catch {
      // Dropped by the bound (or another drain) since it was listed.
      continue;
    }
    for (let attempt = 0; ; attempt++) {
      if (opts.signal?.aborted) {
        report.pending = entries.length - i;
        return report;
      }
      const outcome = await postSnapshot(opts.target, body, opts.fetch ? { fetch: opts.fetch } : {});
      if (outcome.kind === 'sent') {
        await spool.remove(entry);
        report.sent++;
        if (outcome.result?.status === 'duplicate') report.duplicates++;
        break;
      }
      if (outcome.kind === 'rejected') {
        const where = await spool.reject(entry, outcome.reason);
        report.rejected++;
        opts.log(`the server refused ${entry.file} for good (${outcome.reason}); moved to ${where}`);
        break;
      }
      report.lastError = outcome.reason;
      const wait = Math.max(backoffDelay(attempt, opts.backoff, opts.random), outcome.retryAfterMs ?? 0);
      const outOfTries = opts.maxAttempts !== undefined && attempt + 1 >= opts.maxAttempts;
      const outOfTime = opts.deadline !== undefined && now() + wait >= opts.deadline;
      if (outOfTries || outOfTime) {
        report.pending = entries.length - i;
        return report;
      }
      await sleep(wait, opts.signal);
    }
  }
  return report;
}
