/**
 * Namespaces and their interfaces, as the evidence lists them — plus the
 * interfaces it only names. A route's `dev eth0`, a neighbour's device, an FDB
 * entry's port or a link's master prove that the device exists even when no
 * `ip link` listed it (a transcript that only ran `ip route`): those become
 * stubs marked `inferred`, so routes and edges always point at something.
 */
import type { FdbEntry, Link, Neighbour, NetnsSnapshot, Route, Section } from '../snapshot/schema';
import { SectionSchema } from '../snapshot/schema';
import type { InterfaceAddress, TopoInterface, TopoNetns } from './types';
import { NsWork, SCAN_LIMIT } from './cluster';
import type { Cluster, NodeWork } from './cluster';
import { canon, dstLength, flat, flat3, lowerMac } from './addr';
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

/** `known` lists by the sections present (a bit each): a hundred thousand pod namespaces share a handful of arrays. */
const knownByMask = new Map<number, Section[]>();

function knownSections(snap: NetnsSnapshot): Section[] {
  let mask = 0;
  for (let i = 0; i < SECTIONS.length; i++) if (snap[SECTIONS[i] as Section] !== undefined) mask |= 1 << i;
  let known = knownByMask.get(mask);
  if (known === undefined) {
    known = SECTIONS.filter((_, i) => (mask & (1 << i)) !== 0);
    knownByMask.set(mask, known);
  }
  // Shared: a topology is read-only once built (topologyIndex caches on that too).
  return known;
}

/**
 * The address list of an interface without addresses (a host's hundred veths, stubs), shared:
 * addAddress replaces it rather than pushing. Frozen, so a consumer that pushed into a built
 * topology's list would fail loudly instead of giving every such interface the address.
 */
const NO_ADDRESSES = Object.freeze([]) as readonly InterfaceAddress[] as InterfaceAddress[];

/** `lo`'s `127.0.0.1/8 scope host`, the same in each of a hundred thousand pod namespaces: one shared, frozen object and list. */
const LOOPBACK_V4: InterfaceAddress = Object.freeze({ ip: '127.0.0.1', prefixlen: 8, family: 4, scope: 'host' }) as InterfaceAddress;
const LOOPBACK_V4_ONLY = Object.freeze([LOOPBACK_V4]) as readonly InterfaceAddress[] as InterfaceAddress[];

/** The interface of that name in `ns`, created as an inferred stub when the evidence only names it. */
function stub(ns: NsWork, name: string): TopoInterface {
  const existing = ns.get(name);
  if (existing !== undefined) return existing;
  const id = ns.topo.id;
  const iface: TopoInterface = { id: flat3(id, '/', name), node: ns.topo.node, netns: id, name, role: 'other', addresses: NO_ADDRESSES, inferred: true };
  ns.add(iface);
  return iface;
}

/** Adds an address; a first address gets a one-slot array rather than push's seventeen, and the shared lists are replaced, never grown. */
function addAddress(iface: TopoInterface, addr: InterfaceAddress): void {
  const list = iface.addresses;
  if (list.length === 0) iface.addresses = addr === LOOPBACK_V4 ? LOOPBACK_V4_ONLY : [addr];
  else if (list === LOOPBACK_V4_ONLY) iface.addresses = [LOOPBACK_V4, addr];
  else list.push(addr);
}

/** True when an interface of `ns` holds `ip` (read or already inferred). */
function ownsAddress(ns: NsWork, ip: string): boolean {
  const list = ns.list;
  for (let i = 0; i < list.length; i++) {
    const addresses = (list[i] as TopoInterface).addresses;
    for (let k = 0; k < addresses.length; k++) if ((addresses[k] as InterfaceAddress).ip === ip) return true;
  }
  return false;
}

const NO_IDS = Object.freeze([]) as readonly string[] as string[];
const NO_LIST: readonly never[] = Object.freeze([]);
/** The shared, frozen empty list, as the type a section has. */
function emptyList<T>(): T[] {
  return NO_LIST as unknown as T[];
}
const NO_SYSCTLS = Object.freeze({}) as Record<string, string>;

/**
 * The public netns, its optional `pod` and `ipForward` in the literal: set
 * afterwards, each of a hundred thousand pod namespaces would grow a property
 * store and walk map transitions for them. Same keys, same order as setting them after.
 */
