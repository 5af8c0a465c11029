/**
 * UI benchmark (`tsx bench/ui.bench.ts [nodes…]`, default 100 and 1000):
 * loads a synthetic flannel cluster of N nodes × 110 pods into a temp store,
 * starts the built app (`next start`, the e2e build copy), opens `/` in
 * Debian's chromium and prints
 * - the graph API's answer time, cold (topology build) and warm;
 * - time from the graph data arriving in the page to its first painted
 *   layout (the canvas's own `data-graph-ms`, measured in the page);
 * - time from a tap on a pod to its highlighted path being painted
 *   (`data-path-ms`);
 * - frame times while the user zooms and pans with real input (wheel
 *   notches, mouse drags, the toolbar's zoom buttons), from the first page
 *   view with cold caches: p50/p95/max of requestAnimationFrame deltas (what
 *   the user sees move), frames over 50 ms ("stalls": the Long Tasks
 *   threshold, a visible hitch), and the browser's own Long Animation Frames
 *   and Long Tasks; each gesture is followed by a pause, so the full-quality
 *   redraw cytoscape does when the view stops moving is counted too; with
 *   the CPU seconds chromium's processes spent meanwhile.
 * Figures are printed, not asserted. Never downloads a browser.
 * PODNET_BENCH_URL=http://… measures a running server that already holds
 * the synth-N clusters instead of filling a store and building the app.
 */
import { chromium, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireBuildLock, buildApp, freePort, prepareBuildDir, releaseBuildLock, startServer, stopServer } from '../e2e/helpers/server';
import { clusterGraph } from '../lib/graph/clusterGraph';
import { loadAverage, treeCpuMs } from './procCpu';
import type { GraphResponse } from '../lib/graph/types';
import { flannelClusterNodes, generateFlannelCluster, syntheticNodeName, syntheticPodIp } from '../lib/synthetic/flannelCluster';
import { buildTopology } from '../lib/topology/build';
import { openStore } from '../server/store';

process.env.PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD = '1';
const PODS_PER_NODE = 110;
const SIZES = process.argv.slice(2).map(Number).filter((n) => Number.isInteger(n) && n > 0);

async function fill(dataDir: string, sizes: number[]): Promise<void> {
  const store = await openStore({ databaseUrl: null, dataDir });
  try {
    for (const n of sizes) {
      const t0 = performance.now();
      const cluster = `synth-${n}`;
      await store.ensureCluster(cluster);
      for (const doc of flannelClusterNodes({ nodes: n, podsPerNode: PODS_PER_NODE, seed: 1 })) await store.putSnapshot(cluster, doc.node.name, doc);
      console.log(`store: ${n} nodes × ${PODS_PER_NODE} pods written in ${Math.round(performance.now() - t0)} ms`);
    }
  } finally {
    await store.close();
  }
}

