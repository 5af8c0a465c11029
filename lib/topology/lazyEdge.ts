/**
 * VXLAN edges drawn from FDB entries, for large clusters. A 1,000-node
 * flannel cluster has a million FDB entries and half a million VTEP pairs:
 * formatting every entry's evidence line and every pair's id string up front
 * was a third of the build, for text that only the details panel of one edge
 * or a JSON answer ever reads. These edges keep references to strings that
 * already exist (node name, MAC, device, outer address, neighbour) and format
 * the lines and the id on first read, once.
 *
 * To their readers they are TopoEdges: `id` and `evidence` are accessors on
 * the prototype, and `toJSON` gives the plain object a non-lazy build makes,
 * key for key in the same order. Own enumerable properties are the edge's
 * other fields only, so code that copies edges with a spread must go through
 * toJSON; nothing in the repository does.
 */
import type { TopoEdge, TopoEdgeKind } from './types';
import type { Neighbour } from '../snapshot/schema';
import { flat, lowerMac } from './addr';
import { MAX_EVIDENCE } from './edges';

/** Where an FDB entry's MAC finds flannel's neighbour entry (the remote VTEP address). */
export interface NeighbourSource {
  get(mac: string): string | undefined;
}

/**
 * One VTEP's neighbour entries by lower-case MAC, indexed on first use: a
 * lazily formatted line looks its neighbour up when read, so the build does
 * not index a million neighbour entries nobody may ask about.
 */
export class NeighbourLookup implements NeighbourSource {
  #map: Map<string, string> | undefined = undefined;

  constructor(
    private readonly neighbours: readonly Neighbour[],
    private readonly dev: string,
  ) {}

  get(mac: string): string | undefined {
    if (this.#map === undefined) {
      const map = new Map<string, string>();
      for (const n of this.neighbours) if (n.dev === this.dev && n.lladdr !== undefined) map.set(lowerMac(n.lladdr), n.dst);
      this.#map = map;
    }
    return this.#map.get(mac);
  }
}

/** A `vxlan` edge whose id and evidence lines are formatted when first read. */
export class FdbVxlanEdge implements TopoEdge {
  declare vni?: number;
  declare outerSrc?: string;
  declare outerDst?: string;
  declare dstPort?: number;
  declare mtuMismatch?: boolean;
  readonly kind: TopoEdgeKind;
  source: string;
  target: string;
  inferred: boolean;

  // One FDB entry per side is the usual case; further lines are rare and formatted at once.
  #node1: string;
  #mac1: string;
  #dev1: string;
  #dst1: string;
  #neigh1: NeighbourSource | undefined;
  #node2: string | undefined = undefined;
  #mac2 = '';
  #dev2 = '';
  #dst2 = '';
  #neigh2: NeighbourSource | undefined = undefined;
  #rest: string[] | undefined = undefined;
  #dropped = 0;
  #id: string | undefined = undefined;
  #evidence: string[] | undefined = undefined;

  constructor(source: string, target: string, node: string, mac: string, dev: string, dst: string, neigh: NeighbourSource | undefined) {
    this.kind = 'vxlan';
    this.source = source;
    this.target = target;
    this.inferred = false;
    this.#node1 = node;
    this.#mac1 = mac;
    this.#dev1 = dev;
    this.#dst1 = dst;
    this.#neigh1 = neigh;
  }

  get id(): string {
    if (this.#id === undefined) this.#id = flat(this.kind, ':', this.source, '<->', this.target);
    return this.#id;
  }

  set id(value: string) {
    this.#id = value;
  }

  get evidence(): string[] {
    if (this.#evidence === undefined) {
      const lines = [fdbLine(this.#node1, this.#mac1, this.#dev1, this.#dst1, this.#neigh1?.get(this.#mac1))];
      if (this.#node2 !== undefined) lines.push(fdbLine(this.#node2, this.#mac2, this.#dev2, this.#dst2, this.#neigh2?.get(this.#mac2)));
      if (this.#rest !== undefined) lines.push(...this.#rest);
      if (this.#dropped > 0) lines.push(`… and ${this.#dropped} more`);
      this.#evidence = lines;
    }
    return this.#evidence;
  }

  set evidence(value: string[]) {
    this.#evidence = value;
  }

  /**
   * Another FDB entry for the same pair (normally the other node's). Called
   * only while the topology is built, before anything reads `evidence`; the
   * cap and the `… and N more` line match EdgeSet.addEvidence.
   */
  addFdb(node: string, mac: string, dev: string, dst: string, neigh: NeighbourSource | undefined): void {
    const lines = 1 + (this.#node2 !== undefined ? 1 : 0) + (this.#rest?.length ?? 0);
    if (lines >= MAX_EVIDENCE) {
      this.#dropped++;
    } else if (this.#node2 === undefined) {
      this.#node2 = node;
      this.#mac2 = mac;
      this.#dev2 = dev;
      this.#dst2 = dst;
      this.#neigh2 = neigh;
    } else {
      (this.#rest ??= []).push(fdbLine(node, mac, dev, dst, neigh?.get(mac)));
    }
    this.#evidence = undefined;
  }

  /** The plain edge, as JSON.stringify and the API write it. */
  toJSON(): TopoEdge {
    const out: Record<string, unknown> = {
      id: this.id,
      kind: this.kind,
      source: this.source,
      target: this.target,
      inferred: this.inferred,
      evidence: this.evidence,
    };
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) if (!(key in out)) out[key] = self[key];
    return out as unknown as TopoEdge;
  }
}

/** The evidence line of one FDB entry, with flannel's matching neighbour entry when there is one. */
export function fdbLine(node: string, mac: string, dev: string, dst: string, neigh: string | undefined): string {
  return neigh === undefined
    ? flat(node, ': fdb ', mac, ' dev ', dev, ' dst ', dst)
    : flat(node, ': fdb ', mac, ' dev ', dev, ' dst ', dst, ', neigh ', neigh, ' lladdr ', mac);
}
