/**
 * Starting and stopping the app for browser tests: a free port, one
 * server process (scripts/start.mjs) (its own process group, so stopping it stops exactly
 * what we started), and a wait until it answers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { serverNodeOptions } from '../../scripts/server-node-options.mjs';

/** Repository root: this file lives in e2e/helpers. */
export const ROOT = path.resolve(__dirname, '..', '..');

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => (port > 0 ? resolve(port) : reject(new Error('no free port'))));
    });
  });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A lock on the build copy: two Playwright runs of the same checkout (one
 * engineer's and another's) must not rebuild it under each other's server. mkdir is atomic; a lock whose owner died is
 * taken over.
 */
export async function acquireBuildLock(timeoutMs = 15 * 60_000): Promise<string> {
  // Outside the checkout (keeps git status clean), one per checkout.
  const dir = path.join(os.tmpdir(), `podnet-next-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}.lock`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, 'pid'), String(process.pid));
      return dir;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let owner = NaN;
      try {
        owner = Number(readFileSync(path.join(dir, 'pid'), 'utf8'));
      } catch {
        // The owner may be between mkdir and writing its pid.
      }
      if (Number.isInteger(owner) && owner > 0 && !isAlive(owner)) {
        rmSync(dir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another e2e run holds ${dir} (pid ${owner}); gave up waiting`);
      await new Promise((r) => setTimeout(r, 1000));
    }
  }
}

/** Releases the lock if this process holds it. */
export function releaseBuildLock(dir: string): void {
  try {
    if (Number(readFileSync(path.join(dir, 'pid'), 'utf8')) === process.pid) rmSync(dir, { recursive: true, force: true });
  } catch {
    // Already gone.
  }
}

/** Top-level entries of the checkout that the build copy leaves out (big, private, or produced). */
const NOT_COPIED = new Set(['.git', 'node_modules', '.next', 'data', 'test-results', 'playwright-report', 'tsconfig.tsbuildinfo', 'next-env.d.ts']);
const NOT_COPIED_PATHS = ['e2e/lab/out', 'bench/out', 'e2e/screenshots'];

/**
 * The directory the app is built and served from: a private copy of the
 * checkout's sources (node_modules linked), one per checkout. Building in
 * the checkout itself raced with everyone else's `next build`/`next dev`
 * there (a rebuild mid-run replaced the chunks the browser was loading); the
 * copy also freezes the sources the run tests. Its `.next` is kept between
 * runs so PODNET_E2E_NO_BUILD=1 can reuse it.
 */
export function buildDir(): string {
  return path.join(os.tmpdir(), `podnet-e2e-build-${createHash('sha256').update(ROOT).digest('hex').slice(0, 12)}`);
}

/** Refreshes the build copy from the checkout (call with the build lock held). */
export function prepareBuildDir(): string {
  const dir = buildDir();
  mkdirSync(dir, { recursive: true });
  for (const entry of readdirSync(dir)) {
    if (entry !== '.next' && entry !== 'node_modules') rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  cpSync(ROOT, dir, {
    recursive: true,
    filter: (src) => {
      const rel = path.relative(ROOT, src);
      if (rel === '') return true;
      if (NOT_COPIED.has(rel.split(path.sep)[0] ?? '')) return false;
      return !NOT_COPIED_PATHS.some((p) => rel === p || rel.startsWith(p + path.sep));
    },
  });
  if (!existsSync(path.join(dir, 'node_modules'))) symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  // The checkout's config, plus what building from a copy needs: Turbopack may
  // follow the node_modules link out of the copy, and type errors in someone's
  // unfinished file elsewhere are `npm run typecheck`'s business, not the browser tests'.
  renameSync(path.join(dir, 'next.config.js'), path.join(dir, 'next.config.checkout.js'));
  writeFileSync(
    path.join(dir, 'next.config.js'),
    [
      "const base = require('./next.config.checkout.js');",
      'module.exports = {',
      '  ...base,',
      "  turbopack: { ...(base.turbopack || {}), root: '/' },",
      '  typescript: { ...(base.typescript || {}), ignoreBuildErrors: true },',
      '};',
      '',
    ].join('\n'),
  );
  return dir;
}

/**
 * `next build` in the build copy, unless PODNET_E2E_NO_BUILD=1 and the copy
 * holds a build already.
 */
export async function buildApp(dir: string): Promise<void> {
  if (process.env.PODNET_E2E_NO_BUILD === '1') {
    if (!existsSync(path.join(dir, '.next', 'BUILD_ID'))) {
      throw new Error(`PODNET_E2E_NO_BUILD=1 but ${dir} holds no build: run once without it`);
    }
    return;
  }
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: dir,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
    if (r.status === 0) return;
    if (/Another next build process is already running/.test(output) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 3000));
      continue;
    }
    process.stderr.write(output);
    throw new Error(`next build failed in ${dir} (exit ${r.status ?? r.signal}); its output is above`);
  }
}

/** A running app server. */
export interface RunningServer {
  pid: number;
  port: number;
  baseURL: string;
  logFile: string;
}

/** Starts the build in `dir` as the product starts (scripts/start.mjs) on `port` with the given extra environment; resolves once it answers HTTP. */
export async function startServer(dir: string, port: number, env: Record<string, string>, logFile: string): Promise<RunningServer> {
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [path.join(dir, 'scripts', 'start.mjs'), '--port', String(port), '--hostname', '127.0.0.1'], {
    cwd: dir,
    // The server's V8 flags already in NODE_OPTIONS: start.mjs serves in this process, no re-exec.
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', NODE_OPTIONS: serverNodeOptions(process.env.NODE_OPTIONS), ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('the server did not start');
  const server: RunningServer = { pid: child.pid, port, baseURL: `http://127.0.0.1:${port}`, logFile };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!isAlive(child.pid)) throw new Error(`the server exited early; log:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${server.baseURL}/api/v1/clusters`);
      if (res.status < 500) return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      stopServer(server.pid);
      throw new Error(`the server did not answer within 60 s; log:\n${tail(logFile)}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Stops the server we started: its process group, TERM then KILL. */
export function stopServer(pid: number): void {
  const signalGroup = (sig: NodeJS.Signals) => {
    try {
      process.kill(-pid, sig);
    } catch {
      // Gone already.
    }
  };
  signalGroup('SIGTERM');
  const deadline = Date.now() + 5_000;
  while (isAlive(pid) && Date.now() < deadline) spawnSync('sleep', ['0.1']);
  if (isAlive(pid)) signalGroup('SIGKILL');
}

/** The last lines of a log file, for error messages. */
export function tail(file: string, lines = 40): string {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}
