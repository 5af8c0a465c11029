/**
 * The public face of the snapshot store: what the ingest API and the
 * dashboard's server code program against. The same interface is served by
 * the embedded SQLite store and by PostgreSQL (see openStore).
 *
 * Vocabulary:
 * - a *cluster* has a revision counter that advances by one for every
 *   snapshot accepted into it (duplicates do not advance it);
 * - "at revision R" means: per node, the latest snapshot (greatest
 *   collectedAt, ties by greatest revision) among those accepted at or
 *   before R. A dashboard link that pins R therefore shows the same evidence
 *   forever, even after newer snapshots arrive;
 * - retention deletes snapshot *bodies* but keeps their metadata rows, so a
 *   pinned revision can still say which evidence existed and that it is gone.
 */
import type { Snapshot } from '../../lib/snapshot/schema';

/** Which database engine serves a store. */
export type StoreKind =
  /** Embedded better-sqlite3 file under the data directory (the zero-set-up default). */
  | 'sqlite'
  /** A PostgreSQL server reached through DATABASE_URL. */
  | 'postgres';

/** How much history to keep; applied by Store.applyRetention. */
export interface RetentionPolicy {
  /**
   * Delete bodies of snapshots collected more than this many days before
   * `now`. Default 30. `Infinity` keeps them regardless of age.
   */
  maxAgeDays?: number;
  /**
   * Keep the bodies of at most this many snapshots per node (the newest by
   * collectedAt). Default 500. `Infinity` keeps any number. Values below 1
   * are treated as 1: the current latest of a node is never deleted.
   */
  maxPerNode?: number;
}

/** Options of openStore. */
export interface OpenStoreOptions {
  /**
   * A `postgres://` URL. `undefined` falls back to `process.env.DATABASE_URL`;
   * `null` or an empty string forces the embedded SQLite store even when the
   * environment names a server (tests rely on this).
   */
  databaseUrl?: string | null;
  /** Directory of the embedded store's file `podnet.db`. Default `./data`; created when missing. */
  dataDir?: string;
  /** Retention limits used by applyRetention. */
  retention?: RetentionPolicy;
  /** PostgreSQL connection pool size. Default 10. */
  poolSize?: number;
}

/** One cluster as listed on the dashboard's landing page. */
export interface ClusterSummary {
  name: string;
  /** Revision of the most recently accepted snapshot; 0 for a cluster with none. */
  revision: number;
  /** Number of distinct nodes that ever pushed a snapshot. */
  nodes: number;
  createdAt: Date;
  /** When the revision last advanced (creation time when it never did). */
  updatedAt: Date;
}

/** A freshly created ingest token. The plain token exists only in this value. */
export interface CreatedToken {
  /** Identifier used to list and revoke the token; not a secret. */
  id: number;
  /** `pn_` followed by 32 random bytes in base64url. Shown once, never stored. */
  token: string;
}

/** A token as listed to an operator: everything except the secret. */
export interface TokenInfo {
  id: number;
  cluster: string;
  label: string | null;
  createdAt: Date;
  /** Set once revoked; a revoked token never verifies again. */
  revokedAt: Date | null;
}

/** What putSnapshot did with a document. */
export type PutStatus =
  /** Stored and now the node's latest snapshot; the cluster revision advanced. */
  | 'accepted'
  /** Same cluster, node and content as a stored snapshot: nothing written, that snapshot's id and revision returned. */
  | 'duplicate'
  /** Stored and the revision advanced, but it was collected before the node's latest, which stays the latest. */
  | 'history';

/** The outcome of putSnapshot. */
export interface PutResult {
  id: number;
  /** Revision at which the snapshot was accepted (for a duplicate: the original's). */
  revision: number;
  status: PutStatus;
}

/** A document as it arrived over the wire, made ready to store by receivedDocument(). */
export interface ReceivedDocument {
  /** gzip bytes that decompress to exactly the received JSON text (no byte-order mark). */
  gzip: Buffer;
  /** sha256 (hex) of that text's UTF-8 bytes. */
  contentHash: string;
  /** Length of that text in UTF-8 bytes. */
  sizeBytes: number;
  /** The document's `collectedAt`, if it has one. */
  collectedAt: string | undefined;
}

/** Options of putSnapshot. */
export interface PutOptions {
  /** Arrival time; defaults to now. Also the collection time of a snapshot without `collectedAt`. */
  receivedAt?: Date;
}

/** Everything the store knows about a snapshot except its body. */
export interface SnapshotMeta {
  id: number;
  cluster: string;
  node: string;
  /** Revision at which it was accepted. */
  revision: number;
  /** The document's `collectedAt`, or its arrival time when the document did not say. */
  collectedAt: Date;
  receivedAt: Date;
  /**
   * sha256 (hex) of the JSON body: the text as received for a document pushed
   * as JSON (PutOptions.received), canonical JSON otherwise. The idempotency key per node.
   */
  contentHash: string;
  /** Size of the JSON body in bytes (uncompressed). */
  sizeBytes: number;
  /** True once retention deleted the body. */
  deleted: boolean;
  deletedAt: Date | null;
}

