/**
 * Schema version 2: `snapshots.body_gzip`, the body as gzip bytes. A
 * collector sends its snapshot gzip-compressed (~35 KB for a 400 KB
 * document); keeping those bytes instead of the text cuts what every write
 * puts through the WAL (or TOAST) about tenfold. Rows keep either `body`
 * (text) or `body_gzip`; retention clears both.
 */
import type { Kysely, Migration } from 'kysely';
import type { SchemaDialect } from '../dialect';

export function bodyGzipMigration(d: SchemaDialect): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('snapshots').addColumn('body_gzip', d.bytesType).execute();
      await d.tuneGzipColumn(db);
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.alterTable('snapshots').dropColumn('body_gzip').execute();
    },
  };
}
