/**
 * Before all specs: build the app in a private copy of the checkout (reuse
 * the last build with PODNET_E2E_NO_BUILD=1), start
 * scripts/start.mjs on a free port with a fresh PODNET_DATA_DIR (the server seeds
 * the `demo` cluster from the lab's flannel VXLAN captures), wait for the
 * demo cluster, create a write token for it, and hand baseURL, token and
 * data dir to the specs through the environment.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { E2E_ENV, DEMO_CLUSTER } from './env';
import { acquireBuildLock, buildApp, buildDir, freePort, prepareBuildDir, releaseBuildLock, startServer, stopServer, tail } from './server';
import { createToken } from './token';

async function waitForCluster(baseURL: string, cluster: string, logFile: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  let last = '';
  for (;;) {
    try {
      const res = await fetch(`${baseURL}/api/v1/clusters`);
      last = `HTTP ${res.status}`;
      if (res.ok) {
        const body = (await res.json()) as { clusters?: Array<{ name: string; nodes: number }> };
        if (body.clusters?.some((c) => c.name === cluster && c.nodes > 0)) return;
        last = `clusters: ${JSON.stringify(body).slice(0, 200)}`;
      }
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    if (Date.now() > deadline) throw new Error(`cluster ${cluster} did not appear (${last}); server log:\n${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

export default async function globalSetup(): Promise<void> {
  const lock = await acquireBuildLock();
  process.env[E2E_ENV.lock] = lock;
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'podnet-e2e-'));
  process.env[E2E_ENV.dataDir] = dataDir;
  try {
    const dir = process.env.PODNET_E2E_NO_BUILD === '1' ? buildDir() : prepareBuildDir();
    await buildApp(dir);
    const port = await freePort();
    const logFile = path.join(dataDir, 'server.log');
    const server = await startServer(
      dir,
      port,
      {
        PODNET_DATA_DIR: dataDir,
        // The embedded store in the temp dir, whatever the shell says.
        DATABASE_URL: '',
        PODNET_SEED_DEMO: '1',
        PODNET_DEMO_DIR: path.join(dir, 'e2e', 'lab', 'captures', 'flannel-vxlan'),
        PODNET_RETENTION_INTERVAL_MINUTES: '0',
      },
      logFile,
    );
    process.env[E2E_ENV.pid] = String(server.pid);
    process.env[E2E_ENV.baseURL] = server.baseURL;
    process.env[E2E_ENV.logFile] = logFile;
    await waitForCluster(server.baseURL, DEMO_CLUSTER, logFile);
    process.env[E2E_ENV.token] = createToken(DEMO_CLUSTER, dataDir);
  } catch (err) {
    const pid = Number(process.env[E2E_ENV.pid]);
    if (pid > 0) stopServer(pid);
    rmSync(dataDir, { recursive: true, force: true });
    releaseBuildLock(lock);
    throw err;
  }
}
