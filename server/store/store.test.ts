import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { validateSnapshot } from '../../lib/snapshot/validate';
import { canonicalJson, receivedDocument, sha256Hex } from './contentHash';
import { openStore } from './store';
import { startPostgres, type PostgresServer } from './testing/postgresServer';
import { at, sampleSnapshot } from './testing/sampleSnapshot';
import { StoreError, type OpenStoreOptions, type Store, type StoreKind } from './types';

/** One engine the shared suite runs against. */
interface Backend {
  name: StoreKind;
  setup(): Promise<void>;
  teardown(): void;
  /** Options that open a new, empty store. */
  freshLocation(): Promise<OpenStoreOptions>;
}

function sqliteBackend(): Backend {
  let root = '';
  let n = 0;
  return {
    name: 'sqlite',
    async setup() {
      root = mkdtempSync(path.join(tmpdir(), 'podnet-store-'));
    },
    teardown() {
      if (root) rmSync(root, { recursive: true, force: true });
    },
    async freshLocation() {
      // null: never let a DATABASE_URL in the environment redirect these tests.
      return { databaseUrl: null, dataDir: path.join(root, `store${++n}`) };
    },
  };
}

function postgresBackend(): Backend {
  let server: PostgresServer | undefined;
  let n = 0;
  return {
    name: 'postgres',
    async setup() {
      server = await startPostgres();
    },
    teardown() {
      server?.stop();
    },
    async freshLocation() {
      if (!server) throw new Error('the PostgreSQL test server did not start');
      return { databaseUrl: await server.createDatabase(`store${++n}`) };
    },
  };
}

