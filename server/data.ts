/**
 * The server's one data-access module: it owns the store singleton, the
 * per-revision topology cache and the parsed-snapshot cache, and answers
 * every API question. Route handlers parse their input, call one function
 * here and answer. Server-only (node:fs, the database drivers): never import
 * it from client components.
 */
import type {
  ClusterInfo,
  ClusterList,
  IngestResult,
  MissingEvidence,
  NodeList,
  ReadPreview,
  RevisionResponse,
  SnapshotDiff,
  SnapshotHistory,
  SnapshotMeta as ApiSnapshotMeta,
  TopologyResponse,
  TraceResponse,
} from '../lib/api/types';
import { readEvidence } from '../lib/read/readEvidence';
import type { Snapshot } from '../lib/snapshot/schema';
import { buildTopology } from '../lib/topology/build';
import type { Topology } from '../lib/topology/types';
import { trace } from '../lib/trace/trace';
import { requireIngestToken, type HasHeaders } from './auth';
import { gunzipLimited, isGzipEncoded, mediaType, readDecodedBody, readLimited, utf8 } from './body';
import { readConfig, type ServerConfig } from './config';
import { diffSnapshots } from './diff';
import { HttpError } from './http';
import { ingestFormat, parseIngest, type ParsedIngest } from './ingest';
import { decodeJsonPushOffThread } from './ingestPool';
import { BoundedLru } from './lru';
import { toReadPreview } from './preview';
import { seedDemoCluster } from './seed';
import { openStore, type PutResult, type SnapshotMeta, type Store } from './store';

/** A topology of one cluster at one revision, with what it was built from. */
export interface TopologyAt {
  revision: number;
  latestRevision: number;
  missing: MissingEvidence[];
  topology: Topology;
}

interface CachedTopology {
  /** Snapshot ids (and which were deleted) the topology was built from. */
  fingerprint: string;
  missing: MissingEvidence[];
  topology: Topology;
}

interface DataState {
  config: ServerConfig;
  ready: Promise<Store> | undefined;
  topologies: BoundedLru<string, CachedTopology>;
  /** Parsed bodies by snapshot id: a body never changes once stored, so they never go stale. */
  snapshots: BoundedLru<number, Snapshot>;
  building: Map<string, Promise<CachedTopology>>;
  /**
   * The last topology too large for the cache's byte budget (a 1,000-node
   * cluster's is ~1 GB): kept alone so repeated reads of a big cluster do not
   * rebuild it each time. Memory stays bounded: the budget plus this one.
   */
  oversized: { key: string; entry: CachedTopology } | undefined;
  retentionTimer: ReturnType<typeof setInterval> | undefined;
}

// Next may load this module once per route bundle; the state lives on
// globalThis so the whole process shares one store and one cache.
const STATE_KEY = Symbol.for('podnet.server.data');

function state(): DataState {
  const g = globalThis as typeof globalThis & { [STATE_KEY]?: DataState };
  let s = g[STATE_KEY];
  if (s === undefined) {
    const config = readConfig();
    s = {
      config,
      ready: undefined,
      topologies: new BoundedLru(config.topologyCacheEntries, config.topologyCacheBytes),
      snapshots: new BoundedLru(Math.max(1000, config.topologyCacheEntries * 100), config.topologyCacheBytes),
      building: new Map(),
      oversized: undefined,
      retentionTimer: undefined,
    };
    g[STATE_KEY] = s;
  }
  return s;
}

/** The settings this process runs with. */
export function serverConfig(): ServerConfig {
  return state().config;
}

async function open(s: DataState): Promise<Store> {
  const store = await openStore({
    databaseUrl: s.config.databaseUrl ?? null,
    dataDir: s.config.dataDir,
    retention: s.config.retention,
  });
  if (s.config.seedDemo) {
    try {
      await seedDemoCluster(store);
    } catch (err) {
      console.warn('podnet: could not seed the demo cluster:', err instanceof Error ? err.message : String(err));
    }
  }
  if (s.config.retentionIntervalMinutes > 0) {
    const timer = setInterval(() => {
      store.applyRetention().catch((err: unknown) => console.warn('podnet: retention failed:', err instanceof Error ? err.message : String(err)));
    }, s.config.retentionIntervalMinutes * 60_000);
    timer.unref();
    s.retentionTimer = timer;
  }
  return store;
}

