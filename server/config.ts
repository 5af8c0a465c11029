/**
 * The server's settings, read from the environment once per call site. Every
 * bound has a safe default; nothing here has a default secret.
 */
import { availableParallelism } from 'node:os';

/** Request bodies above this many bytes (compressed or not) are refused with 413. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;

/** Server settings taken from the environment. */
export interface ServerConfig {
  /** PODNET_MAX_BODY_BYTES: the largest request body, after decompression too. */
  maxBodyBytes: number;
  /** PODNET_DATA_DIR: where the embedded store keeps `podnet.db`. */
  dataDir: string;
  /** DATABASE_URL: PostgreSQL instead of the embedded store. */
  databaseUrl: string | undefined;
  /** PODNET_VIEWER_TOKEN: when set, every read needs it (bearer or cookie). */
  viewerToken: string | undefined;
  /** PODNET_SEED_DEMO=0 turns off seeding the `demo` cluster. */
  seedDemo: boolean;
  /** PODNET_RETENTION_MAX_AGE_DAYS / PODNET_RETENTION_MAX_PER_NODE. */
  retention: { maxAgeDays?: number; maxPerNode?: number };
  /** PODNET_RETENTION_INTERVAL_MINUTES: how often retention runs; 0 turns it off. Default 60. */
  retentionIntervalMinutes: number;
  /** PODNET_TOPOLOGY_CACHE_ENTRIES / PODNET_TOPOLOGY_CACHE_MB: bounds of the per-revision cache. */
  topologyCacheEntries: number;
  topologyCacheBytes: number;
  /** PODNET_INGEST_WORKERS: threads that decode pushes (default one per core, at most 4; 0 = on the request thread). */
  ingestWorkers: number;
}

function positiveNumber(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined || raw.trim() === '') return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${raw} is not a non-negative number`);
  return n;
}

/** Reads the settings from `env` (default process.env); throws on a malformed value so a typo is not silently ignored. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): ServerConfig {
  const maxAge = env.PODNET_RETENTION_MAX_AGE_DAYS;
  const maxPerNode = env.PODNET_RETENTION_MAX_PER_NODE;
  const retention: ServerConfig['retention'] = {};
  if (maxAge !== undefined && maxAge !== '') retention.maxAgeDays = positiveNumber('PODNET_RETENTION_MAX_AGE_DAYS', maxAge, 30);
  if (maxPerNode !== undefined && maxPerNode !== '') {
    retention.maxPerNode = positiveNumber('PODNET_RETENTION_MAX_PER_NODE', maxPerNode, 500);
  }
  const viewer = env.PODNET_VIEWER_TOKEN;
  return {
    maxBodyBytes: Math.max(1, Math.floor(positiveNumber('PODNET_MAX_BODY_BYTES', env.PODNET_MAX_BODY_BYTES, DEFAULT_MAX_BODY_BYTES))),
    dataDir: env.PODNET_DATA_DIR && env.PODNET_DATA_DIR !== '' ? env.PODNET_DATA_DIR : './data',
    databaseUrl: env.DATABASE_URL && env.DATABASE_URL !== '' ? env.DATABASE_URL : undefined,
    viewerToken: viewer && viewer !== '' ? viewer : undefined,
    seedDemo: env.PODNET_SEED_DEMO !== '0',
    retention,
    retentionIntervalMinutes: positiveNumber('PODNET_RETENTION_INTERVAL_MINUTES', env.PODNET_RETENTION_INTERVAL_MINUTES, 60),
    topologyCacheEntries: Math.max(1, Math.floor(positiveNumber('PODNET_TOPOLOGY_CACHE_ENTRIES', env.PODNET_TOPOLOGY_CACHE_ENTRIES, 64))),
    topologyCacheBytes: Math.floor(positiveNumber('PODNET_TOPOLOGY_CACHE_MB', env.PODNET_TOPOLOGY_CACHE_MB, 256) * 1024 * 1024),
    ingestWorkers: Math.min(4, Math.floor(positiveNumber('PODNET_INGEST_WORKERS', env.PODNET_INGEST_WORKERS, availableParallelism()))),
  };
}
