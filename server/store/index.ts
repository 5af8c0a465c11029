/**
 * The snapshot store for the dashboard's server: `openStore()` and its types.
 * Server-only (better-sqlite3, pg, node:fs): never import it from lib/ or
 * from client components.
 */
export { openStore, DEFAULT_RETENTION } from './store';
export { StoreError } from './types';
export type * from './types';
export { canonicalJson, receivedDocument, sha256Hex } from './contentHash';