/** The store, opened (and migrated, and the demo cluster seeded) on first use. */
export function getStore(): Promise<Store> {
  const s = state();
  if (s.ready === undefined) {
    s.ready = open(s);
    // A failed open (database down) must not stick: the next request retries.
    s.ready.catch(() => {
      s.ready = undefined;
    });
  }
  return s.ready;
}

/** Closes the store and forgets every cache (tests, shutdown). */
export async function closeData(): Promise<void> {
  const g = globalThis as typeof globalThis & { [STATE_KEY]?: DataState };
  const s = g[STATE_KEY];
  if (s === undefined) return;
  g[STATE_KEY] = undefined;
  if (s.retentionTimer) clearInterval(s.retentionTimer);
  if (s.ready) await (await s.ready.catch(() => undefined))?.close();
}

function iso(d: Date): string {
  return d.toISOString();
}

function apiMeta(m: SnapshotMeta): ApiSnapshotMeta {
  return {
    id: String(m.id),
    node: m.node,
    revision: m.revision,
    collectedAt: iso(m.collectedAt),
    receivedAt: iso(m.receivedAt),
    size: m.sizeBytes,
    deleted: m.deleted,
  };
}

// --- clusters and nodes ---------------------------------------------------

/** What `GET /api/v1/healthz` says: the server answers and its store does. */
export interface Health {
  status: 'ok';
  store: 'sqlite' | 'postgres';
}

/**
 * Liveness of the server and its store, for probes and load balancers: no
 * token, and nothing about the clusters in it. A store that cannot answer is
 * a 503 whose message names no host, user or path (DATABASE_URL holds a
 * password).
 */
export async function health(): Promise<Health> {
  try {
    const store = await getStore();
    await store.ping();
    return { status: 'ok', store: store.kind };
  } catch (err) {
    console.warn('podnet: health check: the store did not answer:', err instanceof Error ? err.message : String(err));
    throw new HttpError(503, { error: 'the store is not answering' });
  }
}

/** Every cluster with its revision and node count. */
export async function listClusters(): Promise<ClusterList> {
  const store = await getStore();
  const clusters = await store.listClusters();
  return { clusters: clusters.map((c) => ({ name: c.name, revision: c.revision, nodes: c.nodes, updatedAt: iso(c.updatedAt) })) };
}

/** One cluster's name, revision and node count. */
export async function clusterInfo(cluster: string): Promise<ClusterInfo> {
  const store = await getStore();
  await store.revision(cluster);
  const found = (await store.listClusters()).find((c) => c.name === cluster);
  if (!found) throw new HttpError(404, { error: `no cluster named ${cluster}`, field: 'cluster' });
  return { name: found.name, revision: found.revision, nodes: found.nodes, updatedAt: iso(found.updatedAt) };
}

/** The cluster's current revision: what the dashboard polls. */
export async function clusterRevision(cluster: string): Promise<RevisionResponse> {
  const store = await getStore();
  return { cluster, revision: await store.revision(cluster) };
}

/** Per node, its snapshot in force at `at` (default: latest). */
export async function listNodes(cluster: string, at?: number): Promise<NodeList> {
  const store = await getStore();
  const latestRevision = await store.revision(cluster);
  const revision = at ?? latestRevision;
  const nodes = await store.listNodes(cluster, revision);
  return {
    cluster,
    revision,
    latestRevision,
    nodes: nodes.map((n) => ({
      node: n.node,
      latestSnapshotId: String(n.latestSnapshotId),
      collectedAt: iso(n.collectedAt),
      revision: n.revision,
      snapshots: n.snapshots,
    })),
  };
}

/** A node's snapshots, newest first (deleted bodies included, marked). */
export async function nodeHistory(cluster: string, node: string, limit?: number): Promise<SnapshotHistory> {
  const store = await getStore();
  const rows = await store.history(cluster, node, limit === undefined ? {} : { limit });
  if (rows.length === 0) throw new HttpError(404, { error: `cluster ${cluster} has no snapshots of node ${node}`, field: 'node' });
  return { cluster, node, snapshots: rows.map(apiMeta) };
}

/** One stored snapshot document; 404 when unknown, 410 when retention removed its body. */
export async function rawSnapshot(cluster: string, id: number): Promise<Snapshot> {
  const store = await getStore();
  await store.revision(cluster);
  const found = await store.getSnapshot(cluster, id);
  if (found === null) throw new HttpError(404, { error: `cluster ${cluster} has no snapshot ${id}`, field: 'id' });
  if (found.snapshot === null) throw gone(found.meta);
  return found.snapshot;
}

