/**
 * Starting and stopping the app for browser tests: a free port, one
 * `next start` process (its own process group, so stopping it stops exactly
 * what we started), and a wait until it answers.
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';

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
 * A lock on the checkout's `.next` directory: `next build` and `next start`
 * of two Playwright runs in the same checkout (E9's and ours) must not
 * overwrite each other's build. mkdir is atomic; a lock whose owner died is
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

/**
 * `next build`, unless PODNET_E2E_NO_BUILD=1 and a build exists. Next refuses
 * a second concurrent build of the same checkout; someone else's build is
 * waited out and ours retried.
 */
export async function buildApp(): Promise<void> {
  if (process.env.PODNET_E2E_NO_BUILD === '1') {
    if (!existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
      throw new Error('PODNET_E2E_NO_BUILD=1 but there is no .next build: run `next build` first or unset it');
    }
    return;
  }
  const deadline = Date.now() + 10 * 60_000;
  for (;;) {
    const r = spawnSync(path.join(ROOT, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: ROOT,
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
    throw new Error(`next build failed (exit ${r.status ?? r.signal}); its output is above`);
  }
}

/** A running app server. */
export interface RunningServer {
  pid: number;
  port: number;
  baseURL: string;
  logFile: string;
}

/** Starts `next start` on `port` with the given extra environment; resolves once it answers HTTP. */
export async function startServer(port: number, env: Record<string, string>, logFile: string): Promise<RunningServer> {
  const log = openSync(logFile, 'a');
  const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'next'), ['start', '-p', String(port), '-H', '127.0.0.1'], {
    cwd: ROOT,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production', ...env },
    stdio: ['ignore', log, log],
    detached: true,
  });
  closeSync(log);
  child.unref();
  if (child.pid === undefined) throw new Error('next start did not start');
  const server: RunningServer = { pid: child.pid, port, baseURL: `http://127.0.0.1:${port}`, logFile };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!isAlive(child.pid)) throw new Error(`next start exited early; log:\n${tail(logFile)}`);
    try {
      const res = await fetch(`${server.baseURL}/api/v1/clusters`);
      if (res.status < 500) return server;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      stopServer(server.pid);
      throw new Error(`next start did not answer within 60 s; log:\n${tail(logFile)}`);
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
