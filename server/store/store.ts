/**
 * The snapshot store: one Kysely query layer over SQLite or PostgreSQL
 * (dialect.ts holds the differences). Every write is one transaction that
 * first locks the cluster row, so concurrent pushes from many nodes get
 * distinct, gap-free revisions and a crash never leaves half a snapshot;
 * pushes that arrive together share a transaction (group commit, see flush).
 */
import { promisify } from 'node:util';
import { gunzip, gunzipSync } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Snapshot } from '../../lib/snapshot/schema';
import { canonicalJson, sha256Hex } from './contentHash';
import { openDialect, type StoreDialect } from './dialect';
import { migrateToLatest } from './migrations';
import type { SnapshotsTable, StoreDatabase } from './tables';
import { generateToken, hashesEqual, hashToken, isWellFormedToken } from './tokens';
import {
  StoreError,
  type ClusterAt,
  type ClusterSummary,
  type CreatedToken,
  type HistoryOptions,
  type NodeSnapshotAt,
  type NodeSummary,
  type OpenStoreOptions,
  type PutOptions,
  type PutResult,
  type ReceivedDocument,
  type RetentionPolicy,
  type RetentionResult,
  type SnapshotMeta,
  type Store,
  type StoredSnapshot,
  type StoreKind,
  type TokenInfo,
} from './types';

/** Retention used when openStore is given none. */
export const DEFAULT_RETENTION: Required<RetentionPolicy> = { maxAgeDays: 30, maxPerNode: 500 };

const DAY_MS = 86_400_000;
const DEFAULT_HISTORY_LIMIT = 50;
const MAX_HISTORY_LIMIT = 1000;
/** Ids per UPDATE … WHERE id IN (…): far below both engines' bound-parameter limits. */
const RETENTION_CHUNK = 500;
/** Cluster names end up in URLs and file-like identifiers: keep them plain. */
const CLUSTER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** Node names come from kubelet or hostname(1): any printable text up to the snapshot schema's bound. */
const NODE_NAME = /^[^\u0000-\u001f\u007f]{1,256}$/;
const MAX_LABEL = 200;

/**
 * Opens (and migrates) the store: PostgreSQL when `databaseUrl` or
 * DATABASE_URL is set, otherwise the SQLite file `<dataDir>/podnet.db`.
 */
export async function openStore(opts: OpenStoreOptions = {}): Promise<Store> {
  const retention = resolveRetention(opts.retention);
  const dialect = openDialect(opts);
  try {
    const applied = await migrateToLatest(dialect.db, dialect);
    return new SqlStore(dialect, retention, applied);
  } catch (err) {
    await dialect.destroy();
    throw err;
  }
}

function resolveRetention(policy: RetentionPolicy | undefined): Required<RetentionPolicy> {
  const maxAgeDays = policy?.maxAgeDays ?? DEFAULT_RETENTION.maxAgeDays;
  const maxPerNode = policy?.maxPerNode ?? DEFAULT_RETENTION.maxPerNode;
  if (!(maxAgeDays > 0)) throw new StoreError('invalid_argument', `retention.maxAgeDays must be > 0 (got ${maxAgeDays})`);
  if (Number.isNaN(maxPerNode)) throw new StoreError('invalid_argument', 'retention.maxPerNode must be a number');
  return { maxAgeDays, maxPerNode: Math.max(1, Math.floor(maxPerNode)) };
}

