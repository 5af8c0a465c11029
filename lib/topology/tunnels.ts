/**
 * Tunnel edges: VTEP ↔ remote VTEP (`vxlan`), tunl0 → remote node (`ipip`),
 * and each tunnel device → the underlay NIC that carries its outer packets
 * (`underlay`). DOMAIN §3a, §3c.
 *
 * Remote ends are found through indexes built once (underlay address → node,
 * VTEP MAC → device), never by scanning nodes per FDB entry: a 1,000-node
 * flannel cluster has a million FDB entries.
 */
import type { TopoEdge, TopoInterface } from './types';
import type { FdbEntry, Route } from '../snapshot/schema';
import type { Cluster, NodeWork, NsWork } from './cluster';
import { canon, describeRoute, forEachHop, isGlobalAddress, isMulticastIp, lowerMac } from './addr';
import { MainTableV4 } from './routeLookup';
import { checkTunnelFits } from './mtu';
import { ipFamily } from '../net/ip';
import { FdbVxlanEdge, NeighbourLookup, fdbLine } from './lazyEdge';
import type { FdbSide, FdbTarget } from './lazyEdge';

/** Linux's VXLAN UDP port when `ip link add … type vxlan` names none (IANA's 4789 must be asked for). */
export const LINUX_VXLAN_PORT = 8472;
/** Calico's VXLAN device uses the IANA port and VNI 4096 (DOMAIN §3d). */
const CALICO_VXLAN = { port: 4789, vni: 4096 } as const;

/** The VNI of a VTEP: from `ip -d link`, else the documented default its name implies. */
export function vtepVni(vtep: TopoInterface): number | undefined {
  if (vtep.vxlan !== undefined) return vtep.vxlan.id;
  const m = /^flannel\.(\d+)$/.exec(vtep.name);
  if (m?.[1] !== undefined) return Number(m[1]);
  if (vtep.name === 'vxlan.calico' || vtep.name === 'vxlan-v6.calico') return CALICO_VXLAN.vni;
  return undefined;
}

/** The UDP destination port a VTEP sends to. */
export function vtepPort(vtep: TopoInterface): number | undefined {
  if (vtep.vxlan !== undefined) return vtep.vxlan.port ?? LINUX_VXLAN_PORT;
  if (vtep.name === 'vxlan.calico' || vtep.name === 'vxlan-v6.calico') return CALICO_VXLAN.port;
  if (vtep.role === 'vtep' && vtep.kind !== 'geneve') return LINUX_VXLAN_PORT;
  return undefined;
}

/** A tunnel's local address when it is fixed (`local 30.0.1.160`); `any` is not one. */
function fixedLocal(t: TopoInterface): string | undefined {
  const local = t.vxlan?.local ?? t.tunnel?.local;
  return local !== undefined && ipFamily(local) !== null ? canon(local) : undefined;
}

