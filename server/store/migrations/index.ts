/**
 * The store's migrations, defined in code so that the server bundle needs no
 * migration folder at run time. Names sort in application order.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import type { SchemaDialect } from '../dialect';
import type { StoreDatabase } from '../tables';
import { initialMigration } from './0001_initial';
import { bodyGzipMigration } from './0002_body_gzip';

/** Every migration by name, for one engine. */
export function storeMigrations(d: SchemaDialect): Record<string, Migration> {
  return {
    '0001_initial': initialMigration(d),
    '0002_body_gzip': bodyGzipMigration(d),
  };
}

/** Kysely's bookkeeping tables, named so they are recognisably podnet's in a shared database. */
export const MIGRATION_TABLE = 'podnet_migration';
export const MIGRATION_LOCK_TABLE = 'podnet_migration_lock';

/**
 * Brings the schema to the latest version and returns the names applied now
 * (empty when it was current). Kysely's Migrator holds a lock meanwhile, so
 * two servers opening the same PostgreSQL database at once do not both migrate.
 */
export async function migrateToLatest(db: Kysely<StoreDatabase>, d: SchemaDialect): Promise<string[]> {
  const provider: MigrationProvider = { getMigrations: async () => storeMigrations(d) };
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: MIGRATION_TABLE,
    migrationLockTableName: MIGRATION_LOCK_TABLE,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`podnet store: migration ${failed} failed: ${reason}`, { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
