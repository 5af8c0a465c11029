/**
 * Ingest benchmark: sustained pushes of 110-pod node snapshots (synthetic
 * flannel cluster) over HTTP to a real server started as the product starts
 * (scripts/start.mjs), on the embedded
 * SQLite store and on PostgreSQL, printed beside the store's raw write rate
 * measured in the same run with the same documents. Prints figures; asserts
 * nothing (target on the 2-core dev machine: ≥ 200 snapshots/s embedded).
 *
 * The client pushes the way the collector does (node:http, keep-alive, gzip
 * bodies prepared in advance) and its own CPU is printed apart from the
 * server's: on a shared 2-core machine the wall rate is mostly other people's
 * load, so each HTTP row also prints the CPU-limited rate, 2 cores' worth of
 * milliseconds over server + client CPU per snapshot.
 *
 *   npm run bench:ingest
 *   npm run bench:ingest -- --puts 2000 --concurrency 32 --engine sqlite
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { availableParallelism } from 'node:os';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateFlannelCluster } from '../lib/synthetic/flannelCluster';
import type { Snapshot } from '../lib/snapshot/schema';
import { openStore, receivedDocument, type Store } from '../server/store';
import { startPostgres, type PostgresServer } from '../server/store/testing/postgresServer';
import { buildPrivateApp, startNextServer } from '../server/testing/nextServer';
import { loadAverage, mainThreadCpuMs, treeCpuMs } from './procCpu';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '200' },
    pods: { type: 'string', default: '110' },
    puts: { type: 'string', default: '1000' },
    concurrency: { type: 'string', default: '16' },
    engine: { type: 'string', default: 'both' },
  },
});
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const PUTS = Number(values.puts);
const CONCURRENCY = Number(values.concurrency);
const ENGINES = values.engine === 'both' ? (['sqlite', 'postgres'] as const) : ([values.engine] as Array<'sqlite' | 'postgres'>);

interface Figures {
  what: string;
  puts: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU (user + system) the measured side spent per snapshot, ms: the server's processes, or this process for the raw store. */
  cpuMs: number;
  /** HTTP rows: the server's main thread alone (HTTP, Next, the store), ms per snapshot. */
  mainMs?: number;
  /** HTTP rows: this process (the client), ms per snapshot. */
  clientMs?: number;
  /** HTTP rows: the server's CPU by thread kind, ms per snapshot. */
  threads?: ThreadCpu;
}

/** A server's CPU ms by kind of thread. */
interface ThreadCpu {
  main: number;
  /** Ingest workers (server/ingestPool.ts), and libuv's pool if used. */
  workers: number;
  /** V8's platform threads: parallel scavenges, concurrent marking and sweeping, background compilation. */
  v8: number;
}

/**
 * The server's CPU by thread. V8's platform threads start with the process
 * and keep its first name ("node"); the server renames itself
 * (process.title) before its ingest workers start, and they take the new name.
 */
function threadCpuMs(pid: number): ThreadCpu {
  const out: ThreadCpu = { main: 0, workers: 0, v8: 0 };
  let tids: string[] = [];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue;
    }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ms = ((Number(f[11]) + Number(f[12])) * 1000) / 100;
    if (tid === String(pid)) out.main += ms;
    else if (name === 'node') out.v8 += ms;
    else out.workers += ms;
  }
  return out;
}

function selfCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Runs `count` jobs with `concurrency` workers; returns rate, latency and CPU figures (`cpu` reads the measured side's CPU ms). */
async function drive(
  what: string,
  count: number,
  concurrency: number,
  cpu: () => number,
  job: (n: number) => Promise<void>,
  main?: () => number,
  threads?: () => ThreadCpu,
): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
  const c0 = cpu();
  const m0 = main?.();
  const th0 = threads?.();
  const s0 = selfCpuMs();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const n = next++;
        if (n >= count) return;
        const s = performance.now();
        await job(n);
        latencies.push(performance.now() - s);
      }
    }),
  );
  const seconds = (performance.now() - t0) / 1000;
  const cpuMs = (cpu() - c0) / count;
  const clientMs = (selfCpuMs() - s0) / count;
  latencies.sort((a, b) => a - b);
  const figures: Figures = { what, puts: count, perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), cpuMs };
  if (main !== undefined && m0 !== undefined) {
    figures.mainMs = (main() - m0) / count;
    figures.clientMs = clientMs;
  }
  if (threads !== undefined && th0 !== undefined) {
    const th1 = threads();
    figures.threads = { main: (th1.main - th0.main) / count, workers: (th1.workers - th0.workers) / count, v8: (th1.v8 - th0.v8) / count };
  }
  return figures;
}