/** Working facts of the tunnel stage. */
class TunnelWork {
  /**
   * Where the tunnel edges (vxlan, ipip) sit in cluster.edges.list: every one
   * is created by this stage before its underlay edges, and is settled at the
   * end (outer addresses, VNI, port). A range rather than a second list of
   * half a million edges, regrown as it filled.
   */
  tunnelFrom = 0;
  tunnelTo = 0;
  /** Per tunnel device: outer destinations it sends to (FDB `dst`, route gateways). */
  readonly outerDsts = new Map<TopoInterface, Set<string>>();
  /** Tunnels in use whose NIC is fixed by `dev` or `local`: their destinations are not collected. */
  readonly fixed = new Set<TopoInterface>();
  /** Per tunnel device: the underlay NICs carrying it. */
  readonly carriers = new Map<TopoInterface, TopoInterface[]>();
  readonly vtepByMac = new Map<string, TopoInterface | null>();
  readonly ifaceById = new Map<string, TopoInterface>();
  /** Per node: its host netns's VTEPs and IP tunnels. */
  readonly tunnelsOf = new Map<NodeWork, TopoInterface[]>();
  readonly tables = new Map<NodeWork, MainTableV4>();
  /**
   * Large clusters: FDB edges between two captured VTEPs, keyed by the pair of
   * their ranks in id order (which is also the edge's direction), and built
   * as FdbVxlanEdges. Undefined when edges are plain objects in EdgeSet.
   */
  lazyPairs: PairTable | undefined;
  readonly rank = new Map<TopoInterface, number>();
  /**
   * Large clusters: per FDB destination address (the strings repeat on every
   * node), the node it names and that node's VTEPs whose MAC is unique in the
   * cluster, ranked. An entry then costs one lookup of a string whose hash V8
   * already holds and a compare of its MAC, instead of hashing a million MAC
   * strings nobody else reads.
   */
  readonly remoteByDst = new Map<string, RemoteVteps | null>();
  /**
   * Large clusters: an FDB `dst` as the snapshot spells it → its canonical
   * form and whether it is multicast. The spelt strings are the same on every
   * node (and short ones come from JSON.parse interned), so a million entries
   * canonicalise a thousand distinct addresses once each.
   */
  readonly fdbDst = new Map<string, SpeltDst>();

  constructor(readonly cluster: Cluster) {}

  /**
   * Records a tunnel edge and what one side's evidence says about the other
   * end's outer address (`dst` of an FDB entry, a route's gateway). The first
   * statement wins; ends nobody stated are settled in finishTunnelEdges.
   */
  track(edge: TopoEdge, end: string, outerIp: string): void {
    if (edge.target === end) edge.outerDst ??= outerIp;
    else edge.outerSrc ??= outerIp;
  }

  /**
   * Notes that `tunnel` sends to `ip`. Only a tunnel without a fixed device or
   * local address needs the list (its NIC is found by routing to each); the
   * others are only marked active.
   */
  addDst(tunnel: TopoInterface, ip: string): void {
    if (this.fixed.has(tunnel)) return;
    let s = this.outerDsts.get(tunnel);
    if (s === undefined) {
      if (tunnel.vxlan?.dev !== undefined || tunnel.tunnel?.dev !== undefined || fixedLocal(tunnel) !== undefined) {
        this.fixed.add(tunnel);
        return;
      }
      s = new Set();
      this.outerDsts.set(tunnel, s);
    }
    s.add(ip);
  }

  table(node: NodeWork): MainTableV4 | undefined {
    const host = node.host;
    if (host === undefined) return undefined;
    let t = this.tables.get(node);
    if (t === undefined) {
      t = new MainTableV4(host.topo.routes);
      this.tables.set(node, t);
    }
    return t;
  }
}

/** An FDB `dst` as spelt: its canonical form, whether it is multicast, and (once asked) remoteByDst's answer for it, so an entry costs one lookup. */
interface SpeltDst {
  readonly dst: string;
  readonly multicast: boolean;
  remote: RemoteVteps | null | undefined;
}

/** A remote node as large clusters' FDB entries find it: its VTEPs that a MAC names on their own (vtepByMac), with their ranks. */
interface RemoteVteps {
  readonly node: NodeWork;
  readonly macs: readonly string[];
  readonly ids: readonly string[];
  readonly ranks: readonly number[];
  /** Per VTEP, its MAC at this address: what every node's FDB entry towards it says, shared by their edges. */
  readonly targets: readonly FdbTarget[];
}

