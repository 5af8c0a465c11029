/**
 * The edge collection. Several pieces of evidence often describe one
 * relationship (both nodes' FDB entries for one VXLAN pair, every Calico block
 * routed through one tunnel), so edges are keyed and merged rather than
 * appended: one edge per relationship, its evidence listed.
 */
import type { TopoEdge, TopoEdgeKind } from './types';

/** Evidence lines kept per edge; the rest is counted so a 1,000-route edge stays readable. */
export const MAX_EVIDENCE = 10;

/** Keyed, merging collection of the graph's edges, in creation order. */
export class EdgeSet {
  private readonly byId = new Map<string, TopoEdge>();
  private readonly dropped = new Map<TopoEdge, number>();
  readonly list: TopoEdge[] = [];

  /** An edge from `source` to `target`; merged with an existing one of the same kind and ends. */
  directed(kind: TopoEdgeKind, source: string, target: string, inferred: boolean, evidence: string): TopoEdge {
    return this.upsert(`${kind}:${source}->${target}`, kind, source, target, inferred, evidence);
  }

  /**
   * An edge between `a` and `b` in no particular direction: both sides' views
   * merge into one edge, so the result does not depend on which node was read
   * first. The source is an interface rather than a bare (uncaptured) node id,
   * then the smaller id.
   */
  pair(kind: TopoEdgeKind, a: string, b: string, inferred: boolean, evidence: string): TopoEdge {
    const [source, target] = pairOrder(a, b);
    return this.upsert(`${kind}:${source}<->${target}`, kind, source, target, inferred, evidence);
  }

  /** The edge of `kind` between `a` and `b` made by `pair`, if any. */
  getPair(kind: TopoEdgeKind, a: string, b: string): TopoEdge | undefined {
    const [source, target] = pairOrder(a, b);
    return this.byId.get(`${kind}:${source}<->${target}`);
  }

  /** Adds a line of evidence to an edge (deduplicated, capped). */
  addEvidence(edge: TopoEdge, evidence: string): void {
    if (edge.evidence.includes(evidence)) return;
    if (edge.evidence.length < MAX_EVIDENCE) edge.evidence.push(evidence);
    else this.dropped.set(edge, (this.dropped.get(edge) ?? 0) + 1);
  }

  /** Closes the set: edges whose evidence was capped say how much was left out. */
  finish(): TopoEdge[] {
    for (const [edge, n] of this.dropped) edge.evidence.push(`… and ${n} more`);
    this.dropped.clear();
    return this.list;
  }

  private upsert(id: string, kind: TopoEdgeKind, source: string, target: string, inferred: boolean, evidence: string): TopoEdge {
    const existing = this.byId.get(id);
    if (existing !== undefined) {
      // One direct piece of evidence is enough to make the relationship read, not deduced.
      if (!inferred) existing.inferred = false;
      this.addEvidence(existing, evidence);
      return existing;
    }
    const edge: TopoEdge = { id, kind, source, target, inferred, evidence: [evidence] };
    this.byId.set(id, edge);
    this.list.push(edge);
    return edge;
  }
}

/** Interface ids (`n/ns/if`) hold a `/`; node ids never do (DNS names, addresses). */
function pairOrder(a: string, b: string): [string, string] {
  const ai = a.includes('/');
  const bi = b.includes('/');
  if (ai !== bi) return ai ? [a, b] : [b, a];
  return a <= b ? [a, b] : [b, a];
}
