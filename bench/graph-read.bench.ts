/**
 * Cold graph read: a 1,000-node × 110-pod cluster pushed the way collectors
 * push (gzip JSON, stored as received), then `GET /api/v1/clusters/C/graph`
 * against a freshly started `next start` — store read, parse, buildTopology,
 * graph — and once more warm. Prints wall and the server's CPU (its process
 * tree from /proc) and, in this process, the store read alone.
 *
 *   npx tsx bench/graph-read.bench.ts [--nodes 1000] [--runs 2]
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateFlannelCluster } from '../lib/synthetic/flannelCluster';
import { openStore, receivedDocument } from '../server/store';
import { buildPrivateApp, startNextServer } from '../server/testing/nextServer';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1000' }, pods: { type: 'string', default: '110' }, runs: { type: 'string', default: '2' } } });
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const RUNS = Number(values.runs);

/** CPU ms (user + system) of `pid` and its descendants' threads, from /proc (USER_HZ 100). */
function treeCpuMs(pid: number): number {
  const stats = new Map<number, { ppid: number; ticks: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(entry), { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]) });
    } catch {
      // Gone between listing and reading.
    }
  }
  const tree = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const [p, s] of stats) if (!tree.has(p) && tree.has(s.ppid)) grew = tree.add(p) !== undefined;
  }
  let ticks = 0;
  for (const p of tree) ticks += stats.get(p)?.ticks ?? 0;
  return ticks * 10;
}

const load = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

async function main(): Promise<void> {
  const appDir = buildPrivateApp();
  const dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-bench-graph-'));
  try {
    const store = await openStore({ databaseUrl: null, dataDir });
    await store.ensureCluster('big');
    const t0 = performance.now();
    for (const doc of generateFlannelCluster({ nodes: NODES, podsPerNode: PODS, seed: 1 })) {
      const json = JSON.stringify(doc);
      await store.putReceived('big', doc.node.name, receivedDocument(json, doc.collectedAt, gzipSync(json)));
    }
    console.log(`graph read bench: ${NODES} nodes × ${PODS} pods stored as collectors push them in ${Math.round(performance.now() - t0)} ms; load ${load()}`);
    for (let run = 0; run < RUNS; run++) {
      const c0 = process.cpuUsage();
      const r0 = performance.now();
      const at = await store.latestAt('big');
      const c = process.cpuUsage(c0);
      console.log(`store.latestAt (read + gunzip + JSON.parse ${at.snapshots.length} bodies): ${Math.round(performance.now() - r0)} ms wall, ${Math.round((c.user + c.system) / 1000)} ms CPU`);
    }
    await store.close();

    for (let run = 0; run < RUNS; run++) {
      const server = await startNextServer(appDir, { PODNET_DATA_DIR: dataDir, PODNET_SEED_DEMO: '0', PODNET_RETENTION_INTERVAL_MINUTES: '0' });
      try {
        for (const what of ['cold', 'warm']) {
          const c0 = treeCpuMs(server.pid);
          const t = performance.now();
          const res = await fetch(`${server.url}/api/v1/clusters/big/graph`);
          const body = await res.text();
          if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)}`);
          console.log(`run ${run + 1} graph API ${what}: ${Math.round(performance.now() - t)} ms wall, server CPU ${treeCpuMs(server.pid) - c0} ms, ${(body.length / 1024).toFixed(0)} KiB; load ${load()}`);
        }
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
  process.exitCode = 1;
});
