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
  /** The VTEP's interface id, when the side is made for one: an edge whose end it is need not keep it. */
  readonly vtep?: string;
}

/**
 * What one FDB entry says beyond its side: the MAC and the outer destination.
 * Nearly every entry of a cluster names a remote VTEP by that VTEP's own MAC
 * at its node's address, so tunnels.ts makes one of these per remote VTEP and
 * address and every node's entry for it shares it: an edge keeps one pointer
 * per entry instead of two.
 */
export interface FdbTarget {
  readonly mac: string;
  readonly dst: string;
  /** The remote VTEP's interface id, when the entry names one: an edge whose end it is need not keep it. */
  readonly end?: string;
}

function sideLine(side: FdbSide, to: FdbTarget): string {
  return fdbLine(side.node, to.mac, side.dev, to.dst, side.neigh?.get(to.mac));
}

/** What few FDB edges need: lines past two, an assigned or formatted id and evidence, an outer address no entry gave. */
interface FdbExtra {
  more?: Overflow;
  evidence?: string[];
  id?: string;
  outerSrc?: string;
  outerDst?: string;
  /** Ends that are not the first side's VTEP and its entry's target (an edge made with other ids, or assigned). */
  source?: string;
  target?: string;
}

/** A `vxlan` edge whose id and evidence lines are formatted when first read. */
export class FdbVxlanEdge implements TopoEdge {

  // One FDB entry per side is the usual case; further lines are rare and formatted at once.
  // What is the same for all of one VTEP's entries (node, device, neighbours) is one shared FdbSide,
  // what is the same for every node's entry towards one remote VTEP (MAC, address) one FdbTarget.
  //
  // The optional fields, set after construction: as own properties each
  // edge would grow a property store and walk map transitions for them, half
  // a million times. Slots keep the object one fixed size; the order in which
  // they were first set (an octal digit each) is kept in #bits, so toJSON
  // writes keys in the order a plain edge would have them.
  //
  // Half a million of these live through the build and are copied by each
  // young-generation GC they survive, then promoted into old-space pages the
  // kernel must fault in: every slot is 8 bytes × 500,000. So `kind` and
  // `inferred` (false, unless assigned) are the class's own, the bookkeeping
  // (order, seen, mtuMismatch, inferred, where each outer address is) is one
  // small integer, an outer address an entry gave is that entry's FdbTarget's
  // `dst`, and what is rare (lines beyond two, an id or evidence once read,
  // an outer address from elsewhere) shares one slot. The ends are the first
  // side's VTEP and the target its entry names (ENDS_* in #bits says which is
  // the source): ids the shared FdbSide and FdbTarget already hold.
  //
  // Declaration order is layout order: what the second FDB entry of a pair
  // writes (addFdbEnd) sits together, since that visit comes long after the
  // first and each cache line it touches is a miss.
  #side1: FdbSide;
  #to1: FdbTarget;
  #side2: FdbSide | undefined = undefined;
  #to2: FdbTarget | undefined = undefined;
  /** Bits 0-14: the order codes (octal digits); 15-20: codes seen; 21-22: mtuMismatch (0 unset, 1 undefined, 2 false, 3 true); 23: inferred; 24-25 outerSrc, 26-27 outerDst (OUTER_*); 28-29 the ends (ENDS_*). */
  #bits = 0;
  #extra: FdbExtra | undefined = undefined;
  /** VNI and UDP port, one object shared by every edge with the same two (tunnelPort). */
  #port: TunnelPort = NO_PORT;

  /** `to` is the entry's FdbTarget, or its MAC with `dst` beside it. */
  constructor(source: string, target: string, side: FdbSide, to: FdbTarget | string, dst = '') {
    this.#side1 = side;
    const to1 = typeof to === 'string' ? { mac: to, dst } : to;
    this.#to1 = to1;
    if (side.vtep === source && to1.end === target) this.#bits = ENDS_FORWARD;
    else if (side.vtep === target && to1.end === source) this.#bits = ENDS_REVERSED;
    else this.#extra = { source, target };
  }

  get source(): string {
    const ends = this.#bits & ENDS_MASK;
    if (ends === ENDS_FORWARD) return this.#side1.vtep as string;
    if (ends === ENDS_REVERSED) return this.#to1.end as string;
    return this.#extra?.source as string;
  }

  set source(value: string) {
    this.#setEnds(value, this.target);
  }

  get target(): string {
    const ends = this.#bits & ENDS_MASK;
    if (ends === ENDS_FORWARD) return this.#to1.end as string;
    if (ends === ENDS_REVERSED) return this.#side1.vtep as string;
    return this.#extra?.target as string;
  }

