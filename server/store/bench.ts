/**
 * Store write benchmark: raw putSnapshot rate of ~110-pod node snapshots on
 * both engines, one put at a time (a single collector) and with every node
 * pushing at once (a fleet's collectors after a rollout).
 *
 *   npx tsx server/store/bench.ts [--nodes 200] [--pods 110] [--puts 400]
 *
 * SQLite goes to a temp dir; PostgreSQL to DATABASE_URL when set (its
 * database gets a bench cluster) or else to a throwaway local server. Prints
 * figures; asserts nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateFlannelCluster } from '../../lib/synthetic/flannelCluster';
import type { Snapshot } from '../../lib/snapshot/schema';
import { canonicalJson, sha256Hex } from './contentHash';
import { openStore } from './store';
import { startPostgres } from './testing/postgresServer';
import type { OpenStoreOptions, StoreKind } from './types';

interface Args {
  nodes: number;
  pods: number;
  puts: number;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { nodes: 200, pods: 110, puts: 400 };
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i]?.replace(/^--/, '');
    const value = Number(argv[i + 1]);
    if ((key === 'nodes' || key === 'pods' || key === 'puts') && Number.isInteger(value) && value > 0) args[key] = value;
    else throw new Error(`unknown or bad argument ${argv[i]} ${argv[i + 1] ?? ''}`);
  }
  return args;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

interface Row {
  store: StoreKind;
  mode: string;
  puts: number;
  perSecond: number;
  p50: number;
  p99: number;
  max: number;
}

/** The n-th document: node n mod N, collected n seconds after the cluster's time, so every put is new content. */
function docFor(cluster: Snapshot[], n: number): Snapshot {
  const base = cluster[n % cluster.length];
  if (!base) throw new Error('empty cluster');
  return { ...base, collectedAt: new Date(Date.UTC(2025, 0, 15, 10, 0, 0) + n * 1000).toISOString() };
}

async function measure(kind: StoreKind, loc: OpenStoreOptions, cluster: Snapshot[], args: Args): Promise<Row[]> {
  const store = await openStore(loc);
  const rows: Row[] = [];
  try {
    const name = `bench-${Date.now()}`;
    await store.createCluster(name);
    // Warm up connections, statement caches and the JIT.
    for (let i = 0; i < 5; i++) await store.putSnapshot(name, `warm-${i}`, docFor(cluster, 1_000_000 + i));
    let n = 0;

    const serial: number[] = [];
    const t0 = performance.now();
    for (let i = 0; i < args.puts; i++) {
      const doc = docFor(cluster, n++);
      const s = performance.now();
      await store.putSnapshot(name, doc.node.name, doc);
      serial.push(performance.now() - s);
    }
    rows.push(summarise(kind, 'sequential', serial, performance.now() - t0));

    // Every node pushes at once, in rounds, until `puts` are done.
    const fleet: number[] = [];
    const t1 = performance.now();
    for (let done = 0; done < args.puts; done += cluster.length) {
      const round = Math.min(cluster.length, args.puts - done);
      await Promise.all(
        Array.from({ length: round }, async () => {
          const doc = docFor(cluster, n++);
          const s = performance.now();
          await store.putSnapshot(name, doc.node.name, doc);
          fleet.push(performance.now() - s);
        }),
      );
    }
    rows.push(summarise(kind, `${cluster.length} at once`, fleet, performance.now() - t1));

    const rev = await store.revision(name);
    if (rev !== 5 + 2 * args.puts) throw new Error(`expected revision ${5 + 2 * args.puts}, got ${rev}`);
  } finally {
    await store.close();
  }
  return rows;
}

function summarise(store: StoreKind, mode: string, latencies: number[], totalMs: number): Row {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    store,
    mode,
    puts: latencies.length,
    perSecond: latencies.length / (totalMs / 1000),
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
  };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cluster = generateFlannelCluster({ nodes: args.nodes, podsPerNode: args.pods, seed: 42 });
  const sizes = cluster.map((s) => Buffer.byteLength(canonicalJson(s)));
  const avgKb = sizes.reduce((a, b) => a + b, 0) / sizes.length / 1024;

  const h0 = performance.now();
  for (let i = 0; i < 50; i++) sha256Hex(canonicalJson(docFor(cluster, i)));
  const hashMs = (performance.now() - h0) / 50;

  console.log(
    `podnet store bench: ${args.nodes} nodes x ${args.pods} pods, snapshot ~${avgKb.toFixed(0)} KB canonical JSON, ` +
      `${args.puts} puts per mode; canonical JSON + sha256 ${hashMs.toFixed(2)} ms/doc (CPU, before the transaction)`,
  );

  const rows: Row[] = [];
  const dir = mkdtempSync(path.join(tmpdir(), 'podnet-store-bench-'));
  try {
    rows.push(...(await measure('sqlite', { databaseUrl: null, dataDir: dir }, cluster, args)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const envUrl = process.env.DATABASE_URL;
  const server = envUrl ? undefined : await startPostgres();
  try {
    const url = envUrl ?? (await server!.createDatabase('podnet_bench'));
    rows.push(...(await measure('postgres', { databaseUrl: url }, cluster, args)));
  } finally {
    server?.stop();
  }

  console.log(`postgres: ${envUrl ? 'DATABASE_URL' : 'throwaway local server (fsync on, pool 10)'}; sqlite: WAL, synchronous=FULL`);
  console.log('store     mode            puts   snapshots/s   p50 ms   p99 ms   max ms');
  for (const r of rows) {
    console.log(
      `${r.store.padEnd(9)} ${r.mode.padEnd(15)} ${String(r.puts).padStart(4)}   ${r.perSecond.toFixed(1).padStart(11)}` +
        `   ${r.p50.toFixed(1).padStart(6)}   ${r.p99.toFixed(1).padStart(6)}   ${r.max.toFixed(1).padStart(6)}`,
    );
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