/** The same value with every object's keys in reverse insertion order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => reverseKeys(v)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reverseKeys(v)])) as T;
  }
  return value;
}

async function rejection(p: Promise<unknown>): Promise<StoreError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof StoreError) return err;
    throw err;
  }
  throw new Error('expected a StoreError, the call succeeded');
}

describe.each([sqliteBackend(), postgresBackend()])('$name store', (backend) => {
  const opened: Store[] = [];
  beforeAll(() => backend.setup());
  afterAll(() => backend.teardown());
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((s) => s.close()));
  });

  async function open(loc: OpenStoreOptions, extra: OpenStoreOptions = {}): Promise<Store> {
    const store = await openStore({ ...loc, ...extra });
    opened.push(store);
    return store;
  }
  async function fresh(extra: OpenStoreOptions = {}): Promise<Store> {
    return open(await backend.freshLocation(), extra);
  }

  it('opens on the requested engine and creates the schema on first open only', async () => {
    const loc = await backend.freshLocation();
    const first = await open(loc);
    expect(first.kind).toBe(backend.name);
    expect(first.appliedMigrations).toEqual(['0001_initial', '0002_body_gzip']);
    if (backend.name === 'sqlite') expect(existsSync(path.join(loc.dataDir ?? '', 'podnet.db'))).toBe(true);
    if (backend.name === 'postgres') expect(first.location).not.toContain(new URL(loc.databaseUrl ?? '').password);
    await first.ensureCluster('prod');
    await first.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(0) }));
    await first.close();

    for (let i = 0; i < 2; i++) {
      const again = await open(loc);
      expect(again.appliedMigrations).toEqual([]);
      expect(await again.revision('prod')).toBe(1);
      await again.close();
    }
  });

  it('keeps acknowledged snapshots across close and reopen', async () => {
    const loc = await backend.freshLocation();
    const store = await open(loc);
    await store.createCluster('prod');
    const snap = sampleSnapshot('node-a', { collectedAt: at(1), marker: 7 });
    const put = await store.putSnapshot('prod', 'node-a', snap);
    await store.close();

    const reopened = await open(loc);
    const view = await reopened.latestAt('prod');
    expect(view.revision).toBe(1);
    expect(view.snapshots).toHaveLength(1);
    expect(view.snapshots[0]?.id).toBe(put.id);
    expect(view.snapshots[0]?.snapshot).toEqual(snap);
    expect(view.snapshots[0]?.collectedAt.toISOString()).toBe(at(1));
  });

  it('creates clusters once, ensures them idempotently and lists them with node counts', async () => {
    const store = await fresh();
    const created = await store.createCluster('prod');
    expect(created).toMatchObject({ name: 'prod', revision: 0, nodes: 0 });
    expect((await rejection(store.createCluster('prod'))).code).toBe('cluster_exists');
    expect((await store.ensureCluster('prod')).revision).toBe(0);
    await store.ensureCluster('dev');

    await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(0) }));
    await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(0) }));
    await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(1) }));

    const clusters = await store.listClusters();
    expect(clusters.map((c) => [c.name, c.revision, c.nodes])).toEqual([
      ['dev', 0, 0],
      ['prod', 3, 2],
    ]);
    expect(clusters[1]?.updatedAt.getTime()).toBeGreaterThanOrEqual(clusters[1]?.createdAt.getTime() ?? Infinity);
  });

  it('refuses unknown clusters and names that cannot be cluster names', async () => {
    const store = await fresh();
    expect((await rejection(store.revision('nope'))).code).toBe('cluster_not_found');
    expect((await rejection(store.putSnapshot('nope', 'n', sampleSnapshot('n')))).code).toBe('cluster_not_found');
    expect((await rejection(store.latestAt('nope'))).code).toBe('cluster_not_found');
    expect((await rejection(store.createToken('nope'))).code).toBe('cluster_not_found');
    expect((await rejection(store.createCluster('../etc'))).code).toBe('invalid_argument');
    expect((await rejection(store.createCluster(''))).code).toBe('invalid_argument');
    await store.createCluster('prod');
    expect((await rejection(store.putSnapshot('prod', 'bad\nnode', sampleSnapshot('x')))).code).toBe(
      'invalid_argument',
    );
  });

  it('advances the cluster revision by one per accepted snapshot', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const results = [];
    for (const [i, node] of ['node-a', 'node-b', 'node-c'].entries()) {
      results.push(await store.putSnapshot('prod', node, sampleSnapshot(node, { collectedAt: at(i) })));
    }
    expect(results.map((r) => [r.revision, r.status])).toEqual([
      [1, 'accepted'],
      [2, 'accepted'],
      [3, 'accepted'],
    ]);
    expect(new Set(results.map((r) => r.id)).size).toBe(3);
    expect(await store.revision('prod')).toBe(3);
  });

  it('treats an identical re-send as a duplicate that returns the original and does not advance the revision', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const snap = sampleSnapshot('node-a', { collectedAt: at(0) });
    const first = await store.putSnapshot('prod', 'node-a', snap);
    await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(0) }));

    // The same document with its keys in another order is the same content.
    const again = await store.putSnapshot('prod', 'node-a', reverseKeys(snap));
    expect(again).toEqual({ id: first.id, revision: first.revision, status: 'duplicate' });
    expect(await store.revision('prod')).toBe(2);
    expect(await store.history('prod', 'node-a')).toHaveLength(1);

    // The same content from another node is that node's evidence, not a duplicate.
    const otherNode = await store.putSnapshot('prod', 'node-c', snap);
    expect(otherNode).toMatchObject({ revision: 3, status: 'accepted' });
  });

  it('keeps a snapshot collected before the node latest as history without replacing the latest', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const newer = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(10), marker: 2 }));
    const older = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(5), marker: 1 }));
    expect(newer.status).toBe('accepted');
    expect(older).toMatchObject({ revision: 2, status: 'history' });

    const view = await store.latestAt('prod');
    expect(view.revision).toBe(2);
    expect(view.snapshots.map((s) => s.id)).toEqual([newer.id]);
    expect((await store.history('prod', 'node-a')).map((m) => m.id)).toEqual([newer.id, older.id]);
  });

  it('lets the later revision win between two snapshots collected at the same instant', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(3), marker: 1 }));
    const second = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(3), marker: 2 }));
    expect(second.status).toBe('accepted');
    expect((await store.latestAt('prod')).snapshots.map((s) => s.id)).toEqual([second.id]);
  });

  it('uses the arrival time as collection time for a snapshot that does not say', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const receivedAt = new Date(at(42));
    const put = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a'), { receivedAt });
    const got = await store.getSnapshot('prod', put.id);
    expect(got?.meta.collectedAt.toISOString()).toBe(at(42));
    expect(got?.meta.receivedAt.toISOString()).toBe(at(42));
  });

  it('answers a pinned revision the same way after newer snapshots arrive', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const a1 = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(0), marker: 1 }));
    const b1 = await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(0), marker: 1 }));
    const pinned = await store.latestAt('prod', 2);
    expect(pinned.snapshots.map((s) => [s.node, s.id])).toEqual([
      ['node-a', a1.id],
      ['node-b', b1.id],
    ]);

    const a2 = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(1), marker: 2 }));
    const c1 = await store.putSnapshot('prod', 'node-c', sampleSnapshot('node-c', { collectedAt: at(1), marker: 1 }));
    await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(-5), marker: 9 }));

    expect(await store.latestAt('prod', 2)).toEqual(pinned);
    const now = await store.latestAt('prod');
    expect(now.revision).toBe(5);
    expect(now.snapshots.map((s) => [s.node, s.id])).toEqual([
      ['node-a', a2.id],
      ['node-b', b1.id],
      ['node-c', c1.id],
    ]);
    expect((await store.latestAt('prod', 0)).snapshots).toEqual([]);
    expect((await rejection(store.latestAt('prod', 6))).code).toBe('revision_out_of_range');
    expect((await rejection(store.latestAt('prod', -1))).code).toBe('revision_out_of_range');
    expect((await rejection(store.latestAt('prod', 1.5))).code).toBe('revision_out_of_range');
  });

  it('lists nodes with their latest snapshot and snapshot count at a revision', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const a1 = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(0), marker: 1 }));
    const b1 = await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(0) }));
    const a2 = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(1), marker: 2 }));

    expect((await store.listNodes('prod')).map((n) => [n.node, n.latestSnapshotId, n.revision, n.snapshots])).toEqual([
      ['node-a', a2.id, 3, 2],
      ['node-b', b1.id, 2, 1],
    ]);
    expect((await store.listNodes('prod', 1)).map((n) => [n.node, n.latestSnapshotId, n.snapshots])).toEqual([
      ['node-a', a1.id, 1],
    ]);
  });

  it('returns history newest first within the limit and snapshots only from their own cluster', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    await store.createCluster('dev');
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const snap = sampleSnapshot('node-a', { collectedAt: at(i), marker: i });
      ids.push((await store.putSnapshot('prod', 'node-a', snap)).id);
    }
    const recent = await store.history('prod', 'node-a', { limit: 3 });
    expect(recent.map((m) => m.id)).toEqual([ids[4], ids[3], ids[2]]);
    expect(recent[0]).toMatchObject({ cluster: 'prod', node: 'node-a', revision: 5, deleted: false, deletedAt: null });
    expect(recent[0]?.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect(recent[0]?.sizeBytes).toBeGreaterThan(100);
    expect(await store.history('prod', 'node-z')).toEqual([]);

    const id = ids[4] ?? -1;
    const got = await store.getSnapshot('prod', id);
    expect(got?.snapshot).toEqual(sampleSnapshot('node-a', { collectedAt: at(4), marker: 4 }));
    expect(validateSnapshot(got?.snapshot).ok).toBe(true);
    expect(await store.getSnapshot('dev', id)).toBeNull();
    expect(await store.getSnapshot('prod', 999_999)).toBeNull();
  });

  it('deletes bodies beyond maxPerNode but keeps each node latest and says what a pinned revision lost', async () => {
    const store = await fresh({ retention: { maxPerNode: 2, maxAgeDays: Infinity } });
    await store.createCluster('prod');
    const a: number[] = [];
    for (let i = 0; i < 4; i++) {
      a.push((await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(i), marker: i }))).id);
    }
    const b = await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(0) }));

    expect(await store.applyRetention()).toEqual({ deleted: 2 });
    expect(await store.applyRetention()).toEqual({ deleted: 0 });

    const pinned = await store.latestAt('prod', 1);
    expect(pinned.snapshots).toEqual([
      { id: a[0], node: 'node-a', revision: 1, collectedAt: new Date(at(0)), snapshot: null, deleted: true },
    ]);
    const current = await store.latestAt('prod');
    expect(current.snapshots.map((s) => [s.id, s.deleted, s.snapshot !== null])).toEqual([
      [a[3], false, true],
      [b.id, false, true],
    ]);
    expect((await store.history('prod', 'node-a')).map((m) => m.deleted)).toEqual([false, false, true, true]);
    const gone = await store.getSnapshot('prod', a[1] ?? -1);
    expect(gone?.snapshot).toBeNull();
    expect(gone?.meta.deleted).toBe(true);
    expect(gone?.meta.deletedAt).toBeInstanceOf(Date);
    expect((await store.listNodes('prod', 2))[0]).toMatchObject({ node: 'node-a', deleted: true, snapshots: 2 });
  });

  it('deletes bodies older than maxAgeDays but never a node current latest, however old', async () => {
    const store = await fresh({ retention: { maxAgeDays: 7, maxPerNode: Infinity } });
    await store.createCluster('prod');
    const now = new Date('2025-03-01T00:00:00Z');
    const daysAgo = (d: number): string => new Date(now.getTime() - d * 86_400_000).toISOString();
    const old = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: daysAgo(10), marker: 1 }));
    const recent = await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: daysAgo(1), marker: 2 }));
    const lonely = await store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: daysAgo(20) }));

    expect(await store.applyRetention(now)).toEqual({ deleted: 1 });
    expect((await store.getSnapshot('prod', old.id))?.snapshot).toBeNull();
    expect((await store.getSnapshot('prod', recent.id))?.snapshot).not.toBeNull();
    expect((await store.getSnapshot('prod', lonely.id))?.snapshot).not.toBeNull();
    expect((await store.latestAt('prod', 1)).snapshots[0]).toMatchObject({ id: old.id, deleted: true, snapshot: null });
  });

  it('restores a deleted body when the identical snapshot is sent again', async () => {
    const store = await fresh({ retention: { maxPerNode: 1 } });
    await store.createCluster('prod');
    const snap = sampleSnapshot('node-a', { collectedAt: at(0), marker: 1 });
    const first = await store.putSnapshot('prod', 'node-a', snap);
    await store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(1), marker: 2 }));
    expect(await store.applyRetention(new Date(at(2)))).toEqual({ deleted: 1 });

    expect(await store.putSnapshot('prod', 'node-a', snap)).toEqual({ ...first, status: 'duplicate' });
    expect(await store.revision('prod')).toBe(2);
    expect((await store.latestAt('prod', 1)).snapshots[0]).toMatchObject({ deleted: false, snapshot: snap });
  });

  it('issues tokens that verify only for their own cluster until revoked, and never lists secrets', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    await store.createCluster('dev');
    const { id, token } = await store.createToken('prod', 'collector daemonset');
    const other = await store.createToken('prod');
    expect(token).toMatch(/^pn_[A-Za-z0-9_-]{43}$/);
    expect(other.token).not.toBe(token);

    expect(await store.verifyToken('prod', token)).toBe(true);
    expect(await store.verifyToken('dev', token)).toBe(false);
    expect(await store.verifyToken('prod', token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'))).toBe(false);
    expect(await store.verifyToken('prod', 'pn_short')).toBe(false);
    expect(await store.verifyToken('prod', '')).toBe(false);

    const listed = await store.listTokens('prod');
    expect(listed.map((t) => [t.id, t.label, t.revokedAt])).toEqual([
      [id, 'collector daemonset', null],
      [other.id, null, null],
    ]);
    expect(JSON.stringify(listed)).not.toContain(token.slice(3));
    expect(await store.listTokens('dev')).toEqual([]);

    expect(await store.revokeToken(id)).toBe(true);
    expect(await store.revokeToken(id)).toBe(false);
    expect(await store.revokeToken(999_999)).toBe(false);
    expect(await store.verifyToken('prod', token)).toBe(false);
    expect(await store.verifyToken('prod', other.token)).toBe(true);
    expect((await store.listTokens('prod'))[0]?.revokedAt).toBeInstanceOf(Date);
  });

  it('gives 200 concurrent puts from 200 nodes the distinct revisions 1..200', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const nodes = Array.from({ length: 200 }, (_, i) => `node-${String(i).padStart(3, '0')}`);
    const results = await Promise.all(
      nodes.map((node, i) => store.putSnapshot('prod', node, sampleSnapshot(node, { collectedAt: at(0), marker: i }))),
    );
    expect(results.every((r) => r.status === 'accepted')).toBe(true);
    expect(results.map((r) => r.revision).sort((x, y) => x - y)).toEqual(nodes.map((_, i) => i + 1));
    expect(new Set(results.map((r) => r.id)).size).toBe(200);
    expect(await store.revision('prod')).toBe(200);
    expect(await store.listNodes('prod')).toHaveLength(200);
  });

  it('accepts one of many concurrent identical re-sends and answers the rest as duplicates', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const snap = sampleSnapshot('node-a', { collectedAt: at(0) });
    const results = await Promise.all(Array.from({ length: 20 }, () => store.putSnapshot('prod', 'node-a', snap)));
    expect(results.filter((r) => r.status === 'accepted')).toHaveLength(1);
    expect(new Set(results.map((r) => `${r.id}@${r.revision}`))).toEqual(new Set([`${results[0]?.id}@1`]));
    expect(await store.revision('prod')).toBe(1);
  });

  it('keeps a received document as its bytes (gzip or text), keyed by their hash, and reads it back', async () => {
    const store = await fresh({ retention: { maxPerNode: 1 } });
    await store.createCluster('prod');
    const snap = sampleSnapshot('node-a', { collectedAt: at(0), marker: 1 });
    // Pretty-printed: not the canonical form, so the key must be the received text's own hash.
    const json = JSON.stringify(snap, null, 2);
    const first = await store.putReceived('prod', 'node-a', receivedDocument(json, snap.collectedAt, gzipSync(json)));
    expect(first.status).toBe('accepted');
    const got = await store.getSnapshot('prod', first.id);
    expect(got?.snapshot).toEqual(snap);
    expect(got?.meta.contentHash).toBe(sha256Hex(json));
    expect(got?.meta.contentHash).not.toBe(sha256Hex(canonicalJson(snap)));
    expect(got?.meta.sizeBytes).toBe(Buffer.byteLength(json));

    // A retry sends the same bytes: a duplicate, whether or not it came compressed.
    expect(await store.putReceived('prod', 'node-a', receivedDocument(json, snap.collectedAt, gzipSync(json, { level: 9 })))).toEqual({ ...first, status: 'duplicate' });
    expect(await store.putReceived('prod', 'node-a', receivedDocument(json, snap.collectedAt))).toEqual({ ...first, status: 'duplicate' });

    const plain = sampleSnapshot('node-a', { collectedAt: at(1), marker: 2 });
    const second = await store.putReceived('prod', 'node-a', receivedDocument(JSON.stringify(plain), plain.collectedAt));
    expect((await store.latestAt('prod')).snapshots[0]).toMatchObject({ id: second.id, snapshot: plain, deleted: false });

    // Retention clears the gzip body too; the identical bytes bring it back.
    expect(await store.applyRetention(new Date(at(2)))).toEqual({ deleted: 1 });
    expect((await store.latestAt('prod', 1)).snapshots[0]).toMatchObject({ id: first.id, snapshot: null, deleted: true });
    expect(await store.putReceived('prod', 'node-a', receivedDocument(json, snap.collectedAt, gzipSync(json)))).toEqual({ ...first, status: 'duplicate' });
    expect((await store.latestAt('prod', 1)).snapshots[0]).toMatchObject({ id: first.id, snapshot: snap, deleted: false });
  });

  it('fails only the bad put of a burst written together; the others keep their order and revisions', async () => {
    const store = await fresh();
    await store.createCluster('prod');
    const settled = await Promise.allSettled([
      store.putSnapshot('prod', 'node-a', sampleSnapshot('node-a', { collectedAt: at(0) })),
      store.putSnapshot('nope', 'node-a', sampleSnapshot('node-a', { collectedAt: at(0) })),
      store.putSnapshot('prod', 'node-b', sampleSnapshot('node-b', { collectedAt: at(0) })),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    const [a, bad, b] = settled;
    expect(a?.status === 'fulfilled' && a.value.revision).toBe(1);
    expect(b?.status === 'fulfilled' && b.value.revision).toBe(2);
    expect(bad?.status === 'rejected' && bad.reason instanceof StoreError && bad.reason.code).toBe('cluster_not_found');
    expect(await store.revision('prod')).toBe(2);
  });

  it('writes the puts it accepted before close', async () => {
    const loc = await backend.freshLocation();
    const store = await openStore(loc);
    await store.createCluster('prod');
    const pending = Array.from({ length: 10 }, (_, i) => store.putSnapshot('prod', `node-${i}`, sampleSnapshot(`node-${i}`, { collectedAt: at(0) })));
    await store.close();
    expect((await Promise.all(pending)).map((r) => r.revision).sort((x, y) => x - y)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
    const again = await open(loc);
    expect(await again.revision('prod')).toBe(10);
  });
});