function newNetns(id: string, node: string, snap: NetnsSnapshot): TopoNetns {
  // Shared by reference: a node's thousand routes are not copied per build.
  const name = snap.name;
  const kind = snap.kind;
  // A section the snapshot lacks is one shared, frozen empty (a collector's hundred thousand pod
  // namespaces have no `filtered`): an array or object apiece would live through the build.
  const routes = snap.routes ?? emptyList<Route>();
  const rules = snap.rules ?? emptyList<NonNullable<NetnsSnapshot['rules']>[number]>();
  const neighbours = snap.neighbours ?? emptyList<Neighbour>();
  const fdb = snap.fdb ?? emptyList<FdbEntry>();
  const sysctls = snap.sysctls ?? NO_SYSCTLS;
  const known = knownSections(snap);
  const filtered = snap.filtered ?? emptyList<Section>();
  const pod = snap.pod;
  const ipForward = ipForwardOf(snap.sysctls);
  // `interfaces` is set once the namespace's list is final.
  const interfaces = NO_IDS;
  if (pod !== undefined) {
    return ipForward !== undefined
      ? { id, node, name, kind, interfaces, routes, rules, neighbours, fdb, sysctls, known, filtered, pod, ipForward }
      : { id, node, name, kind, interfaces, routes, rules, neighbours, fdb, sysctls, known, filtered, pod };
  }
  return ipForward !== undefined
    ? { id, node, name, kind, interfaces, routes, rules, neighbours, fdb, sysctls, known, filtered, ipForward }
    : { id, node, name, kind, interfaces, routes, rules, neighbours, fdb, sysctls, known, filtered };
}

