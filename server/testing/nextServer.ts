/**
 * Real servers for the API tests and the ingest benchmark: a private build
 * of the app (see buildPrivateApp) started as the product starts it
 * (scripts/start.mjs) on a free loopback port with the environment a test
 * asks for.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serverNodeOptions } from '../../scripts/server-node-options.mjs';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** What the app is built from; copied into the private build directory. */
const APP_SOURCES = ['app', 'server', 'lib', 'components', 'public', 'scripts', 'instrumentation.ts', 'proxy.ts', 'package.json', 'tsconfig.json', 'postcss.config.mjs', 'next.config.js'];

function newestMtime(p: string): number {
  if (!existsSync(p)) return 0;
  const st = statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(p)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestMtime(path.join(p, entry)));
  }
  return newest;
}

/**
 * The private build directory of this checkout. PODNET_PRIVATE_BUILD_DIR
 * names another one: a benchmark run beside the API tests must not have its
 * server's build replaced under it when the tests rebuild theirs.
 */
export function privateAppDir(root = REPO_ROOT): string {
  if (process.env.PODNET_PRIVATE_BUILD_DIR) return path.resolve(process.env.PODNET_PRIVATE_BUILD_DIR);
  return path.join(tmpdir(), `podnet-api-build-${createHash('sha256').update(root).digest('hex').slice(0, 12)}`);
}

/**
 * Builds the app in a private directory (a copy of the sources, node_modules
 * linked) and returns it. Private because the shared checkout's `.next` is
 * rebuilt by other engineers while tests run, and because `next build` type
 * checks the whole project: another engineer's half-written file must not
 * stop the API's tests (the typecheck step checks types on its own). Rebuilds
 * only when a source is newer than the last private build.
 */
export function buildPrivateApp(root = REPO_ROOT): string {
  const dir = privateAppDir(root);
  const buildId = path.join(dir, '.next', 'BUILD_ID');
  const stale =
    process.env.PODNET_TEST_REBUILD === '1' ||
    !existsSync(buildId) ||
    APP_SOURCES.some((src) => newestMtime(path.join(root, src)) > statSync(buildId).mtimeMs);
  if (!stale) return dir;
  mkdirSync(dir, { recursive: true });
  for (const src of APP_SOURCES) {
    rmSync(path.join(dir, src), { recursive: true, force: true });
    if (src === 'next.config.js' || !existsSync(path.join(root, src))) continue;
    cpSync(path.join(root, src), path.join(dir, src), { recursive: true, filter: (f) => !f.endsWith('.test.ts') && !f.includes(`${path.sep}node_modules`) });
  }
  writeFileSync(
    path.join(dir, 'next.config.js'),
    `const base = require(${JSON.stringify(path.join(root, 'next.config.js'))});\n` +
      // node_modules is a link into the checkout: Turbopack must be allowed to follow it.
      `module.exports = { ...base, typescript: { ...(base.typescript || {}), ignoreBuildErrors: true }, turbopack: { ...(base.turbopack || {}), root: '/' } };\n`,
  );
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
  const r = spawnSync(path.join(dir, 'node_modules', '.bin', 'next'), ['build'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    timeout: 600_000,
  });
  if (r.status !== 0) throw new Error(`next build failed:\n${`${r.stdout ?? ''}${r.stderr ?? ''}`.slice(-4000)}`);
  return dir;
}

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** A running server. */
export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  /** Everything the server printed so far. */
  output(): string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (a crash) and wait for exit. */
  kill(): Promise<void>;
}

function waitExit(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Starts `node scripts/start.mjs` of `appDir` with `env` added to a clean
 * environment (no DATABASE_URL unless given), the demo captures from the
 * repository, and waits until it answers HTTP. With the server's V8 flags
 * already in NODE_OPTIONS start.mjs serves in this one process (no re-exec),
 * so `pid` is the server itself.
 */
export async function startNextServer(appDir: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const port = await freePort();
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(base)) if (k.startsWith('PODNET_') || k === 'DATABASE_URL') delete base[k];
  const child = spawn(process.execPath, [path.join(appDir, 'scripts', 'start.mjs'), '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: appDir,
    env: {
      ...base,
      NEXT_TELEMETRY_DISABLED: '1',
      NODE_ENV: 'production',
      // As scripts/start.mjs runs the product.
      NODE_OPTIONS: serverNodeOptions(base.NODE_OPTIONS),
      PODNET_DEMO_DIR: path.join(REPO_ROOT, 'e2e', 'lab', 'captures', 'flannel-vxlan'),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${log}`);
    try {
      await fetch(`${url}/api/v1/revision`, { signal: AbortSignal.timeout(2000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`the server did not answer within 60 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  return {
    url,
    port,
    pid: child.pid ?? -1,
    output: () => log,
    async stop() {
      child.kill('SIGTERM');
      await waitExit(child);
    },
    async kill() {
      child.kill('SIGKILL');
      await waitExit(child);
    },
  };
}

/** Removes a directory made by snapshotBuild or a test. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
