/**
 * Cold graph read: a 1,000-node × 110-pod cluster pushed the way collectors
 * push (gzip JSON, stored as received), then `GET /api/v1/clusters/C/graph`
 * against a freshly started `next start` — store read, parse, buildTopology,
 * graph — and once more warm. Prints wall and the server's CPU (its process
 * tree from /proc) and, in this process, the store read alone.
 *
 *   npx tsx bench/graph-read.bench.ts [--nodes 1000] [--runs 2]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { generateFlannelCluster } from '../lib/synthetic/flannelCluster';
import { openStore, receivedDocument } from '../server/store';
import { buildPrivateApp, startNextServer } from '../server/testing/nextServer';
import { loadAverage, treeCpuMs } from './procCpu';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1000' }, pods: { type: 'string', default: '110' }, runs: { type: 'string', default: '2' } } });
const NODES = Number(values.nodes);
const PODS = Number(values.pods);
const RUNS = Number(values.runs);

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
    console.log(`graph read bench: ${NODES} nodes × ${PODS} pods stored as collectors push them in ${Math.round(performance.now() - t0)} ms; load ${loadAverage()}`);
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
          console.log(`run ${run + 1} graph API ${what}: ${Math.round(performance.now() - t)} ms wall, server CPU ${treeCpuMs(server.pid) - c0} ms, ${(body.length / 1024).toFixed(0)} KiB; load ${loadAverage()}`);
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
