/**
 * The edge collection. Several pieces of evidence often describe one
 * relationship (both nodes' FDB entries for one VXLAN pair, every Calico block
 * routed through one tunnel), so edges are keyed and merged rather than
 * appended: one edge per relationship, its evidence listed.
 *
 * Keys are nested maps on the ends' ids — strings that already exist and
 * whose hashes V8 caches — because building a composite key string per FDB
 * entry (a million of them in a 1,000-node flannel cluster) costs more than
 * the rest of the build.
 */
import type { TopoEdge, TopoEdgeKind } from './types';
import { flat5 } from './addr';

/** Evidence lines kept per edge; the rest is counted so a 1,000-route edge stays readable. */
export const MAX_EVIDENCE = 10;

type Index = Map<string, Map<string, TopoEdge>>;

/** Keyed, merging collection of the graph's edges, in creation order. */
export class EdgeSet {
  private readonly directedIndex = new Map<TopoEdgeKind, Index>();
  private readonly pairIndex = new Map<TopoEdgeKind, Index>();
  private readonly dropped = new Map<TopoEdge, number>();
  readonly list: TopoEdge[] = [];

  /** An edge from `source` to `target`; merged with an existing one of the same kind and ends. */
  directed(kind: TopoEdgeKind, source: string, target: string, inferred: boolean, evidence: string): TopoEdge {
    return this.upsert(this.directedIndex, '->', kind, source, target, inferred, evidence);
  }

  /**
   * An edge from `source` to `target` that the caller knows is the only one
   * of its kind between them (a veth pair, a port and its one master): added
   * without an index, which would only cost time.
   */
  unique(kind: TopoEdgeKind, source: string, target: string, inferred: boolean, evidence: string): TopoEdge {
    return this.uniqueShared(kind, source, target, inferred, [evidence]);
  }

  /**
   * unique, with an evidence list that other edges may share (the same
   * `pod eth0@if7 names host ifindex 7` on every node): addEvidence copies
   * before it adds and finish only grows lists it copied, so a shared list is
   * never written; the caller freezes it, so no reader writes it either.
   */
  uniqueShared(kind: TopoEdgeKind, source: string, target: string, inferred: boolean, evidence: readonly string[]): TopoEdge {
    const edge: TopoEdge = { id: flat5(kind, ':', source, '->', target), kind, source, target, inferred, evidence: evidence as string[] };
    this.list.push(edge);
    return edge;
  }

  /**
   * An edge between `a` and `b` in no particular direction: both sides' views
   * merge into one edge, so the result does not depend on which node was read
   * first. The source is an interface rather than a bare (uncaptured) node id,
   * then the smaller id.
   */
  pair(kind: TopoEdgeKind, a: string, b: string, inferred: boolean, evidence: string): TopoEdge {
    return pairFirst(a, b)
      ? this.upsert(this.pairIndex, '<->', kind, a, b, inferred, evidence)
      : this.upsert(this.pairIndex, '<->', kind, b, a, inferred, evidence);
  }

  /**
   * Adds a line of evidence to an edge (capped at MAX_EVIDENCE; the rest is
   * counted). Lines are not deduplicated: each comes from a different entry of
   * the input, and comparing strings on a million FDB entries is not free.
   */
  addEvidence(edge: TopoEdge, evidence: string): void {
    if (edge.evidence.length < MAX_EVIDENCE) {
      // An exactly sized copy: push would grow a one-line array to 17 slots, on half a million edges.
      edge.evidence = edge.evidence.concat(evidence);
    } else {
      this.dropped.set(edge, (this.dropped.get(edge) ?? 0) + 1);
    }
  }

  /** Closes the set: edges whose evidence was capped say how much was left out. */
  finish(): TopoEdge[] {
    for (const [edge, n] of this.dropped) edge.evidence.push(`… and ${n} more`);
    this.dropped.clear();
    return this.list;
  }

  private upsert(
    indexes: Map<TopoEdgeKind, Index>,
    arrow: string,
    kind: TopoEdgeKind,
    source: string,
    target: string,
    inferred: boolean,
    evidence: string,
  ): TopoEdge {
    let index = indexes.get(kind);
    if (index === undefined) {
      index = new Map();
      indexes.set(kind, index);
    }
    let bySource = index.get(source);
    if (bySource === undefined) {
      bySource = new Map();
      index.set(source, bySource);
    }
    const existing = bySource.get(target);
    if (existing !== undefined) {
      // One direct piece of evidence is enough to make the relationship read, not deduced.
      if (!inferred) existing.inferred = false;
      this.addEvidence(existing, evidence);
      return existing;
    }
    const edge: TopoEdge = { id: flat5(kind, ':', source, arrow, target), kind, source, target, inferred, evidence: [evidence] };
    bySource.set(target, edge);
    this.list.push(edge);
    return edge;
  }
}

/** Interface ids (`n/ns/if`) hold a `/`; node ids never do (DNS names, addresses). */
function pairFirst(a: string, b: string): boolean {
  const ai = a.includes('/');
  const bi = b.includes('/');
  if (ai !== bi) return ai;
  return a <= b;
}

