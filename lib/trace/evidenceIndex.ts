/**
 * Per-netns indexes over the neighbour table and the FDB. A host of a large
 * flannel cluster holds one neighbour and one FDB entry per other node, so
 * scanning them (and canonicalising every address) on each trace would cost
 * milliseconds; these Maps are built once per netns object and cached.
 */
import type { FdbEntry, Neighbour } from '../snapshot/schema';
import type { TopoNetns } from '../topology/types';
import { fastCanonicalIp } from '../topology/topologyIndex';

const neighCache = new WeakMap<TopoNetns, Map<string, Neighbour[]>>();
const fdbCache = new WeakMap<TopoNetns, Map<string, FdbEntry[]>>();

function add<V>(m: Map<string, V[]>, k: string, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** Neighbour entries of `ns` for `ip` on device `dev`, in evidence order. */
export function neighboursFor(ns: TopoNetns, dev: string, ip: string): readonly Neighbour[] {
  let m = neighCache.get(ns);
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
  if (!m) {
    m = new Map();
    for (const e of ns.fdb) add(m, `${e.dev}\u0000${e.mac.toLowerCase()}`, e);
    fdbCache.set(ns, m);
  }
  return m.get(`${dev}\u0000${mac.toLowerCase()}`) ?? [];
}

/** FDB entries of `ns` for `mac` on any device, in evidence order. */
export function fdbForMac(ns: TopoNetns, mac: string): readonly FdbEntry[] {
  return ns.fdb.length === 0 ? [] : allByMac(ns).get(mac.toLowerCase()) ?? [];
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