async function timed(url: string): Promise<{ ms: number; bytes: number }> {
  const t0 = performance.now();
  const res = await fetch(url);
  const body = await res.text();
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${body.slice(0, 200)}`);
  return { ms: Math.round(performance.now() - t0), bytes: body.length };
}

/** The page's cytoscape instance is reached through the container; only plain numbers come back. */
async function podCenter(page: Page, id: string): Promise<{ x: number; y: number } | null> {
  return page.evaluate((elementId) => {
    const host = document.querySelector('[data-testid="graph"] canvas')?.parentElement?.parentElement as (HTMLElement & { _cyreg?: { cy?: unknown } }) | null;
    const cy = host?._cyreg?.cy as { getElementById(id: string): { empty(): boolean; renderedPosition(): { x: number; y: number } } } | undefined;
    if (!cy) return null;
    const el = cy.getElementById(elementId);
    return el.empty() ? null : { x: el.renderedPosition().x, y: el.renderedPosition().y };
  }, id);
}

/** CPU seconds (user + system) of the chromium processes this process started. */
function browserCpuSeconds(): number {
  return treeCpuMs(process.pid, (stat) => /\(chrom/.test(stat)) / 1000;
}

/** Frame figures of one gesture sequence. */
interface MotionFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  stalls: number;
  longAnimationFrames: number;
  longestAnimationFrame: number;
  longTasks: number;
  wallS: number;
  cpuS: number;
  /** Where the frames over 50 ms happened: `<ms>@<gesture>`. */
  where: string[];
}

const STALL_MS = 50;

/**
 * Real input through chromium's input pipeline (not cy.zoom() calls, which
 * skip what cytoscape does for a gesture): wheel zoom in, drag, further in,
 * drag, toolbar zoom buttons, wheel zoom out, drag, Fit. Frames are timed in
 * the page by a requestAnimationFrame loop; long frames are attributed to the
 * gesture during or after which they started.
 */
async function framesWhileMoving(page: Page): Promise<MotionFigures> {
  const canvas = await page.locator('[data-testid="graph"] canvas').first().boundingBox();
  if (!canvas) throw new Error('no graph canvas');
  const cx = canvas.x + canvas.width / 2;
  const cy = canvas.y + canvas.height / 2;
  // A string: tsx's helpers (__name) do not exist in the page.
  await page.evaluate(`(() => {
    const rec = { frames: [], loaf: [], longTasks: 0, marks: [], stop: false };
    window.__podnetFrames = rec;
    new PerformanceObserver((l) => { for (const e of l.getEntries()) rec.loaf.push(e.duration); }).observe({ type: 'long-animation-frame' });
    new PerformanceObserver((l) => { rec.longTasks += l.getEntries().length; }).observe({ type: 'longtask' });
    function loop(t) { rec.frames.push(t); if (!rec.stop) requestAnimationFrame(loop); }
    requestAnimationFrame(loop);
  })()`);
  const mark = (name: string) => page.evaluate(`window.__podnetFrames.marks.push([${JSON.stringify(name)}, performance.now()])`);
  const settle = () => page.waitForTimeout(600);
  const wheel = async (name: string, dy: number, notches: number) => {
    await mark(name);
    await page.mouse.move(cx, cy);
    for (let i = 0; i < notches; i++) {
      await page.mouse.wheel(0, dy);
      await page.waitForTimeout(16);
    }
    await settle();
  };
  const drag = async (name: string, dx: number, dy: number) => {
    await mark(name);
    await page.mouse.move(cx, cy);
    await page.mouse.down();
    for (let i = 1; i <= 30; i++) {
      await page.mouse.move(cx + (dx * i) / 30, cy + (dy * i) / 30);
      await page.waitForTimeout(16);
    }
    await page.mouse.up();
    await settle();
  };
  const button = async (name: string, label: string, times: number) => {
    await mark(name);
    for (let i = 0; i < times; i++) {
      await page.getByRole('button', { name: label }).click();
      await page.waitForTimeout(150);
    }
    await settle();
  };
  const cpu0 = browserCpuSeconds();
  const t0 = performance.now();
  await wheel('wheel-in', -100, 12);
  await drag('drag', 300, 200);
  await wheel('wheel-in-more', -100, 8);
  await drag('drag-back', -400, -100);
  await button('zoom-buttons', 'Zoom out', 3);
  await button('zoom-buttons-in', 'Zoom in', 2);
  await wheel('wheel-out', 100, 20);
  await drag('drag-out', 200, -200);
  await button('fit', 'Fit graph to view', 1);
  const wallS = (performance.now() - t0) / 1000;
  const cpuS = browserCpuSeconds() - cpu0;
  const rec = (await page.evaluate(`(() => { const r = window.__podnetFrames; r.stop = true; return { frames: r.frames, loaf: r.loaf, longTasks: r.longTasks, marks: r.marks }; })()`)) as {
    frames: number[];
    loaf: number[];
    longTasks: number;
    marks: Array<[string, number]>;
  };
  const deltas = rec.frames.slice(1).map((t, i) => t - (rec.frames[i] ?? t));
  const sorted = [...deltas].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
  const where: string[] = [];
  deltas.forEach((d, i) => {
    if (d <= STALL_MS) return;
    const start = rec.frames[i] ?? 0;
    const m = [...rec.marks].reverse().find(([, t]) => t <= start);
    where.push(`${Math.round(d)}@${m ? `${m[0]}+${Math.round(start - m[1])}ms` : 'start'}`);
  });
  return {
    frames: deltas.length,
    p50: at(0.5),
    p95: at(0.95),
    max: sorted[sorted.length - 1] ?? 0,
    stalls: where.length,
    longAnimationFrames: rec.loaf.length,
    longestAnimationFrame: Math.max(0, ...rec.loaf),
    longTasks: rec.longTasks,
    wallS,
    cpuS,
    where,
  };
}

function motionLine(n: number, label: string, f: MotionFigures): string {
  return (
    `${n} nodes: pan/zoom (${label}): ${f.frames} frames, p50 ${f.p50.toFixed(1)} ms, p95 ${f.p95.toFixed(1)} ms, max ${Math.round(f.max)} ms, ` +
    `stalls (frames > ${STALL_MS} ms) ${f.stalls}${f.where.length > 0 ? ` [${f.where.slice(0, 8).join(' ')}${f.where.length > 8 ? ' …' : ''}]` : ''}; ` +
    `long animation frames ${f.longAnimationFrames} (longest ${Math.round(f.longestAnimationFrame)} ms), long tasks ${f.longTasks}; ` +
    `${f.wallS.toFixed(1)} s wall, chromium CPU ${f.cpuS.toFixed(2)} s`
  );
}

async function measure(baseURL: string, n: number): Promise<void> {
  const cluster = `synth-${n}`;
  const api = `${baseURL}/api/v1/clusters/${cluster}/graph`;
  const podIp = syntheticPodIp(n, 1, 0);
  let serveInProcess = false;
  try {
    const cold = await timed(api);
    const warm = await timed(api);
    const focusCold = await timed(`${api}?focus=${podIp}`);
    console.log(`${n} nodes: graph API cold ${cold.ms} ms, warm ${warm.ms} ms, ${(warm.bytes / 1024).toFixed(0)} KiB; search ${podIp} (expands ${syntheticNodeName(1)}) ${focusCold.ms} ms`);
  } catch (err) {
    // The browser-side figures are still worth having: serve the same graph
    // computed here, through the page's own request, and say so.
    console.log(`${n} nodes: graph API failed (${err instanceof Error ? err.message : String(err)}); serving the graph from this process instead`);
    serveInProcess = true;
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
    if (serveInProcess) {
      const t0 = performance.now();
      const topology = buildTopology(generateFlannelCluster({ nodes: n, podsPerNode: PODS_PER_NODE, seed: 1 }));
      console.log(`${n} nodes: topology built in this process in ${Math.round(performance.now() - t0)} ms`);
      const revision = (await (await fetch(`${baseURL}/api/v1/clusters/${cluster}/revision`)).json()) as { revision: number };
      await page.route(`**/api/v1/clusters/${cluster}/graph**`, async (route) => {
        const url = new URL(route.request().url());
        const expand = (url.searchParams.get('expand') ?? '').split(',').filter(Boolean);
        const focus = url.searchParams.get('focus') ?? undefined;
        const g0 = performance.now();
        const graph = clusterGraph(topology, { expand, ...(focus ? { focus } : {}) });
        const body: GraphResponse = { cluster, revision: revision.revision, latestRevision: revision.revision, graph };
        console.log(`${n} nodes: in-process graph (expand ${expand.length}, focus ${focus ?? '-'}) ${Math.round(performance.now() - g0)} ms`);
        await route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
      });
    }
    const t0 = Date.now();
    await page.goto(`${baseURL}/?cluster=${cluster}`);
    const graph = page.getByTestId('graph');
    await graph.and(page.locator('[data-graph-ready="true"]')).waitFor({ timeout: 120_000 });
    const paint = await graph.getAttribute('data-graph-ms');
    console.log(`${n} nodes: data → first graph paint ${paint} ms (navigation → ready ${Date.now() - t0} ms), elements ${await graph.getAttribute('data-element-count')}`);
    console.log(motionLine(n, 'first time, cold caches', await framesWhileMoving(page)));
    console.log(motionLine(n, 'again', await framesWhileMoving(page)));

    const search = page.getByRole('searchbox', { name: 'Search pods, IPs, interfaces, MACs' });
    await search.fill(podIp);
    await search.press('Enter');
    await page.waitForFunction(() => document.querySelector('[data-testid="graph"]')?.getAttribute('data-selected')?.startsWith('pod:'), undefined, { timeout: 120_000 });
    const podId = (await graph.getAttribute('data-selected')) ?? '';
    await page.waitForFunction(() => document.querySelector('[data-testid="graph"]')?.getAttribute('data-graph-ready') === 'true');
    // Let the zoom to the match finish, clear the selection (Esc) so the
    // measured tap is a fresh one, then tap the pod where it is drawn.
    await page.waitForTimeout(600);
    await page.keyboard.press('Escape');
    await page.waitForFunction(() => document.querySelector('[data-testid="graph"]')?.getAttribute('data-highlighted') === '');
    const box = await page.locator('[data-testid="graph"] canvas').first().boundingBox();
    const at = await podCenter(page, podId);
    if (!box || !at) throw new Error(`pod ${podId} is not on the canvas`);
    await page.mouse.click(box.x + at.x, box.y + at.y);
    await page.waitForFunction(() => (document.querySelector('[data-testid="graph"]')?.getAttribute('data-path-ms') ?? '') !== '' && (document.querySelector('[data-testid="graph"]')?.getAttribute('data-highlighted') ?? '') !== '');
    console.log(`${n} nodes: pod tap → highlighted path painted ${await graph.getAttribute('data-path-ms')} ms (${((await graph.getAttribute('data-highlighted')) ?? '').split(' ').length} elements on the path)`);
  } finally {
    await browser.close();
  }
}

async function main(): Promise<void> {
  console.log(`load average ${loadAverage()} (${os.cpus().length} CPUs)`);
  const sizes = SIZES.length > 0 ? SIZES : [100, 1000];
  // A server already holding synth-N clusters (e.g. to compare two builds side by side).
  const running = process.env.PODNET_BENCH_URL;
  if (running) {
    for (const n of sizes) await measure(running, n);
    return;
  }
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'podnet-ui-bench-'));
  const lock = await acquireBuildLock();
  let pid: number | undefined;
  try {
    await fill(dataDir, sizes);
    const dir = prepareBuildDir();
    const b0 = performance.now();
    await buildApp(dir);
    console.log(`build: ${Math.round(performance.now() - b0)} ms`);
    const server = await startServer(dir, await freePort(), { PODNET_DATA_DIR: dataDir, DATABASE_URL: '', PODNET_SEED_DEMO: '0', PODNET_RETENTION_INTERVAL_MINUTES: '0' }, path.join(dataDir, 'server.log'));
    pid = server.pid;
    for (const n of sizes) await measure(server.baseURL, n);
  } finally {
    if (pid !== undefined) stopServer(pid);
    releaseBuildLock(lock);
    if (process.env.PODNET_BENCH_KEEP === '1') console.log(`kept ${dataDir} (server.log inside)`);
    else rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
  process.exit(1);
});
