/**
 * The builder's working state: per node and per namespace lookups that the
 * stages share (interfaces by name and by ifindex, the node owning an
 * address). Only `build.ts` turns it into the public `Topology`.
 */
import type { Link, NetnsSnapshot, Snapshot } from '../snapshot/schema';
import type { TopoInterface, TopoNetns, TopoNode, TopoWarning } from './types';
import { EdgeSet } from './edges';
import type { K8sFacts } from './k8s';
import { canon } from './addr';

/** The warnings the build collects, in the order they were noticed. */
export class Warnings {
  readonly list: TopoWarning[] = [];

  add(message: string, node?: string, subject?: string): void {
    const w: TopoWarning = { message };
    if (node !== undefined) w.node = node;
    if (subject !== undefined) w.subject = subject;
    this.list.push(w);
  }
}

/** Lists up to this long are scanned; longer ones get a Map. */
export const SCAN_LIMIT = 8;

/**
 * One namespace while it is being built. Lookups scan while the namespace is
 * small and switch to Maps when it grows: a pod netns holds two or three
 * interfaces and a cluster has a hundred thousand of them, so a Map per table
 * would be most of the build's memory, and a scan of three is faster anyway.
 */
export class NsWork {
  /** Interfaces in kernel (ifindex) order once built: a listed one without an ifindex stays after its predecessor, stubs last. */
  list: TopoInterface[] = [];
  isHost: boolean;
  private names: Map<string, TopoInterface> | undefined;
  private indexes: Map<number, TopoInterface | null> | undefined;
  private wires: Map<string, Link> | undefined;

  constructor(
    readonly topo: TopoNetns,
    readonly snap: NetnsSnapshot,
    readonly node: NodeWork,
  ) {
    this.isHost = snap.kind === 'host';
  }

  /** Adds an interface (names are unique: callers check `get` first). */
  add(iface: TopoInterface): void {
    // Short lists grow by exact copies: push would give a pod netns's two interfaces seventeen slots, kept all build long.
    if (this.list.length < SCAN_LIMIT) this.list = this.list.length === 0 ? [iface] : this.list.concat(iface);
    else this.list.push(iface);
    this.indexes = undefined;
    if (this.names !== undefined) this.names.set(iface.name, iface);
    else if (this.list.length > SCAN_LIMIT) this.names = new Map(this.list.map((i) => [i.name, i]));
  }

  /** Sets the whole list at once, as `add` of each in turn would (names are unique: the caller checked). */
  setList(list: TopoInterface[]): void {
    this.list = list;
    this.indexes = undefined;
    this.names = list.length > SCAN_LIMIT ? new Map(list.map((i) => [i.name, i])) : undefined;
  }

  /** The interface of that name. */
  get(name: string): TopoInterface | undefined {
    if (this.names !== undefined) return this.names.get(name);
    for (const iface of this.list) if (iface.name === name) return iface;
    return undefined;
  }

  /** The interface with that ifindex; `null` when two claim it, so it names neither reliably. */
  byIfindex(ifindex: number): TopoInterface | null | undefined {
    if (this.list.length > SCAN_LIMIT) {
      this.indexes ??= indexByIfindex(this.list);
      return this.indexes.get(ifindex);
    }
    let found: TopoInterface | undefined;
    for (const iface of this.list) {
      if (iface.ifindex !== ifindex) continue;
      if (found !== undefined) return null;
      found = iface;
    }
    return found;
  }

  /** The wire link behind a listed interface (veth peer facts, master name). */
  wire(name: string): Link | undefined {
    const links = this.snap.links;
    if (links === undefined) return undefined;
    if (links.length <= SCAN_LIMIT) {
      for (let i = 0; i < links.length; i++) if ((links[i] as Link).name === name) return links[i];
      return undefined;
    }
    if (this.wires === undefined) {
      this.wires = new Map();
      // The first listing of a name wins, as for the interfaces themselves.
      for (const l of links) if (!this.wires.has(l.name)) this.wires.set(l.name, l);
    }
    return this.wires.get(name);
  }
}

