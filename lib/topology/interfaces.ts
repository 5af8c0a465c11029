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
import type { Cluster, NodeWork, NsWork } from './cluster';
import { canon, dstLength, forEachHop } from './addr';
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
  const id = `${nodeName}/${snap.name}`;
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

  const ns: NsWork = {
    topo,
    snap,
    node,
    isHost: snap.kind === 'host',
    byName: new Map(),
    byIfindex: new Map(),
    links: new Map(),
    list: [],
  };
  const appearance: TopoInterface[] = [];
  const add = (iface: TopoInterface): void => {
    ns.byName.set(iface.name, iface);
    appearance.push(iface);
  };
  const stub = (name: string): TopoInterface => {
    const existing = ns.byName.get(name);
    if (existing !== undefined) return existing;
    const iface: TopoInterface = { id: `${id}/${name}`, node: nodeName, netns: id, name, role: 'other', addresses: [], inferred: true };
    add(iface);
    return iface;
  };

  for (const link of snap.links ?? []) {
    if (ns.byName.has(link.name)) {
      cluster.warnings.add(`interface ${link.name} is listed twice in ${id}; the first listing is kept`, nodeName, `${id}/${link.name}`);
      continue;
    }
    add(fromLink(link, id, nodeName));
    ns.links.set(link.name, link);
  }

  const owned = new Set<string>();
  for (const a of snap.addresses ?? []) {
    const ip = canon(a.local);
    const addr: InterfaceAddress = { ip, prefixlen: a.prefixlen, family: a.family };
    if (a.scope !== undefined) addr.scope = a.scope;
    if (a.peer !== undefined) addr.peer = canon(a.peer);
    stub(a.ifname).addresses.push(addr);
    owned.add(ip);
  }

  // Devices the evidence names without listing them.
  const masters = new Set<string>();
  for (const link of snap.links ?? []) {
    if (link.master !== undefined) masters.add(link.master);
    if (link.vxlan?.dev !== undefined) stub(link.vxlan.dev);
    if (link.tunnel?.dev !== undefined) stub(link.tunnel.dev);
  }
  for (const m of masters) {
    if (!ns.byName.has(m)) {
      stub(m);
      cluster.warnings.add(`master ${m} is named by a port in ${id} but not listed; its kind is unknown`, nodeName, `${id}/${m}`);
    }
  }
  for (const [name, link] of ns.links) {
    if (link.master === undefined) continue;
    const iface = ns.byName.get(name);
    const master = ns.byName.get(link.master);
    if (iface !== undefined && master !== undefined) iface.master = master.id;
  }
  const routes = snap.routes ?? [];
  for (const route of routes) {
    forEachHop(route, (hop) => {
      if (hop.dev !== undefined && !ns.byName.has(hop.dev)) stub(hop.dev);
    });
  }
  for (const n of snap.neighbours ?? []) if (!ns.byName.has(n.dev)) stub(n.dev);
  for (const f of snap.fdb ?? []) {
    if (!ns.byName.has(f.dev)) stub(f.dev);
    if (f.master !== undefined && !ns.byName.has(f.master)) stub(f.master);
  }
  // `bridge fdb`: `<mac> dev veth12acb4c1 master cni0` shows the port even when no link listing said so.
  for (const f of snap.fdb ?? []) {
    if (f.master === undefined) continue;
    const port = ns.byName.get(f.dev);
    const master = ns.byName.get(f.master);
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
    if (owned.has(ip)) continue;
    const family = ipFamily(ip);
    if (family === null) continue;
    const iface = ns.byName.get(route.dev);
    if (iface === undefined) continue;
    iface.addresses.push({ ip, prefixlen: dstLength(route.dst), family, scope: 'global', inferred: true });
    owned.add(ip);
  }

  // Ifindexes are unique only within one namespace — but within it they are, so a clash means mixed-up evidence.
  for (const iface of appearance) {
    if (iface.ifindex === undefined) continue;
    const other = ns.byIfindex.get(iface.ifindex);
    if (other === undefined) {
      ns.byIfindex.set(iface.ifindex, iface);
    } else {
      if (other !== null) {
        cluster.warnings.add(
          `ifindex ${iface.ifindex} is claimed by both ${other.name} and ${iface.name} in ${id}; neither can be paired by it`,
          nodeName,
          iface.id,
        );
      }
      ns.byIfindex.set(iface.ifindex, null);
    }
  }

  ns.list = appearance.length < 2 ? appearance : [...appearance].sort(byIfindex);
  topo.interfaces = ns.list.map((i) => i.id);
  return ns;
}

function byIfindex(a: TopoInterface, b: TopoInterface): number {
  const x = a.ifindex ?? Number.MAX_SAFE_INTEGER;
  const y = b.ifindex ?? Number.MAX_SAFE_INTEGER;
  return x - y;
}

function fromLink(link: Link, netnsId: string, node: string): TopoInterface {
  const iface: TopoInterface = { id: `${netnsId}/${link.name}`, node, netns: netnsId, name: link.name, role: 'other', addresses: [] };
  if (link.ifindex !== undefined) iface.ifindex = link.ifindex;
  if (link.kind !== undefined) iface.kind = link.kind;
  if (link.mtu !== undefined) iface.mtu = link.mtu;
  if (link.mac !== undefined) iface.mac = link.mac.toLowerCase();
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