  set target(value: string) {
    this.#setEnds(this.source, value);
  }

  #setEnds(source: string, target: string): void {
    const extra = (this.#extra ??= {});
    extra.source = source;
    extra.target = target;
    this.#bits &= ~ENDS_MASK;
  }

  get kind(): TopoEdgeKind {
    return 'vxlan';
  }

  get inferred(): boolean {
    return (this.#bits & INFERRED) !== 0;
  }

  set inferred(value: boolean) {
    this.#bits = value ? this.#bits | INFERRED : this.#bits & ~INFERRED;
  }

  #mark(code: number): void {
    const bits = this.#bits;
    const seen = 1 << (15 + code);
    if ((bits & seen) !== 0) return;
    this.#bits = (bits & ~ORDER_MASK) | seen | (((bits & ORDER_MASK) * 8 + code) & ORDER_MASK);
  }

  get vni(): number | undefined {
    return this.#port.vni;
  }

  set vni(value: number | undefined) {
    this.#mark(1);
    this.#port = tunnelPort(value, this.#port.dstPort);
  }

  /** The outer address kept at `shift` (OUTER_SRC or OUTER_DST). */
  #outer(shift: number): string | undefined {
    const where = (this.#bits >>> shift) & 3;
    if (where === OUTER_UNSET) return undefined;
    if (where === OUTER_TO1) return this.#to1.dst;
    if (where === OUTER_TO2) return this.#to2?.dst;
    return shift === OUTER_SRC ? this.#extra?.outerSrc : this.#extra?.outerDst;
  }

