/**
 * Schema version 1: clusters with their revision counter, ingest tokens
 * (hashes only), and snapshots whose metadata outlives their body.
 *
 * A migration, once released, never changes: later schema changes are new
 * files (0002_…) registered in migrations/index.ts.
 */
import type { Kysely, Migration } from 'kysely';
import type { SchemaDialect } from '../dialect';

export function initialMigration(d: SchemaDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      const ts = d.timestampType;
      await db.schema
        .createTable('clusters')
        .addColumn('name', 'text', (c) => c.primaryKey())
        .addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('updated_at', ts, (c) => c.notNull())
        .execute();

      await db.schema
        .createTable('tokens')
        .addColumn('id', 'integer', (c) => d.serialPrimaryKey(c))
        .addColumn('cluster', 'text', (c) => c.notNull().references('clusters.name').onDelete('cascade'))
        .addColumn('token_hash', 'text', (c) => c.notNull().unique())
        .addColumn('label', 'text')
        .addColumn('created_at', ts, (c) => c.notNull())
        .addColumn('revoked_at', ts)
        .execute();
      await db.schema.createIndex('tokens_cluster').on('tokens').column('cluster').execute();

      await db.schema
        .createTable('snapshots')
        .addColumn('id', 'integer', (c) => d.serialPrimaryKey(c))
        .addColumn('cluster', 'text', (c) => c.notNull().references('clusters.name').onDelete('cascade'))
        .addColumn('node', 'text', (c) => c.notNull())
        .addColumn('revision', 'integer', (c) => c.notNull())
        .addColumn('collected_at', ts, (c) => c.notNull())
        .addColumn('received_at', ts, (c) => c.notNull())
        .addColumn('content_hash', 'text', (c) => c.notNull())
        .addColumn('size_bytes', 'integer', (c) => c.notNull())
        // Text, not jsonb, on PostgreSQL too: the store never queries inside a
        // document, and text keeps the canonical bytes the hash was taken over.
        .addColumn('body', 'text')
        .addColumn('deleted_at', ts)
        // The database itself refuses two snapshots at one revision, whatever
        // the locking code gets wrong.
        .addUniqueConstraint('snapshots_cluster_revision', ['cluster', 'revision'])
        .addUniqueConstraint('snapshots_cluster_node_content', ['cluster', 'node', 'content_hash'])
        .execute();
      await d.tuneBodyColumn(db);
      // Serves "latest per node at revision R" and per-node history.
      await db.schema
        .createIndex('snapshots_cluster_node_collected')
        .on('snapshots')
        .columns(['cluster', 'node', 'collected_at', 'revision'])
        .execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropTable('snapshots').execute();
      await db.schema.dropTable('tokens').execute();
      await db.schema.dropTable('clusters').execute();
    },
  };
}
