/**
 * The `demo` cluster: seeded on first start from the kernel lab's real
 * flannel VXLAN captures, so the dashboard shows a cluster at once.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { validateSnapshot } from '../lib/snapshot/validate';
import type { Store } from './store';

/** Name of the seeded cluster. */
export const DEMO_CLUSTER = 'demo';

/** Where the captures are: PODNET_DEMO_DIR, else the lab's committed set. */
export function demoCaptureDir(): string {
  return process.env.PODNET_DEMO_DIR || path.join(/* turbopackIgnore: true */ process.cwd(), 'e2e', 'lab', 'captures', 'flannel-vxlan');
}

/**
 * Creates and fills `demo` unless a cluster of that name exists (an operator
 * who emptied or replaced it keeps their choice). Returns the number of
 * snapshots stored.
 */
export async function seedDemoCluster(store: Store, dir: string = demoCaptureDir()): Promise<number> {
  const clusters = await store.listClusters();
  if (clusters.some((c) => c.name === DEMO_CLUSTER)) return 0;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const snapshots = files.map((f) => {
    const v = validateSnapshot(JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as unknown);
    if (!v.ok) throw new Error(`${f}: ${v.issues[0]?.path}: ${v.issues[0]?.message}`);
    return v.snapshot;
  });
  if (snapshots.length === 0) throw new Error(`no snapshot JSON files in ${dir}`);
  await store.ensureCluster(DEMO_CLUSTER);
  // Re-sends of the same bytes are duplicates, so two processes seeding at
  // once still end with one copy of each node.
  for (const s of snapshots) await store.putSnapshot(DEMO_CLUSTER, s.node.name, s);
  return snapshots.length;
}