function indexByIfindex(list: readonly TopoInterface[]): Map<number, TopoInterface | null> {
  const m = new Map<number, TopoInterface | null>();
  for (const iface of list) {
    if (iface.ifindex === undefined) continue;
    m.set(iface.ifindex, m.has(iface.ifindex) ? null : iface);
  }
  return m;
}

/**
 * Clusters this large get FDB VXLAN edges with lazily formatted evidence. Below
 * it edges stay plain objects, which is what tests and small answers compare.
 */
export const LAZY_EVIDENCE_FROM_NODES = 200;

/** One node while it is being built. */
export interface NodeWork {
  name: string;
  topo: TopoNode;
  snapshot?: Snapshot;
  host?: NsWork;
  namespaces: NsWork[];
  nsByName: Map<string, NsWork>;
  /** Address (canonical) in the host netns → the interface holding it. */
  hostAddrOwner: Map<string, TopoInterface>;
}

/** The whole cluster while it is being built. */
export class Cluster {
  readonly nodes = new Map<string, NodeWork>();
  readonly edges = new EdgeSet();
  /** veth.ts: evidence lists of pod → host veth pairs, by the pod end's name and then the host ifindex, shared by every node. */
  readonly vethLines = new Map<string, (readonly string[])[]>();
  /**
   * Set by buildTopology when as many nodes were captured as lazyEvidenceFromNodes: `veth` and
   * `bridge-port` edges are then VethEdge / BridgePortEdge (lazyEdge.ts), formatted on first read.
   */
  lazyPortEdges = false;
  /** Underlay address → node name; `null` when two nodes claim it. */
  private readonly addressOwner = new Map<string, string | null>();

  constructor(
    readonly k8s: K8sFacts,
    readonly warnings: Warnings,
    /** From this many captured nodes on, FDB VXLAN edges format their id and evidence on first read (lazyEdge.ts). */
    readonly lazyEvidenceFromNodes: number = LAZY_EVIDENCE_FROM_NODES,
  ) {}

  /** The node of that name, created uncaptured when the evidence only refers to it. */
  ensureNode(name: string): NodeWork {
    const existing = this.nodes.get(name);
    if (existing !== undefined) return existing;
    const facts = this.k8s.nodes.get(name);
    const topo: TopoNode = {
      id: name,
      name,
      addresses: facts ? [...facts.addresses] : [],
      podCidrs: facts ? [...facts.podCidrs] : [],
      captured: false,
      tunnels: [],
      underlay: [],
      datapath: 'route-based',
    };
    const node: NodeWork = { name, topo, namespaces: [], nsByName: new Map(), hostAddrOwner: new Map() };
    this.nodes.set(name, node);
    for (const a of topo.addresses) this.indexAddress(a, name);
    return node;
  }

  /** Records that `ip` is an underlay address of `node`; an address two nodes claim names neither. */
  indexAddress(ip: string, node: string): void {
    const key = canon(ip);
    const owner = this.addressOwner.get(key);
    if (owner === undefined) {
      this.addressOwner.set(key, node);
    } else if (owner !== null && owner !== node) {
      this.addressOwner.set(key, null);
      this.warnings.add(`address ${key} is claimed by nodes ${owner} and ${node}; it identifies neither`, undefined, key);
    }
  }

  /** The node owning an underlay address, if exactly one does. */
  nodeOf(ip: string): NodeWork | undefined {
    const owner = this.addressOwner.get(canon(ip));
    return owner ? this.nodes.get(owner) : undefined;
  }

  /** True when no node can be named for the address because several claim it. */
  isAmbiguous(ip: string): boolean {
    return this.addressOwner.get(canon(ip)) === null;
  }

  /**
   * The node an outer destination or gateway belongs to. An address no
   * evidence attributes to a node becomes an uncaptured node named by the
   * address itself, so the graph can show where the covered part ends.
   */
  nodeForAddress(ip: string): NodeWork | undefined {
    const owner = this.addressOwner.get(ip);
    if (owner) return this.nodes.get(owner);
    const key = canon(ip);
    const known = this.nodeOf(key);
    if (known !== undefined) return known;
    if (this.isAmbiguous(key)) return undefined;
    const node = this.ensureNode(key);
    if (!node.topo.addresses.includes(key)) node.topo.addresses.push(key);
    this.indexAddress(key, node.name);
    return node;
  }
}
