/**
 * The ingest and read API against real servers (scripts/start.mjs on a built
 * app) and real stores: the embedded SQLite store and a throwaway
 * PostgreSQL server. Tokens are created the way the CLI does, in the same
 * store the server uses.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApiError, ClusterList, IngestResult, NodeList, ReadPreview, SnapshotDiff, SnapshotHistory, TraceResponse } from '../lib/api/types';
import type { Snapshot } from '../lib/snapshot/schema';
import { generateFlannelCluster } from '../lib/synthetic/flannelCluster';
import { openStore, type Store } from './store';
import { startPostgres, type PostgresServer } from './store/testing/postgresServer';
import { REPO_ROOT, removeDir, startNextServer, type RunningServer } from './testing/nextServer';

const CAPTURES = path.join(REPO_ROOT, 'e2e', 'lab', 'captures', 'flannel-vxlan');
const capture = (name: string): string => readFileSync(path.join(CAPTURES, name), 'utf8');
const snapshotOf = (name: string): Snapshot => JSON.parse(capture(name)) as Snapshot;
const MAX_BODY = 400_000;

/** node1 a little later, with the route to node2's pods gone (a broken node). */
function node1WithoutRouteToNode2(): Snapshot {
  const s = snapshotOf('node1.json');
  const host = s.namespaces.find((n) => n.name === 'host')!;
  host.routes = host.routes!.filter((r) => !(r.dst === '10.244.2.0/24' && r.table === 'main'));
  return { ...s, collectedAt: new Date(Date.parse(s.collectedAt!) + 60_000).toISOString() };
}

interface Backend {
  name: 'sqlite' | 'postgres';
  setup(): Promise<{ env: Record<string, string>; open: (retention?: { maxAgeDays?: number; maxPerNode?: number }) => Promise<Store>; cleanup: () => void }>;
}

const backends: Backend[] = [
  {
    name: 'sqlite',
    async setup() {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'podnet-api-'));
      return {
        env: { PODNET_DATA_DIR: dataDir },
        open: (retention) => openStore({ databaseUrl: null, dataDir, ...(retention ? { retention } : {}) }),
        cleanup: () => removeDir(dataDir),
      };
    },
  },
  {
    name: 'postgres',
    async setup() {
      const pg: PostgresServer = await startPostgres();
      const url = await pg.createDatabase('podnet_api');
      return {
        env: { DATABASE_URL: url },
        open: (retention) => openStore({ databaseUrl: url, ...(retention ? { retention } : {}) }),
        cleanup: () => pg.stop(),
      };
    },
  },
];