/** One node's answer in latestAt. */
export interface NodeSnapshotAt {
  id: number;
  node: string;
  revision: number;
  collectedAt: Date;
  /** The document, or null when retention deleted it (then `deleted` is true). */
  snapshot: Snapshot | null;
  deleted: boolean;
}

/** The cluster as it was at one revision. */
export interface ClusterAt {
  /** The revision answered (the current one when none was asked for). */
  revision: number;
  /** One entry per node that had a snapshot at that revision, ordered by node name. */
  snapshots: NodeSnapshotAt[];
}

/** One node in listNodes. */
export interface NodeSummary {
  node: string;
  latestSnapshotId: number;
  collectedAt: Date;
  /** Revision at which the latest snapshot was accepted. */
  revision: number;
  /** Snapshots of this node accepted at or before the revision asked for (deleted bodies included). */
  snapshots: number;
  /** True when the latest snapshot's body was deleted by retention. */
  deleted: boolean;
}

/** A snapshot fetched by id. */
export interface StoredSnapshot {
  meta: SnapshotMeta;
  /** Null when retention deleted the body. */
  snapshot: Snapshot | null;
}

/** Options of history. */
export interface HistoryOptions {
  /** At most this many rows; default 50, capped at 1000. */
  limit?: number;
}

/** The outcome of applyRetention. */
export interface RetentionResult {
  /** Number of snapshot bodies deleted by this run. */
  deleted: number;
}

/** Why a store call was refused. */
export type StoreErrorCode =
  /** The cluster does not exist (create it with createCluster or ensureCluster). */
  | 'cluster_not_found'
  /** createCluster was asked for a name already taken. */
  | 'cluster_exists'
  /** A pinned revision below 0 or beyond the cluster's current revision. */
  | 'revision_out_of_range'
  /** A name, limit or option the store cannot accept. */
  | 'invalid_argument';

/** A refusal the API should turn into a 4xx answer; anything else thrown is a server fault. */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

/**
 * The snapshot store. Every method is async and safe to call concurrently:
 * writes are serialised per cluster inside one database transaction.
 */
export interface Store {
  readonly kind: StoreKind;
  /** Where the data lives: the SQLite file path, or the server URL without its password. */
  readonly location: string;
  /** Migrations applied while opening (empty when the schema was already current). */
  readonly appliedMigrations: readonly string[];

  /** Creates a cluster; StoreError `cluster_exists` when the name is taken. */
  createCluster(name: string): Promise<ClusterSummary>;
  /** Creates the cluster unless it exists; returns it either way. */
  ensureCluster(name: string): Promise<ClusterSummary>;
  /** One round trip to the database (health checks): throws when it cannot answer. */
  ping(): Promise<void>;
  /** All clusters by name. */
  listClusters(): Promise<ClusterSummary[]>;
  /** The cluster's current revision; StoreError `cluster_not_found` for an unknown cluster. */
  revision(cluster: string): Promise<number>;

  /** Creates an ingest token for a cluster. The plain token is returned once and never stored. */
  createToken(cluster: string, label?: string): Promise<CreatedToken>;
  /** True only for an unrevoked token created for exactly this cluster. Never throws on a malformed token. */
  verifyToken(cluster: string, token: string): Promise<boolean>;
  /** The cluster's tokens in creation order, without secrets. */
  listTokens(cluster: string): Promise<TokenInfo[]>;
  /** Revokes a token; true when it was active, false when unknown or already revoked. */
  revokeToken(id: number): Promise<boolean>;

  /**
   * Stores one node's snapshot in one transaction (see PutStatus). The caller
   * has validated the document (lib/snapshot/validate.ts) and authorised the
   * node; `node` is the key, whatever `snapshot.node.name` says.
   */
  putSnapshot(cluster: string, node: string, snapshot: Snapshot, opts?: PutOptions): Promise<PutResult>;
  /**
   * putSnapshot for a document the caller validated and accepted exactly as
   * received (see receivedDocument): the store keeps those bytes and keys
   * duplicates by their sha256 instead of serialising the snapshot again in
   * canonical form — a collector's retry resends the very bytes it spooled.
   */
  putReceived(cluster: string, node: string, doc: ReceivedDocument, opts?: PutOptions): Promise<PutResult>;
  /** Per node, the snapshot in force at `revision` (default: current). */
  latestAt(cluster: string, revision?: number): Promise<ClusterAt>;
  /** Per node, its latest snapshot at `revision` (default: current) and how many it had. */
  listNodes(cluster: string, revision?: number): Promise<NodeSummary[]>;
  /** A node's snapshots, newest (by collectedAt, then revision) first, without bodies. */
  history(cluster: string, node: string, opts?: HistoryOptions): Promise<SnapshotMeta[]>;
  /** One snapshot of the cluster by id; null when there is none with that id in that cluster. */
  getSnapshot(cluster: string, id: number): Promise<StoredSnapshot | null>;

  /** Deletes bodies beyond the retention limits, never a node's current latest. */
  applyRetention(now?: Date): Promise<RetentionResult>;
  /** Closes connections; the store is unusable afterwards. */
  close(): Promise<void>;
}
