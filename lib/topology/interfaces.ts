/**
 * Namespaces and their interfaces, as the evidence lists them — plus the
 * interfaces it only names. A route's `dev eth0`, a neighbour's device, an FDB
 * entry's port or a link's master prove that the device exists even when no
 * `ip link` listed it (a transcript that only ran `ip route`): those become
 * stubs marked `inferred`, so routes and edges always point at something.
 */
import type { Link, NetnsSnapshot, Section } from '../snapshot/schema';
import { SectionSchema } from '../snapshot/schema';
import type { InterfaceAddress, TopoInterface, TopoNetns } from './types';
import { NsWork } from './cluster';
import type { Cluster, NodeWork } from './cluster';
import { canon, dstLength, flat, lowerMac } from './addr';
import { ipFamily } from '../net/ip';

const SECTIONS: readonly Section[] = SectionSchema.options;

/** `net.ipv4.ip_forward` as a boolean; undefined when absent or not 0/1. */
export function ipForwardOf(sysctls: Record<string, string> | undefined): boolean | undefined {
  const v = sysctls?.['net.ipv4.ip_forward']?.trim();
  return v === '1' ? true : v === '0' ? false : undefined;
}

/**
 * Folds namespaces that a snapshot lists twice under one name (a transcript
 * that ran commands in the same pod at two places) into one: for each
 * section, the first that has it wins.
 */
export function mergeDuplicateNetns(node: string, list: readonly NetnsSnapshot[], cluster: Cluster): NetnsSnapshot[] {
  const byName = new Map<string, NetnsSnapshot>();
  const out: NetnsSnapshot[] = [];
  for (const ns of list) {
    const first = byName.get(ns.name);
    if (first === undefined) {
      byName.set(ns.name, ns);
      out.push(ns);
      continue;
    }
    cluster.warnings.add(`namespace ${ns.name} appears twice in the snapshot of ${node}; sections of the first are kept`, node, `${node}/${ns.name}`);
    const merged: NetnsSnapshot = { ...first };
    for (const section of SECTIONS) {
      if (merged[section] === undefined && ns[section] !== undefined) (merged as Record<string, unknown>)[section] = ns[section];
    }
    if (merged.pod === undefined && ns.pod !== undefined) merged.pod = ns.pod;
    out[out.indexOf(first)] = merged;
    byName.set(ns.name, merged);
  }
  return out;
}