function checkCluster(name: string): void {
  if (!CLUSTER_NAME.test(name)) {
    throw new StoreError(
      'invalid_argument',
      `cluster name ${JSON.stringify(name.slice(0, 80))} must be 1-63 letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
}

function checkNode(name: string): void {
  if (!NODE_NAME.test(name)) {
    throw new StoreError('invalid_argument', 'node name must be 1-256 characters without control characters');
  }
}

/** Counts come back as numbers from SQLite and as bigint strings from PostgreSQL. */
function toCount(value: number | string | bigint | null | undefined): number {
  return value === null || value === undefined ? 0 : Number(value);
}

type MetaRow = Omit<Selectable<SnapshotsTable>, 'body' | 'body_gzip'>;

/** Puts written in one transaction at most: bounds the memory a burst holds and the time the lock is held. */
const MAX_BATCH = 64;

/** A put ready for its transaction: hashed, serialised, times checked. */
interface PendingPut {
  cluster: string;
  node: string;
  collectedAt: Date;
  receivedAt: Date;
  contentHash: string;
  sizeBytes: number;
  body: string | null;
  bodyGzip: Buffer | null;
}

interface QueuedPut {
  put: PendingPut;
  resolve: (r: PutResult) => void;
  reject: (err: unknown) => void;
}

/** The stored JSON text of a row, or null when retention deleted it. */
function bodyText(row: { body: string | null; body_gzip: Buffer | null }): string | null {
  if (row.body !== null) return row.body;
  return row.body_gzip === null ? null : gunzipSync(row.body_gzip).toString('utf8');
}

/** gzip bodies decompressed at most this many ahead of the one being parsed: bounds the memory a 1,000-node read holds. */
const DECOMPRESS_AHEAD = 8;

/**
 * Decompression of many gzip bodies on libuv's thread pool, a few ahead of
 * the caller, so the main thread parses one body while the next ones
 * inflate. `get(i)` must be called for increasing i.
 */
function decompressAhead(rows: Array<{ body_gzip: Buffer | null }>): (i: number) => Promise<Buffer> {
  const started = new Map<number, Promise<Buffer>>();
  let next = 0;
  const startUpTo = (limit: number): void => {
    for (; next < rows.length && next <= limit; next++) {
      const gz = rows[next]!.body_gzip;
      if (gz === null) continue;
      // 1 MiB output chunks: at zlib's default 16 KiB a 400 KB body takes 25 round trips through JS, twice the CPU.
      const p = gunzipAsync(gz, { chunkSize: 1 << 20 });
      // Read later, in order; a failure surfaces there, not as an unhandled rejection.
      p.catch(() => undefined);
      started.set(next, p);
    }
  };
  return (i) => {
    startUpTo(i + DECOMPRESS_AHEAD);
    const p = started.get(i);
    started.delete(i);
    if (p === undefined) throw new Error(`decompressAhead: row ${i} has no gzip body or was read twice`);
    return p;
  };
}

function parseBody(row: { body: string | null; body_gzip: Buffer | null }): Snapshot | null {
  const text = bodyText(row);
  return text === null ? null : (JSON.parse(text) as Snapshot);
}

class SqlStore implements Store {
  readonly kind: StoreKind;
  readonly location: string;
  readonly appliedMigrations: readonly string[];
  private readonly db: Kysely<StoreDatabase>;
  private closed = false;
  private readonly queue: QueuedPut[] = [];
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly d: StoreDialect,
    private readonly retention: Required<RetentionPolicy>,
    applied: string[],
  ) {
    this.kind = d.kind;
    this.location = d.location;
    this.appliedMigrations = Object.freeze([...applied]);
    this.db = d.db;
  }

  // --- clusters ---------------------------------------------------------

  async createCluster(name: string): Promise<ClusterSummary> {
    checkCluster(name);
    if (!(await this.insertCluster(name))) throw new StoreError('cluster_exists', `cluster ${name} already exists`);
    return this.clusterSummary(name);
  }

  async ensureCluster(name: string): Promise<ClusterSummary> {
    checkCluster(name);
    await this.insertCluster(name);
    return this.clusterSummary(name);
  }

  /** True when this call created the row; ON CONFLICT keeps concurrent creators from erroring. */
  private async insertCluster(name: string): Promise<boolean> {
    const now = this.d.toDb(new Date());
    const result = await this.db
      .insertInto('clusters')
      .values({ name, revision: 0, created_at: now, updated_at: now })
      .onConflict((oc) => oc.column('name').doNothing())
      .executeTakeFirst();
    return toCount(result.numInsertedOrUpdatedRows) > 0;
  }

  private clusterQuery() {
    const nodes = this.db
      .selectFrom('snapshots')
      .select((eb) => ['cluster', eb.fn.count<number | string>('node').distinct().as('nodes')])
      .groupBy('cluster')
      .as('s');
    return this.db
      .selectFrom('clusters as c')
      .leftJoin(nodes, 's.cluster', 'c.name')
      .select(['c.name', 'c.revision', 'c.created_at', 'c.updated_at', 's.nodes']);
  }

  private async clusterSummary(name: string): Promise<ClusterSummary> {
    const row = await this.clusterQuery().where('c.name', '=', name).executeTakeFirst();
    if (!row) throw new StoreError('cluster_not_found', `no cluster named ${name}`);
    return {
      name: row.name,
      revision: row.revision,
      nodes: toCount(row.nodes),
      createdAt: this.d.fromDb(row.created_at),
      updatedAt: this.d.fromDb(row.updated_at),
    };
  }

  /** One round trip to the database (health checks): throws when it cannot answer. */
  async ping(): Promise<void> {
    await sql`select 1`.execute(this.db);
  }

  async listClusters(): Promise<ClusterSummary[]> {
    const rows = await this.clusterQuery().orderBy('c.name').execute();
    return rows.map((row) => ({
      name: row.name,
      revision: row.revision,
      nodes: toCount(row.nodes),
      createdAt: this.d.fromDb(row.created_at),
      updatedAt: this.d.fromDb(row.updated_at),
    }));
  }

  async revision(cluster: string): Promise<number> {
    checkCluster(cluster);
    const row = await this.db.selectFrom('clusters').select('revision').where('name', '=', cluster).executeTakeFirst();
    if (!row) throw new StoreError('cluster_not_found', `no cluster named ${cluster}`);
    return row.revision;
  }

  // --- tokens -----------------------------------------------------------

  async createToken(cluster: string, label?: string): Promise<CreatedToken> {
    await this.revision(cluster);
    if (label !== undefined && label.length > MAX_LABEL) {
      throw new StoreError('invalid_argument', `token label is longer than ${MAX_LABEL} characters`);
    }
    const { token, hash } = generateToken();
    const row = await this.db
      .insertInto('tokens')
      .values({ cluster, token_hash: hash, label: label ?? null, created_at: this.d.toDb(new Date()), revoked_at: null })
      .returning('id')
      .executeTakeFirstOrThrow();
    return { id: row.id, token };
  }

  async verifyToken(cluster: string, token: string): Promise<boolean> {
    if (typeof token !== 'string' || !isWellFormedToken(token)) return false;
    const hash = hashToken(token);
    const row = await this.db
      .selectFrom('tokens')
      .select(['cluster', 'token_hash'])
      .where('token_hash', '=', hash)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    // The index lookup already matched the hash; comparing again in constant
    // time keeps the decision itself free of early-exit timing.
    return row !== undefined && hashesEqual(row.token_hash, hash) && row.cluster === cluster;
  }

  async listTokens(cluster: string): Promise<TokenInfo[]> {
    await this.revision(cluster);
    const rows = await this.db
      .selectFrom('tokens')
      .select(['id', 'cluster', 'label', 'created_at', 'revoked_at'])
      .where('cluster', '=', cluster)
      // Ids, not timestamps: two tokens created in one millisecond still list in creation order.
      .orderBy('id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      cluster: r.cluster,
      label: r.label,
      createdAt: this.d.fromDb(r.created_at),
      revokedAt: r.revoked_at === null ? null : this.d.fromDb(r.revoked_at),
    }));
  }

  async revokeToken(id: number): Promise<boolean> {
    if (!Number.isSafeInteger(id)) return false;
    const result = await this.db
      .updateTable('tokens')
      .set({ revoked_at: this.d.toDb(new Date()) })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return toCount(result.numUpdatedRows) > 0;
  }

  // --- snapshots --------------------------------------------------------

  async putSnapshot(cluster: string, node: string, snapshot: Snapshot, opts: PutOptions = {}): Promise<PutResult> {
    const { receivedAt, collectedAt } = this.checkPut(cluster, node, snapshot.collectedAt, opts);
    // Serialising and hashing happen before the transaction: the cluster lock
    // is held only for the few statements of the write.
    const body = canonicalJson(snapshot);
    return this.enqueue({ cluster, node, collectedAt, receivedAt, contentHash: sha256Hex(body), sizeBytes: Buffer.byteLength(body, 'utf8'), body, bodyGzip: null });
  }

  async putReceived(cluster: string, node: string, doc: ReceivedDocument, opts: PutOptions = {}): Promise<PutResult> {
    const { receivedAt, collectedAt } = this.checkPut(cluster, node, doc.collectedAt, opts);
    return this.enqueue({ cluster, node, collectedAt, receivedAt, contentHash: doc.contentHash, sizeBytes: doc.sizeBytes, body: null, bodyGzip: doc.gzip });
  }

  private checkPut(cluster: string, node: string, collected: string | undefined, opts: PutOptions): { receivedAt: Date; collectedAt: Date } {
    checkCluster(cluster);
    checkNode(node);
    if (this.closed) throw new StoreError('invalid_argument', 'the store is closed');
    const receivedAt = opts.receivedAt ?? new Date();
    const collectedAt = collected === undefined ? receivedAt : new Date(collected);
    if (Number.isNaN(collectedAt.getTime()) || Number.isNaN(receivedAt.getTime())) {
      throw new StoreError('invalid_argument', 'collectedAt/receivedAt is not a valid time');
    }
    return { receivedAt, collectedAt };
  }

  private enqueue(put: PendingPut): Promise<PutResult> {
    return new Promise<PutResult>((resolve, reject) => {
      this.queue.push({ put, resolve, reject });
      if (this.flushing === undefined) this.flushing = this.flush();
    });
  }

  /**
   * Group commit: puts that arrive while a write transaction is committing
   * are written together in the next one, so a burst of pushes pays one
   * commit (one fsync with synchronous=FULL, one WAL flush on PostgreSQL)
   * instead of one each. A put resolves only after its transaction
   * committed, so an acknowledged snapshot is as durable as before. If a
   * batch fails, its puts are retried one transaction each, so one bad put
   * fails alone and the others are written exactly as they would have been.
   */
  private async flush(): Promise<void> {
    // Let the puts of this event-loop turn join the first batch.
    await new Promise<void>((resolve) => setImmediate(resolve));
    try {
      while (this.queue.length > 0) {
        // Locks in one order (cluster name) whatever the arrival order: two
        // servers on one PostgreSQL cannot deadlock on each other's batches.
        // Within a cluster the sort is stable, so revisions follow arrival.
        const batch = this.queue.splice(0, MAX_BATCH).sort((a, b) => (a.put.cluster < b.put.cluster ? -1 : a.put.cluster > b.put.cluster ? 1 : 0));
        let results: PutResult[];
        try {
          results = await this.db.transaction().execute(async (trx) => {
            const out: PutResult[] = [];
            const locked = new Map<string, number>();
            for (const { put } of batch) out.push(await this.writeOne(trx, put, locked));
            return out;
          });
        } catch (err) {
          if (batch.length === 1) {
            batch[0]!.reject(err);
            continue;
          }
          // One transaction each: the put at fault fails alone.
          for (const p of batch) {
            try {
              p.resolve(await this.db.transaction().execute((trx) => this.writeOne(trx, p.put, new Map())));
            } catch (e) {
              p.reject(e);
            }
          }
          continue;
        }
        batch.forEach((p, i) => p.resolve(results[i]!));
      }
    } finally {
      // The loop ends on an empty queue in the same turn, so the next put starts a new flush.
      this.flushing = undefined;
    }
  }

  /** One put inside a write transaction; `locked` holds the revisions of the clusters this transaction already locked. */
  private async writeOne(trx: Transaction<StoreDatabase>, put: PendingPut, locked: Map<string, number>): Promise<PutResult> {
    const d = this.d;
    const { cluster, node } = put;
    let current = locked.get(cluster);
    if (current === undefined) {
      current = await d.lockCluster(trx, cluster);
      if (current === undefined) throw new StoreError('cluster_not_found', `no cluster named ${cluster}`);
    }

    const same = await trx
      .selectFrom('snapshots')
      .select(['id', 'revision', 'deleted_at'])
      .where('cluster', '=', cluster)
      .where('node', '=', node)
      .where('content_hash', '=', put.contentHash)
      .executeTakeFirst();
    if (same) {
      locked.set(cluster, current);
      if (same.deleted_at !== null) {
        // Retention had dropped this body; the re-send carries the very same
        // bytes, so the evidence can come back without changing any revision.
        await trx.updateTable('snapshots').set({ body: put.body, body_gzip: put.bodyGzip, deleted_at: null }).where('id', '=', same.id).execute();
      }
      return { id: same.id, revision: same.revision, status: 'duplicate' as const };
    }

    const latest = await trx
      .selectFrom('snapshots')
      .select('collected_at')
      .where('cluster', '=', cluster)
      .where('node', '=', node)
      .orderBy('collected_at', 'desc')
      .orderBy('revision', 'desc')
      .limit(1)
      .executeTakeFirst();
    const status = latest && d.fromDb(latest.collected_at).getTime() > put.collectedAt.getTime() ? 'history' : 'accepted';

    const revision = current + 1;
    await trx
      .updateTable('clusters')
      .set({ revision, updated_at: d.toDb(put.receivedAt) })
      .where('name', '=', cluster)
      .execute();
    const inserted = await trx
      .insertInto('snapshots')
      .values({
        cluster,
        node,
        revision,
        collected_at: d.toDb(put.collectedAt),
        received_at: d.toDb(put.receivedAt),
        content_hash: put.contentHash,
        size_bytes: put.sizeBytes,
        body: put.body,
        body_gzip: put.bodyGzip,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    locked.set(cluster, revision);
    return { id: inserted.id, revision, status };
  }

  /** Resolves a requested revision against the cluster's current one. */
  private async revisionAt(cluster: string, revision: number | undefined): Promise<number> {
    const current = await this.revision(cluster);
    if (revision === undefined) return current;
    if (!Number.isSafeInteger(revision) || revision < 0 || revision > current) {
      throw new StoreError(
        'revision_out_of_range',
        `revision ${revision} of cluster ${cluster} does not exist (current revision is ${current})`,
      );
    }
    return revision;
  }

  /**
   * Per node, the snapshots accepted at or before `at`, ranked newest first
   * (collectedAt, then revision) with the node's count. Bodies stay out of
   * the window query: callers join them for rank 1 only.
   */
  private rankedAt(cluster: string, at: number) {
    return this.db
      .selectFrom('snapshots')
      .select([
        'id',
        'node',
        'revision',
        'collected_at',
        'deleted_at',
        sql<number | string>`row_number() over (partition by node order by collected_at desc, revision desc)`.as('rank'),
        sql<number | string>`count(*) over (partition by node)`.as('count'),
      ])
      .where('cluster', '=', cluster)
      .where('revision', '<=', at)
      .as('r');
  }

  async latestAt(cluster: string, revision?: number): Promise<ClusterAt> {
    const at = await this.revisionAt(cluster, revision);
    const rows = await this.db
      .selectFrom(this.rankedAt(cluster, at))
      .innerJoin('snapshots as s', 's.id', 'r.id')
      .select(['r.id', 'r.node', 'r.revision', 'r.collected_at', 'r.deleted_at', 's.body', 's.body_gzip'])
      .where('r.rank', '=', 1)
      .orderBy('r.node')
      .execute();
    const texts = decompressAhead(rows);
    const snapshots: NodeSnapshotAt[] = [];
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const text = row.body ?? (row.body_gzip === null ? null : (await texts(i)).toString('utf8'));
      snapshots.push({
        id: row.id,
        node: row.node,
        revision: row.revision,
        collectedAt: this.d.fromDb(row.collected_at),
        snapshot: text === null ? null : (JSON.parse(text) as Snapshot),
        deleted: row.body === null && row.body_gzip === null,
      });
    }
    return { revision: at, snapshots };
  }

  async listNodes(cluster: string, revision?: number): Promise<NodeSummary[]> {
    const at = await this.revisionAt(cluster, revision);
    const rows = await this.db
      .selectFrom(this.rankedAt(cluster, at))
      .selectAll()
      .where('rank', '=', 1)
      .orderBy('node')
      .execute();
    return rows.map((row) => ({
      node: row.node,
      latestSnapshotId: row.id,
      collectedAt: this.d.fromDb(row.collected_at),
      revision: row.revision,
      snapshots: toCount(row.count),
      deleted: row.deleted_at !== null,
    }));
  }

  private metaColumns = [
    'id',
    'cluster',
    'node',
    'revision',
    'collected_at',
    'received_at',
    'content_hash',
    'size_bytes',
    'deleted_at',
  ] as const;

  private toMeta(row: MetaRow): SnapshotMeta {
    return {
      id: row.id,
      cluster: row.cluster,
      node: row.node,
      revision: row.revision,
      collectedAt: this.d.fromDb(row.collected_at),
      receivedAt: this.d.fromDb(row.received_at),
      contentHash: row.content_hash,
      sizeBytes: row.size_bytes,
      deleted: row.deleted_at !== null,
      deletedAt: row.deleted_at === null ? null : this.d.fromDb(row.deleted_at),
    };
  }

  async history(cluster: string, node: string, opts: HistoryOptions = {}): Promise<SnapshotMeta[]> {
    await this.revision(cluster);
    const limit = opts.limit ?? DEFAULT_HISTORY_LIMIT;
    if (!Number.isSafeInteger(limit) || limit < 1) {
      throw new StoreError('invalid_argument', `history limit must be a positive integer (got ${limit})`);
    }
    const rows = await this.db
      .selectFrom('snapshots')
      .select(this.metaColumns)
      .where('cluster', '=', cluster)
      .where('node', '=', node)
      .orderBy('collected_at', 'desc')
      .orderBy('revision', 'desc')
      .limit(Math.min(limit, MAX_HISTORY_LIMIT))
      .execute();
    return rows.map((row) => this.toMeta(row));
  }

  async getSnapshot(cluster: string, id: number): Promise<StoredSnapshot | null> {
    if (!Number.isSafeInteger(id) || id < 1) return null;
    const row = await this.db
      .selectFrom('snapshots')
      .select([...this.metaColumns, 'body', 'body_gzip'])
      .where('cluster', '=', cluster)
      .where('id', '=', id)
      .executeTakeFirst();
    if (!row) return null;
    return { meta: this.toMeta(row), snapshot: parseBody(row) };
  }

  // --- retention --------------------------------------------------------

  async applyRetention(now: Date = new Date()): Promise<RetentionResult> {
    const { maxAgeDays, maxPerNode } = this.retention;
    const byAge = Number.isFinite(maxAgeDays);
    const byCount = Number.isFinite(maxPerNode);
    if (!byAge && !byCount) return { deleted: 0 };
    const cutoff = byAge ? this.d.toDb(new Date(now.getTime() - maxAgeDays * DAY_MS)) : undefined;

    const ranked = this.db
      .selectFrom('snapshots')
      .select([
        'id',
        'collected_at',
        'deleted_at',
        sql<number>`row_number() over (partition by cluster, node order by collected_at desc, revision desc)`.as('rank'),
      ])
      .as('r');
    const victims = await this.db
      .selectFrom(ranked)
      .select('id')
      // Rank 1 is the node's current latest: the dashboard's default view
      // must always have evidence, however old.
      .where('rank', '>', 1)
      .where('deleted_at', 'is', null)
      .where((eb) =>
        eb.or([
          ...(byCount ? [eb('rank', '>', maxPerNode)] : []),
          ...(cutoff !== undefined ? [eb('collected_at', '<', cutoff)] : []),
        ]),
      )
      .orderBy('id')
      .execute();

    // No transaction spans the chunks: ranks only grow as snapshots arrive
    // (rows are never removed), so a row chosen above stays a non-latest one.
    let deleted = 0;
    const deletedAt = this.d.toDb(now);
    for (let i = 0; i < victims.length; i += RETENTION_CHUNK) {
      const ids = victims.slice(i, i + RETENTION_CHUNK).map((v) => v.id);
      const result = await this.db
        .updateTable('snapshots')
        .set({ body: null, body_gzip: null, deleted_at: deletedAt })
        .where('id', 'in', ids)
        .where('deleted_at', 'is', null)
        .executeTakeFirst();
      deleted += toCount(result.numUpdatedRows);
    }
    return { deleted };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Puts already accepted into the queue are written before the connection goes.
    while (this.flushing !== undefined) await this.flushing;
    await this.d.destroy();
  }
}