function remoteVteps(node: NodeWork, dst: string, work: TunnelWork): RemoteVteps {
  const macs: string[] = [];
  const ids: string[] = [];
  const ranks: number[] = [];
  const targets: FdbTarget[] = [];
  for (const t of work.tunnelsOf.get(node) ?? []) {
    // The all-zero MAC is flannel's "any VTEP" entry, never a device's own: remoteDevice ignores it.
    if (t.role !== 'vtep' || t.mac === undefined || t.mac === '00:00:00:00:00:00' || work.vtepByMac.get(t.mac) !== t) continue;
    macs.push(t.mac);
    ids.push(t.id);
    ranks.push(work.rank.get(t) ?? -1);
    targets.push({ mac: t.mac, dst, end: t.id });
  }
  return { node, macs, ids, ranks, targets };
}

/**
 * `lowerMac(mac) === own`, for an `own` already lower-case, without building
 * the lower-case copy: one pass over a million FDB MACs instead of a scan, a
 * copy and a string compare.
 */
function sameMac(mac: string, own: string): boolean {
  const len = own.length;
  if (mac.length !== len) return false;
  for (let i = 0; i < len; i++) {
    let c = mac.charCodeAt(i);
    if (c >= 65 && c <= 70) c += 32;
    // Not a hex digit: lowerMac's toLowerCase may treat it otherwise.
    else if (c > 70 && (c < 97 || c > 102)) return lowerMac(mac) === own;
    if (c !== own.charCodeAt(i)) return false;
  }
  return true;
}

/** Rows up to this long are arrays; a larger ranking falls back to one Map. */
const DENSE_PAIRS = 4096;

/**
 * The FDB edge of each pair of ranked VTEPs (lower rank first). A cluster's
 * VTEPs are a full mesh, so a row per VTEP indexed by the other's rank is
 * both smaller and faster than a Map of half a million pair keys.
 */
class PairTable {
  private readonly rows: ((FdbVxlanEdge | undefined)[] | undefined)[] | undefined;
  private readonly map: Map<number, FdbVxlanEdge> | undefined;

  constructor(private readonly ranks: number) {
    if (ranks <= DENSE_PAIRS) this.rows = new Array<(FdbVxlanEdge | undefined)[] | undefined>(ranks);
    else this.map = new Map();
  }

  get(lo: number, hi: number): FdbVxlanEdge | undefined {
    if (this.rows !== undefined) return this.rows[lo]?.[hi - lo - 1];
    return this.map?.get(lo * this.ranks + hi);
  }

  set(lo: number, hi: number, edge: FdbVxlanEdge): void {
    if (this.rows !== undefined) {
      let row = this.rows[lo];
      if (row === undefined) {
        row = new Array<FdbVxlanEdge | undefined>(this.ranks - lo - 1);
        this.rows[lo] = row;
      }
      row[hi - lo - 1] = edge;
    } else {
      this.map?.set(lo * this.ranks + hi, edge);
    }
  }
}

