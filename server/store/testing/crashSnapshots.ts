/**
 * The documents the crash test writes, reproducible from their number alone
 * so the parent can check what the killed child acknowledged.
 */
import type { Snapshot } from '../../../lib/snapshot/schema';
import { generateFlannelCluster } from '../../../lib/synthetic/flannelCluster';

/** Cluster the crash test writes into. */
export const CRASH_CLUSTER = 'crash';
const NODES = 8;
const T0 = Date.UTC(2025, 0, 15, 10, 0, 0);
let cluster: Snapshot[] | undefined;

/** Snapshot number `n`: node `n mod 8` of a 110-pods-per-node flannel cluster, collected `n` seconds after T0. */
export function crashSnapshot(n: number): Snapshot {
  cluster ??= generateFlannelCluster({ nodes: NODES, podsPerNode: 110, seed: 7 });
  const base = cluster[n % NODES];
  if (!base) throw new Error('generator returned too few nodes');
  return { ...base, collectedAt: new Date(T0 + n * 1000).toISOString() };
}
