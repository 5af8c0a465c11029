/**
 * Security defaults of a started server: scripts/start.mjs refuses to
 * listen beyond loopback without viewer authentication, and with
 * PODNET_VIEWER_TOKEN set every read (API and pages) needs the token while
 * writes still take ingest tokens.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openStore } from './store';
import { REPO_ROOT, removeDir, startNextServer, type RunningServer } from './testing/nextServer';

const START = path.join(REPO_ROOT, 'scripts', 'start.mjs');

function runStart(args: string[], env: Record<string, string>): { status: number | null; stderr: string } {
  const clean: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith('PODNET_') || k === 'HOST') delete clean[k];
  // A private copy of the script with no build next to it: a refusal must come before anything starts.
  const r = spawnSync(process.execPath, [START, ...args], { env: { ...clean, ...env }, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stderr: r.stderr };
}

describe('scripts/start.mjs', () => {
  it('refuses to listen on 0.0.0.0 without a viewer token, naming the ways out', () => {
    const r = runStart(['--hostname', '0.0.0.0', '--port', '1'], {});
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without viewer authentication/);
    expect(r.stderr).toMatch(/PODNET_VIEWER_TOKEN/);
    expect(runStart([], { HOST: '10.1.2.3' }).stderr).toMatch(/refusing to listen on 10\.1\.2\.3/);
  });

  it('refuses a short viewer token and an unknown argument', () => {
    expect(runStart(['-H', '0.0.0.0'], { PODNET_VIEWER_TOKEN: 'short' }).stderr).toMatch(/shorter than 16/);
    expect(runStart(['--turbo'], {}).status).toBe(2);
  });
});

describe('a server with PODNET_VIEWER_TOKEN', () => {
  const viewer = 'viewer-secret-0123456789abcdef';
  let server: RunningServer;
  let dataDir: string;
  let ingest: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-viewer-'));
    server = await startNextServer(inject('podnetAppDir'), { PODNET_DATA_DIR: dataDir, PODNET_VIEWER_TOKEN: viewer });
    const store = await openStore({ databaseUrl: null, dataDir });
    try {
      ingest = (await store.createToken('demo')).token;
    } finally {
      await store.close();
    }
  });

  afterAll(async () => {
    await server?.stop();
    removeDir(dataDir);
  });

  it('answers API reads 401 without the token and 200 with it as bearer or cookie', async () => {
    const none = await fetch(`${server.url}/api/v1/clusters`);
    expect(none.status).toBe(401);
    expect(await none.text()).not.toContain(viewer);
    const wrong = await fetch(`${server.url}/api/v1/clusters`, { headers: { authorization: 'Bearer nope' } });
    expect(wrong.status).toBe(401);
    expect((await fetch(`${server.url}/api/v1/clusters`, { headers: { authorization: `Bearer ${viewer}` } })).status).toBe(200);
    expect((await fetch(`${server.url}/api/v1/clusters/demo/topology`, { headers: { cookie: `podnet_viewer=${viewer}` } })).status).toBe(200);
    const preview = await fetch(`${server.url}/api/v1/read`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'x' });
    expect(preview.status).toBe(401);
  });

  it('answers the health check without any token, and it says nothing about the clusters', async () => {
    const res = await fetch(`${server.url}/api/v1/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: 'ok', store: 'sqlite' });
  });

  it('still takes writes with an ingest token and no viewer token', async () => {
    const res = await fetch(`${server.url}/api/v1/clusters/demo/snapshots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ingest}`, 'content-type': 'application/json' },
      body: '{"apiVersion":"podnet.dev/v1"}',
    });
    expect(res.status).toBe(400);
    const viewerCannotWrite = await fetch(`${server.url}/api/v1/clusters/demo/snapshots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${viewer}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(viewerCannotWrite.status).toBe(403);
  });

  it('guards pages too: 401 without the token, and ?viewer_token= sets the cookie and redirects to the clean URL', async () => {
    expect((await fetch(`${server.url}/`, { redirect: 'manual' })).status).toBe(401);
    const login = await fetch(`${server.url}/?viewer_token=${encodeURIComponent(viewer)}`, { redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(new URL(login.headers.get('location') ?? '', server.url).href).toBe(`${server.url}/`);
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/podnet_viewer=/);
    expect(cookie).toMatch(/HttpOnly/i);
    const page = await fetch(`${server.url}/`, { headers: { cookie: cookie.split(';')[0]! }, redirect: 'manual' });
    expect(page.status).not.toBe(401);
  });
});

describe('a server whose PostgreSQL does not answer', () => {
  // A closed port on loopback: the password must not come back in any answer.
  const url = 'postgres://podnet:hunter2-secret@127.0.0.1:9/podnet';
  let server: RunningServer;

  beforeAll(async () => {
    server = await startNextServer(inject('podnetAppDir'), { DATABASE_URL: url });
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('fails its health check with 503, naming no host, user or password', async () => {
    const res = await fetch(`${server.url}/api/v1/healthz`);
    expect(res.status).toBe(503);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: 'the store is not answering' });
    for (const secret of ['hunter2', 'podnet:', '127.0.0.1:9']) expect(text).not.toContain(secret);
    // Reads fail too, as server faults whose details stay in the server's log.
    const reads = await fetch(`${server.url}/api/v1/clusters`);
    expect(reads.status).toBeGreaterThanOrEqual(500);
    expect(await reads.text()).not.toContain('hunter2');
  });
});
