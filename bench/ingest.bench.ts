/**
 * Ingest benchmark: sustained pushes of 110-pod node snapshots (synthetic
 * flannel cluster) over HTTP to a real `next start` server, on the embedded
 * SQLite store and on PostgreSQL, printed beside the store's raw write rate
 * measured in the same run with the same documents. Prints figures; asserts
 * nothing (target on the 2-core dev machine: ≥ 200 snapshots/s embedded).
 *
 *   npm run bench:ingest
 *   npm run bench:ingest -- --puts 2000 --concurrency 32 --engine sqlite
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateFlannelCluster } from '../lib/synthetic/flannelCluster';
import type { Snapshot } from '../lib/snapshot/schema';
import { openStore, type Store } from '../server/store';
import { startPostgres, type PostgresServer } from '../server/store/testing/postgresServer';
import { buildPrivateApp, startNextServer } from '../server/testing/nextServer';

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
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Runs `count` jobs with `concurrency` workers; returns rate and latency figures. */
async function drive(what: string, count: number, concurrency: number, job: (n: number) => Promise<void>): Promise<Figures> {
  const latencies: number[] = [];
  let next = 0;
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
  latencies.sort((a, b) => a - b);
  return { what, puts: count, perSecond: count / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99) };
}

/** The n-th document: node n mod N, collected n seconds later, so every put is new content (no duplicates). */
function docFor(cluster: Snapshot[], n: number, offset: number): Snapshot {
  const base = cluster[n % cluster.length]!;
  return { ...base, collectedAt: new Date(Date.UTC(2025, 0, 15, 10, 0, 0) + (n + offset) * 1000).toISOString() };
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
  const rows: Array<Figures & { engine: string }> = [];
  for (const engine of ENGINES) {
    const setup = await engineSetup(engine);
    const server = await startNextServer(appDir, { ...setup.env, PODNET_SEED_DEMO: '0', PODNET_RETENTION_INTERVAL_MINUTES: '0' });
    try {
      // The token goes into the server's store through a short-lived store of the same engine.
      const serverStore = await openStore(engine === 'sqlite' ? { databaseUrl: null, dataDir: setup.env.PODNET_DATA_DIR! } : { databaseUrl: setup.env.DATABASE_URL! });
      await serverStore.ensureCluster('bench');
      const { token } = await serverStore.createToken('bench');
      await serverStore.close();

      // Bodies are prepared before timing: the collector compresses on the node, not on the server's clock.
      const bodies = Array.from({ length: PUTS + 50 }, (_, n) => gzipSync(JSON.stringify(docFor(cluster, n, 0))));
      const post = async (n: number): Promise<void> => {
        const res = await fetch(`${server.url}/api/v1/clusters/bench/snapshots`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-encoding': 'gzip' },
          body: bodies[n] as unknown as BodyInit,
        });
        if (res.status !== 201) throw new Error(`push ${n}: HTTP ${res.status} ${await res.text()}`);
        await res.arrayBuffer();
      };
      for (let n = PUTS; n < PUTS + 50; n++) await post(n); // warm-up: JIT, route compilation, store pages
      rows.push({ engine, ...(await drive(`HTTP, ${CONCURRENCY} concurrent`, PUTS, CONCURRENCY, post)) });
      rows.push({ engine, ...(await drive('HTTP, one at a time', Math.min(PUTS, 200), 1, (n) => post((n + PUTS + 50) % bodies.length))) });

      const raw = await setup.rawStore();
      try {
        await raw.ensureCluster('bench');
        const docs = Array.from({ length: PUTS }, (_, n) => docFor(cluster, n, 1_000_000));
        rows.push({ engine, ...(await drive(`store putSnapshot, ${CONCURRENCY} concurrent`, PUTS, CONCURRENCY, async (n) => void (await raw.putSnapshot('bench', docs[n]!.node.name, docs[n]!)))) });
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
  console.log('engine    what                                   puts   snapshots/s   p50 ms   p99 ms');
  for (const r of rows) {
    console.log(
      `${r.engine.padEnd(9)} ${r.what.padEnd(38)} ${String(r.puts).padStart(5)} ${r.perSecond.toFixed(0).padStart(13)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)}`,
    );
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
