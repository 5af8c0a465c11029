#!/usr/bin/env node
// Starts the built dashboard with safe defaults:
// - binds to 127.0.0.1 unless HOST / --hostname says otherwise (next start alone binds every interface);
// - refuses to listen on anything but loopback without viewer authentication
//   (PODNET_VIEWER_TOKEN), unless PODNET_ALLOW_PUBLIC_UNAUTHENTICATED=1 says the operator means it.
// Usage: node scripts/start.mjs [--hostname H] [--port P]   (or HOST=… PORT=…)
//
// The server is Next's own request handler behind node's http server (what
// `next start` runs, as a custom server), except for snapshot pushes:
// POST /api/v1/clusters/{cluster}/snapshots goes straight to the route's code
// (server/nodeIngest.ts, compiled in the same build and published on
// globalThis by instrumentation.ts while Next prepares), which saves Next's
// per-request work on the server's busiest path. V8 flags must be in force
// when node starts, so without them this script runs itself once more with
// them in NODE_OPTIONS.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serverNodeOptions } from './server-node-options.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost', '[::1]']);

function parseArgs(argv) {
  const out = { hostname: process.env.HOST || '127.0.0.1', port: process.env.PORT || '3000' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) fail(`${a} needs a value`);
      return v;
    };
    if (a === '-H' || a === '--hostname') out.hostname = next();
    else if (a.startsWith('--hostname=')) out.hostname = a.slice('--hostname='.length);
    else if (a === '-p' || a === '--port') out.port = next();
    else if (a.startsWith('--port=')) out.port = a.slice('--port='.length);
    else fail(`unknown argument ${a}`);
  }
  if (!/^\d{1,5}$/.test(out.port) || Number(out.port) > 65535) fail(`port ${out.port} is not a TCP port`);
  return out;
}

function fail(message) {
  process.stderr.write(`podnet start: ${message}\n`);
  process.exit(2);
}

/** The decision, exported for tests through the exit code and message; returns a warning to print when serving. */
function checkExposure(hostname, env) {
  if (LOOPBACK.has(hostname.toLowerCase())) return;
  if (env.PODNET_VIEWER_TOKEN) {
    if (env.PODNET_VIEWER_TOKEN.length < 16) fail('PODNET_VIEWER_TOKEN is shorter than 16 characters; use a long random value (e.g. openssl rand -base64 32)');
    return;
  }
  if (env.PODNET_ALLOW_PUBLIC_UNAUTHENTICATED === '1') {
    return `WARNING: listening on ${hostname} without viewer authentication (PODNET_ALLOW_PUBLIC_UNAUTHENTICATED=1); anyone who can reach it sees every cluster`;
  }
  fail(
    `refusing to listen on ${hostname} without viewer authentication: anyone who can reach it would see every cluster's network.\n` +
      '  Set PODNET_VIEWER_TOKEN to a long random secret (viewers then send it as a bearer token or open a page once with ?viewer_token=…),\n' +
      '  or bind to 127.0.0.1, or set PODNET_ALLOW_PUBLIC_UNAUTHENTICATED=1 if the network in front of it already restricts access.',
  );
}

const { hostname, port } = parseArgs(process.argv.slice(2));
const warning = checkExposure(hostname, process.env);

if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) fail('no production build found: run `npm run build` first');

const nodeOptions = serverNodeOptions(process.env.NODE_OPTIONS);
if (nodeOptions !== (process.env.NODE_OPTIONS ?? '')) {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--hostname', hostname, '--port', port], {
    cwd: root,
    stdio: 'inherit',
    env: { ...process.env, NODE_OPTIONS: nodeOptions },
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('error', (err) => fail(`could not start the server: ${err.message}`));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  await serve();
}

async function serve() {
  // Printed by the process that serves, not again by a launcher that re-execs.
  if (warning) process.stderr.write(`podnet start: ${warning}\n`);
  process.env.NODE_ENV = 'production';
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  let app;
  let server;
  let stopping = false;
  // As `next start`: stop taking connections, let requests in progress finish, close Next, exit by the signal.
  // Taken before Next prepares (instrumentation opens and migrates the store): a signal then simply exits.
  const stop = (code) => {
    if (stopping) return;
    stopping = true;
    if (!server?.listening) process.exit(code);
    server.close(() => {
      app.close().catch((err) => console.error(err)).finally(() => process.exit(code));
    });
    server.closeIdleConnections();
    // A client that keeps its connection busy must not hold the process up for ever.
    setTimeout(() => process.exit(code), 10_000).unref();
  };
  process.on('SIGINT', () => stop(130));
  process.on('SIGTERM', () => stop(143));
  process.on('SIGHUP', () => stop(129));
  const { default: next } = await import('next');
  app = next({ dir: root, hostname, port: Number(port) });
  await app.prepare();
  const handle = app.getRequestHandler();
  const FAST_ROUTES = Symbol.for('podnet.server.fastRoutes');
  server = http.createServer((req, res) => {
    const fast = globalThis[FAST_ROUTES];
    if (typeof fast === 'function' && fast(req, res)) return;
    // As `next start` answers a request its handler fails on.
    handle(req, res).catch((err) => {
      // The path only: a page's query may carry ?viewer_token=….
      console.error(`podnet: failed to handle ${req.method} ${(req.url ?? '').split('?')[0]}`, err);
      if (!res.headersSent) res.statusCode = 500;
      res.end('Internal Server Error');
    });
  });
  server.on('error', (err) => {
    console.error('podnet: the server failed:', err.message);
    process.exit(1);
  });
  await new Promise((resolve) => server.listen(Number(port), hostname, () => resolve(undefined)));
  process.title = 'podnet-server';
  console.log(`podnet: listening on ${hostname} port ${port}`);
}
