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

const neighCache = new WeakMap<TopoNetns, Map<string, Neighbour[]>>();
const scans = new WeakMap<object, number>();
/** Scans per table before it is worth indexing. */
const SCANS_BEFORE_INDEX = 8;

function shouldIndex(table: object): boolean {
  const n = (scans.get(table) ?? 0) + 1;
  scans.set(table, n);
  return n > SCANS_BEFORE_INDEX;
}
const fdbCache = new WeakMap<TopoNetns, Map<string, FdbEntry[]>>();

function add<V>(m: Map<string, V[]>, k: string, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

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
    for (const n of ns.neighbours) add(m, `${n.dev}\u0000${fastCanonicalIp(n.dst)}`, n);
    neighCache.set(ns, m);
  }
  return m.get(`${dev}\u0000${fastCanonicalIp(ip)}`) ?? [];
}

/** FDB entries of `ns` for `mac` on device `dev` (any case), in evidence order. */
export function fdbFor(ns: TopoNetns, dev: string, mac: string): readonly FdbEntry[] {
  let m = fdbCache.get(ns);
  if (!m && !shouldIndex(ns.fdb)) {
    const exact = ns.fdb.filter((e) => e.dev === dev && e.mac === mac);
    if (exact.length > 0) return exact;
    const want = mac.toLowerCase();
    return ns.fdb.filter((e) => e.dev === dev && e.mac.toLowerCase() === want);
  }
  if (!m) {
    m = new Map();
    for (const e of ns.fdb) add(m, `${e.dev}\u0000${e.mac.toLowerCase()}`, e);
    fdbCache.set(ns, m);
  }
  return m.get(`${dev}\u0000${mac.toLowerCase()}`) ?? [];
}

/** FDB entries of `ns` for `mac` on any device, in evidence order. */
export function fdbForMac(ns: TopoNetns, mac: string): readonly FdbEntry[] {
  if (ns.fdb.length === 0) return [];
  if (!macCache.has(ns) && !shouldIndex(ns)) {
    const want = mac.toLowerCase();
    return ns.fdb.filter((e) => e.mac === mac || e.mac.toLowerCase() === want);
  }
  return allByMac(ns).get(mac.toLowerCase()) ?? [];
}

const macCache = new WeakMap<TopoNetns, Map<string, FdbEntry[]>>();

function allByMac(ns: TopoNetns): Map<string, FdbEntry[]> {
  let m = macCache.get(ns);
  if (!m) {
    m = new Map();
    for (const e of ns.fdb) add(m, e.mac.toLowerCase(), e);
    macCache.set(ns, m);
  }
  return m;
}
