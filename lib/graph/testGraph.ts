/**
 * Fixtures for the graph tests: the kernel lab's real flannel VXLAN capture
 * (three nodes, two pods each) built into a topology, and variants of it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Snapshot } from '../snapshot/schema';
import { validateSnapshot } from '../snapshot/validate';
import { buildTopology } from '../topology/build';
import type { Topology } from '../topology/types';

const LAB = path.join(__dirname, '..', '..', 'e2e', 'lab', 'captures', 'flannel-vxlan');

/** The lab's node snapshots, validated. */
export function labSnapshots(): Snapshot[] {
  return readdirSync(LAB)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const v = validateSnapshot(JSON.parse(readFileSync(path.join(LAB, f), 'utf8')) as unknown);
      if (!v.ok) throw new Error(`${f}: ${v.issues[0]?.message}`);
      return v.snapshot;
    });
}

/** The lab topology, optionally after editing its snapshots. */
export function labTopology(edit?: (s: Snapshot[]) => void): Topology {
  const s = labSnapshots();
  edit?.(s);
  return buildTopology(s);
}
