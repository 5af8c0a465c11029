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

/** One namespace while it is being built. */
export interface NsWork {
  topo: TopoNetns;
  snap: NetnsSnapshot;
  node: NodeWork;
  isHost: boolean;
  byName: Map<string, TopoInterface>;
  /** `null` marks an ifindex two interfaces claim: it names neither reliably. */
  byIfindex: Map<number, TopoInterface | null>;
  /** The wire link behind each listed interface (veth peer facts, master name). */
  links: Map<string, Link>;
  /** Interfaces in ifindex order (unknown ifindexes last, in order of appearance). */
  list: TopoInterface[];
}

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
  /** Underlay address → node name; `null` when two nodes claim it. */
  private readonly addressOwner = new Map<string, string | null>();

  constructor(
    readonly k8s: K8sFacts,
    readonly warnings: Warnings,
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
