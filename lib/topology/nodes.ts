/**
 * Which snapshot speaks for each node. A node captured twice (an upload
 * repeated, a collector run again) keeps its latest snapshot so the graph is
 * one moment of the node, never a mix of two.
 */
import type { Snapshot } from '../snapshot/schema';
import type { Warnings } from './cluster';

/** One snapshot per node name, the latest by `collectedAt` (the last given when times are missing), sorted by node name. */
export function latestPerNode(snapshots: readonly Snapshot[], warnings: Warnings): Snapshot[] {
  const chosen = new Map<string, Snapshot>();
  for (const snap of snapshots) {
    const name = snap.node.name;
    const previous = chosen.get(name);
    if (previous === undefined) {
      chosen.set(name, snap);
      continue;
    }
    const keep = isLater(snap, previous) ? snap : previous;
    const drop = keep === snap ? previous : snap;
    chosen.set(name, keep);
    warnings.add(
      `node ${name} was captured more than once; keeping the snapshot ${describe(keep)} and ignoring the one ${describe(drop)}`,
      name,
    );
  }
  return [...chosen.values()].sort((a, b) => (a.node.name < b.node.name ? -1 : a.node.name > b.node.name ? 1 : 0));
}

/** `candidate` replaces `current` unless both carry times and `candidate`'s is earlier. */
function isLater(candidate: Snapshot, current: Snapshot): boolean {
  const a = candidate.collectedAt === undefined ? NaN : Date.parse(candidate.collectedAt);
  const b = current.collectedAt === undefined ? NaN : Date.parse(current.collectedAt);
  if (Number.isNaN(a) || Number.isNaN(b)) return true;
  return a >= b;
}

function describe(s: Snapshot): string {
  const from = s.collector.source ?? s.collector.name;
  return s.collectedAt !== undefined ? `collected at ${s.collectedAt} (${from})` : `without a time (${from})`;
}
