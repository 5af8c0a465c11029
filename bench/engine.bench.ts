/**
 * Engine benchmark: a synthetic flannel cluster (default 1,000 nodes × 110
 * pods) read from JSON, built into a topology, then traced pod to pod.
 * Prints figures; asserts nothing (house rule: speed is measured, not tested).
 *
 *   npm run bench
 *   npm run bench -- --nodes 50 --pods 20 --traces 500
 *   npm run bench -- --reader evidence     # readEvidence instead of JSON.parse + validateSnapshot
 *
 * Targets on the 2-core dev machine: topology < 3 s, trace p99 < 5 ms.
 */
import { parseArgs } from 'node:util';
import { loadavg } from 'node:os';
import { spawnSync } from 'node:child_process';
import { SERVER_V8_FLAGS } from '../scripts/server-node-options.mjs';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Worker } from 'node:worker_threads';
import { flannelClusterNodes, syntheticPodIp } from '../lib/synthetic/flannelCluster';
import { validateSnapshot } from '../lib/snapshot/validate';
import { readEvidence } from '../lib/read/readEvidence';
import { buildTopology } from '../lib/topology/build';
import type { BuildStage } from '../lib/topology/build';
import { trace } from '../lib/trace/trace';
import type { Snapshot } from '../lib/snapshot/schema';
import type { Disposition } from '../lib/trace/types';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000' },
    pods: { type: 'string', default: '110' },
    traces: { type: 'string', default: '10000' },
    seed: { type: 'string', default: '1' },
    reader: { type: 'string', default: 'json' },
  },
  strict: true,
});

function positiveInt(name: string, v: string | undefined): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    process.stderr.write(`bench: --${name} expects a whole number, got ${String(v)}\n`);
    process.exit(2);
  }
  return n;
}

const NODES = positiveInt('nodes', values.nodes);
const PODS = positiveInt('pods', values.pods);
const TRACES = positiveInt('traces', values.traces);
const SEED = positiveInt('seed', values.seed);
const READER = values.reader === 'evidence' ? 'evidence' : 'json';

// 1,000 nodes of parsed snapshots plus their JSON text need more than Node's
// default old space on a small machine; re-run once with a larger heap
// rather than let the figures include an out-of-memory crash.
// The child also runs with the V8 settings the dashboard server runs with (scripts/start.mjs), which
// builds topologies of this size: the figures are the product's.
const WANT_HEAP_MB = 12 * 1024;
if (!process.env.PODNET_BENCH_CHILD && (getHeapStatistics().heap_size_limit < (WANT_HEAP_MB - 512) * 1024 * 1024 || !SERVER_V8_FLAGS.every((f) => process.execArgv.includes(f))) && NODES >= 300) {
  const r = spawnSync(
    process.execPath,
    [...process.execArgv, `--max-old-space-size=${WANT_HEAP_MB}`, ...SERVER_V8_FLAGS, ...process.argv.slice(1)],
    { stdio: 'inherit', env: { ...process.env, PODNET_BENCH_CHILD: '1' } },
  );
  process.exit(r.status ?? 1);
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const MB = 1024 * 1024;
const fmtMb = (b: number): string => `${(b / MB).toFixed(0)} MB`;
/** CPU time of this process (all threads) since `since`, in ms: less sensitive than wall time to other load on a shared machine. */
const cpuMs = (since: NodeJS.CpuUsage): number => {
  const u = process.cpuUsage(since);
  return (u.user + u.system) / 1000;
};
const fmtMs = (ms: number): string => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 3 : 0)} ms`);

/**
 * RSS sampled every 5 ms from a worker thread: the phases are synchronous, so
 * the main thread cannot sample itself while buildTopology runs. RSS is
 * process-wide, so the worker sees the main isolate's growth.
 */
function startRssSampler(): { stop: () => Promise<number> } {
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const a = new Float64Array(workerData);
     const tick = () => { const r = process.memoryUsage.rss(); if (r > a[0]) a[0] = r; if (a[1] === 0) setTimeout(tick, 5); };
     tick();`,
    { eval: true, workerData: shared.buffer },
  );
  return {
    stop: async () => {
      shared[1] = 1;
      await worker.terminate();
      return Math.max(shared[0] ?? 0, process.memoryUsage.rss());
    },
  };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, i)] ?? 0;
}

