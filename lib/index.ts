/**
 * The podnet engine's public surface. Pure TypeScript: no React, Next,
 * database or child_process below `lib/`, so the CLI, the API, the collector
 * and the UI are thin shells around these functions.
 */
export * from './snapshot/schema';
export * from './snapshot/validate';
export * from './read/types';
export * from './topology/types';
export * from './trace/types';