/** Builds one namespace: its interfaces (listed and stubbed), addresses (read and inferred), copied tables. */
export function buildNetns(node: NodeWork, snap: NetnsSnapshot, cluster: Cluster): NsWork {
  const nodeName = node.name;
  const id = flat3(nodeName, '/', snap.name);
  const topo = newNetns(id, nodeName, snap);

  const ns = new NsWork(topo, snap, node);
  const links = snap.links ?? [];
  let hasMaster = false;
  // A port's master id, formatted once per master name (a host's hundred veths name cni0); inline, as a
  // closure would be allocated for each of a hundred thousand namespaces.
  let masterName: string | undefined;
  let masterId: string | undefined;
  if (links.length > 0 && links.length <= SCAN_LIMIT && !hasDuplicateName(links)) {
    // A pod netns's two or three links, made into one exactly sized list rather than grown copy by copy.
    const list = new Array<TopoInterface>(links.length);
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as Link;
      const m = link.master;
      if (m !== undefined && m !== masterName) {
        masterName = m;
        masterId = flat3(id, '/', m);
      }
      list[i] = fromLink(link, id, nodeName, m === undefined ? undefined : masterId);
    }
    ns.setList(list);
  } else {
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as Link;
      if (ns.get(link.name) !== undefined) {
        cluster.warnings.add(`interface ${link.name} is listed twice in ${id}; the first listing is kept`, nodeName, `${id}/${link.name}`);
        continue;
      }
      const m = link.master;
      if (m !== undefined && m !== masterName) {
        masterName = m;
        masterId = flat3(id, '/', m);
      }
      ns.add(fromLink(link, id, nodeName, m === undefined ? undefined : masterId));
    }
  }

  const addresses = snap.addresses ?? [];
  for (let i = 0; i < addresses.length; i++) {
    const a = addresses[i] as NonNullable<NetnsSnapshot['addresses']>[number];
    let addr: InterfaceAddress;
    if (a.local === '127.0.0.1' && a.prefixlen === 8 && a.scope === 'host' && a.peer === undefined && a.family === 4) addr = LOOPBACK_V4;
    else {
      const ip = canon(a.local);
      addr = a.scope !== undefined ? { ip, prefixlen: a.prefixlen, family: a.family, scope: a.scope } : { ip, prefixlen: a.prefixlen, family: a.family };
      if (a.peer !== undefined) addr.peer = canon(a.peer);
    }
    addAddress(stub(ns, a.ifname), addr);
  }

  // Devices the evidence names without listing them.
  let masters: string[] | undefined;
  for (let i = 0; i < links.length; i++) {
    const link = links[i] as Link;
    if (link.master !== undefined) {
      hasMaster = true;
      masters ??= [];
      if (!masters.includes(link.master)) masters.push(link.master);
    }
    if (link.vxlan?.dev !== undefined) stub(ns, link.vxlan.dev);
    if (link.tunnel?.dev !== undefined) stub(ns, link.tunnel.dev);
  }
  if (masters !== undefined) {
    for (const m of masters) {
      if (undefined === ns.get(m)) {
        stub(ns, m);
        cluster.warnings.add(`master ${m} is named by a port in ${id} but not listed; its kind is unknown`, nodeName, `${id}/${m}`);
      }
    }
  }
  if (hasMaster) {
    for (let i = 0; i < links.length; i++) {
      const link = links[i] as Link;
      if (link.master === undefined) continue;
      const iface = ns.get(link.name);
      const master = ns.get(link.master);
      if (iface !== undefined && master !== undefined) iface.master = master.id;
    }
  }
  // A host's thousand routes, neighbours and FDB entries name a handful of
  // devices, mostly the same one in a row: skip the lookup for a repeat.
  let last = '';
  const routes = snap.routes ?? [];
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as Route;
    const dev = route.dev;
    if (dev !== undefined && dev !== last) {
      stub(ns, dev);
      last = dev;
    }
    const nexthops = route.nexthops;
    if (nexthops !== undefined) {
      for (let k = 0; k < nexthops.length; k++) {
        const nh = nexthops[k] as NonNullable<Route['nexthops']>[number];
        if (nh.dev !== undefined && nh.dev !== last) {
          stub(ns, nh.dev);
          last = nh.dev;
        }
      }
    }
  }
  const neighbours = snap.neighbours ?? [];
  for (let i = 0; i < neighbours.length; i++) {
    const dev = (neighbours[i] as Neighbour).dev;
    if (dev !== last) {
      stub(ns, dev);
      last = dev;
    }
  }
  const fdb = snap.fdb ?? [];
  let fdbMasters = false;
  // A bridge's entries alternate port and master (`dev veth… master cni0`, two per port): each has its own last name.
  let lastMaster = '';
  for (let i = 0; i < fdb.length; i++) {
    const f = fdb[i] as FdbEntry;
    if (f.dev !== last && f.dev !== lastMaster) {
      stub(ns, f.dev);
      last = f.dev;
    }
    if (f.master !== undefined) {
      fdbMasters = true;
      if (f.master !== lastMaster && f.master !== last) {
        stub(ns, f.master);
        lastMaster = f.master;
      }
    }
  }
  // `bridge fdb`: `<mac> dev veth12acb4c1 master cni0` shows the port even when no link listing said so.
  if (fdbMasters) {
    // Nothing is added to the namespace here, so a repeated name finds what it found before.
    let portName: string | undefined;
    let port: TopoInterface | undefined;
    let masterName: string | undefined;
    let master: TopoInterface | undefined;
    for (let i = 0; i < fdb.length; i++) {
      const f = fdb[i] as FdbEntry;
      if (f.master === undefined) continue;
      if (f.dev !== portName) {
        portName = f.dev;
        port = ns.get(f.dev);
      }
      if (f.master !== masterName) {
        masterName = f.master;
        master = ns.get(f.master);
      }
      if (port !== undefined && master !== undefined && port.master === undefined && port !== master) port.master = master.id;
    }
  }

  // `10.30.180.0/24 dev eth0 proto kernel scope link src 10.30.180.56`: the
  // kernel adds that route for an address on eth0, so the address is known
  // even when `ip addr` was never run (the pasted capture in shared/captures).
  for (let i = 0; i < routes.length; i++) {
    const route = routes[i] as Route;
    const src = route.prefsrc;
    if (src === undefined || route.dev === undefined || route.gateway !== undefined) continue;
    if (route.type !== 'unicast' || (route.protocol !== 'kernel' && route.scope !== 'link')) continue;
    const ip = canon(src);
    if (ownsAddress(ns, ip)) continue;
    const family = ipFamily(ip);
    if (family === null) continue;
    const iface = ns.get(route.dev);
    if (iface === undefined) continue;
    addAddress(iface, { ip, prefixlen: dstLength(route.dst), family, scope: 'global', inferred: true });
  }

  // Ifindexes are unique only within one namespace — but within it they are, so a clash means mixed-up evidence.
  for (let i = 0; i < ns.list.length; i++) {
    const iface = ns.list[i] as TopoInterface;
    if (iface.ifindex === undefined || ns.byIfindex(iface.ifindex) !== null) continue;
    const first = ns.list.find((i) => i.ifindex === iface.ifindex);
    if (first === iface) continue;
    cluster.warnings.add(
      `ifindex ${iface.ifindex} is claimed by both ${first?.name ?? '?'} and ${iface.name} in ${id}; neither can be paired by it`,
      nodeName,
      iface.id,
    );
  }

  if (!isSorted(ns.list)) sortByIfindex(ns.list);
  const ids: string[] = new Array<string>(ns.list.length);
  for (let i = 0; i < ns.list.length; i++) ids[i] = (ns.list[i] as TopoInterface).id;
  topo.interfaces = ids;
  return ns;
}

/** True when two links share a name (checked pairwise: only for a few links). */
function hasDuplicateName(links: readonly Link[]): boolean {
  for (let i = 1; i < links.length; i++) {
    const name = (links[i] as Link).name;
    for (let k = 0; k < i; k++) if ((links[k] as Link).name === name) return true;
  }
  return false;
}