/** mulberry32, as the generator uses, so trace pairs repeat across runs. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function main(): Promise<void> {
  const log = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  log(`podnet engine bench: ${NODES} nodes × ${PODS} pods, ${TRACES} traces, seed ${SEED}, reader ${READER === 'json' ? 'JSON.parse + validateSnapshot' : 'readEvidence'}`);
  log(`node ${process.version}, heap limit ${fmtMb(getHeapStatistics().heap_size_limit)}, flags ${process.execArgv.join(' ') || '(none)'}, load ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);

  // 1. Generate and serialise (not timed as part of the engine).
  let t = performance.now();
  const docs: (string | null)[] = [];
  let bytes = 0;
  for (const s of flannelClusterNodes({ nodes: NODES, podsPerNode: PODS, seed: SEED })) {
    const json = JSON.stringify(s);
    bytes += json.length;
    docs.push(json);
  }
  log(`generate + serialise: ${fmtMs(performance.now() - t)} (not part of the engine), ${docs.length} documents, ${fmtMb(bytes)} of JSON`);

  gc();
  const before = process.memoryUsage();
  log(`before reading: rss ${fmtMb(before.rss)}, heap used ${fmtMb(before.heapUsed)} (the JSON text)`);

  // 2. Read every document, then build the topology: the timed phase.
  const sampler = startRssSampler();
  let peakHeap = before.heapUsed;
  const snapshots: Snapshot[] = [];
  let invalid = 0;
  t = performance.now();
  let cpu = process.cpuUsage();
  for (let i = 0; i < docs.length; i++) {
    const text = docs[i];
    if (text === null || text === undefined) continue;
    if (READER === 'json') {
      const v = validateSnapshot(JSON.parse(text));
      if (v.ok) snapshots.push(v.snapshot);
      else invalid++;
    } else {
      const r = readEvidence(text, { fileName: `node-${i}.json` });
      if (r.snapshots.length === 0) invalid++;
      snapshots.push(...r.snapshots);
    }
    // Reading lets go of the text, as a server would after ingesting it.
    docs[i] = null;
    if (i % 25 === 0) peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const readMs = performance.now() - t;
  const readCpu = cpuMs(cpu);
  peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  // Per-stage wall/cpu through buildTopology's onStage hook (a few clock reads per build).
  const stages: string[] = [];
  let stageT = performance.now();
  let stageCpu = process.cpuUsage();
  let stageFaults = process.resourceUsage().minorPageFault;
  const onStage = (stage: BuildStage): void => {
    const now = performance.now();
    const f = process.resourceUsage().minorPageFault;
    stages.push(`${stage} ${(now - stageT).toFixed(0)}/${cpuMs(stageCpu).toFixed(0)}/${((f - stageFaults) / 1000).toFixed(1)}k`);
    stageT = now;
    stageFaults = f;
    stageCpu = process.cpuUsage();
  };
  t = performance.now();
  cpu = process.cpuUsage();
  const faults = process.resourceUsage().minorPageFault;
  const topology = buildTopology(snapshots, { onStage });
  const buildMs = performance.now() - t;
  const buildCpu = cpuMs(cpu);
  const buildSplit = process.cpuUsage(cpu);
  const buildFaults = process.resourceUsage().minorPageFault - faults;
  const afterBuild = process.memoryUsage();
  peakHeap = Math.max(peakHeap, afterBuild.heapUsed);
  const peakRss = await sampler.stop();
  log('');
  log(`read ${snapshots.length} snapshots: ${fmtMs(readMs)} wall, ${fmtMs(readCpu)} cpu${invalid ? ` (${invalid} INVALID)` : ''}`);
  log(`buildTopology: ${fmtMs(buildMs)} wall, ${fmtMs(buildCpu)} cpu  (target < 3 s)`);
  // Old-space pages the build's survivors are promoted into are faulted in by the kernel (system time):
  // after a read phase with no full GC, the old generation grows into fresh pages rather than reused ones.
  log(`  cpu user ${fmtMs(buildSplit.user / 1000)}, system ${fmtMs(buildSplit.system / 1000)}; ${buildFaults} minor page faults (${fmtMb(buildFaults * 4096)} at 4 KiB)`);
  log(`  stages, wall ms/cpu ms/minor faults: ${stages.join(', ')}`);
  log(`read + build: ${fmtMs(readMs + buildMs)} wall, ${fmtMs(readCpu + buildCpu)} cpu`);
  log(
    `topology: ${topology.nodes.length} nodes, ${topology.namespaces.length} netns, ${topology.interfaces.length} interfaces, ${topology.pods.length} pods, ${topology.edges.length} edges, ${topology.warnings.length} warnings`,
  );
  log(`memory during read + build: peak rss ${fmtMb(peakRss)}, peak heap used ${fmtMb(peakHeap)} (sampled), heap after build ${fmtMb(afterBuild.heapUsed)}`);
  gc();
  log(`retained after gc: heap used ${fmtMb(process.memoryUsage().heapUsed)}`);

  // 3. Random pod-to-pod traces.
  if (TRACES === 0 || PODS === 0) return;
  const rand = prng(SEED ^ 0x9e3779b9);
  const pick = (): [number, number] => [Math.floor(rand() * NODES), Math.floor(rand() * PODS)];
  const pairs: [string, string][] = [];
  let sameNode = 0;
  for (let n = 0; n < TRACES; n++) {
    const [i, k] = pick();
    let [j, l] = pick();
    while (NODES * PODS > 1 && i === j && k === l) [j, l] = pick();
    if (i === j) sameNode++;
    pairs.push([syntheticPodIp(NODES, i, k), syntheticPodIp(NODES, j, l)]);
  }
  const verdicts = new Map<Disposition, number>();
  const examples = new Map<Disposition, string>();
  const sampler2 = startRssSampler();
  // The first trace builds the topology index (cached per topology); it is a
  // one-time cost of the topology, so it is shown apart from trace latency.
  t = performance.now();
  cpu = process.cpuUsage();
  const first = trace(topology, syntheticPodIp(NODES, 0, 0), syntheticPodIp(NODES, NODES - 1, PODS - 1));
  log('');
  log(`first trace (builds the topology index, a one-time cost per topology, not in the percentiles below): ${fmtMs(performance.now() - t)} wall, ${fmtMs(cpuMs(cpu))} cpu, ${first.verdict}, ${first.hops.length} hops`);
  log(`${TRACES} random pod-to-pod traces, ${sameNode} within one node; pass 1 cold, pass 2 the same pairs again:`);
  for (const pass of [1, 2]) {
    const times: number[] = [];
    const cpus: number[] = [];
    const tTraces = performance.now();
    cpu = process.cpuUsage();
    for (const [from, to] of pairs) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      const tr = trace(topology, from, to);
      times.push(performance.now() - t0);
      cpus.push(cpuMs(c0));
      if (pass === 1) {
        verdicts.set(tr.verdict, (verdicts.get(tr.verdict) ?? 0) + 1);
        if (!examples.has(tr.verdict)) examples.set(tr.verdict, `${from} → ${to}: ${tr.reason}`);
      }
    }
    const totalMs = performance.now() - tTraces;
    const totalCpu = cpuMs(cpu);
    times.sort((a, b) => a - b);
    cpus.sort((a, b) => a - b);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    const over = times.filter((x) => x > 5).length;
    log(
      `  pass ${pass}: total ${fmtMs(totalMs)} wall, ${fmtMs(totalCpu)} cpu; p50 ${fmtMs(percentile(times, 50))}, p90 ${fmtMs(percentile(times, 90))}, p99 ${fmtMs(percentile(times, 99))} (target < 5 ms), max ${fmtMs(times[times.length - 1] ?? 0)}, mean ${fmtMs(mean)}; ${over} over 5 ms`,
    );
    // Process CPU per trace (GC helper threads included): what a shared machine's other load does not inflate.
    log(
      `          per-trace cpu: p50 ${fmtMs(percentile(cpus, 50))}, p90 ${fmtMs(percentile(cpus, 90))}, p99 ${fmtMs(percentile(cpus, 99))}, max ${fmtMs(cpus[cpus.length - 1] ?? 0)}; ${cpus.filter((x) => x > 5).length} over 5 ms`,
    );
  }
  const peakRss2 = await sampler2.stop();
  log(`verdicts: ${[...verdicts].map(([v, c]) => `${v} ${c}`).join(', ')}${verdicts.size === 1 && verdicts.has('delivered') ? '  (all delivered, as expected)' : '  (EXPECTED ALL delivered)'}`);
  for (const [v, ex] of examples) if (v !== 'delivered') log(`  e.g. ${v}: ${ex}`);
  log(`memory during traces: peak rss ${fmtMb(peakRss2)}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exitCode = 1;
});