/** The n-th document: node n mod N, collected n seconds later, so every put is new content (no duplicates). */
function docFor(cluster: Snapshot[], n: number, offset: number): Snapshot {
  const base = cluster[n % cluster.length]!;
  return { ...base, collectedAt: new Date(Date.UTC(2025, 0, 15, 10, 0, 0) + (n + offset) * 1000).toISOString() };
}

const CORES = availableParallelism();

// CPU ms/snapshot: the server's process tree (all its threads) for HTTP rows, the bench process itself for store rows;
// for HTTP rows also the server's main thread, the client (this process), and the rate the CPU allows on this machine's cores.
const HEADER = `engine    what                                   puts   snapshots/s   p50 ms   p99 ms   CPU ms/snapshot   (server main   client)   CPU-limited/s (${CORES} cores)`;

/** One result row; printed as soon as it is measured too, so a later failure does not lose it. */
function printRow(r: Figures & { engine: string }, early = true): void {
  if (r.threads !== undefined && early) {
    const t = r.threads;
    console.log(`  ${r.engine.padEnd(9)} ${r.what}: server CPU by thread, ms/snapshot: main ${t.main.toFixed(2)}, ingest workers ${t.workers.toFixed(2)}, V8 platform threads (GC, compiler) ${t.v8.toFixed(2)}`);
  }
  const split = r.mainMs !== undefined && r.clientMs !== undefined ? `   (${r.mainMs.toFixed(1).padStart(11)} ${r.clientMs.toFixed(1).padStart(8)})   ${((CORES * 1000) / (r.cpuMs + r.clientMs)).toFixed(0).padStart(13)}` : '';
  console.log(
    `${early ? '  ' : ''}${r.engine.padEnd(9)} ${r.what.padEnd(38)} ${String(r.puts).padStart(5)} ${r.perSecond.toFixed(0).padStart(13)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)} ${r.cpuMs.toFixed(1).padStart(17)}${split}`,
  );
}

async function engineSetup(engine: 'sqlite' | 'postgres'): Promise<{ env: Record<string, string>; rawStore: () => Promise<Store>; cleanup: () => void }> {
  if (engine === 'sqlite') {
    const serverDir = mkdtempSync(path.join(tmpdir(), 'podnet-bench-http-'));
    const rawDir = mkdtempSync(path.join(tmpdir(), 'podnet-bench-raw-'));
    return {
      env: { PODNET_DATA_DIR: serverDir },
      rawStore: () => openStore({ databaseUrl: null, dataDir: rawDir }),
      cleanup: () => {
        rmSync(serverDir, { recursive: true, force: true });
        rmSync(rawDir, { recursive: true, force: true });
      },
    };
  }
  const pg: PostgresServer = await startPostgres();
  const httpUrl = await pg.createDatabase('podnet_bench_http');
  const rawUrl = await pg.createDatabase('podnet_bench_raw');
  return { env: { DATABASE_URL: httpUrl }, rawStore: () => openStore({ databaseUrl: rawUrl }), cleanup: () => pg.stop() };
}

