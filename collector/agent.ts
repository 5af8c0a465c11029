/**
 * The collector's run loop: collect a snapshot, queue it in the spool, send
 * the spool in order, wait for the next tick. Collection and sending are
 * separate steps joined only by the spool, so a server outage never stops
 * collection and never loses what was collected (within the spool's bound).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { Snapshot } from '../lib/snapshot/schema';
import { drainSpool, encodeSnapshot, sleep, type Backoff, type DrainReport, type Fetch, type PushTarget } from './push';
import type { Spool } from './spool';
import { DEFAULT_FULL_EVERY } from './watch';

/** Options of runAgent. */
export interface AgentOptions {
  /** Collects one snapshot (with its warnings); a throw is logged and the tick skipped. */
  collect: () => Promise<{ snapshot: Snapshot; warnings: string[] }>;
  spool: Spool;
  target: PushTarget;
  /** Time between collections; undefined runs once. */
  intervalMs?: number;
  /** How long a single run keeps retrying before it gives up (leaving the spool for the next run). */
  onceTimeoutMs?: number;
  backoff: Backoff;
  log: (message: string) => void;
  signal?: AbortSignal;
  fetch?: Fetch;
  now?: () => number;
  /** Run after each collection (default: a full GC, collectGarbage). */
  afterCollect?: () => void;
}

/** What a run came to: for `--once`, whether everything collected reached the server. */
export interface AgentResult {
  collections: number;
  last?: DrainReport;
}

/** Collects one snapshot into the spool; false when collection failed. */
async function collectIntoSpool(opts: AgentOptions, n: number): Promise<boolean> {
  try {
    const { snapshot, warnings } = await opts.collect();
    for (const w of warnings) opts.log(`warning: ${w}`);
    const body = encodeSnapshot(snapshot);
    const entry = await opts.spool.add(body, snapshot.node.name);
    const pods = snapshot.namespaces.filter((ns) => ns.kind === 'pod').length;
    opts.log(`collected #${n} node ${snapshot.node.name} at ${snapshot.collectedAt ?? '?'}: ${snapshot.namespaces.length} netns (${pods} pod), ${body.length} bytes gzip, queued ${entry.file}`);
    return true;
  } catch (err) {
    opts.log(`collection failed: ${err instanceof Error ? err.message : String(err)}`);
    return false;
  }
}

function summary(r: DrainReport): string {
  const parts = [`sent ${r.sent}`];
  if (r.duplicates > 0) parts.push(`${r.duplicates} already stored`);
  if (r.rejected > 0) parts.push(`rejected ${r.rejected}`);
  if (r.pending > 0) parts.push(`${r.pending} still queued (server unreachable: ${r.lastError ?? 'unknown'})`);
  return parts.join(', ');
}

let gc: (() => void) | undefined;

/**
 * A full garbage collection. The agent calls it after each collection,
 * when everything the collection built is garbage and the process is about
 * to wait for the next tick: V8 on its own let the old space grow by each
 * collection's garbage (~2-3 MB on a 110-pod node: runner output, API
 * bodies, the snapshot's JSON) for several collections before collecting it,
 * which set the agent's peak RSS (collector/bench.ts: 59-60 MB → ~54 MB
 * with this). A full GC of the agent's ~6 MB heap costs ~5 ms of CPU, and
 * replaces the ones V8 would have run. `gc` is exposed at run time (as
 * jest does), so no launcher needs --expose-gc.
 */
export function collectGarbage(): void {
  if (gc === undefined) {
    const own = (globalThis as { gc?: unknown }).gc;
    if (typeof own === 'function') gc = own as () => void;
    else {
      setFlagsFromString('--expose-gc');
      gc = runInNewContext('gc') as () => void;
    }
  }
  gc();
}

/**
 * How often the agent reads every netns although no event asked for it
 * (NetnsWatch's fullEvery): PODNET_COLLECT_FULL_EVERY, default 10; 1 reads
 * everything every time, with no monitor.
 */
export function fullEveryFromEnv(env: NodeJS.ProcessEnv, log: (m: string) => void): number {
  const v = env.PODNET_COLLECT_FULL_EVERY;
  if (v === undefined || v === '') return DEFAULT_FULL_EVERY;
  if (/^\d+$/.test(v) && Number(v) >= 1) return Number(v);
  log(`warning: PODNET_COLLECT_FULL_EVERY=${v} is not a whole number >= 1; reading everything every ${DEFAULT_FULL_EVERY}th collection`);
  return DEFAULT_FULL_EVERY;
}

/** Runs until `signal` aborts (interval mode) or after one collection and drain (once mode). */
export async function runAgent(opts: AgentOptions): Promise<AgentResult> {
  const now = opts.now ?? Date.now;
  const result: AgentResult = { collections: 0 };
  for (;;) {
    const started = now();
    if (await collectIntoSpool(opts, result.collections + 1)) result.collections++;
    (opts.afterCollect ?? collectGarbage)();
    const deadline = started + (opts.intervalMs ?? opts.onceTimeoutMs ?? 60_000);
    const report = await drainSpool(opts.spool, {
      target: opts.target,
      backoff: opts.backoff,
      deadline,
      log: opts.log,
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      now,
    });
    result.last = report;
    if (report.sent > 0 || report.rejected > 0 || report.pending > 0) opts.log(summary(report));
    if (opts.intervalMs === undefined || opts.signal?.aborted) return result;
    await sleep(deadline - now(), opts.signal);
    if (opts.signal?.aborted) return result;
  }
}