/** True when the known ifindexes already rise in list order (the usual `ip link` listing): nothing to move. */
function isSorted(list: readonly TopoInterface[]): boolean {
  let last = -Infinity;
  for (let i = 0; i < list.length; i++) {
    const x = (list[i] as TopoInterface).ifindex;
    if (x === undefined) continue;
    if (x < last) return false;
    last = x;
  }
  return true;
}

/**
 * Orders a namespace's interfaces as the kernel lists them (ifindex order).
 * `ip -br a` prints no ifindex but lists devices in that same order, so a
 * listed interface without one stays right after the interface listed before
 * it (a NIC of `ip -br a` ahead of a VTEP whose `ip -d link` gave ifindex 4).
 * Stubs only named by routes, neighbours or FDB entries have no known place:
 * they go last, in the order the evidence named them.
 */
function sortByIfindex(list: TopoInterface[]): void {
  const keyed = new Array<{ iface: TopoInterface; key: number; at: number }>(list.length);
  let key = 0;
  for (let i = 0; i < list.length; i++) {
    const iface = list[i] as TopoInterface;
    if (iface.ifindex !== undefined) key = iface.ifindex;
    keyed[i] = { iface, key: iface.ifindex ?? (iface.inferred === true ? Number.MAX_SAFE_INTEGER : key), at: i };
  }
  keyed.sort((a, b) => a.key - b.key || a.at - b.at);
  for (let i = 0; i < keyed.length; i++) list[i] = (keyed[i] as { iface: TopoInterface }).iface;
}

/**
 * The interface of a listed link. `masterId` is its master's id when it names
 * one: buildNetns sets `master` after the stubs (a port may name an unlisted
 * bridge), but a port collectors describe fully gets the key in its literal,
 * where setting it later would grow a property store on a hundred thousand
 * host veths. Keys keep the order they would have had.
 */
function fromLink(link: Link, netnsId: string, node: string, masterId: string | undefined): TopoInterface {
  const id = flat3(netnsId, '/', link.name);
  const { ifindex, kind, mtu, mac, flags, operState } = link;
  let iface: TopoInterface;
  if (ifindex !== undefined && kind !== undefined && mtu !== undefined && mac !== undefined && flags !== undefined && operState !== undefined) {
    // What collectors always give, in one literal: the object gets its fields
    // in place instead of a property store grown field by field (same keys, same order).
    const name = link.name;
    const lowered = lowerMac(mac);
    const adminUp = flags.includes('UP');
    const lowerUp = flags.includes('LOWER_UP');
    const plain = link.vxlan === undefined && link.tunnel === undefined && link.proxyArp === undefined;
    // A veth gets its `peer` slot in the literal (pairVeths sets it on every pod and host veth): added
    // later it grew a property store on each of 220,000 ends. Undefined until then, and JSON omits it.
    if (kind === 'veth' && plain) {
      return masterId !== undefined
        ? { id, node, netns: netnsId, name, role: 'other', addresses: NO_ADDRESSES, ifindex, kind, mtu, mac: lowered, adminUp, lowerUp, operState, master: masterId, peer: undefined }
        : { id, node, netns: netnsId, name, role: 'other', addresses: NO_ADDRESSES, ifindex, kind, mtu, mac: lowered, adminUp, lowerUp, operState, peer: undefined };
    }
    if (masterId !== undefined && plain) {
      return { id, node, netns: netnsId, name, role: 'other', addresses: NO_ADDRESSES, ifindex, kind, mtu, mac: lowered, adminUp, lowerUp, operState, master: masterId };
    }
    iface = { id, node, netns: netnsId, name, role: 'other', addresses: NO_ADDRESSES, ifindex, kind, mtu, mac: lowered, adminUp, lowerUp, operState };
  } else {
    iface = { id, node, netns: netnsId, name: link.name, role: 'other', addresses: NO_ADDRESSES };
    if (ifindex !== undefined) iface.ifindex = ifindex;
    if (kind !== undefined) iface.kind = kind;
    if (mtu !== undefined) iface.mtu = mtu;
    if (mac !== undefined) iface.mac = lowerMac(mac);
    if (flags !== undefined) {
      iface.adminUp = flags.includes('UP');
      iface.lowerUp = flags.includes('LOWER_UP');
    }
    if (operState !== undefined) iface.operState = operState;
  }
  if (link.vxlan !== undefined) iface.vxlan = link.vxlan;
  if (link.tunnel !== undefined) iface.tunnel = link.tunnel;
  if (link.proxyArp !== undefined) iface.proxyArp = link.proxyArp;
  return iface;
}