function gone(meta: SnapshotMeta): HttpError {
  const when = meta.deletedAt ? ` on ${iso(meta.deletedAt)}` : '';
  return new HttpError(410, {
    error: `snapshot ${meta.id} of node ${meta.node} (revision ${meta.revision}) was removed by retention${when}; only its metadata is kept`,
    field: 'id',
  });
}

// --- topology -------------------------------------------------------------

/** A rough in-memory size of a value built from `jsonBytes` of JSON: parsed objects take a few times their text. */
const OBJECT_OVERHEAD = 3;

/**
 * Heap bytes a parsed snapshot holds, estimated from its item counts. Serialising
 * it to measure would cost as much as parsing it again (650 MB of JSON for a
 * 1,000-node cluster), so the cache bounds work from this estimate.
 */
export function estimateSnapshotBytes(snapshot: Snapshot): number {
  let items = 0;
  for (const ns of snapshot.namespaces) {
    items += (ns.links?.length ?? 0) + (ns.addresses?.length ?? 0) + (ns.routes?.length ?? 0);
    items += (ns.rules?.length ?? 0) + (ns.neighbours?.length ?? 0) + (ns.fdb?.length ?? 0) + 4;
  }
  return 2_000 + items * 120 * OBJECT_OVERHEAD;
}

/**
 * Heap bytes a topology adds beyond the snapshots it shares arrays with, from its
 * counts. `JSON.stringify` of a 1,000-node topology exceeds V8's longest string.
 */
export function estimateTopologyBytes(t: Topology): number {
  return (t.interfaces.length * 250 + t.edges.length * 200 + t.namespaces.length * 200 + t.pods.length * 150) * OBJECT_OVERHEAD;
}

async function loadSnapshots(store: Store, cluster: string, revision: number, ids: number[]): Promise<Map<number, Snapshot>> {
  const s = state();
  const out = new Map<number, Snapshot>();
  const wanted = new Set<number>();
  for (const id of ids) {
    const hit = s.snapshots.get(id);
    if (hit) out.set(id, hit);
    else wanted.add(id);
  }
  if (wanted.size === 0) return out;
  // Many cold bodies: one query for the whole revision beats one per node.
  if (wanted.size > 4) {
    const at = await store.latestAt(cluster, revision);
    for (const n of at.snapshots) {
      if (n.snapshot === null || !wanted.has(n.id)) continue;
      out.set(n.id, n.snapshot);
      s.snapshots.set(n.id, n.snapshot, estimateSnapshotBytes(n.snapshot));
    }
    return out;
  }
  for (const id of wanted) {
    const found = await store.getSnapshot(cluster, id);
    if (found?.snapshot) {
      out.set(id, found.snapshot);
      s.snapshots.set(id, found.snapshot, found.meta.sizeBytes * OBJECT_OVERHEAD);
    }
  }
  return out;
}

/**
 * The cluster's topology at revision `at` (default: latest), cached per
 * (cluster, revision). A cached topology is reused only while the evidence
 * it was built from is unchanged — retention deleting a body makes the next
 * call rebuild without it and list it in `missing`.
 */
export async function getTopology(cluster: string, at?: number): Promise<TopologyAt> {
  const s = state();
  const store = await getStore();
  const latestRevision = await store.revision(cluster);
  const revision = at ?? latestRevision;
  const nodes = await store.listNodes(cluster, revision);
  const fingerprint = nodes.map((n) => `${n.latestSnapshotId}${n.deleted ? 'd' : ''}`).join(',');
  const key = `${cluster}\u0000${revision}`;
  const cached = s.topologies.get(key) ?? (s.oversized?.key === key ? s.oversized.entry : undefined);
  if (cached && cached.fingerprint === fingerprint) return { revision, latestRevision, missing: cached.missing, topology: cached.topology };

  const buildKey = `${key}\u0000${fingerprint}`;
  let pending = s.building.get(buildKey);
  if (pending === undefined) {
    pending = (async (): Promise<CachedTopology> => {
      const present = nodes.filter((n) => !n.deleted);
      const bodies = await loadSnapshots(store, cluster, revision, present.map((n) => n.latestSnapshotId));
      const missing: MissingEvidence[] = [];
      const snapshots: Snapshot[] = [];
      for (const n of nodes) {
        const body = n.deleted ? undefined : bodies.get(n.latestSnapshotId);
        if (body === undefined) missing.push({ node: n.node, snapshotId: String(n.latestSnapshotId) });
        else snapshots.push(body);
      }
      const topology = buildTopology(snapshots);
      const bytes = estimateTopologyBytes(topology);
      const entry: CachedTopology = { fingerprint: fingerprintOf(nodes, missing), missing, topology };
      s.topologies.set(key, entry, bytes);
      if (s.topologies.get(key) === undefined) s.oversized = { key, entry };
      return entry;
    })();
    s.building.set(buildKey, pending);
    pending.finally(() => s.building.delete(buildKey)).catch(() => undefined);
  }
  const built = await pending;
  return { revision, latestRevision, missing: built.missing, topology: built.topology };
}

