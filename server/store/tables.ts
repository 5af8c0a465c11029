/**
 * Row shapes of the store's tables as Kysely sees them. Timestamps are
 * `DbTime` because the two engines disagree (PostgreSQL `timestamptz` ↔ Date,
 * SQLite ISO text ↔ string); dialect.ts converts both ways so nothing else
 * has to care.
 */
import type { ColumnType, Generated } from 'kysely';

/** A timestamp column: a Date on PostgreSQL, ISO-8601 UTC text on SQLite. */
export type DbTime = ColumnType<Date | string, Date | string, Date | string>;

/** `clusters`: one row per cluster; its revision counter is the write lock of the cluster. */
export interface ClustersTable {
  name: string;
  revision: number;
  created_at: DbTime;
  updated_at: DbTime;
}

/** `tokens`: ingest tokens, stored as the sha256 of the plain token only. */
export interface TokensTable {
  id: Generated<number>;
  cluster: string;
  /** sha256 hex of the whole plain token (`pn_…`). */
  token_hash: string;
  label: string | null;
  created_at: DbTime;
  revoked_at: DbTime | null;
}

/** `snapshots`: one row per accepted snapshot; `body` goes null when retention deletes it. */
export interface SnapshotsTable {
  id: Generated<number>;
  cluster: string;
  node: string;
  revision: number;
  collected_at: DbTime;
  received_at: DbTime;
  content_hash: string;
  size_bytes: number;
  /**
   * The snapshot's JSON text, byte for byte what content_hash covers: the
   * document as received, or canonical JSON when the server assembled it.
   * Null when the text is kept in `body_gzip` or retention deleted it.
   */
  body: string | null;
  /** The same JSON text as gzip bytes (schema 2); null when kept in `body` or deleted. */
  body_gzip: Buffer | null;
  deleted_at: DbTime | null;
}

/** The whole database as Kysely's type parameter. */
export interface StoreDatabase {
  clusters: ClustersTable;
  tokens: TokensTable;
  snapshots: SnapshotsTable;
}
