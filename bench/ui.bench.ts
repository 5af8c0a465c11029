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
 * - the longest frame while zooming and panning by script.
 * Figures are printed, not asserted. Never downloads a browser.
 */
import { chromium, type Page } from '@playwright/test';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { acquireBuildLock, buildApp, freePort, prepareBuildDir, releaseBuildLock, startServer, stopServer } from '../e2e/helpers/server';
import { clusterGraph } from '../lib/graph/clusterGraph';
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

async function longestFrameWhileMoving(page: Page): Promise<number> {
  return page.evaluate(async () => {
    const host = document.querySelector('[data-testid="graph"] canvas')?.parentElement?.parentElement as (HTMLElement & { _cyreg?: { cy?: unknown } }) | null;
    const cy = host?._cyreg?.cy as { zoom(v?: number): number; panBy(p: { x: number; y: number }): void; fit(): void } | undefined;
    if (!cy) return -1;
    cy.fit();
    let worst = 0;
    let last = performance.now();
    for (let i = 0; i < 60; i++) {
      if (i < 30) cy.zoom(cy.zoom() * 1.05);
      else cy.panBy({ x: 15, y: 10 });
      await new Promise((r) => requestAnimationFrame(() => r(undefined)));
      const now = performance.now();
      worst = Math.max(worst, now - last);
      last = now;
    }
    return Math.round(worst);
  });
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
    console.log(`${n} nodes: longest frame while zooming/panning ${await longestFrameWhileMoving(page)} ms`);

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
  const sizes = SIZES.length > 0 ? SIZES : [100, 1000];
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
