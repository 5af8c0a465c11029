#!/usr/bin/env node
// Starts the built dashboard (`next start`) with safe defaults:
// - binds to 127.0.0.1 unless HOST / --hostname says otherwise (next start alone binds every interface);
// - refuses to listen on anything but loopback without viewer authentication
//   (PODNET_VIEWER_TOKEN), unless PODNET_ALLOW_PUBLIC_UNAUTHENTICATED=1 says the operator means it.
// Usage: node scripts/start.mjs [--hostname H] [--port P]   (or HOST=… PORT=…)
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
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

/** The decision, exported for tests through the exit code and message. */
function checkExposure(hostname, env) {
  if (LOOPBACK.has(hostname.toLowerCase())) return;
  if (env.PODNET_VIEWER_TOKEN) {
    if (env.PODNET_VIEWER_TOKEN.length < 16) fail('PODNET_VIEWER_TOKEN is shorter than 16 characters; use a long random value (e.g. openssl rand -base64 32)');
    return;
  }
  if (env.PODNET_ALLOW_PUBLIC_UNAUTHENTICATED === '1') {
    process.stderr.write(`podnet start: WARNING: listening on ${hostname} without viewer authentication (PODNET_ALLOW_PUBLIC_UNAUTHENTICATED=1); anyone who can reach it sees every cluster\n`);
    return;
  }
  fail(
    `refusing to listen on ${hostname} without viewer authentication: anyone who can reach it would see every cluster's network.\n` +
      '  Set PODNET_VIEWER_TOKEN to a long random secret (viewers then send it as a bearer token or open a page once with ?viewer_token=…),\n' +
      '  or bind to 127.0.0.1, or set PODNET_ALLOW_PUBLIC_UNAUTHENTICATED=1 if the network in front of it already restricts access.',
  );
}

const { hostname, port } = parseArgs(process.argv.slice(2));
checkExposure(hostname, process.env);

const next = path.join(root, 'node_modules', '.bin', 'next');
if (!existsSync(path.join(root, '.next', 'BUILD_ID'))) fail('no production build found: run `npm run build` first');

const child = spawn(next, ['start', '--hostname', hostname, '--port', port], {
  cwd: root,
  stdio: 'inherit',
  env: { NEXT_TELEMETRY_DISABLED: '1', ...process.env, NODE_OPTIONS: serverNodeOptions(process.env.NODE_OPTIONS) },
});
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