async function main(): Promise<void> {
  const cluster = generateFlannelCluster({ nodes: NODES, podsPerNode: PODS, seed: 1 });
  const sample = JSON.stringify(cluster[0]);
  console.log(`ingest bench: ${NODES} nodes × ${PODS} pods, ${PUTS} puts per run, ${CONCURRENCY} concurrent; one snapshot ${(sample.length / 1024).toFixed(0)} KiB JSON, ${(gzipSync(sample).length / 1024).toFixed(0)} KiB gzip`);
  const appDir = buildPrivateApp();
  console.log(`load average before the run: ${loadAverage()}`);
  // Bodies are prepared before any server starts: the collector compresses on
  // the node, not on the server's clock, and seconds of preparation after the
  // start would outlast the keep-alive of the readiness probe's connection,
  // which fetch would then reuse ("other side closed").
  const SERIAL = Math.min(PUTS, 200);
  const bodies = Array.from({ length: PUTS + 50 + SERIAL }, (_, n) => gzipSync(JSON.stringify(docFor(cluster, n, 0))));
  const rows: Array<Figures & { engine: string }> = [];
  for (const engine of ENGINES) {
    const setup = await engineSetup(engine);
    // PODNET_INGEST_WORKERS from this shell reaches the server (the test launcher drops other PODNET_* settings).
    const workers: Record<string, string> = process.env.PODNET_INGEST_WORKERS !== undefined ? { PODNET_INGEST_WORKERS: process.env.PODNET_INGEST_WORKERS } : {};
    const server = await startNextServer(appDir, { ...setup.env, ...workers, PODNET_SEED_DEMO: '0', PODNET_RETENTION_INTERVAL_MINUTES: '0' });
    try {
      // The token goes into the server's store through a short-lived store of the same engine.
      const serverStore = await openStore(engine === 'sqlite' ? { databaseUrl: null, dataDir: setup.env.PODNET_DATA_DIR! } : { databaseUrl: setup.env.DATABASE_URL! });
      await serverStore.ensureCluster('bench');
      const { token } = await serverStore.createToken('bench');
      await serverStore.close();

      // As the collector pushes: node:http over kept-alive connections, one per concurrent push.
      const agent = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });
      const target = new URL(`${server.url}/api/v1/clusters/bench/snapshots`);
      const post = (n: number): Promise<void> =>
        new Promise((resolve, reject) => {
          const body = bodies[n]!;
          const req = http.request(
            {
              agent,
              host: target.hostname,
              port: target.port,
              method: 'POST',
              path: target.pathname,
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': body.length },
            },
            (res) => {
              const chunks: Buffer[] = [];
              res.on('data', (c: Buffer) => chunks.push(c));
              res.on('end', () => (res.statusCode === 201 ? resolve() : reject(new Error(`push ${n}: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString()}`))));
              res.on('error', reject);
            },
          );
          req.on('error', reject);
          req.end(body);
        });
      for (let n = PUTS; n < PUTS + 50; n++) await post(n); // warm-up: JIT, route compilation, store pages
      const serverCpu = (): number => treeCpuMs(server.pid);
      const serverMain = (): number => mainThreadCpuMs(server.pid);
      const serverThreads = (): ThreadCpu => threadCpuMs(server.pid);
      rows.push({ engine, ...(await drive(`HTTP, ${CONCURRENCY} concurrent`, PUTS, CONCURRENCY, serverCpu, post, serverMain, serverThreads)) });
      // New documents (not re-sends of the ones above, which would be duplicates).
      rows.push({ engine, ...(await drive('HTTP, one at a time', SERIAL, 1, serverCpu, (n) => post(n + PUTS + 50), serverMain, serverThreads)) });
      agent.destroy();
      printRow(rows.at(-2)!);
      printRow(rows.at(-1)!);

      const raw = await setup.rawStore();
      try {
        await raw.ensureCluster('bench');
        const docs = Array.from({ length: PUTS }, (_, n) => docFor(cluster, n, 1_000_000));
        rows.push({ engine, ...(await drive(`store putSnapshot, ${CONCURRENCY} concurrent`, PUTS, CONCURRENCY, selfCpuMs, async (n) => void (await raw.putSnapshot('bench', docs[n]!.node.name, docs[n]!)))) });
        printRow(rows.at(-1)!);
        // What the HTTP path stores: the received gzip, hashed by the ingest workers before the store sees it.
        const received = Array.from({ length: PUTS }, (_, n) => {
          const doc = docFor(cluster, n, 2_000_000);
          const json = JSON.stringify(doc);
          return { node: doc.node.name, doc: receivedDocument(json, doc.collectedAt, gzipSync(json)) };
        });
        rows.push({ engine, ...(await drive(`store putReceived, ${CONCURRENCY} concurrent`, PUTS, CONCURRENCY, selfCpuMs, async (n) => void (await raw.putReceived('bench', received[n]!.node, received[n]!.doc)))) });
        printRow(rows.at(-1)!);
      } finally {
        await raw.close();
      }
    } catch (e) {
      console.error(`server output:\n${server.output().slice(-3000)}`);
      throw e;
    } finally {
      await server.stop();
      setup.cleanup();
    }
  }
  console.log('');
  console.log(HEADER);
  for (const r of rows) printRow(r, false);
  console.log(`load average after the run: ${loadAverage()}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  // fetch hides the socket error that made it fail in `cause`.
  if (e instanceof Error && e.cause !== undefined) console.error('cause:', e.cause);
  process.exitCode = 1;
});
