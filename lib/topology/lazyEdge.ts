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

/** One VTEP's side of its FDB entries: the node, the device, and flannel's neighbour entries beside them. */
export interface FdbSide {
  readonly node: string;
  readonly dev: string;
  readonly neigh: NeighbourSource | undefined;
}

function sideLine(side: FdbSide, mac: string, dst: string): string {
  return fdbLine(side.node, mac, side.dev, dst, side.neigh?.get(mac));
}

/** A `vxlan` edge whose id and evidence lines are formatted when first read. */
export class FdbVxlanEdge implements TopoEdge {
  readonly kind: TopoEdgeKind;
  source: string;
  target: string;
  inferred: boolean;

  // One FDB entry per side is the usual case; further lines are rare and formatted at once.
  // What is the same for all of one VTEP's entries (node, device, neighbours) is one shared FdbSide.
  //
  // The optional fields, set after construction: as own properties each
  // edge would grow a property store and walk map transitions for them, half
  // a million times. Slots keep the object one fixed size; #order remembers
  // in which order they were first set (an octal digit each), so toJSON
  // writes keys in the order a plain edge would have them.
  //
  // Declaration order is layout order: what the second FDB entry of a pair
  // writes (addFdbEnd) sits together, since that visit comes long after the
  // first and each cache line it touches is a miss.
  #side1: FdbSide;
  #mac1: string;
  #dst1: string;
  #side2: FdbSide | undefined = undefined;
  #mac2 = '';
  #dst2 = '';
  #rest: string[] | undefined = undefined;
  #evidence: string[] | undefined = undefined;
  #outerSrc: string | undefined = undefined;
  #outerDst: string | undefined = undefined;
  #order = 0;
  #seen = 0;
  #dropped = 0;
  #vni: number | undefined = undefined;
  #dstPort: number | undefined = undefined;
  #mtuMismatch: boolean | undefined = undefined;
  #id: string | undefined = undefined;

  constructor(source: string, target: string, side: FdbSide, mac: string, dst: string) {
    this.kind = 'vxlan';
    this.source = source;
    this.target = target;
    this.inferred = false;
    this.#side1 = side;
    this.#mac1 = mac;
    this.#dst1 = dst;
  }

  #mark(code: number): void {
    if ((this.#seen & (1 << code)) !== 0) return;
    this.#seen |= 1 << code;
    this.#order = this.#order * 8 + code;
  }

  get vni(): number | undefined {
    return this.#vni;
  }

  set vni(value: number | undefined) {
    this.#mark(1);
    this.#vni = value;
  }

  get outerSrc(): string | undefined {
    return this.#outerSrc;
  }

  set outerSrc(value: string | undefined) {
    this.#mark(2);
    this.#outerSrc = value;
  }

  get outerDst(): string | undefined {
    return this.#outerDst;
  }

  set outerDst(value: string | undefined) {
    this.#mark(3);
    this.#outerDst = value;
  }

  get dstPort(): number | undefined {
    return this.#dstPort;
  }

  set dstPort(value: number | undefined) {
    this.#mark(4);
    this.#dstPort = value;
  }

  get mtuMismatch(): boolean | undefined {
    return this.#mtuMismatch;
  }

  set mtuMismatch(value: boolean | undefined) {
    this.#mark(5);
    this.#mtuMismatch = value;
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
      const lines = [sideLine(this.#side1, this.#mac1, this.#dst1)];
      if (this.#side2 !== undefined) lines.push(sideLine(this.#side2, this.#mac2, this.#dst2));
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
  addFdb(side: FdbSide, mac: string, dst: string): void {
    const lines = 1 + (this.#side2 !== undefined ? 1 : 0) + (this.#rest?.length ?? 0);
    if (lines >= MAX_EVIDENCE) {
      this.#dropped++;
    } else if (this.#side2 === undefined) {
      this.#side2 = side;
      this.#mac2 = mac;
      this.#dst2 = dst;
    } else {
      (this.#rest ??= []).push(sideLine(side, mac, dst));
    }
    this.#evidence = undefined;
  }

  /**
   * addFdb, then what TunnelWork.track does on a known edge: this entry's
   * outer address becomes the far end's, `outerDst` when that end is the
   * target, unless the other side already stated it.
   */
  addFdbEnd(side: FdbSide, mac: string, dst: string, farEndIsTarget: boolean): void {
    this.addFdb(side, mac, dst);
    if (farEndIsTarget) {
      if (this.#outerDst === undefined) {
        this.#mark(3);
        this.#outerDst = dst;
      }
    } else if (this.#outerSrc === undefined) {
      this.#mark(2);
      this.#outerSrc = dst;
    }
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
    const codes: number[] = [];
    for (let order = this.#order; order > 0; order = Math.floor(order / 8)) codes.unshift(order % 8);
    for (const code of codes) {
      const [key, value] = code === 1 ? ['vni', this.#vni] : code === 2 ? ['outerSrc', this.#outerSrc] : code === 3 ? ['outerDst', this.#outerDst] : code === 4 ? ['dstPort', this.#dstPort] : ['mtuMismatch', this.#mtuMismatch];
      if (value !== undefined) out[key] = value;
    }
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