  #setOuter(shift: number, value: string | undefined): void {
    let where = OUTER_EXTRA;
    if (value === undefined) where = OUTER_UNSET;
    else if (value === this.#to1.dst) where = OUTER_TO1;
    else if (value === this.#to2?.dst) where = OUTER_TO2;
    else if (shift === OUTER_SRC) (this.#extra ??= {}).outerSrc = value;
    else (this.#extra ??= {}).outerDst = value;
    this.#bits = (this.#bits & ~(3 << shift)) | (where << shift);
  }

  get outerSrc(): string | undefined {
    return this.#outer(OUTER_SRC);
  }

  set outerSrc(value: string | undefined) {
    this.#mark(2);
    this.#setOuter(OUTER_SRC, value);
  }

  get outerDst(): string | undefined {
    return this.#outer(OUTER_DST);
  }

  set outerDst(value: string | undefined) {
    this.#mark(3);
    this.#setOuter(OUTER_DST, value);
  }

  get dstPort(): number | undefined {
    return this.#port.dstPort;
  }

  set dstPort(value: number | undefined) {
    this.#mark(4);
    this.#port = tunnelPort(this.#port.vni, value);
  }

  get mtuMismatch(): boolean | undefined {
    const m = (this.#bits >>> 21) & 3;
    return m === 3 ? true : m === 2 ? false : undefined;
  }

  set mtuMismatch(value: boolean | undefined) {
    this.#mark(5);
    this.#bits = (this.#bits & ~(3 << 21)) | ((value === undefined ? 1 : value ? 3 : 2) << 21);
  }

  get id(): string {
    const extra = (this.#extra ??= {});
    return (extra.id ??= flat(this.kind, ':', this.source, '<->', this.target));
  }

  set id(value: string) {
    (this.#extra ??= {}).id = value;
  }

  get evidence(): string[] {
    const extra = (this.#extra ??= {});
    if (extra.evidence === undefined) {
      const lines = [sideLine(this.#side1, this.#to1)];
      if (this.#side2 !== undefined && this.#to2 !== undefined) lines.push(sideLine(this.#side2, this.#to2));
      const more = extra.more;
      if (more !== undefined) {
        lines.push(...more.lines);
        if (more.dropped > 0) lines.push(`… and ${more.dropped} more`);
      }
      extra.evidence = lines;
    }
    return extra.evidence;
  }

  set evidence(value: string[]) {
    (this.#extra ??= {}).evidence = value;
  }

  /**
   * Another FDB entry for the same pair (normally the other node's). Called
   * only while the topology is built, before anything reads `evidence`; the
   * cap and the `… and N more` line match EdgeSet.addEvidence.
   */
  addFdb(side: FdbSide, mac: string, dst: string): void {
    this.addFdbTo(side, { mac, dst });
  }

  /** addFdb of an entry's FdbTarget. */
  addFdbTo(side: FdbSide, to: FdbTarget): void {
    const more = this.#extra?.more;
    const lines = 1 + (this.#side2 !== undefined ? 1 : 0) + (more?.lines.length ?? 0);
    if (lines >= MAX_EVIDENCE) {
      (more as Overflow).dropped++;
    } else if (this.#side2 === undefined) {
      this.#side2 = side;
      this.#to2 = to;
    } else {
      ((this.#extra ??= {}).more ??= { lines: [], dropped: 0 }).lines.push(sideLine(side, to));
    }
    if (this.#extra !== undefined) this.#extra.evidence = undefined;
  }

  /**
   * addFdbTo, then what TunnelWork.track does on a known edge: this entry's
   * outer address becomes the far end's, `outerDst` when that end is the
   * target, unless the other side already stated it.
   */
  addFdbEnd(side: FdbSide, to: FdbTarget, farEndIsTarget: boolean): void {
    this.addFdbTo(side, to);
    if (farEndIsTarget) {
      if (this.outerDst === undefined) this.outerDst = to.dst;
    } else if (this.outerSrc === undefined) {
      this.outerSrc = to.dst;
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
    for (let order = this.#bits & ORDER_MASK; order > 0; order = Math.floor(order / 8)) codes.unshift(order % 8);
    for (const code of codes) {
      const [key, value] = code === 1 ? ['vni', this.#port.vni] : code === 2 ? ['outerSrc', this.outerSrc] : code === 3 ? ['outerDst', this.outerDst] : code === 4 ? ['dstPort', this.#port.dstPort] : ['mtuMismatch', this.mtuMismatch];
      if (value !== undefined) out[key] = value;
    }
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) if (!(key in out)) out[key] = self[key];
    return out as unknown as TopoEdge;
  }
}

/** An FDB edge's VNI and UDP destination port: a cluster's half a million edges have one or two pairs of them. */
interface TunnelPort {
  readonly vni: number | undefined;
  readonly dstPort: number | undefined;
}

const NO_PORT: TunnelPort = Object.freeze({ vni: undefined, dstPort: undefined });
/** By VNI, then port: numbers (or undefined) as keys, so a lookup builds no string. */
const tunnelPorts = new Map<number | undefined, Map<number | undefined, TunnelPort>>();
let portCount = 0;

/** The shared TunnelPort of a VNI and port. */
function tunnelPort(vni: number | undefined, dstPort: number | undefined): TunnelPort {
  const known = tunnelPorts.get(vni)?.get(dstPort);
  if (known !== undefined) return known;
  // A long-lived server sees few pairs; should one see many, sharing starts over rather than the table growing.
  if (portCount >= 1024) {
    tunnelPorts.clear();
    portCount = 0;
  }
  let byPort = tunnelPorts.get(vni);
  if (byPort === undefined) {
    byPort = new Map();
    tunnelPorts.set(vni, byPort);
  }
  const p: TunnelPort = Object.freeze({ vni, dstPort });
  byPort.set(dstPort, p);
  portCount++;
  return p;
}

/** Lines past an edge's two FDB sides, and how many more were dropped (rare: a pair seen by more than two entries). */
interface Overflow {
  lines: string[];
  dropped: number;
}

/** FdbVxlanEdge's first-set order of its five optional fields: five octal digits. */
const ORDER_MASK = (1 << 15) - 1;
const INFERRED = 1 << 23;
/** Bit offsets of where FdbVxlanEdge's outer addresses are. */
const OUTER_SRC = 24;
const OUTER_DST = 26;
/** Where an outer address is: unset (or undefined), the first or second entry's `dst`, or #extra. */
const OUTER_UNSET = 0;
const OUTER_TO1 = 1;
const OUTER_TO2 = 2;
const OUTER_EXTRA = 3;
/** Which of FdbVxlanEdge's ends is the source: the first side's VTEP, the first entry's target, or neither (#extra holds both). */
const ENDS_MASK = 3 << 28;
const ENDS_FORWARD = 1 << 28;
const ENDS_REVERSED = 2 << 28;

/** The evidence line of one FDB entry, with flannel's matching neighbour entry when there is one. */
export function fdbLine(node: string, mac: string, dev: string, dst: string, neigh: string | undefined): string {
  return neigh === undefined
    ? flat(node, ': fdb ', mac, ' dev ', dev, ' dst ', dst)
    : flat(node, ': fdb ', mac, ' dev ', dev, ' dst ', dst, ', neigh ', neigh, ' lladdr ', mac);
}

/**
 * What a `veth` or `bridge-port` edge holds beyond its ends: fields set after
 * construction (mtuMismatch, an assigned id or evidence) and the id once read,
 * in one small object made only for the edges that have any.
 */
interface PortEdgeExtra {
  id?: string;
  evidence?: string[];
  /** Optional TopoEdge fields in the order they were first set, as a plain edge would have them. */
  fields?: Record<string, unknown>;
}

type OptionalKey = 'vni' | 'outerSrc' | 'outerDst' | 'dstPort' | 'mtuMismatch';

/**
 * Large clusters' `veth` and `bridge-port` edges, two per pod: a plain edge
 * kept its id (`veth:n/cni-…/eth0->n/host/veth…`, ~100 bytes) and, for a
 * port, an evidence line and its one-line array, 110,000 times each at
 * 1,000 nodes — bytes that survive the build, copied by every young-generation
 * GC they live through and promoted into freshly faulted old-space pages. These
 * keep their ends and the strings that already exist, and format the rest on
 * first read. To readers they are TopoEdges (toJSON gives the plain object,
 * key for key), as FdbVxlanEdge.
 */
abstract class PortEdge implements TopoEdge {
  source: string;
  target: string;
  inferred: boolean;
  #extra: PortEdgeExtra | undefined = undefined;

  constructor(source: string, target: string, inferred: boolean) {
    this.source = source;
    this.target = target;
    this.inferred = inferred;
  }

  abstract get kind(): TopoEdgeKind;
  protected abstract lines(): string[];

  get id(): string {
    const extra = (this.#extra ??= {});
    return (extra.id ??= flat(this.kind, ':', this.source, '->', this.target));
  }

  set id(value: string) {
    (this.#extra ??= {}).id = value;
  }

  get evidence(): string[] {
    const assigned = this.#extra?.evidence;
    return assigned ?? this.lines();
  }

  set evidence(value: string[]) {
    (this.#extra ??= {}).evidence = value;
  }

  #get(key: OptionalKey): unknown {
    return this.#extra?.fields?.[key];
  }

  #set(key: OptionalKey, value: unknown): void {
    ((this.#extra ??= {}).fields ??= {})[key] = value;
  }

  get vni(): number | undefined {
    return this.#get('vni') as number | undefined;
  }

  set vni(value: number | undefined) {
    this.#set('vni', value);
  }

  get outerSrc(): string | undefined {
    return this.#get('outerSrc') as string | undefined;
  }

  set outerSrc(value: string | undefined) {
    this.#set('outerSrc', value);
  }

  get outerDst(): string | undefined {
    return this.#get('outerDst') as string | undefined;
  }

  set outerDst(value: string | undefined) {
    this.#set('outerDst', value);
  }

  get dstPort(): number | undefined {
    return this.#get('dstPort') as number | undefined;
  }

  set dstPort(value: number | undefined) {
    this.#set('dstPort', value);
  }

  get mtuMismatch(): boolean | undefined {
    return this.#get('mtuMismatch') as boolean | undefined;
  }

  set mtuMismatch(value: boolean | undefined) {
    this.#set('mtuMismatch', value);
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
    const fields = this.#extra?.fields;
    if (fields !== undefined) for (const key of Object.keys(fields)) if (fields[key] !== undefined) out[key] = fields[key];
    const self = this as unknown as Record<string, unknown>;
    for (const key of Object.keys(this)) if (!(key in out)) out[key] = self[key];
    return out as unknown as TopoEdge;
  }
}

/** A `veth` edge: its evidence is a list shared by every node's pair with the same line (veth.ts), never copied. */
export class VethEdge extends PortEdge {
  readonly #lines: readonly string[];

  constructor(source: string, target: string, inferred: boolean, lines: readonly string[]) {
    super(source, target, inferred);
    this.#lines = lines;
  }

  get kind(): TopoEdgeKind {
    return 'veth';
  }

  protected lines(): string[] {
    // Shared and frozen, as EdgeSet.uniqueShared gives a plain edge.
    return this.#lines as string[];
  }
}

/** A `bridge-port` edge: `<port> master <bridge>` (or `bridge fdb: master`), formatted when read. */
export class BridgePortEdge extends PortEdge {
  readonly #port: string;
  readonly #master: string;
  readonly #viaFdb: boolean;

  constructor(source: string, target: string, port: string, master: string, viaFdb: boolean) {
    super(source, target, false);
    this.#port = port;
    this.#master = master;
    this.#viaFdb = viaFdb;
  }

  get kind(): TopoEdgeKind {
    return 'bridge-port';
  }

  protected lines(): string[] {
    // Kept once read, as the edge's own list: a reader gets the same array on every read, as from a plain edge.
    const lines = [flat(this.#port, ' ', this.#viaFdb ? 'bridge fdb: master' : 'master', ' ', this.#master)];
    this.evidence = lines;
    return lines;
  }
}