/** Builds `vxlan`, `ipip` and `underlay` edges; returns the tunnels that carry traffic. */
export function buildTunnelEdges(cluster: Cluster): Set<TopoInterface> {
  const work = new TunnelWork(cluster);
  const captured = [...cluster.nodes.values()].filter((n) => n.host !== undefined);
  for (const node of captured) {
    const tunnels: TopoInterface[] = [];
    work.tunnelsOf.set(node, tunnels);
    for (const iface of node.host?.list ?? []) {
      if (iface.role !== 'vtep' && iface.role !== 'ip-tunnel') continue;
      tunnels.push(iface);
      work.ifaceById.set(iface.id, iface);
      if (iface.role === 'vtep' && iface.mac !== undefined) {
        work.vtepByMac.set(iface.mac, work.vtepByMac.has(iface.mac) ? null : iface);
      }
    }
  }
  if (captured.length >= cluster.lazyEvidenceFromNodes && !annotationsDrawEdges(captured, work)) {
    // Annotation edges merge through EdgeSet's string index; without any, FDB pairs need only this one.
    const ranked = [...work.ifaceById.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    ranked.forEach((iface, i) => work.rank.set(iface, i));
    work.lazyPairs = new PairTable(ranked.length);
  }
  work.tunnelFrom = cluster.edges.list.length;
  for (const node of captured) vxlanFromFdb(node, work);
  vxlanFromAnnotations(captured, work);
  for (const node of captured) ipipFromRoutes(node, work);
  work.tunnelTo = cluster.edges.list.length;
  for (const node of captured) underlayEdges(node, work);
  finishTunnelEdges(work);
  return new Set([...work.outerDsts.keys(), ...work.fixed]);
}

/** True when vxlanFromAnnotations will draw edges: some node's FDB is incomplete and annotations name VTEPs. */
function annotationsDrawEdges(captured: readonly NodeWork[], work: TunnelWork): boolean {
  let annotated = false;
  for (const f of work.cluster.k8s.nodes.values()) if (f.flannel?.publicIp !== undefined) annotated = true;
  return annotated && captured.some((n) => n.host !== undefined && !fdbComplete(n.host.topo.known, n.host.topo.filtered));
}

function fdbComplete(known: readonly string[], filtered: readonly string[]): boolean {
  return known.includes('fdb') && !filtered.includes('fdb');
}

/** The device (or, failing that, the node) at the far end of a tunnel towards `remote`. */
function remoteEnd(remote: NodeWork, role: 'vtep' | 'ip-tunnel', like: TopoInterface, work: TunnelWork, mac?: string): string {
  return remoteDevice(remote, role, like, work, mac)?.id ?? remote.name;
}

/** The device at the far end of a tunnel towards `remote`, when the evidence singles one out. */
function remoteDevice(remote: NodeWork, role: 'vtep' | 'ip-tunnel', like: TopoInterface, work: TunnelWork, mac?: string): TopoInterface | undefined {
  if (mac !== undefined) {
    const byMac = work.vtepByMac.get(mac);
    if (byMac && byMac.node === remote.name) return byMac;
  }
  const candidates = (work.tunnelsOf.get(remote) ?? []).filter((i) => i.role === role);
  if (role === 'vtep') {
    const vni = vtepVni(like);
    const sameVni = candidates.filter((c) => vni !== undefined && vtepVni(c) === vni);
    if (sameVni.length === 1 && sameVni[0] !== undefined) return sameVni[0];
  }
  const sameName = candidates.find((c) => c.name === like.name);
  if (sameName !== undefined) return sameName;
  if (candidates.length === 1 && candidates[0] !== undefined) return candidates[0];
  return undefined;
}

function vxlanFromFdb(node: NodeWork, work: TunnelWork): void {
  const host = node.host;
  if (host === undefined) return;
  if (work.lazyPairs !== undefined) {
    vxlanFromFdbLazy(node, host, work, work.lazyPairs);
    return;
  }
  const { cluster } = work;
  // flannel writes a neighbour (remote VTEP address → VtepMAC) beside each FDB entry: the same tunnel, seen at L3.
  const neighOf = new Map<string, Map<string, string>>();
  let lastDev = '';
  let lastMap: Map<string, string> | undefined;
  for (const n of host.topo.neighbours) {
    if (n.lladdr === undefined) continue;
    // Entries come grouped by device: look the device up once per run.
    if (n.dev !== lastDev) {
      lastDev = n.dev;
      lastMap = undefined;
      if (host.get(n.dev)?.role === 'vtep') {
        lastMap = neighOf.get(n.dev) ?? new Map<string, string>();
        neighOf.set(n.dev, lastMap);
      }
    }
    lastMap?.set(lowerMac(n.lladdr), n.dst);
  }
  lastDev = '';
  let vtep: TopoInterface | undefined;
  let neighs: Map<string, string> | undefined;
  let vtepFixed = false;
  for (const f of host.topo.fdb) {
    if (f.dst === undefined) continue;
    if (f.dev !== lastDev) {
      lastDev = f.dev;
      const dev = host.get(f.dev);
      vtep = dev !== undefined && dev.role === 'vtep' ? dev : undefined;
      neighs = neighOf.get(f.dev);
      vtepFixed = vtep !== undefined && work.fixed.has(vtep);
    }
    if (vtep === undefined) continue;
    const dst = canon(f.dst);
    if (isMulticastIp(dst) || node.hostAddrOwner.has(dst)) continue;
    const remote = cluster.nodeForAddress(dst);
    if (remote === undefined || remote === node) continue;
    const mac = lowerMac(f.mac);
    const device = remoteDevice(remote, 'vtep', vtep, work, mac !== '00:00:00:00:00:00' ? mac : undefined);
    const end = device?.id ?? remote.name;
    const edge = cluster.edges.pair('vxlan', vtep.id, end, false, fdbLine(node.name, mac, vtep.name, dst, neighs?.get(mac)));
    work.track(edge, end, dst);
    if (f.vni !== undefined) edge.vni ??= f.vni;
    // A VTEP with a fixed device or local address stays fixed: its thousand entries need not ask again.
    if (!vtepFixed) {
      work.addDst(vtep, dst);
      vtepFixed = work.fixed.has(vtep);
    }
  }
}

/**
 * vxlanFromFdb for large clusters: what it does for each of a million FDB
 * entries, with lazily formatted edges (lazyEdge.ts) kept in the PairTable.
 * The work per entry is memory-bound (each entry, MAC string and edge is a
 * cache miss), so an entry reads its MAC once, finds the remote node through
 * remoteByDst and touches a known edge once.
 */
function vxlanFromFdbLazy(node: NodeWork, host: NsWork, work: TunnelWork, lazy: PairTable): void {
  const { cluster } = work;
  const fdb = host.topo.fdb;
  const neighOf = new Map<string, NeighbourLookup>();
  let lastDev = '';
  let vtep: TopoInterface | undefined;
  let vtepRank = -1;
  let neighs: NeighbourLookup | undefined;
  /** The lazy edges' shared facts of the current VTEP's run of entries. */
  let side: FdbSide | undefined;
  let vtepFixed = false;
  for (let i = 0; i < fdb.length; i++) {
    const f = fdb[i] as FdbEntry;
    if (f.dst === undefined) continue;
    if (f.dev !== lastDev) {
      lastDev = f.dev;
      const dev = host.get(f.dev);
      vtep = dev !== undefined && dev.role === 'vtep' ? dev : undefined;
      vtepRank = vtep !== undefined ? (work.rank.get(vtep) ?? -1) : -1;
      neighs = neighOf.get(f.dev);
      side = undefined;
      vtepFixed = vtep !== undefined && work.fixed.has(vtep);
      if (vtep !== undefined && neighs === undefined) {
        // Indexed only if a line is read: most never are.
        neighs = new NeighbourLookup(host.topo.neighbours, f.dev);
        neighOf.set(f.dev, neighs);
      }
    }
    if (vtep === undefined) continue;
    let spelt = work.fdbDst.get(f.dst);
    if (spelt === undefined) {
      const canonical = canon(f.dst);
      spelt = { dst: canonical, multicast: isMulticastIp(canonical), remote: undefined };
      work.fdbDst.set(f.dst, spelt);
    }
    const dst = spelt.dst;
    if (spelt.multicast || node.hostAddrOwner.has(dst)) continue;
    let r = spelt.remote;
    if (r === undefined) {
      r = work.remoteByDst.get(dst);
      if (r === undefined) {
        // nodeForAddress answers an address the same way all build long (an unknown one becomes the same uncaptured node).
        const found = cluster.nodeForAddress(dst);
        r = found === undefined ? null : remoteVteps(found, dst, work);
        work.remoteByDst.set(dst, r);
      }
      spelt.remote = r;
    }
    if (r === null || r.node === node) continue;
    const remote = r.node;
    // remoteDevice's first answer: the VTEP owning the MAC, on that node. Its
    // own (lower-case) MAC string then stands for the entry's, which need not
    // be lower-cased or compared apart.
    let mac: string | undefined;
    let end: string | undefined;
    let to: FdbTarget | undefined;
    let endRank = -1;
    const macs = r.macs;
    for (let k = 0; k < macs.length; k++) {
      const own = macs[k] as string;
      if (!sameMac(f.mac, own)) continue;
      mac = own;
      end = r.ids[k];
      endRank = r.ranks[k] ?? -1;
      to = r.targets[k];
      break;
    }
    if (mac === undefined || end === undefined) {
      mac = lowerMac(f.mac);
      to = undefined;
      const device = remoteDevice(remote, 'vtep', vtep, work, mac !== '00:00:00:00:00:00' ? mac : undefined);
      endRank = device !== undefined ? (work.rank.get(device) ?? -1) : -1;
      end = device?.id ?? remote.name;
    }
    let edge: TopoEdge;
    if (vtepRank >= 0 && endRank >= 0) {
      // Both ends are interfaces, so EdgeSet.pair would order them by id: the ranks' order.
      // The lower rank is the source, so this entry's remote end is the target exactly when this VTEP ranks first.
      const first = vtepRank < endRank;
      const known = first ? lazy.get(vtepRank, endRank) : lazy.get(endRank, vtepRank);
      side ??= { node: node.name, dev: vtep.name, neigh: neighs, vtep: vtep.id };
      to ??= { mac, dst, end };
      if (known === undefined) {
        const created = new FdbVxlanEdge(first ? vtep.id : end, first ? end : vtep.id, side, to);
        cluster.edges.list.push(created);
        if (first) lazy.set(vtepRank, endRank, created);
        else lazy.set(endRank, vtepRank, created);
        // What TunnelWork.track does for a new edge.
        if (first) created.outerDst = dst;
        else created.outerSrc = dst;
        edge = created;
      } else {
        known.addFdbEnd(side, to, first);
        edge = known;
      }
    } else {
      edge = cluster.edges.pair('vxlan', vtep.id, end, false, fdbLine(node.name, mac, vtep.name, dst, neighs?.get(mac)));
      work.track(edge, end, dst);
    }
    if (f.vni !== undefined) edge.vni ??= f.vni;
    // A VTEP with a fixed device or local address stays fixed: its thousand entries need not ask again.
    if (!vtepFixed) {
      work.addDst(vtep, dst);
      vtepFixed = work.fixed.has(vtep);
    }
  }
}

/**
 * flannel's node annotations state every node's VTEP MAC and public IP. They
 * draw (inferred) edges only from VTEPs whose FDB was not captured whole: a
 * complete FDB is what the kernel uses, and a tunnel it lacks does not exist.
 */
function vxlanFromAnnotations(captured: readonly NodeWork[], work: TunnelWork): void {
  const { cluster } = work;
  const annotated = [...cluster.k8s.nodes.values()].filter((f) => f.flannel?.publicIp !== undefined);
  if (annotated.length === 0) return;
  for (const node of captured) {
    const host = node.host;
    if (host === undefined) continue;
    if (fdbComplete(host.topo.known, host.topo.filtered)) continue;
    const own = cluster.k8s.nodes.get(node.name)?.flannel;
    for (const vtep of host.list) {
      if (vtep.role !== 'vtep') continue;
      const vni = vtepVni(vtep);
      for (const facts of annotated) {
        const backend = facts.flannel;
        if (facts.name === node.name || backend?.publicIp === undefined) continue;
        if (vni !== undefined && backend.vni !== undefined && vni !== backend.vni) continue;
        const remote = cluster.ensureNode(facts.name);
        const end = remoteEnd(remote, 'vtep', vtep, work, backend.vtepMac);
        const evidence = `annotations of ${facts.name}: VNI ${backend.vni ?? '?'}, VtepMAC ${backend.vtepMac ?? '?'}, public-ip ${backend.publicIp}`;
        const edge = cluster.edges.pair('vxlan', vtep.id, end, true, evidence);
        work.track(edge, end, backend.publicIp);
        if (own?.publicIp !== undefined) work.track(edge, vtep.id, own.publicIp);
        if (backend.vni !== undefined) edge.vni ??= backend.vni;
        work.addDst(vtep, backend.publicIp);
      }
    }
  }
}

/** Calico IPIP: `10.244.9.0/26 via 192.168.50.12 dev tunl0 proto bird onlink` tunnels to the node owning 192.168.50.12. */
function ipipFromRoutes(node: NodeWork, work: TunnelWork): void {
  const host = node.host;
  if (host === undefined) return;
  const routes = host.topo.routes;
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as Route;
    // The usual single next hop is filtered in place, without forEachHop's closure: a thousand routes per host.
    if ((route.nexthops === undefined || route.nexthops.length === 0) && (route.gateway === undefined || route.dev === undefined || host.get(route.dev)?.role !== 'ip-tunnel')) continue;
    // In a function of its own: a closure here would capture `route` and cost a context per route, skipped or not.
    ipipFromRoute(node, host, route, work);
  }
}