/** A fingerprint that marks bodies found missing while loading, so the next call sees the same evidence set. */
function fingerprintOf(nodes: Array<{ latestSnapshotId: number; deleted: boolean }>, missing: MissingEvidence[]): string {
  const gone = new Set(missing.map((m) => m.snapshotId));
  return nodes.map((n) => `${n.latestSnapshotId}${n.deleted || gone.has(String(n.latestSnapshotId)) ? 'd' : ''}`).join(',');
}

function missingNotice(missing: MissingEvidence[], what: string): string | undefined {
  if (missing.length === 0) return undefined;
  const list = missing.map((m) => `${m.node} (snapshot ${m.snapshotId})`).join(', ');
  return `retention removed evidence this revision used: ${list}. The ${what} was computed without it and may differ from what it showed before.`;
}

/** `GET …/topology`. */
export async function topologyResponse(cluster: string, at?: number): Promise<TopologyResponse> {
  const t = await getTopology(cluster, at);
  const notice = missingNotice(t.missing, 'topology');
  return { cluster, revision: t.revision, latestRevision: t.latestRevision, missing: t.missing, ...(notice ? { notice } : {}), topology: t.topology };
}

/** `GET …/trace`: one packet from `from` to `to` at a pinned revision. */
export async function traceResponse(cluster: string, q: { from: string; to: string; at?: number; size?: number }): Promise<TraceResponse> {
  const t = await getTopology(cluster, q.at);
  const result = trace(t.topology, q.from, q.to, q.size === undefined ? {} : { size: q.size });
  const notice = missingNotice(t.missing, 'trace');
  if (notice) result.warnings = [notice, ...result.warnings];
  return { cluster, revision: t.revision, latestRevision: t.latestRevision, missing: t.missing, ...(notice ? { notice } : {}), trace: result };
}

// --- diff -----------------------------------------------------------------

/** What changed in a node between two of its snapshots. */
export async function nodeDiff(cluster: string, node: string, fromId: number, toId: number): Promise<SnapshotDiff> {
  const store = await getStore();
  await store.revision(cluster);
  const [a, b] = await Promise.all([store.getSnapshot(cluster, fromId), store.getSnapshot(cluster, toId)]);
  for (const [found, id, field] of [
    [a, fromId, 'from'],
    [b, toId, 'to'],
  ] as const) {
    if (found === null || found.meta.node !== node) {
      throw new HttpError(404, { error: `node ${node} of cluster ${cluster} has no snapshot ${id}`, field });
    }
    if (found.snapshot === null) {
      const g = gone(found.meta);
      throw new HttpError(410, { ...g.body, field });
    }
  }
  // Checked above; the narrowing does not survive the loop.
  const before = a!.snapshot!;
  const after = b!.snapshot!;
  return { node, from: apiMeta(a!.meta), to: apiMeta(b!.meta), changes: diffSnapshots(before, after) };
}

// --- writes and previews --------------------------------------------------

/**
 * An ingest request as ingestSnapshot reads it: its headers and its body
 * within a limit. Next's route hands a Web Request (webIngestRequest); the
 * server's own fast path a node request (server/nodeIngest.ts).
 */
export interface IngestRequest extends HasHeaders {
  /** The raw body (still gzip when so encoded), refused with 413 beyond `limit` bytes. */
  body(limit: number): Promise<Buffer>;
}

/** A Web Request as an IngestRequest. */
export function webIngestRequest(request: Request): IngestRequest {
  return { headers: request.headers, body: (limit) => readLimited(request, limit) };
}