/** Builds one namespace: its interfaces (listed and stubbed), addresses (read and inferred), copied tables. */
export function buildNetns(node: NodeWork, snap: NetnsSnapshot, cluster: Cluster): NsWork {
  const nodeName = node.name;
  const id = flat(nodeName, '/', snap.name);
  const known = SECTIONS.filter((s) => snap[s] !== undefined);
  const topo: TopoNetns = {
    id,
    node: nodeName,
    name: snap.name,
    kind: snap.kind,
    interfaces: [],
    // Shared by reference: a node's thousand routes are not copied per build.
    routes: snap.routes ?? [],
    rules: snap.rules ?? [],
    neighbours: snap.neighbours ?? [],
    fdb: snap.fdb ?? [],
    sysctls: snap.sysctls ?? {},
    known,
    filtered: snap.filtered ?? [],
  };
  if (snap.pod !== undefined) topo.pod = snap.pod;
  const ipForward = ipForwardOf(snap.sysctls);
  if (ipForward !== undefined) topo.ipForward = ipForward;

  const ns = new NsWork(topo, snap, node);
  const stub = (name: string): TopoInterface => {
    const existing = ns.get(name);
    if (existing !== undefined) return existing;
    const iface: TopoInterface = { id: flat(id, '/', name), node: nodeName, netns: id, name, role: 'other', addresses: [], inferred: true };
    ns.add(iface);
    return iface;
  };

  for (const link of snap.links ?? []) {
    if (ns.get(link.name) !== undefined) {
      cluster.warnings.add(`interface ${link.name} is listed twice in ${id}; the first listing is kept`, nodeName, `${id}/${link.name}`);
      continue;
    }
    ns.add(fromLink(link, id, nodeName));
  }

  const owned: string[] = [];
  for (const a of snap.addresses ?? []) {
    const ip = canon(a.local);
    const addr: InterfaceAddress = { ip, prefixlen: a.prefixlen, family: a.family };
    if (a.scope !== undefined) addr.scope = a.scope;
    if (a.peer !== undefined) addr.peer = canon(a.peer);
    stub(a.ifname).addresses.push(addr);
    owned.push(ip);
  }

  // Devices the evidence names without listing them.
  const masters: string[] = [];
  for (const link of snap.links ?? []) {
    if (link.master !== undefined && !masters.includes(link.master)) masters.push(link.master);
    if (link.vxlan?.dev !== undefined) stub(link.vxlan.dev);
    if (link.tunnel?.dev !== undefined) stub(link.tunnel.dev);
  }
  for (const m of masters) {
    if (undefined === ns.get(m)) {
      stub(m);
      cluster.warnings.add(`master ${m} is named by a port in ${id} but not listed; its kind is unknown`, nodeName, `${id}/${m}`);
    }
  }
  for (const link of snap.links ?? []) {
    if (link.master === undefined) continue;
    const iface = ns.get(link.name);
    const master = ns.get(link.master);
    if (iface !== undefined && master !== undefined) iface.master = master.id;
  }
  // A host's thousand routes, neighbours and FDB entries name a handful of
  // devices, mostly the same one in a row: skip the lookup for a repeat.
  let last = '';
  const stubOnce = (name: string): void => {
    if (name === last) return;
    stub(name);
    last = name;
  };
  const routes = snap.routes ?? [];
  for (const route of routes) {
    if (route.dev !== undefined) stubOnce(route.dev);
    if (route.nexthops !== undefined) for (const nh of route.nexthops) if (nh.dev !== undefined) stubOnce(nh.dev);
  }
  for (const n of snap.neighbours ?? []) stubOnce(n.dev);
  for (const f of snap.fdb ?? []) {
    stubOnce(f.dev);
    if (f.master !== undefined) stubOnce(f.master);
  }
  // `bridge fdb`: `<mac> dev veth12acb4c1 master cni0` shows the port even when no link listing said so.
  for (const f of snap.fdb ?? []) {
    if (f.master === undefined) continue;
    const port = ns.get(f.dev);
    const master = ns.get(f.master);
    if (port !== undefined && master !== undefined && port.master === undefined && port !== master) port.master = master.id;
  }

  // `10.30.180.0/24 dev eth0 proto kernel scope link src 10.30.180.56`: the
  // kernel adds that route for an address on eth0, so the address is known
  // even when `ip addr` was never run (the pasted capture in shared/captures).
  for (const route of routes) {
    const src = route.prefsrc;
    if (src === undefined || route.dev === undefined || route.gateway !== undefined) continue;
    if (route.type !== 'unicast' || (route.protocol !== 'kernel' && route.scope !== 'link')) continue;
    const ip = canon(src);
    if (owned.includes(ip)) continue;
    const family = ipFamily(ip);
    if (family === null) continue;
    const iface = ns.get(route.dev);
    if (iface === undefined) continue;
    iface.addresses.push({ ip, prefixlen: dstLength(route.dst), family, scope: 'global', inferred: true });
    owned.push(ip);
  }

  // Ifindexes are unique only within one namespace — but within it they are, so a clash means mixed-up evidence.
  for (const iface of ns.list) {
    if (iface.ifindex === undefined || ns.byIfindex(iface.ifindex) !== null) continue;
    const first = ns.list.find((i) => i.ifindex === iface.ifindex);
    if (first === iface) continue;
    cluster.warnings.add(
      `ifindex ${iface.ifindex} is claimed by both ${first?.name ?? '?'} and ${iface.name} in ${id}; neither can be paired by it`,
      nodeName,
      iface.id,
    );
  }

  if (!isSorted(ns.list)) ns.list.sort(byIfindex);
  topo.interfaces = ns.list.map((i) => i.id);
  return ns;
}

function isSorted(list: readonly TopoInterface[]): boolean {
  for (let i = 1; i < list.length; i++) {
    const a = list[i - 1]?.ifindex;
    const b = list[i]?.ifindex;
    if (b === undefined) continue;
    if (a === undefined || a > b) return false;
  }
  return true;
}

function byIfindex(a: TopoInterface, b: TopoInterface): number {
  const x = a.ifindex ?? Number.MAX_SAFE_INTEGER;
  const y = b.ifindex ?? Number.MAX_SAFE_INTEGER;
  return x - y;
}

function fromLink(link: Link, netnsId: string, node: string): TopoInterface {
  const iface: TopoInterface = { id: flat(netnsId, '/', link.name), node, netns: netnsId, name: link.name, role: 'other', addresses: [] };
  if (link.ifindex !== undefined) iface.ifindex = link.ifindex;
  if (link.kind !== undefined) iface.kind = link.kind;
  if (link.mtu !== undefined) iface.mtu = link.mtu;
  if (link.mac !== undefined) iface.mac = lowerMac(link.mac);
  if (link.flags !== undefined) {
    iface.adminUp = link.flags.includes('UP');
    iface.lowerUp = link.flags.includes('LOWER_UP');
  }
  if (link.operState !== undefined) iface.operState = link.operState;
  if (link.vxlan !== undefined) iface.vxlan = link.vxlan;
  if (link.tunnel !== undefined) iface.tunnel = link.tunnel;
  if (link.proxyArp !== undefined) iface.proxyArp = link.proxyArp;
  return iface;
}