function ipipFromRoute(node: NodeWork, host: NsWork, route: Route, work: TunnelWork): void {
  const { cluster } = work;
  forEachHop(route, (hop) => {
    if (hop.gateway === undefined || hop.dev === undefined) return;
    const tunnel = host.get(hop.dev);
    if (tunnel === undefined || tunnel.role !== 'ip-tunnel') return;
    const gw = canon(hop.gateway);
    const remote = cluster.nodeForAddress(gw);
    if (remote === undefined || remote === node) return;
    let end = remoteEnd(remote, 'ip-tunnel', tunnel, work);
    if (end === remote.name) {
      const nic = remote.hostAddrOwner.get(gw);
      if (nic !== undefined) end = nic.id;
    }
    const edge = cluster.edges.pair('ipip', tunnel.id, end, false, `${node.name}: ${describeRoute(route, hop)}`);
    work.track(edge, end, gw);
    work.addDst(tunnel, gw);
  });
}

/** Each tunnel device → the NIC(s) its outer packets leave by. */
function underlayEdges(node: NodeWork, work: TunnelWork): void {
  const host = node.host;
  if (host === undefined) return;
  const { cluster } = work;
  for (const tunnel of work.tunnelsOf.get(node) ?? []) {
    const found = new Map<TopoInterface, { inferred: boolean; evidence: string }>();
    const dev = tunnel.vxlan?.dev ?? tunnel.tunnel?.dev;
    const local = fixedLocal(tunnel);
    if (dev !== undefined) {
      const nic = host.get(dev);
      if (nic !== undefined) found.set(nic, { inferred: false, evidence: `${tunnel.name} ${tunnel.vxlan ? 'vxlan' : 'tunnel'} dev ${dev}` });
    } else if (local !== undefined && node.hostAddrOwner.has(local)) {
      const nic = node.hostAddrOwner.get(local);
      if (nic !== undefined && nic !== tunnel) found.set(nic, { inferred: false, evidence: `${tunnel.name} local ${local} is an address of ${nic.name}` });
    } else {
      // `local any` (Calico's tunl0): the source, and so the NIC, is whatever the route to each remote gateway says.
      const dsts = work.outerDsts.get(tunnel);
      const table = work.table(node);
      const byNic = new Map<TopoInterface, string[]>();
      if (dsts !== undefined && table !== undefined) {
        for (const dst of dsts) {
          const route = table.lookup(dst);
          const nic = route?.dev !== undefined ? host.get(route.dev) : undefined;
          if (nic === undefined || nic === tunnel || nic.role === 'vtep' || nic.role === 'ip-tunnel') continue;
          const list = byNic.get(nic);
          if (list === undefined) byNic.set(nic, [dst]);
          else list.push(dst);
        }
      }
      for (const [nic, via] of byNic) {
        const more = via.length > 1 ? ` (and ${via.length - 1} more remote end${via.length > 2 ? 's' : ''})` : '';
        found.set(nic, { inferred: true, evidence: `${tunnel.name} has no fixed local address; the route to ${via[0] ?? '?'}${more} leaves by ${nic.name}` });
      }
      if (found.size === 0) {
        const underlay = host.list.filter((i) => i.role === 'underlay');
        const only = underlay[0];
        if (underlay.length === 1 && only !== undefined) {
          found.set(only, { inferred: true, evidence: `${only.name} is the only underlay NIC of ${node.name}` });
        }
      }
    }
    if (found.size === 0) {
      if (work.outerDsts.has(tunnel) || work.fixed.has(tunnel)) {
        cluster.warnings.add(`the underlay NIC carrying ${tunnel.name} on ${node.name} is not in the evidence`, node.name, tunnel.id);
      }
      continue;
    }
    const carriers: TopoInterface[] = [];
    for (const [nic, { inferred, evidence }] of found) {
      carriers.push(nic);
      const edge = cluster.edges.directed('underlay', tunnel.id, nic.id, inferred, evidence);
      if (checkTunnelFits(tunnel, nic, cluster, edge.id)) edge.mtuMismatch = true;
    }
    work.carriers.set(tunnel, carriers);
  }
}

