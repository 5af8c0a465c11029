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
  CompiledQuery,
  Kysely,
  PostgresDialect,
  SqliteAdapter,
  SqliteDialect,
  SqliteDriver,
  sql,
  type ColumnDefinitionBuilder,
  type DatabaseConnection,
  type SqliteDatabase,
  type SqliteDialectConfig,
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
  /** Column type of raw bytes. */
  bytesType: 'blob' | 'bytea';
  /** Keeps the engine from compressing `snapshots.body_gzip` again. */
  tuneGzipColumn(db: Kysely<unknown>): Promise<void>;
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
  /** Closes the connection(s). */
  destroy(): Promise<void>;
}

/** Name of the embedded store's file inside the data directory. */
export const SQLITE_FILE = 'podnet.db';

/** Opens the engine the options (or DATABASE_URL) call for. */
export function openDialect(opts: OpenStoreOptions): StoreDialect {
  const url = opts.databaseUrl === undefined ? process.env.DATABASE_URL : opts.databaseUrl;
  if (url) return openPostgres(url, opts.poolSize ?? 10);
  return openSqlite(opts.dataDir ?? './data');
}

/**
 * Kysely's SQLite driver opens deferred transactions, which take the write
 * lock only at their first write and fail outright (SQLITE_BUSY, no waiting)
 * when another process wrote since their first read. Every transaction here
 * writes, so take the lock up front: the wait is then covered by busy_timeout.
 */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

/**
 * SQLite does roll back DDL with the transaction; Kysely's adapter says it
 * does not, which would run migrations outside any transaction: a crash
 * mid-migration would leave half a schema, and two processes opening a new
 * file together would both create the tables. Inside `begin immediate` the
 * second one waits and then finds the migration done.
 */
class TransactionalSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

class PodnetSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;
  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }
  override createDriver(): SqliteDriver {
    return new ImmediateSqliteDriver(this.#config);
  }
  override createAdapter(): SqliteAdapter {
    return new TransactionalSqliteAdapter();
  }
}

/**
 * SQLite files open in this process. better-sqlite3 waits for locks
 * synchronously, so a second connection to the same file in one process
 * would block the very event loop the first one needs to finish its
 * transaction: a 10-second stall, then SQLITE_BUSY. Refusing the second open
 * says so at once. Kept on globalThis so a re-evaluated module (Next.js dev
 * reloads) still sees the files opened before.
 */
const OPEN_FILES_KEY = Symbol.for('podnet.store.openSqliteFiles');
function openSqliteFiles(): Set<string> {
  const g = globalThis as { [OPEN_FILES_KEY]?: Set<string> };
  g[OPEN_FILES_KEY] ??= new Set<string>();
  return g[OPEN_FILES_KEY];
}

/** Distinct statements kept prepared; the store issues a few dozen shapes, retention a few more. */
const STATEMENT_CACHE = 256;

/**
 * The connection as Kysely's SQLite driver sees it, with prepared statements
 * kept by SQL text: the driver prepares every query anew (five statements per
 * put): a group-committed put costs 0.35 ms of CPU with the cache, 0.42 without.
 * better-sqlite3 runs a statement to completion inside all()/run(), so one
 * can be reused by the next query; a statement still iterating (busy) is not
 * handed out again.
 */
function preparedCache(sqlite: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string) {
      const hit = cache.get(text);
      if (hit !== undefined && !hit.busy) return hit;
      const stmt = sqlite.prepare(text);
      if (hit === undefined) {
        if (cache.size >= STATEMENT_CACHE) cache.clear();
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

function openSqlite(dataDir: string): StoreDialect {
  mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, SQLITE_FILE);
  const open = openSqliteFiles();
  if (open.has(file)) {
    throw new Error(`podnet store: ${file} is already open in this process; share one Store instead of opening it twice`);
  }
  const sqlite = new Database(file);
  open.add(file);
  try {
    // WAL: readers never block the writer and a torn write is rolled back
    // from the log on the next open. synchronous=FULL fsyncs the log at every
    // commit, so an acknowledged put survives power loss, not only a crash.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = FULL');
    sqlite.pragma('foreign_keys = ON');
    // Another process (a second server, a build worker) may hold the write lock briefly.
    sqlite.pragma('busy_timeout = 10000');
  } catch (err) {
    sqlite.close();
    open.delete(file);
    throw err;
  }
  const db = new Kysely<StoreDatabase>({ dialect: new PodnetSqliteDialect({ database: preparedCache(sqlite) }) });
  return {
    kind: 'sqlite',
    db,
    location: file,
    timestampType: 'text',
    serialPrimaryKey: (col) => col.primaryKey().autoIncrement(),
    // SQLite stores text uncompressed; nothing to choose.
    tuneBodyColumn: async () => {},
    bytesType: 'blob',
    tuneGzipColumn: async () => {},
    // toISOString always yields the same fixed-width UTC form, so SQLite's
    // text comparison orders these columns chronologically.
    toDb: (date) => date.toISOString(),
    fromDb: (value) => (value instanceof Date ? value : new Date(value)),
    async lockCluster(trx, cluster) {
      // `begin immediate` already holds the database's single write lock.
      const row = await trx.selectFrom('clusters').select('revision').where('name', '=', cluster).executeTakeFirst();
      return row?.revision;
    },
    async destroy() {
      try {
        await db.destroy();
        // Kysely closes the file only if a query ever ran; make sure it is closed.
        if (sqlite.open) sqlite.close();
      } finally {
        open.delete(file);
      }
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
    bytesType: 'bytea',
    async tuneGzipColumn(db) {
      // Out of line but uncompressed: TOAST would only fail to shrink gzip bytes.
      await sql`ALTER TABLE snapshots ALTER COLUMN body_gzip SET STORAGE EXTERNAL`.execute(db);
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
    destroy: () => db.destroy(),
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
