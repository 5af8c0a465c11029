/**
 * Everything that differs between the embedded SQLite store and PostgreSQL,
 * in one place: how to connect, the column types that do not translate
 * (auto-increment ids, timestamps), timestamp conversion, and how a write
 * transaction takes the cluster's lock. The rest of the store is one Kysely
 * query layer that runs unchanged on both.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import {
  Kysely,
  sql,
  PostgresDialect,
  SqliteDialect,
  type ColumnDefinitionBuilder,
  type Transaction,
} from 'kysely';
import type { StoreDatabase } from './tables';
import type { OpenStoreOptions, StoreKind } from './types';

/** What a migration needs to know about the engine it runs on. */
export interface SchemaDialect {
  kind: StoreKind;
  /** Column type of every timestamp column. */
  timestampType: 'text' | 'timestamptz';
  /** Makes an `integer` column the auto-numbered primary key. */
  serialPrimaryKey(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** Picks the cheapest compression the engine offers for the large `snapshots.body` column. */
  tuneBodyColumn(db: Kysely<unknown>): Promise<void>;
}

/** An open connection to one engine plus the few operations that differ between engines. */
export interface StoreDialect extends SchemaDialect {
  db: Kysely<StoreDatabase>;
  /** The SQLite file, or the server URL without its password. */
  location: string;
  /** A timestamp as the engine stores it. */
  toDb(date: Date): Date | string;
  /** A timestamp as the engine returned it. */
  fromDb(value: Date | string): Date;
  /**
   * Inside a write transaction: takes the cluster's write lock and returns
   * its current revision, or undefined when the cluster does not exist.
   * Everything the transaction reads afterwards is stable until it commits,
   * which is what makes revisions distinct and gap-free under concurrency.
   */
  lockCluster(trx: Transaction<StoreDatabase>, cluster: string): Promise<number | undefined>;
}

/** Name of the embedded store's file inside the data directory. */
export const SQLITE_FILE = 'podnet.db';

/** Opens the engine the options (or DATABASE_URL) call for. */
export function openDialect(opts: OpenStoreOptions): StoreDialect {
  const url = opts.databaseUrl === undefined ? process.env.DATABASE_URL : opts.databaseUrl;
  if (url) return openPostgres(url, opts.poolSize ?? 10);
  return openSqlite(opts.dataDir ?? './data');
}

function openSqlite(dataDir: string): StoreDialect {
  mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, SQLITE_FILE);
  const sqlite = new Database(file);
  // WAL: readers never block the writer and a torn write is rolled back from
  // the log on the next open. synchronous=FULL fsyncs the log at every commit,
  // so an acknowledged put survives power loss, not only a process crash.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Another process (a second server, a CLI) may hold the write lock briefly.
  sqlite.pragma('busy_timeout = 10000');
  const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  return {
    kind: 'sqlite',
    db,
    location: file,
    timestampType: 'text',
    serialPrimaryKey: (col) => col.primaryKey().autoIncrement(),
    // SQLite stores text uncompressed; nothing to choose.
    tuneBodyColumn: async () => {},
    // toISOString always yields the same fixed-width UTC form, so SQLite's
    // text comparison orders these columns chronologically.
    toDb: (date) => date.toISOString(),
    fromDb: (value) => (value instanceof Date ? value : new Date(value)),
    async lockCluster(trx, cluster) {
      // Kysely opens a deferred transaction; a first statement that writes
      // takes SQLite's single write lock at once (waiting on busy_timeout)
      // instead of failing later when a read lock would need upgrading.
      await trx
        .updateTable('clusters')
        .set((eb) => ({ revision: eb.ref('revision') }))
        .where('name', '=', cluster)
        .execute();
      const row = await trx.selectFrom('clusters').select('revision').where('name', '=', cluster).executeTakeFirst();
      return row?.revision;
    },
  };
}

function openPostgres(url: string, poolSize: number): StoreDialect {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection emits 'error' on the pool; without a
  // listener Node would crash the server. The next query reconnects.
  pool.on('error', (err) => {
    console.warn(`podnet store: idle PostgreSQL connection failed: ${err.message}`);
  });
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  return {
    kind: 'postgres',
    db,
    location: redactUrl(url),
    timestampType: 'timestamptz',
    serialPrimaryKey: (col) => col.primaryKey().generatedByDefaultAsIdentity(),
    async tuneBodyColumn(db) {
      // TOAST compresses every 400 KB body; lz4 (PostgreSQL 14+, when built
      // with it) halves the insert cost of pglz here at the same size. Older
      // or lz4-less servers keep pglz.
      await sql`DO $$ BEGIN
        IF current_setting('server_version_num')::int >= 140000 THEN
          EXECUTE 'ALTER TABLE snapshots ALTER COLUMN body SET COMPRESSION lz4';
        END IF;
      EXCEPTION WHEN OTHERS THEN NULL;
      END $$`.execute(db);
    },
    toDb: (date) => date,
    fromDb: (value) => (value instanceof Date ? value : new Date(value)),
    async lockCluster(trx, cluster) {
      const row = await trx
        .selectFrom('clusters')
        .select('revision')
        .where('name', '=', cluster)
        .forUpdate()
        .executeTakeFirst();
      return row?.revision;
    },
  };
}

/** The URL without its password, for logs and `Store.location`. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable DATABASE_URL)';
  }
}