/** `POST …/snapshots`: authorises, reads, validates and stores one node snapshot. */
export async function ingestSnapshot(cluster: string, request: IngestRequest, url: URL): Promise<IngestResult> {
  const store = await getStore();
  await requireIngestToken(request, store, cluster);
  const type = mediaType(request);
  const format = ingestFormat(type);
  if (format === undefined) {
    throw new HttpError(415, {
      error: `Content-Type ${JSON.stringify(type || '(none)')} is not accepted: send application/json (a snapshot) or text/plain (a transcript, with ?node=NAME)`,
    });
  }
  const limit = state().config.maxBodyBytes;
  const node = url.searchParams.get('node') ?? undefined;
  const fileName = url.searchParams.get('fileName') ?? undefined;
  const opts = {
    ...(node !== undefined && node !== '' ? { node } : {}),
    ...(fileName !== undefined && fileName !== '' ? { fileName: fileName.slice(0, 256) } : {}),
  };
  let parsed: Pick<ParsedIngest, 'node' | 'used' | 'skipped' | 'warnings'>;
  let put: PutResult;
  if (format === 'json') {
    const gzipped = isGzipEncoded(request);
    const raw = await request.body(limit);
    const decoded = await decodeJsonPushOffThread(state().config.ingestWorkers, raw, gzipped, limit, opts.node);
    parsed = { node: decoded.node, used: decoded.used, skipped: [], warnings: [] };
    if (decoded.received !== undefined) put = await store.putReceived(cluster, decoded.node, decoded.received);
    else if (decoded.snapshot !== undefined) put = await store.putSnapshot(cluster, decoded.node, decoded.snapshot);
    else throw new Error('decodeJsonPush returned neither a document nor a snapshot');
  } else {
    const gzipped = isGzipEncoded(request);
    const raw = await request.body(limit);
    const transcript = parseIngest(utf8(gzipped ? await gunzipLimited(raw, limit) : raw), format, opts);
    parsed = transcript;
    put = await store.putSnapshot(cluster, transcript.node, transcript.snapshot);
  }
  return {
    id: String(put.id),
    node: parsed.node,
    revision: put.revision,
    status: put.status,
    warnings: parsed.warnings,
    used: parsed.used,
    skipped: parsed.skipped,
  };
}

async function previewInput(request: Request, url: URL, limit: number): Promise<{ text: string; fileName?: string }> {
  const type = mediaType(request);
  const fileParam = url.searchParams.get('fileName') ?? undefined;
  if (type === 'multipart/form-data') {
    const raw = await readDecodedBody(request, limit);
    const form = await new Response(new Uint8Array(raw), { headers: { 'content-type': request.headers.get('content-type') ?? '' } })
      .formData()
      .catch(() => {
        throw new HttpError(400, { error: 'the multipart body could not be parsed' });
      });
    const file = form.get('file') ?? [...form.values()][0];
    if (file === undefined || file === null) throw new HttpError(400, { error: 'the form has no file field', field: 'file' });
    if (typeof file === 'string') return { text: file, ...(fileParam ? { fileName: fileParam } : {}) };
    const name = fileParam ?? (file.name || undefined);
    return { text: utf8(Buffer.from(await file.arrayBuffer())), ...(name ? { fileName: name.slice(0, 256) } : {}) };
  }
  if (type === '' || type === 'text/plain' || type === 'application/json' || type === 'application/octet-stream') {
    const raw = await readDecodedBody(request, limit);
    return { text: utf8(raw), ...(fileParam ? { fileName: fileParam.slice(0, 256) } : {}) };
  }
  throw new HttpError(415, { error: `Content-Type ${JSON.stringify(type)} is not accepted: send multipart/form-data, text/plain or application/json` });
}

/** `POST /read`: what a file would contribute, read and built alone, nothing stored. */
export async function readPreview(request: Request, url: URL): Promise<ReadPreview> {
  const { text, fileName } = await previewInput(request, url, state().config.maxBodyBytes);
  const node = url.searchParams.get('node') ?? undefined;
  const result = readEvidence(text, {
    ...(node !== undefined && node !== '' ? { nodeName: node.slice(0, 256) } : {}),
    ...(fileName !== undefined ? { fileName } : {}),
  });
  return toReadPreview(result, buildTopology(result.snapshots), fileName);
}
