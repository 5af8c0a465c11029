/**
 * Per-netns indexes over the neighbour table and the FDB. A host of a large
 * flannel cluster holds one neighbour and one FDB entry per other node.
 * A netns touched once or twice (the usual case for a single trace through a
 * big cluster) is answered by an allocation-free scan on the exact text
 * iproute2 prints; a netns queried repeatedly gets Maps, built once and
 * cached, keyed by canonical address / lower-case MAC.
 */
import type { FdbEntry, Neighbour } from '../snapshot/schema';
import type { TopoNetns } from '../topology/types';
import { fastCanonicalIp } from '../topology/topologyIndex';

const neighCache = new WeakMap<TopoNetns, Map<string, Map<string, Slot<Neighbour>>>>();
const scans = new WeakMap<object, number>();
/** Scans per table before it is worth indexing. */
const SCANS_BEFORE_INDEX = 8;

function shouldIndex(table: object): boolean {
  const n = (scans.get(table) ?? 0) + 1;
  scans.set(table, n);
  return n > SCANS_BEFORE_INDEX;
}

/**
 * An index slot: the one entry for a key (the usual case), or the list when
 * several share it. A one-element array per entry would be most of the
 * index's memory: a host of a 1,000-node cluster has a thousand neighbours.
 */
type Slot<V> = V | V[];

/** Per device, then per key: nested rather than a `dev + key` string built and hashed per entry. */
function add<V extends object>(m: Map<string, Map<string, Slot<V>>>, dev: string, k: string, v: V): void {
  let byKey = m.get(dev);
  if (byKey === undefined) {
    byKey = new Map();
    m.set(dev, byKey);
  }
  addSlot(byKey, k, v);
}

function addSlot<V extends object>(m: Map<string, Slot<V>>, k: string, v: V): void {
  const prev = m.get(k);
  if (prev === undefined) m.set(k, v);
  else if (Array.isArray(prev)) prev.push(v);
  else m.set(k, [prev, v]);
}

function listOf<V extends object>(slot: Slot<V> | undefined): readonly V[] {
  if (slot === undefined) return NONE;
  return Array.isArray(slot) ? slot : [slot];
}

/** Lower-case MAC, without allocating when it already is (iproute2 prints lower case). */
function lowerMac(mac: string): string {
  for (let i = 0; i < mac.length; i++) {
    const c = mac.charCodeAt(i);
    if (c >= 65 && c <= 90) return mac.toLowerCase();
  }
  return mac;
}

const NONE: readonly never[] = Object.freeze([]);

/** Neighbour entries of `ns` for `ip` on device `dev`, in evidence order. */
export function neighboursFor(ns: TopoNetns, dev: string, ip: string): readonly Neighbour[] {
  let m = neighCache.get(ns);
  if (!m && !shouldIndex(ns.neighbours)) {
    const exact = ns.neighbours.filter((n) => n.dev === dev && n.dst === ip);
    if (exact.length > 0) return exact;
    const want = fastCanonicalIp(ip);
    return ns.neighbours.filter((n) => n.dev === dev && fastCanonicalIp(n.dst) === want);
  }
  if (!m) {
    m = new Map();
    for (const n of ns.neighbours) add(m, n.dev, fastCanonicalIp(n.dst), n);
    neighCache.set(ns, m);
  }
  return listOf(m.get(dev)?.get(fastCanonicalIp(ip)));
}

/** FDB entries of `ns` for `mac` on device `dev` (any case), in evidence order. */
export function fdbFor(ns: TopoNetns, dev: string, mac: string): readonly FdbEntry[] {
  if (!macCache.has(ns) && !shouldIndex(ns.fdb)) {
    const exact = ns.fdb.filter((e) => e.dev === dev && e.mac === mac);
    if (exact.length > 0) return exact;
    const want = lowerMac(mac);
    return ns.fdb.filter((e) => e.dev === dev && lowerMac(e.mac) === want);
  }
  // One index per netns serves both lookups: a MAC has one or two entries, so filtering by device is free.
  const slot = allByMac(ns).get(lowerMac(mac));
  if (slot === undefined) return NONE;
  if (!Array.isArray(slot)) return slot.dev === dev ? [slot] : NONE;
  return slot.filter((e) => e.dev === dev);
}

/** FDB entries of `ns` for `mac` on any device, in evidence order. */
export function fdbForMac(ns: TopoNetns, mac: string): readonly FdbEntry[] {
  if (ns.fdb.length === 0) return NONE;
  if (!macCache.has(ns) && !shouldIndex(ns)) {
    const want = lowerMac(mac);
    return ns.fdb.filter((e) => e.mac === mac || lowerMac(e.mac) === want);
  }
  return listOf(allByMac(ns).get(lowerMac(mac)));
}

const macCache = new WeakMap<TopoNetns, Map<string, Slot<FdbEntry>>>();

function allByMac(ns: TopoNetns): Map<string, Slot<FdbEntry>> {
  let m = macCache.get(ns);
  if (!m) {
    m = new Map();
    for (const e of ns.fdb) addSlot(m, lowerMac(e.mac), e);
    macCache.set(ns, m);
  }
  return m;
}