/** Sets VNI, outer addresses, port and MTU agreement on every vxlan/ipip edge. */
function finishTunnelEdges(work: TunnelWork): void {
  const { cluster } = work;
  // Indexed: half a million edges of two classes, where for-of's iterator results were not optimised away.
  const edges = cluster.edges.list;
  for (let i = work.tunnelFrom; i < work.tunnelTo; i++) {
    const edge = edges[i] as TopoEdge;
    const src = work.ifaceById.get(edge.source);
    const dst = work.ifaceById.get(edge.target);
    edge.outerDst ??= outerAddress(edge.target, dst, undefined, work);
    edge.outerSrc ??= outerAddress(edge.source, src, edge.outerDst, work);
    if (edge.outerDst === undefined) delete edge.outerDst;
    if (edge.outerSrc === undefined) delete edge.outerSrc;
    if (edge.kind === 'vxlan') {
      // The devices' own VNI beats one an FDB entry or annotation stated.
      const vni = (src && vtepVni(src)) ?? (dst && vtepVni(dst)) ?? edge.vni;
      if (vni !== undefined) edge.vni = vni;
      edge.dstPort = (src && vtepPort(src)) ?? (dst && vtepPort(dst)) ?? LINUX_VXLAN_PORT;
    }
    if (src?.mtu !== undefined && dst?.mtu !== undefined && src.mtu !== dst.mtu) {
      edge.mtuMismatch = true;
      cluster.warnings.add(`${src.id} (MTU ${src.mtu}) and ${dst.id} (MTU ${dst.mtu}) tunnel to each other with different MTUs`, src.node, edge.id);
    }
  }
}

/**
 * An end's outer address when no other side stated it: the tunnel's fixed
 * local address, else its carrier NIC's address (in the peer's family), else
 * the node's first address.
 */
function outerAddress(end: string, iface: TopoInterface | undefined, peer: string | undefined, work: TunnelWork): string | undefined {
  if (iface !== undefined) {
    const local = fixedLocal(iface);
    if (local !== undefined) return local;
    const family = peer !== undefined ? ipFamily(peer) : 4;
    for (const nic of work.carriers.get(iface) ?? []) {
      const a = nic.addresses.find((x) => x.family === family && isGlobalAddress(x));
      if (a !== undefined) return a.ip;
    }
  }
  const node = work.cluster.nodes.get(iface?.node ?? end);
  return node?.topo.addresses[0];
}
