/**
 * The namespace and node filters, as the set of element ids to hide. Hiding
 * (a class) instead of removing keeps the element ids, so filtering never
 * re-runs the layout and clearing a filter puts everything back in place.
 */
import type { ClusterGraph } from './types';

/** What the filter bar selects; empty strings mean "all". */
export interface GraphFilter {
  namespace: string;
  /** Node name. */
  node: string;
}

/** Element ids the filter hides. */
export function hiddenElements(g: ClusterGraph, f: GraphFilter): Set<string> {
  const hidden = new Set<string>();
  if (f.node !== '') {
    for (const n of g.nodes) if (n.name !== f.node) hidden.add(n.id);
    for (const d of g.devices) if (hidden.has(d.node)) hidden.add(d.id);
    for (const p of g.pods) if (p.node === null || hidden.has(p.node)) hidden.add(p.id);
  }
  if (f.namespace !== '') {
    for (const n of g.nodes) if (!n.expanded && !n.podNamespaces.includes(f.namespace)) hidden.add(n.id);
    const hiddenPods = new Set<string>();
    for (const p of g.pods) {
      if (p.namespace !== f.namespace) {
        hidden.add(p.id);
        hiddenPods.add(p.id);
      }
    }
    // A host veth belongs with its pod.
    for (const d of g.devices) if (d.role === 'host-veth' && d.peer?.id && hiddenPods.has(d.peer.id)) hidden.add(d.id);
  }
  for (const e of g.edges) if (hidden.has(e.source) || hidden.has(e.target)) hidden.add(e.id);
  return hidden;
}