describe.each(backends)('API over $name', (backend) => {
  let server: RunningServer;
  let store: Store;
  let env: Record<string, string>;
  let openFor: Awaited<ReturnType<Backend['setup']>>['open'];
  let cleanup = (): void => undefined;
  let token: string;
  let textToken: string;
  const appDir = inject('podnetAppDir');

  const start = async (): Promise<RunningServer> =>
    startNextServer(appDir, { ...env, PODNET_MAX_BODY_BYTES: String(MAX_BODY), PODNET_RETENTION_INTERVAL_MINUTES: '0' });

  beforeAll(async () => {
    const b = await backend.setup();
    env = b.env;
    openFor = b.open;
    cleanup = b.cleanup;
    server = await start();
    store = await openFor();
    await store.ensureCluster('pin');
    token = (await store.createToken('pin', 'api test')).token;
    await store.ensureCluster('text');
    textToken = (await store.createToken('text')).token;
  });

  afterAll(async () => {
    await server?.stop();
    await store?.close();
    cleanup();
  });

  const get = async <T>(p: string, init: RequestInit = {}): Promise<{ status: number; body: T }> => {
    const res = await fetch(`${server.url}${p}`, init);
    return { status: res.status, body: (await res.json()) as T };
  };

  const push = async (
    body: string | Uint8Array,
    opts: { cluster?: string; type?: string; token?: string | null; query?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: IngestResult & ApiError }> => {
    const headers: Record<string, string> = { 'content-type': opts.type ?? 'application/json', ...opts.headers };
    const t = opts.token === undefined ? token : opts.token;
    if (t !== null) headers.authorization = `Bearer ${t}`;
    const res = await fetch(`${server.url}/api/v1/clusters/${opts.cluster ?? 'pin'}/snapshots${opts.query ?? ''}`, { method: 'POST', headers, body: body as BodyInit });
    return { status: res.status, body: (await res.json()) as IngestResult & ApiError };
  };

  it('seeds the demo cluster from the lab captures and traces across it', async () => {
    const list = await get<ClusterList>('/api/v1/clusters');
    expect(list.status).toBe(200);
    expect(list.body.clusters.find((c) => c.name === 'demo')).toMatchObject({ revision: 3, nodes: 3 });
    const t = await get<TraceResponse>('/api/v1/clusters/demo/trace?from=10.244.1.2&to=10.244.2.2');
    expect(t.body.trace.verdict).toBe('delivered');
    expect(t.body.trace.traceroute).toEqual(['10.244.1.1', '10.244.2.0', '10.244.2.2']);
  });

  it('refuses writes without a token (401) and with a token of another cluster or a made-up one (403)', async () => {
    const doc = capture('node1.json');
    const none = await push(doc, { token: null });
    expect(none.status).toBe(401);
    await store.ensureCluster('other');
    const otherToken = (await store.createToken('other')).token;
    const wrong = await push(doc, { token: otherToken });
    expect(wrong.status).toBe(403);
    expect(JSON.stringify(wrong.body)).not.toContain(otherToken);
    const forged = await push(doc, { token: `pn_${'A'.repeat(43)}` });
    expect(forged.status).toBe(403);
    expect(server.output()).not.toContain(otherToken);
  });

  it('answers pushes on start.mjs\'s own path, with the same headers', async () => {
    // instrumentation.ts published the path at start; Next's answers carry its RSC vary header, this path's do not.
    const res = await fetch(`${server.url}/api/v1/clusters/pin/snapshots`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      body: '<snapshot/>',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('vary')).toBeNull();
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store, no-transform');
    expect((await res.json()) as ApiError).toMatchObject({ error: expect.stringMatching(/application\/json/) });
    const through = await fetch(`${server.url}/api/v1/clusters/pin/snapshots/`, { method: 'POST', redirect: 'manual' });
    expect(through.status).toBe(308);
    const garbled = await fetch(`${server.url}/api/v1/clusters/%E0%A4%A/snapshots`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: '{}' });
    expect(garbled.status).toBe(400);
    expect((await garbled.json()) as ApiError).toMatchObject({ field: 'cluster', error: expect.stringMatching(/percent-encoding/) });
  });

  it('refuses other content types with 415', async () => {
    const r = await push('<snapshot/>', { type: 'application/xml' });
    expect(r.status).toBe(415);
    expect(r.body.error).toMatch(/application\/json/);
  });

  it('names the line of malformed JSON and the field of an invalid snapshot (400)', async () => {
    const bad = await push('{\n  "apiVersion": "podnet.dev/v1",\n  "kind": \n}');
    expect(bad.status).toBe(400);
    expect(bad.body.line).toBe(4);
    const version = await push(JSON.stringify({ ...snapshotOf('node1.json'), apiVersion: 'podnet.dev/v9' }));
    expect(version.status).toBe(400);
    expect(version.body.field).toBe('apiVersion');
    const s = snapshotOf('node1.json');
    s.namespaces[0]!.routes![1]!.dst = 'ten.two.four.four';
    const route = await push(JSON.stringify(s));
    expect(route.status).toBe(400);
    expect(route.body.field).toBe('namespaces[0].routes[1].dst');
  });

  it('refuses bodies over the limit with 413: declared, streamed without a length, and gzip that expands past it', async () => {
    const big = 'x'.repeat(MAX_BODY + 1);
    expect((await push(big)).status).toBe(413);
    const chunks = [new TextEncoder().encode('{"pad":"'), new Uint8Array(MAX_BODY + 10).fill(0x61)];
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        const next = chunks.shift();
        if (next) c.enqueue(next);
        else c.close();
      },
    });
    const res = await fetch(`${server.url}/api/v1/clusters/pin/snapshots`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: stream,
      duplex: 'half',
    } as RequestInit);
    expect(res.status).toBe(413);
    const bomb = gzipSync(Buffer.alloc(MAX_BODY * 4, 0x20));
    expect(bomb.length).toBeLessThan(MAX_BODY);
    const r = await push(bomb, { headers: { 'content-encoding': 'gzip' } });
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/decompressed/);
  });

  let v1: IngestResult;
  let node2: IngestResult;
  let traceAt2: TraceResponse;

  it('stores a gzip snapshot (201) and a re-send is a duplicate with the same id and revision', async () => {
    v1 = (await push(gzipSync(capture('node1.json')), { headers: { 'content-encoding': 'gzip' } })).body;
    expect(v1).toMatchObject({ node: 'node1', revision: 1, status: 'accepted' });
    const again = await push(capture('node1.json'));
    expect(again.status).toBe(201);
    expect(again.body).toMatchObject({ id: v1.id, revision: 1, status: 'duplicate' });
    const rev = await get<{ revision: number }>('/api/v1/clusters/pin/revision');
    expect(rev.body.revision).toBe(1);
  });

  it('reads a transcript pushed as text with ?node, and names the line of a garbage transcript', async () => {
    const text = { cluster: 'text', token: textToken };
    const noNode = await push(capture('node2.txt'), { ...text, type: 'text/plain' });
    expect(noNode.status).toBe(400);
    expect(noNode.body.field).toBe('node');
    const garbage = await push('hello\nthis is not\na terminal transcript\n', { ...text, type: 'text/plain', query: '?node=node9' });
    expect(garbage.status).toBe(400);
    expect(garbage.body.line).toBe(1);
    const r = await push(capture('node2.txt'), { ...text, type: 'text/plain; charset=utf-8', query: '?node=worker-2' });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ node: 'worker-2', revision: 1, status: 'accepted' });
    expect(r.body.used.length).toBeGreaterThan(3);
    const stored = await get<Snapshot>(`/api/v1/clusters/text/snapshots/${r.body.id}`);
    expect(stored.body.node.name).toBe('worker-2');
    expect(stored.body.namespaces.find((n) => n.name === 'host')?.routes?.some((x) => x.dst === '10.244.1.0/24')).toBe(true);
  });

  it('pins a trace to its revision: newer snapshots do not change it, latestRevision moves on', async () => {
    node2 = (await push(capture('node2.json'))).body;
    expect(node2).toMatchObject({ node: 'node2', revision: 2, status: 'accepted' });
    const t = await get<TraceResponse>('/api/v1/clusters/pin/trace?from=10.244.1.2&to=10.244.2.2&at=2');
    expect(t.status).toBe(200);
    expect(t.body.trace.verdict).toBe('delivered');
    traceAt2 = t.body;
    const v2 = await push(JSON.stringify(node1WithoutRouteToNode2()));
    expect(v2.body).toMatchObject({ revision: 3, status: 'accepted' });
    const latest = await get<TraceResponse>('/api/v1/clusters/pin/trace?from=10.244.1.2&to=10.244.2.2');
    expect(latest.body.revision).toBe(3);
    expect(latest.body.trace.verdict).not.toBe('delivered');
    const pinned = await get<TraceResponse>('/api/v1/clusters/pin/trace?from=10.244.1.2&to=10.244.2.2&at=2');
    expect(pinned.body).toEqual({ ...traceAt2, latestRevision: 3 });
    expect(traceAt2.latestRevision).toBe(2);
  });

  it('keeps an older snapshot as history without replacing the latest', async () => {
    const old = { ...snapshotOf('node1.json'), collectedAt: '2020-01-01T00:00:00.000Z' };
    const r = await push(JSON.stringify(old));
    expect(r.body).toMatchObject({ status: 'history', revision: 4 });
    const nodes = await get<NodeList>('/api/v1/clusters/pin/nodes');
    const n1 = nodes.body.nodes.find((n) => n.node === 'node1')!;
    expect(n1.revision).toBe(3);
    expect(n1.snapshots).toBe(3);
    const hist = await get<SnapshotHistory>('/api/v1/clusters/pin/nodes/node1/snapshots');
    expect(hist.body.snapshots.map((s) => s.revision)).toEqual([3, 1, 4]);
    const at1 = await get<NodeList>('/api/v1/clusters/pin/nodes?at=1');
    expect(at1.body).toMatchObject({ revision: 1, latestRevision: 4 });
    expect(at1.body.nodes.map((n) => n.node)).toEqual(['node1']);
  });

  it('diffs two snapshots of a node: the removed route, keyed by destination and table', async () => {
    const hist = await get<SnapshotHistory>('/api/v1/clusters/pin/nodes/node1/snapshots');
    const newest = hist.body.snapshots[0]!.id;
    const d = await get<SnapshotDiff>(`/api/v1/clusters/pin/nodes/node1/diff?from=${v1.id}&to=${newest}`);
    expect(d.status).toBe(200);
    expect(d.body.changes).toEqual([
      { netns: 'host', section: 'routes', change: 'removed', key: '10.244.2.0/24 table main', before: expect.stringContaining('via 10.244.2.0 dev flannel.1') as string },
    ]);
    const wrongNode = await get<ApiError>(`/api/v1/clusters/pin/nodes/node2/diff?from=${v1.id}&to=${newest}`);
    expect(wrongNode.status).toBe(404);
  });

  it('serves the raw snapshot, the cluster, its revision, and 404s for unknown clusters and revisions', async () => {
    const raw = await get<Snapshot>(`/api/v1/clusters/pin/snapshots/${node2.id}`);
    expect(raw.body.node.name).toBe('node2');
    expect((await get<{ name: string; nodes: number }>('/api/v1/clusters/pin')).body).toMatchObject({ name: 'pin', revision: 4, nodes: 2 });
    expect((await get('/api/v1/revision?cluster=pin')).body).toEqual({ cluster: 'pin', revision: 4 });
    const unknown = await get<ApiError>('/api/v1/clusters/nope/topology');
    expect(unknown.status).toBe(404);
    expect(unknown.body.field).toBe('cluster');
    const future = await get<ApiError>('/api/v1/clusters/pin/trace?from=10.244.1.2&to=10.244.2.2&at=99');
    expect(future.status).toBe(404);
    expect(future.body.field).toBe('at');
    expect((await get<ApiError>('/api/v1/clusters/pin/trace?to=10.244.2.2')).body.field).toBe('from');
  });

  it('after retention removes evidence a pinned revision used, lists it as missing and answers 410 for its body', async () => {
    // An operator's retention run with a tight policy (SQLite allows one Store per file per process).
    await store.close();
    const retaining = await openFor({ maxAgeDays: Infinity, maxPerNode: 1 });
    try {
      expect((await retaining.applyRetention()).deleted).toBeGreaterThan(0);
    } finally {
      await retaining.close();
      store = await openFor();
    }
    const pinned = await get<TraceResponse>('/api/v1/clusters/pin/trace?from=10.244.1.2&to=10.244.2.2&at=2');
    expect(pinned.body.missing).toEqual([{ node: 'node1', snapshotId: v1.id }]);
    expect(pinned.body.notice).toMatch(/retention removed evidence/);
    expect(pinned.body.trace.verdict).not.toBe('delivered');
    const gone = await get<ApiError>(`/api/v1/clusters/pin/snapshots/${v1.id}`);
    expect(gone.status).toBe(410);
    expect(gone.body.error).toMatch(/removed by retention/);
  });

  it('previews an upload without storing it: multipart transcript and a raw garbage body', async () => {
    const form = new FormData();
    form.set('file', new Blob([capture('node1.txt')], { type: 'text/plain' }), 'node1.txt');
    const res = await fetch(`${server.url}/api/v1/read?node=node1`, { method: 'POST', body: form });
    const p = (await res.json()) as ReadPreview;
    expect(res.status).toBe(200);
    expect(p).toMatchObject({ fileName: 'node1.txt', nodes: ['node1'] });
    expect(p.bridges.map((b) => b.id)).toContain('node1/host/cni0');
    expect(p.tunnels).toContainEqual(expect.objectContaining({ id: 'node1/host/flannel.1', kind: 'vxlan', vni: 1 }));
    expect(p.vethPairs.filter((v) => v.state === 'paired').length).toBe(2);
    const junk = await fetch(`${server.url}/api/v1/read?fileName=notes.txt`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'lunch at noon\n' });
    const j = (await junk.json()) as ReadPreview;
    expect(j.error?.line).toBe(1);
    expect((await get<ClusterList>('/api/v1/clusters')).body.clusters.map((c) => c.name)).not.toContain('notes');
  });

  it('takes 200 nodes pushing at once: all 201 with distinct revisions', async () => {
    await store.ensureCluster('swarm');
    const swarmToken = (await store.createToken('swarm')).token;
    const docs = generateFlannelCluster({ nodes: 200, podsPerNode: 2, seed: 7 });
    const results = await Promise.all(docs.map((d) => push(JSON.stringify(d), { cluster: 'swarm', token: swarmToken })));
    expect(results.map((r) => r.status)).toEqual(docs.map(() => 201));
    const revisions = new Set(results.map((r) => r.body.revision));
    expect(revisions.size).toBe(200);
    expect(Math.max(...revisions)).toBe(200);
    const nodes = await get<NodeList>('/api/v1/clusters/swarm/nodes');
    expect(nodes.body.nodes).toHaveLength(200);
  });

  it('loses nothing it acknowledged when the server is killed mid-stream', async () => {
    await store.ensureCluster('crash');
    const crashToken = (await store.createToken('crash')).token;
    const docs = generateFlannelCluster({ nodes: 120, podsPerNode: 4, seed: 11 });
    const acked: IngestResult[] = [];
    let killed = false;
    const senders = Array.from({ length: 8 }, async (_, w) => {
      for (let i = w; i < docs.length; i += 8) {
        try {
          const r = await push(JSON.stringify(docs[i]), { cluster: 'crash', token: crashToken });
          if (r.status === 201) acked.push(r.body);
          if (acked.length >= 30 && !killed) {
            killed = true;
            await server.kill();
          }
        } catch {
          // Connection refused or reset by the kill: not acknowledged, so not promised.
        }
      }
    });
    await Promise.all(senders);
    expect(killed).toBe(true);
    server = await start();
    const revision = (await get<{ revision: number }>('/api/v1/clusters/crash/revision')).body.revision;
    expect(revision).toBeGreaterThanOrEqual(acked.length);
    for (const a of acked) {
      const raw = await get<Snapshot>(`/api/v1/clusters/crash/snapshots/${a.id}`);
      expect(raw.status).toBe(200);
      expect(raw.body.node.name).toBe(a.node);
    }
    const nodes = await get<NodeList>('/api/v1/clusters/crash/nodes');
    expect(nodes.body.nodes.length).toBe(revision);
  });
});
